"""The command line: `optlab verify`, `optlab list`, `optlab errata`, `optlab demo`, as users call them."""
import dataclasses
import json
import pathlib
import subprocess
import sys

import pytest

import optlab.theory as theory
from optlab.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIELDS = {"theorem", "source", "algorithm", "problem", "kind", "statement", "measured", "bound", "ratio",
          "holds", "expect"}


def _optlab(*args):
    return subprocess.run([sys.executable, "-m", "optlab", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_verify_json_prints_only_json_with_the_documented_fields():
    done = _optlab("verify", "--theorem", "EC500-5.8", "--theorem", "EC500-7.2", "--json", "--report", "")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)           # stdout is pure JSON: progress went to stderr
    # an id without '/' selects the theorem with its variants and its printed (misprinted) form
    assert {r["theorem"] for r in records} == {"EC500-5.8", "EC500-7.2", "EC500-7.2/a", "EC500-7.2/printed"}
    for r in records:
        assert FIELDS <= set(r), f"missing fields: {FIELDS - set(r)}"
        assert r["holds"] == r["expect"]
        assert r["statement"] in ("printed", "corrected")


def test_a_misprint_is_reported_with_expect_false():
    done = _optlab("verify", "--theorem", "EC500-10.2/printed", "--json", "--quiet", "--report", "")
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout)
    assert record["statement"] == "printed" and record["expect"] is False and record["holds"] is False


def test_verify_exits_nonzero_when_a_bound_fails(monkeypatch, capsys):
    """A theorem whose bound is 1% too small on its tight instance must make `verify` fail."""
    thm = theory.get("EC500-5.8")
    broken = dataclasses.replace(thm, id="broken", bound=lambda inst: 0.99 * thm.bound(inst),
                                 default=lambda seed: thm.tight_instance(), tight_instance=None)
    monkeypatch.setattr(theory, "THEOREMS", (broken,))
    assert main(["verify", "--quiet", "--report", ""]) == 1
    assert "VIOLATED" in capsys.readouterr().out


def test_unknown_theorem_id_is_refused_with_the_known_ids(capsys):
    assert main(["verify", "--theorem", "no-such-theorem", "--quiet", "--report", ""]) == 2
    assert "EC500-5.8" in capsys.readouterr().err


def test_verify_writes_a_report_with_plots(tmp_path):
    assert main(["verify", "--theorem", "EC500-2.4", "--quiet", "--report", str(tmp_path)]) == 0
    page = (tmp_path / "index.md").read_text()
    assert "EC500-2.4" in page and len(list(tmp_path.glob("*.png"))) == 2


def test_list_json_has_algorithms_and_theorems_with_name_and_source():
    done = _optlab("list", "--json")
    assert done.returncode == 0, done.stderr
    catalogue = json.loads(done.stdout)
    assert set(catalogue) >= {"algorithms", "theorems"}
    for key in ("algorithms", "theorems"):
        assert catalogue[key] and all({"name", "source"} <= set(r) for r in catalogue[key])
    assert len(catalogue["theorems"]) == len(theory.THEOREMS)


def test_errata_file_lists_every_misprint_of_the_catalogue():
    text = (ROOT / "ERRATA.md").read_text()
    printed = [t.id.replace("/printed", "") for t in theory.THEOREMS if t.statement == "printed"]
    missing = [i for i in printed if f"## {i}:" not in text]
    assert not missing, f"ERRATA.md is stale (run `make errata`); missing {missing}"
    assert "DOES NOT FAIL" not in text


@pytest.mark.parametrize("argv", [["demo"], ["--help"]])
def test_entry_points_run(argv):
    done = _optlab(*argv)
    assert done.returncode == 0, done.stderr
