"""Plots of traces (matplotlib; safe under the Agg backend: nothing is shown, the axes are returned).

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from optlab.problems import quadratic
    >>> from optlab.algorithms import GD, run
    >>> p = quadratic(d=3, mu=0.5, H=2.0)
    >>> ax = plot_trace([run(GD(lr=0.5), p, steps=20), run(GD(lr=0.1), p, steps=20)], metric="gap")
    >>> len(ax.lines)
    2
"""
from __future__ import annotations

import numpy

METRICS = {"gap": "f(x_t) - f*", "loss": "f(x_t)", "grad_norm": "||grad f(x_t)||",
           "dist": "||x_t - x*||"}
AXES = {"t": "step t", "grad_evals": "gradient evaluations", "oracle_calls": "oracle calls",
        "time": "time in steps (s)"}


def _values(trace, metric):
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {tuple(METRICS)}, got metric={metric!r}")
    y = getattr(trace, metric)
    if y is None:
        raise ValueError(f"this trace has no '{metric}' (x_star or the gradient norm was not recorded)")
    return numpy.asarray(y, dtype=float)


def plot_trace(traces, metric="gap", x="t", ax=None, label=None, logy=True, band=(0.1, 0.9),
               **line_kwargs):
    """Plot ``metric`` against ``x`` for one trace or a list of traces; returns the axes.

    A batched trace (run with seeds=[...]) is drawn as its mean over seeds with a shaded band between
    the ``band`` quantiles (None: no band). ``label`` defaults to the method's repr. Non-positive values
    are clipped to the smallest positive float on a log scale.
    """
    import matplotlib.pyplot as plt

    if x not in AXES:
        raise ValueError(f"x must be one of {tuple(AXES)}, got x={x!r}")
    traces = traces if isinstance(traces, (list, tuple)) else [traces]
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
            label[k] if isinstance(label, (list, tuple)) else tr.method)
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
