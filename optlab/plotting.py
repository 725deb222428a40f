"""Plots of traces (matplotlib; safe under the Agg backend: nothing is shown, the axes are returned).

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from optlab.problems import quadratic
    >>> from optlab.algorithms import GD, run
    >>> p = quadratic(d=3, mu=0.5, H=2.0)
    >>> ax = plot_trace([run(GD(lr=0.5), p, steps=20), run(GD(lr=0.1), p, steps=20)], metric="gap")
    >>> len(ax.lines), [line.get_label() for line in ax.lines]
    (2, ['GD(lr=0.5)', 'GD(lr=0.1)'])

The gap f(x_t) - f* needs f*: ``metric=None`` (the default) plots the gap when f* is known and the loss
f(x_t) otherwise (a user's own problem rarely knows f*); asking for ``metric="gap"`` without f* is an
error, never the loss under the gap's label. Legends name the method and its first hyperparameter
(``Adam(lr=0.05)``), not its whole repr.
"""
from __future__ import annotations

import re

import numpy

METRICS = {"gap": "f(x_t) - f*", "loss": "f(x_t)", "grad_norm": "||grad f(x_t)||",
           "dist": "||x_t - x*||"}
AXES = {"t": "step t", "grad_evals": "gradient evaluations", "oracle_calls": "oracle calls",
        "time": "time in steps (s)"}


def _values(trace, metric):
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {tuple(METRICS)}, got metric={metric!r}")
    if metric == "gap" and trace.f_star is None:
        raise ValueError(f"metric='gap' needs f* (the minimum value), which problem '{trace.problem}' does "
                         f"not state: state it (e.g. wrap(f, d, f_star=...)) or plot metric='loss'")
    y = getattr(trace, metric)
    if y is None:
        raise ValueError(f"this trace has no '{metric}' (x_star or the gradient norm was not recorded)")
    return numpy.asarray(y, dtype=float)


def short_label(method_repr):
    """'Adam(lr=0.05, beta1=0.9, ...)' -> 'Adam(lr=0.05)': the name and the first hyperparameter."""
    m = re.match(r"\s*([\w.]+)\((?:([^,()]+(?:\([^()]*\))?))?", method_repr)
    if not m:
        return method_repr[:30]
    return f"{m.group(1)}({m.group(2) or ''})"


def plot_trace(traces, metric=None, x="t", ax=None, label=None, logy=True, band=(0.1, 0.9),
               **line_kwargs):
    """Plot ``metric`` against ``x`` for one trace or a list of traces; returns the axes.

    A batched trace (run with seeds=[...]) is drawn as its mean over seeds with a shaded band between
    the ``band`` quantiles (None: no band). ``label`` defaults to the method's name and first
    hyperparameter (its full repr when that would not tell two traces apart). ``metric=None``: the gap
    when every trace knows f*, else the loss. Non-positive values are clipped to the smallest positive
    float on a log scale.
    """
    import matplotlib.pyplot as plt

    if x not in AXES:
        raise ValueError(f"x must be one of {tuple(AXES)}, got x={x!r}")
    traces = traces if isinstance(traces, (list, tuple)) else [traces]
    if metric is None:
        metric = "gap" if all(tr.f_star is not None for tr in traces) else "loss"
    short = [short_label(tr.method) for tr in traces]
    if len(set(short)) < len(set(tr.method for tr in traces)):   # too short to tell them apart
        short = [tr.method for tr in traces]
    ax = ax if ax is not None else plt.figure().add_subplot()
    for k, tr in enumerate(traces):
        y = _values(tr, metric)
        xs = tr.t if x == "t" else numpy.asarray(getattr(tr, x), dtype=float)
        if tr.batched:
            lo, hi = (None, None) if band is None else numpy.quantile(y, band, axis=0)
            y = y.mean(axis=0)
            xs = xs if xs.ndim == 1 else xs.mean(axis=0)
        if logy:
            y = numpy.maximum(y, numpy.finfo(float).tiny)
        lab = label if label is not None and len(traces) == 1 else (
            label[k] if isinstance(label, (list, tuple)) else short[k])
        (line,) = ax.plot(xs, y, label=lab, **line_kwargs)
        if tr.batched and band is not None:
            if logy:
                lo, hi = (numpy.maximum(v, numpy.finfo(float).tiny) for v in (lo, hi))
            ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(AXES[x])
    ax.set_ylabel(METRICS[metric])
    ax.legend(fontsize="small")
    return ax
