"""The catalogue gives the verdicts recorded in tests/data/theory_snapshot.json (see tests/theory_snapshot.py).

Guards rewrites of optlab/theory: every default instance, tight instance, counterexample and fixed draw must
keep its outcome (holds, expected, and measured/bound to 1e-5 relative). The default profile checks the
tight instances, the counterexamples and the first fixed draw on every compatible family (about 10 s); the
default instances (the costly Monte Carlo ones, whose verdicts tests/test_theorems.py also asserts) and the
second draw are compared under ``OPTLAB_PROFILE=thorough`` (about a minute).
"""
import json
import os

import pytest

from optlab.theory import THEOREMS

from theory_snapshot import PATH, cases, differences, verdict

THOROUGH = os.environ.get("OPTLAB_PROFILE") == "thorough"
RECORDED = json.loads(PATH.read_text())


def test_every_theorem_is_recorded():
    assert sorted(t.id for t in THEOREMS) == sorted(RECORDED), "regenerate: python tests/theory_snapshot.py --write"


@pytest.mark.parametrize("theorem", THEOREMS, ids=lambda t: t.id)
def test_verdicts_match_the_snapshot(theorem):
    selected = cases(theorem)
    if not THOROUGH:
        selected = [(name, make) for name, make in selected if name != "default" and not name.endswith(" 1")]
    live = {name: verdict(theorem, make) for name, make in selected}
    recorded = RECORDED.get(theorem.id, {})
    if not THOROUGH:
        recorded = {name: v for name, v in recorded.items() if name in live}
    diff = differences({theorem.id: recorded}, {theorem.id: live})
    assert not diff, "\n".join(diff)


def test_a_changed_verdict_is_reported():
    """The comparison is not vacuous: a changed ratio, verdict or case is named."""
    old = {"X": {"default": {"holds": True, "expect": True, "ratio": 0.5}}}
    assert differences(old, old) == []
    assert differences(old, {"X": {"default": {"holds": True, "expect": True, "ratio": 0.5001}}})
    assert differences(old, {"X": {"default": {"holds": False, "expect": True, "ratio": 0.5}}})
    assert differences(old, {"X": {}})
    assert differences(old, {"X": {"default": {"error": "ValueError"}}})
