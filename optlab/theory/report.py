"""The verification report: a page a person reads, in Markdown (``index.md``) and HTML (``index.html``).

The page opens with a table whose rows link to one section per check; each section names the theorem,
its source, the instance it was checked on (problem, start, horizon, seeds, hyperparameters, oracle) and
the verdict, and shows a plot: the measured curve (the mean over seeds for expectations), a band over
the seeds, and the bound drawn over it, labelled "bound (as printed)", "printed bound" or "corrected
bound". The plot of a misprint also draws the corrected bound on the same instance, so the reader sees
the printed curve fall below the measurement and the corrected one stay above. Every axis is labelled.
The bound comes from the theorem object, never retyped.

Drawing is most of the report's cost (matplotlib lays out every tick label, title and legend), so the
report draws all its plots on one reused figure (:class:`ReportFigure`) with margins read from the
y-label's length instead of ``tight_layout`` (which lays every text out once more before drawing);
``optlab verify`` draws them in its worker processes, beside the checks (see optlab.theory.verify).

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from optlab.problems import quadratic
    >>> from optlab.theory import Instance, check, get
    >>> p = quadratic(d=3, mu=0.5, H=2.0)
    >>> c = check(get("EC500-5.8"), Instance(p, np.ones(3), T=20, hyper={"lr": 0.5}))
    >>> ax = plot_check(c)
    >>> [line.get_label() for line in ax.lines], ax.get_ylabel() != ""
    (['measured', 'bound (as printed)'], True)
"""
from __future__ import annotations

import html
import pathlib
import textwrap

import numpy

LABELS = {"as printed": "bound (as printed)", "printed": "printed bound", "corrected": "corrected bound"}


def _log_wanted(values):
    v = numpy.concatenate([numpy.ravel(a) for a in values])
    return bool(numpy.all(v > 0) and v.max() / v.min() > 100)


def corrected_bound(c):
    """For a check of a misprint: ``(corrected theorem, its bound on the same instance)``, else None.

    The corrected form has the id without ``/printed``; it is drawn only if it admits the instance
    (its own hypotheses) and bounds the same quantity at the same points (:func:`corrected_note` says
    why not otherwise).
    """
    fixed, bound, _ = _corrected(c)
    return None if bound is None else (fixed, bound)


def corrected_note(c):
    """For a misprint, one sentence on its corrected form beside this check ('' for other checks)."""
    return _corrected(c)[2]


def _corrected(c):
    from . import THEOREMS, validate

    t = c.theorem
    if t.statement != "printed" or not t.id.endswith("/printed"):
        return None, None, ""
    fixed = next((u for u in THEOREMS if u.id == t.id[: -len("/printed")]), None)
    if fixed is None:
        return None, None, "No corrected form in the catalogue."
    why = None
    if fixed.path_bound:
        why = "its bound reads the run itself (a path bound)"
    elif fixed.measured_text != t.measured_text:
        why = f"it measures a different quantity, {fixed.measured_text}"
    else:
        try:
            bound = numpy.atleast_1d(numpy.asarray(fixed.bound(validate(fixed, c.instance)), dtype=float))
        except (ValueError, TypeError, KeyError) as err:       # the corrected form does not apply here
            why = f"it does not admit this instance ({err})"
        else:
            if bound.shape == c.bound.shape:
                holds = bool(numpy.all(c.measured <= bound * (1 + 1e-9) + 1e-12))
                return fixed, bound, (f"Corrected form {fixed.id} on the same instance: drawn beside the printed "
                                      f"bound; the measurement {'stays below' if holds else 'exceeds'} it.")
            why = "it bounds other points"
    return fixed, None, f"Corrected form {fixed.id}: not drawn here, {why}; see its own section or `optlab explain {fixed.id}`."


def plot_check(c, ax=None, logy=None):
    """Draw one check: measured curve, band over seeds, the bound (and a misprint's corrected bound).

    ``logy``: None picks a log scale when all values are positive and span more than a factor 100;
    :func:`plot_checks` passes one choice to every panel of a figure.
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure().add_subplot()   # a figure of its own, as plot_trace
    t = numpy.arange(1, len(c.measured) + 1)
    if c.spread is not None and c.spread.shape[0] > 1:
        lo, hi = numpy.quantile(c.spread, [0.1, 0.9], axis=0)
        ax.fill_between(t, lo, hi, alpha=0.25, label=f"10-90% of {c.spread.shape[0]} seeds")
    label = "measured (mean)" if c.theorem.kind == "expectation" and not c.theorem.exact else "measured"
    ax.plot(t, c.measured, "o-" if len(t) < 3 else "-", label=label)
    style = dict(markersize=20) if len(t) <= 2 else {}
    ax.plot(t, c.bound, "k--" if len(t) > 2 else "k_", label=LABELS[c.theorem.statement], **style)
    fixed = corrected_bound(c)
    curves = [c.measured, c.bound]
    if fixed is not None:
        ax.plot(t, fixed[1], "g-." if len(t) > 2 else "g_", label=f"corrected bound ({fixed[0].id})", **style)
        curves.append(fixed[1])
    if logy if logy is not None else _log_wanted(curves):
        ax.set_yscale("log")
    ax.set_xlabel("t (step)" if len(t) > 1 else "horizon")
    ax.set_ylabel(textwrap.fill(c.theorem.measured_text, 38), fontsize=8)
    # y=1.0: the title on top of the axes, where matplotlib's automatic placement puts it too (no tick
    # labels on top), without that placement's extra layout of every tick label (15% of a report plot)
    ax.set_title(f"{c.theorem.id} on {getattr(c.instance.problem, 'name', '')}"[:70], fontsize=9, y=1.0)
    ax.legend(fontsize=7)
    return ax


def plot_checks(checks, titles=None, ncols=3, panel=(4.3, 3.2)):
    """Several checks side by side on one scale (all log or all linear); returns the figure."""
    import matplotlib.pyplot as plt

    n = len(checks)
    rows = -(-n // ncols)
    fig, axes = plt.subplots(rows, min(n, ncols), figsize=(panel[0] * min(n, ncols), panel[1] * rows),
                             squeeze=False)
    logy = _log_wanted([a for c in checks for a in (c.measured, c.bound)])
    for k, (ax, c) in enumerate(zip(axes.ravel(), checks)):
        plot_check(c, ax, logy=logy)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _num(v):
    return f"{v:.4g}" if isinstance(v, (int, float, numpy.number)) else repr(v)


def instance_text(inst):
    """The instance in words: problem, start, horizon, seeds, hyperparameters, oracle."""
    x0 = numpy.ravel(numpy.asarray(inst.x0, dtype=float))
    start = (", ".join(f"{v:.3g}" for v in x0) if x0.size <= 4 else f"{x0.size} numbers, |x0| = "
             f"{numpy.linalg.norm(x0):.3g}")
    hyper = ", ".join(f"{k} = {_num(v)}" for k, v in inst.hyper.items()) or "defaults of the rule"
    oracle = ", ".join(f"{k} = {_num(v)}" for k, v in inst.oracle.items())
    if not oracle:
        oracle = "sampled terms" if getattr(inst.problem, "is_finite_sum", False) else "exact gradients"
    label = f" ({inst.label})" if inst.label else ""
    return (f"{getattr(inst.problem, 'name', inst.problem)}{label}; x0 = [{start}]; T = {inst.T}; "
            f"seeds = {inst.seeds}; hyperparameters: {hyper}; oracle: {oracle}")


def _sections(checks):
    from .verify import verdict

    out = []
    for i, c in enumerate(checks):
        r = c.record()
        out.append(dict(
            anchor=f"check-{i:03d}", png=f"{i:03d}_{r['theorem'].replace('/', '_')}.png", check=c,
            record=r, verdict=verdict(c), instance=instance_text(c.instance), corrected=corrected_note(c)))
    return out


def _markdown(sections):
    lines = ["# optlab verification report", "",
             f"{len(sections)} checks. Each row links to its section (instance, verdict, plot).", "",
             "| # | theorem | source | algorithm | problem | measured | bound | ratio | verdict |",
             "|---|---|---|---|---|---|---|---|---|"]
    for k, s in enumerate(sections):
        r = s["record"]
        lines.append(f"| {k + 1} | [{r['theorem']}](#{s['anchor']}) | {r['source']} | {r['algorithm']} | "
                     f"{r['problem']} | {r['measured']:.4g} | {r['bound']:.4g} | {r['ratio']:.3g} | "
                     f"{s['verdict']} |")
    for k, s in enumerate(sections):
        t, c = s["check"].theorem, s["check"]
        lines += ["", f'<a id="{s["anchor"]}"></a>', "",
                  f"## {k + 1}. {t.id}: {s['verdict']}", "", f"**{t.title}**  ",
                  f"*{t.source}*; {t.statement}; {t.kind.replace('_', ' ')}; {c.detail}", "",
                  f"Instance: {s['instance']}  ", f"Measured: `{t.measured_text}`  ",
                  f"Bound: `{t.bound_text}` (rule: {t.rule})  ",
                  f"Worst point: measured {s['record']['measured']:.4g}, bound {s['record']['bound']:.4g}, "
                  f"ratio {c.ratio:.3g}" + (f"  \n{s['corrected']}" if s["corrected"] else ""), "",
                  f"![{t.id}]({s['png']})", "", "[back to the table](#top)"]
    return "\n".join(['<a id="top"></a>', ""] + lines) + "\n"


def _html(sections):
    e = html.escape
    rows = []
    for k, s in enumerate(sections):
        r = s["record"]
        bad = "" if s["check"].holds == s["check"].theorem.expect else ' class="bad"'
        rows.append(f"<tr{bad}><td>{k + 1}</td><td><a href='#{s['anchor']}'>{e(r['theorem'])}</a></td>"
                    f"<td>{e(r['source'])}</td><td>{e(r['algorithm'])}</td><td>{e(r['problem'])}</td>"
                    f"<td>{r['measured']:.4g}</td><td>{r['bound']:.4g}</td><td>{r['ratio']:.3g}</td>"
                    f"<td>{e(s['verdict'])}</td></tr>")
    body = []
    for k, s in enumerate(sections):
        t, c = s["check"].theorem, s["check"]
        body.append(
            f"<section id='{s['anchor']}'><h2>{k + 1}. {e(t.id)}: {e(s['verdict'])}</h2>"
            f"<p><b>{e(t.title)}</b><br><i>{e(t.source)}</i>; {e(t.statement)}; {e(t.kind.replace('_', ' '))};"
            f" {e(c.detail)}</p><p>Instance: {e(s['instance'])}<br>Measured: <code>{e(t.measured_text)}</code>"
            f"<br>Bound: <code>{e(t.bound_text)}</code> (rule: {e(t.rule)})"
            + (f"<br>{e(s['corrected'])}" if s["corrected"] else "") + "</p>"
            f"<img src='{s['png']}' alt='{e(t.id)}'><p><a href='#top'>back to the table</a></p></section>")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;"
             "font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px}tr.bad{background:#fdd}"
             "section{border-top:1px solid #999;margin-top:1em}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>optlab verification report</title>"
            f"<style>{style}</style></head><body id='top'><h1>optlab verification report</h1>"
            f"<p>{len(sections)} checks. Each row links to its section (instance, verdict, plot).</p>"
            "<table><tr><th>#</th><th>theorem</th><th>source</th><th>algorithm</th><th>problem</th>"
            "<th>measured</th><th>bound</th><th>ratio</th><th>verdict</th></tr>"
            + "".join(rows) + "</table>" + "".join(body) + "</body></html>\n")


class ReportFigure:
    """One figure on which the report's plots are drawn one after another; ``png(check)`` returns the
    PNG bytes of one plot (the same pixels as a fresh figure of this size and margins: the tests
    compare them).

    Why reuse: a new figure per check rebuilds the axes, its ticks and their texts (about 30% of a
    plot's time). Why fixed margins: ``tight_layout`` measures every text by laying it out once more
    before the real drawing (about 35%); the left margin grows instead with the lines of the y-label.
    """

    SIZE, DPI = (5.5, 3.4), 90

    def __init__(self):
        from matplotlib.figure import Figure    # no pyplot: no backend switch, no figure registry

        self.fig = Figure(figsize=self.SIZE)
        self.ax = self.fig.add_subplot()

    def png(self, c):
        import io

        ax = self.ax
        for artist in [*ax.lines, *ax.collections]:       # the previous check's curves and band
            artist.remove()
        ax.set_prop_cycle(None)                           # the colours start over, as on new axes
        ax.set_yscale("linear")
        ax.ignore_existing_data_limits = True             # limits from this check's curves only
        plot_check(c, ax)
        ax.autoscale_view()
        lines = len(textwrap.wrap(c.theorem.measured_text, 38)) or 1    # as plot_check wraps it
        width = self.SIZE[0]
        self.fig.subplots_adjust(left=(0.62 + 0.13 * lines) / width, right=1 - 0.12 / width,
                                 bottom=0.5 / self.SIZE[1], top=1 - 0.3 / self.SIZE[1])
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=self.DPI)
        return buf.getvalue()


def write_report(checks, folder, images=None):
    """Write ``folder/index.md``, ``folder/index.html`` and one PNG per check; returns the Markdown page.
    ``images``: PNG bytes already drawn for the checks (a list aligned with ``checks``; None entries,
    or no list, are drawn here)."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sections = _sections(checks)
    images = list(images) if images is not None else [None] * len(sections)
    if len(images) != len(sections):
        raise ValueError(f"images must hold one entry (PNG bytes or None) per check: got {len(images)} "
                         f"for {len(sections)} checks")
    canvas = None
    for s, png in zip(sections, images):
        if png is None:
            canvas = canvas or ReportFigure()
            png = canvas.png(s["check"])
        (folder / s["png"]).write_bytes(png)
    (folder / "index.html").write_text(_html(sections))
    page = folder / "index.md"
    page.write_text(_markdown(sections))
    return page
