"""Property-test your own method against a theorem: hypothesis draws instances inside the theorem's
hypotheses, runs your method on each, checks the bound, and shrinks a failure to a small counterexample.

Your method is one of

* a plain function ``f(grad, x0, T, **hyper) -> iterates``: ``grad(w)`` is the gradient oracle of the
  theorem's own algorithm (stochastic, with the instance's noise, if that algorithm samples; the exact
  gradient if it does not), ``hyper`` are the hyperparameters of that algorithm on the drawn instance
  (e.g. ``lr``; a step size may be a schedule, a callable ``t -> eta_t`` for t = 1, 2, ...), and it
  returns the iterates w_1 .. w_{T+1} as an array of shape (T + 1, d);
* an optlab-style method class (``init(x0, oracle)``/``step(state, oracle)``, see
  ``optlab.algorithms.base``) built with those hyperparameters, ``MyMethod(**hyper)``;
* an optlab-style method object, used as it is: its fields named like the theorem's hyperparameters
  (e.g. ``lr``) are pinned, like ``hyper=`` below.

:func:`check_method` runs the property test (:func:`theorem_test` makes it a pytest test, and
``optlab test module:name --theorem ID`` runs it from the command line). For every drawn
:class:`optlab.strategies.Case` it runs ``optlab.theory.check`` with the theorem's algorithm replaced
by your method. A failure raises :class:`Counterexample`, after hypothesis has shrunk it, naming the
family, dimension, seed, T and hyperparameters, the measured value, the bound and the first failing
step, with an ``Instance(...)`` expression that reproduces it (:func:`check_instance`). Pinned
hyperparameters outside the theorem's admissible range are not failures: those draws are skipped, and
:class:`NotApplicable` is raised if no draw is left.

Statistics and shrinking: every check is deterministic given its case (the Monte Carlo seeds are
0 .. seeds-1), as hypothesis needs for shrinking. A statistical check (a bound in expectation, tested by
``check``'s one-sided z-test at false-alarm rate ALPHA = 1e-3) that fails is repeated once on
``CONFIRM`` times as many fresh sample paths (an independent seed stream); a case counts as a
counterexample only if both fail, so a correct method is reported wrong with probability about
ALPHA**2 = 1e-6 per drawn case (up to the z-test's normal approximation), while a real violation (whose failure probability grows with the number
of seeds) survives both and the shrunk case is itself confirmed.

Example:
    >>> import numpy as np
    >>> def gd(grad, x0, T, lr):
    ...     w = [x0]
    ...     for _ in range(T):
    ...         w.append(w[-1] - lr * grad(w[-1]))
    ...     return np.array(w)
    >>> print(check_method(gd, "EC500-5.8", max_examples=5))
    EC500-5.8 held for gd on 5 drawn instances
    >>> def gd_wrong_sign(grad, x0, T, lr):             # ascends along the last coordinate
    ...     w = [x0]
    ...     for _ in range(T):
    ...         step = lr * grad(w[-1])
    ...         step[-1] *= -1
    ...         w.append(w[-1] - step)
    ...     return np.array(w)
    >>> try:
    ...     check_method(gd_wrong_sign, "EC500-5.8", families=["quadratic_strongly_convex", "cosine_sum"])
    ... except Counterexample as err:
    ...     print(err.case.describe(), "| first failing step:", err.step)
    family quadratic_strongly_convex, d = 1, seed = 0, T = 2 | first failing step: 2
"""
from .check import (  # noqa: F401
    CONFIRM, PROFILES, SHRINK_BUDGET, Counterexample, NotApplicable, Report, check_instance, check_method,
    checkable, theorem_test,
)
from .command import load, main  # noqa: F401
from .methods import FunctionMethod, Reseeded, as_algorithm, hyperparameters  # noqa: F401

__all__ = ["check_method", "check_instance", "theorem_test", "Counterexample", "NotApplicable", "Report",
           "FunctionMethod", "Reseeded", "as_algorithm", "hyperparameters", "checkable", "main"]
