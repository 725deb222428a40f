"""The verification report: a markdown page with one convergence plot per theorem.

Each plot shows the measured curve (the mean over seeds for expectations), a band over the seeds, and
the theorem's bound drawn over it. The bound comes from the theorem object, never retyped.
"""
from __future__ import annotations

import pathlib

import numpy


def plot_check(c, ax=None):
    """Draw one check: measured curve, band over seeds, and the bound (for lectures and the report)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    t = numpy.arange(1, len(c.measured) + 1)
    if c.spread is not None and c.spread.shape[0] > 1:
        lo, hi = numpy.quantile(c.spread, [0.1, 0.9], axis=0)
        ax.fill_between(t, lo, hi, alpha=0.25, label="10-90% of seeds")
    label = "measured (mean)" if c.theorem.kind == "expectation" else "measured"
    ax.plot(t, c.measured, "o-" if len(t) < 3 else "-", label=label)
    ax.plot(t, c.bound, "k--" if len(t) > 2 else "k_", markersize=20, label="bound")
    positive = numpy.concatenate([c.measured, c.bound])
    if numpy.all(positive > 0) and positive.max() / positive.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("t" if len(t) > 1 else "horizon")
    ax.set_title(f"{c.theorem.id} on {getattr(c.instance.problem, 'name', '')}"[:70], fontsize=9)
    ax.legend(fontsize=8)
    return ax


def write_report(checks, folder):
    """Write ``folder/index.md`` and one PNG per check; returns the path of the page."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .verify import verdict

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# optlab verification report", "",
             "| theorem | source | algorithm | problem | measured | bound | ratio | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    figures = []
    for i, c in enumerate(checks):
        r = c.record()
        lines.append(f"| {r['theorem']} | {r['source']} | {r['algorithm']} | {r['problem']} | "
                     f"{r['measured']:.4g} | {r['bound']:.4g} | {r['ratio']:.3f} | {verdict(c)} |")
        name = f"{i:03d}_{r['theorem'].replace('/', '_')}.png"
        fig, ax = plt.subplots(figsize=(5, 3.2))
        plot_check(c, ax)
        fig.tight_layout()
        fig.savefig(folder / name, dpi=90)
        plt.close(fig)
        figures.append((c, name))
    lines.append("")
    for c, name in figures:
        t = c.theorem
        lines += [f"## {t.id}: {t.title}", "", f"*{t.source}* - {t.statement}; {t.kind.replace('_', ' ')}; "
                  f"{c.detail}", "", f"measured: `{t.measured_text}`  ", f"bound: `{t.bound_text}`", "",
                  f"![{t.id}]({name})", ""]
    page = folder / "index.md"
    page.write_text("\n".join(lines))
    return page
