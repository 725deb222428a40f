"""Snapshot of every theorem's verdicts, to show that rewriting the catalogue changes no outcome.

For each theorem of ``optlab.theory.THEOREMS`` the snapshot records, per case, whether the check holds,
whether it is expected to, and measured/bound at the worst point (6 significant digits):

* ``default``: the instance ``optlab verify`` checks (``default(0)``; for a misprint, its counterexample);
* ``tight``: the tight instance, where there is one;
* ``counterexample``: the counterexample, where there is one;
* ``draw <family> <k>``: ``draw(problem, T, u)`` on every compatible family (as the property tests pair
  them) for the fixed draws ``DRAWS[k]``, with ``problem = family.make(seed=...)``.

Written from one version of the code and compared with another by tests/test_theory_snapshot.py.
Regenerate (only when a verdict is meant to change, and say why in the commit)::

    python tests/theory_snapshot.py --write            # all cases, to tests/data/theory_snapshot.json
"""
from __future__ import annotations

import inspect
import json
import math
import pathlib
import sys

PATH = pathlib.Path(__file__).parent / "data" / "theory_snapshot.json"

# (family seed, horizon T, u): fixed stand-ins for hypothesis's draws in tests/test_theorems.py.
DRAWS = ((3, 12, (0.13, 0.57, 0.91, 0.29)), (11, 7, (0.71, 0.08, 0.44, 0.96)))


def _make(family, seed):
    accepts_seed = "seed" in inspect.signature(family.factory).parameters
    return family.make(seed=seed) if accepts_seed else family.make()


def _families(theorem):
    from optlab.theory import compatible_families

    def has_constants(f):
        example = f.make()
        return all(getattr(example, c, None) is not None for c in theorem.constants)

    return [f for f in compatible_families(theorem) if has_constants(f)]


def cases(theorem, draws=True, families=None):
    """``(name, make_instance)`` for every case of ``theorem`` recorded in the snapshot."""
    out = [("default", (lambda: theorem.default(0)) if theorem.expect else theorem.counterexample)]
    if theorem.tight_instance is not None:
        out.append(("tight", theorem.tight_instance))
    if theorem.counterexample is not None:
        out.append(("counterexample", theorem.counterexample))
    if draws and theorem.expect and theorem.draw is not None:
        for f in _families(theorem):
            if families is not None and f.name not in families:
                continue
            for k, (seed, T, u) in enumerate(DRAWS):
                def make(f=f, seed=seed, T=T, u=u):
                    problem = _make(f, seed)
                    if not all(getattr(problem, c, None) is not None for c in theorem.constants):
                        return None               # outside the hypotheses (the property test's assume)
                    return theorem.draw(problem, T, u)
                out.append((f"draw {f.name} {k}", make))
    return out


def verdict(theorem, make):
    """The recorded outcome of one case: holds/expect/ratio, or the error it raises."""
    from optlab.theory import check

    try:
        instance = make()
        if instance is None:
            return {"skipped": "lacks a constant"}
        c = check(theorem, instance)
    except Exception as e:                       # noqa: BLE001 - the error type is part of the verdict
        return {"error": type(e).__name__}
    r = c.ratio
    return {"holds": bool(c.holds), "expect": bool(theorem.expect),
            "ratio": r if not math.isfinite(r) else float(f"{r:.6g}")}


def snapshot(theorems, draws=True):
    return {t.id: {name: verdict(t, make) for name, make in cases(t, draws)} for t in theorems}


def same_ratio(a, b, rtol=1e-5):
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-12)


def differences(old, new):
    """Lines naming each case whose verdict differs (a missing or new case counts)."""
    out = []
    for tid in sorted(set(old) | set(new)):
        a, b = old.get(tid), new.get(tid)
        if a is None or b is None:
            out.append(f"{tid}: {'new theorem' if a is None else 'theorem removed'}")
            continue
        for name in sorted(set(a) | set(b)):
            x, y = a.get(name), b.get(name)
            if x is None or y is None or set(x) != set(y) or any(
                    (not same_ratio(x[k], y[k]) if k == "ratio" else x[k] != y[k]) for k in x):
                out.append(f"{tid} [{name}]: was {x}, now {y}")
    return out


def main(argv):
    from optlab.theory import THEOREMS

    data = snapshot(THEOREMS)
    if "--write" in argv:
        PATH.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote {PATH}: {sum(map(len, data.values()))} cases of {len(data)} theorems")
        return 0
    diff = differences(json.loads(PATH.read_text()), data)
    print("\n".join(diff) or "no difference")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
