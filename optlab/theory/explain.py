"""``optlab explain ID``: one theorem in words, everything a user needs to check it on their own problem.

Its statement and source; the assumptions the problem must claim; the constants the bound reads; the
hyperparameters with their admissible ranges and the rule; the oracle a check needs (for a stochastic
bound, where sigma comes from); the measured quantity and the bound; the instance ``optlab verify``
uses; and for a misprint, what is wrong. Everything is read from the theorem object.

Example:
    >>> text = explain("EC500-6.1")
    >>> print(text.splitlines()[0])
    EC500-6.1: SGD on H-smooth losses, constant eta <= 1/H: sum E||grad||^2 <= 2 Delta/eta + H T eta sigma^2
    >>> "lr in [0, 1] on the default instance" in text      # 1/H there, with H = 1
    True
"""
from __future__ import annotations

import textwrap

ORACLES = {
    "every_step": "any: a deterministic bound, checked on one run at every step",
    "expectation": ("stochastic: the bound reads sigma (optlab.theory.stochastic.sigma_of): give additive "
                    "noise, oracle={'noise': 'sphere' or 'gaussian', 'sigma': s}, or sample a finite sum "
                    "whose sampling noise is certified (the problem states sigma=..., or "
                    "extra={'G_max': ...} bounding every ||grad f_i||); no noise on a plain problem means "
                    "exact gradients (sigma = 0). Checked on many seeds (seeds=100 is typical)"),
    "probability": ("stochastic, as for expectations; the fraction of seeds on which the event fails is "
                    "tested against the allowed probability"),
}


def explain(theorem_id):
    """The theorem ``theorem_id`` in words (a multi-line string); KeyError listing the ids if unknown."""
    from . import get
    from .report import instance_text
    from .validation import describe_hyper

    t = get(theorem_id)
    inst = t.default(0) if t.expect else t.counterexample()
    wrap = lambda s: textwrap.fill(s, 100, initial_indent="  ", subsequent_indent="    ")  # noqa: E731
    kind = t.kind.replace("_", " ") + (" (exact expectation, no sampling)" if t.exact else "")
    lines = [f"{t.id}: {t.title}", f"  source: {t.source}",
             f"  statement: {t.statement}" + ("" if t.expect else " (a misprint: fails on its counterexample)"),
             f"  kind: {kind}", f"  algorithm: {t.algorithm}", "",
             "Hypotheses (assumptions the problem must claim):",
             wrap(", ".join(sorted(t.requires)) or "none"),
             "Constants the bound reads (state them on the problem, e.g. wrap(f, d, H=...)):",
             wrap(", ".join(t.constants) or "none"),
             "Hyperparameters:", wrap(describe_hyper(t, inst.problem).removeprefix("Its hyperparameters: ")
                                      .replace("] ", "] on the default instance ", 1)),
             "Oracle:", wrap(ORACLES[t.kind]), "",
             f"Measured: {t.measured_text}", f"Bound:    {t.bound_text}"]
    if t.note:
        lines += ["", "Note:", wrap(t.note)]
    which = "Default instance (optlab verify)" if t.expect else "Counterexample"
    lines += ["", f"{which}:", wrap(instance_text(inst))]
    if t.tight_instance is not None:
        lines.append(f"  tight: a run on its tight instance reaches at least {t.tight_factor} x the bound")
    return "\n".join(lines)
