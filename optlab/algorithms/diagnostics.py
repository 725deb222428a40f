"""What :func:`optlab.algorithms.run` says about a run whose numbers would otherwise mislead.

* A start where the loss or the gradient is NaN or inf is refused before the first step (the data or
  x0 hold NaN): otherwise the run would stop at step 1 with advice to lower the learning rate.
* A run whose loss grows by more than ``GROWTH`` times its start stays finite but diverges: a
  :class:`RunWarning` says so (and compares lr with 2/H when both are known).
* An SGD method (a class named ...SGD...) that asked for stochastic gradients from an oracle with no noise model on a problem that is
  not a finite sum got exact gradients: it ran as gradient descent. A :class:`RunWarning` says so.
* Ctrl-C during a run raises :class:`RunInterrupted`, a KeyboardInterrupt that carries the trace up to
  the last recorded step (``err.trace``; in Jupyter ``sys.last_value.trace``), so no work is lost and a
  script still stops.

Warnings go through :mod:`warnings` with a text that does not depend on the seed, so the default filter
shows each once per calling line, not once per seed.

Example:
    >>> import warnings
    >>> import numpy as np
    >>> from optlab.problems import quadratic
    >>> from optlab.algorithms import GD, run
    >>> p = quadratic(d=2, mu=1.0, H=1.0)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tr = run(GD(lr=3.0), p, steps=40, x0=np.ones(2))
    >>> print(caught[0].message)
    run(): the loss of GD(lr=3.0) on quadratic (mu=1, H=1) grew from 1.38 to more than 1e+06 times that: the run diverges although it stays finite (lr = 3 > 2/H = 2).
"""
from __future__ import annotations

import sys
import warnings

import numpy

GROWTH = 1e6           # final loss above start + GROWTH (|start| + 1): diverging


class RunWarning(UserWarning):
    """A run finished, but its numbers may not mean what they seem to."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``run``. ``trace``: the run up to the last recorded step; ``step``: the step
    being computed; ``completed``: for a run over several seeds, the batched trace of the seeds that
    finished (None if none did)."""

    def __init__(self, message, step, trace, completed=None):
        super().__init__(message)
        self.step, self.trace, self.completed = step, trace, completed


def in_notebook():
    """True inside a Jupyter kernel (where stderr is no terminal but a progress bar still shows)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = shell.get_ipython()
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def check_x0(problem, x0):
    """Refuse an x0 whose shape is not the problem's (d,), naming both (before NumPy's broadcast error)."""
    shape, d = getattr(x0, "shape", None), getattr(problem, "d", None)
    if d is not None and shape is not None and tuple(shape) != (d,):
        raise ValueError(f"run(): x0 must have shape (d,) = ({d},) for {getattr(problem, 'name', 'the problem')}, "
                         f"got shape {tuple(shape)}")


def check_start(problem, loss0, grad_norm0):
    """Refuse a start where the loss or the gradient is not finite (NaN in the data or in x0).

    For a batch of seeds ``loss0`` and ``grad_norm0`` hold one value per seed."""
    if not numpy.all(numpy.isfinite(loss0)) or not numpy.all(numpy.isfinite(grad_norm0)):
        name = getattr(problem, "name", "the problem")
        raise ValueError(
            f"run(): at x0 the loss of {name} is {loss0} and ||grad|| is {grad_norm0}: the problem's "
            f"data or x0 contain NaN or inf (or x0 lies outside the domain); check them before running")


def after_run(method, problem, oracle, loss):
    """Warn (once per calling line) about a finite but diverging run, and about SGD that was GD.

    ``loss``: the recorded losses, one number per record (or, for a batch of seeds, one array per record:
    the warning then speaks of the first seed that diverges)."""
    name, pname = f"{method!r}"[:60], getattr(problem, "name", "the problem")
    L = numpy.asarray(loss, dtype=float).reshape(len(loss), -1)       # (records, seeds)
    grew = numpy.isfinite(L[-1]) & (L[-1] - L[0] > GROWTH * (numpy.abs(L[0]) + 1))
    if len(loss) > 1 and grew.any():
        start = float(L[0][numpy.argmax(grew)])
        H, lr = getattr(problem, "H", None), getattr(method, "lr", None)
        why = ""
        if H and isinstance(lr, (int, float)) and lr > 2 / H:
            why = f" (lr = {lr:g} > 2/H = {2 / H:g})"
        warnings.warn(f"run(): the loss of {name} on {pname} grew from {start:.3g} to more than "
                      f"{GROWTH:g} times that: the run diverges although it stays finite{why}.",
                      RunWarning, stacklevel=4)
    deterministic = oracle.noise is None and not getattr(problem, "is_finite_sum", False)
    if deterministic and "SGD" in type(method).__name__ and oracle.calls["stoch_grad"] > 0:
        warnings.warn(f"run(): {name} asked for stochastic gradients, but {pname} has no noise model and "
                      f"is not a finite sum, so every gradient was exact: this run is gradient descent. "
                      f"For SGD pass noise='gaussian' (or 'sphere') and sigma=... to run().",
                      RunWarning, stacklevel=4)


def interrupted(method, step, steps, trace):
    return RunInterrupted(
        f"run() of {method!r} interrupted at step {step} of {steps}; the trace up to step "
        f"{int(trace.t[-1])} is kept as err.trace (in Jupyter: import sys; trace = sys.last_value.trace)",
        step, trace)
