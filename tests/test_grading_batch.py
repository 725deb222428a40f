"""Batches that nothing can crash, and the instructor's path (issues #13 and #14).

A one-cell exercise keeps these fast. Checked: malformed notebooks score 0 with the reason and the batch
goes on; the exercise is the instructor's choice; the CSV takes any file name and escapes formulas, is
written as results come and can be resumed; output paths are checked before grading; command-line
mistakes are one line; every student gets a feedback file; the CSV columns are documented.
"""
import argparse
import csv
import json
import os
from pathlib import Path

import pytest

from optlab.grading import batch, cli
from optlab.grading.batch import grade_folder
from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import code_cell, new_notebook, write_notebook
from optlab.grading.report import CSV_FIELDS, header
from optlab.grading.runner import Limits

LIMITS = Limits(time_limit=8)
README = Path(__file__).resolve().parents[1] / "exercises" / "README.md"


@pytest.fixture
def ex(tmp_path):
    root = tmp_path / "exercises"
    for name, value, test_id in (("tiny", 1, "test_x"), ("other", 2, "test_y")):
        write_notebook(new_notebook([
            code_cell(f"### BEGIN SOLUTION\nx = {value}\n### END SOLUTION\n", solution=True, grade_id="answer"),
            code_cell(f"# x is {value}\nassert x == {value}, f'x is {{x}}, expected {value}'\n", grade=True,
                      grade_id=test_id, points=1)]), root / name / "source.ipynb")
    return load_exercise("tiny", root)


def student(code="x = 1\n", **metadata):
    return new_notebook([code_cell(code, solution=True, grade_id="answer")], **metadata)


def rows(path):
    return {r["submission"]: r for r in csv.DictReader(open(path, newline="", encoding="utf-8"))}


def malformed(subs):
    """Notebooks that crashed the grader before: deep JSON, metadata of the wrong types."""
    good = student()
    (subs / "deep.ipynb").write_text('{"cells": ' + "[" * 100000 + "]" * 100000 + "}")
    for name, mutate in {
        "meta_list": lambda nb: nb["cells"][0].update(metadata=[]),
        "nbgrader_str": lambda nb: nb["cells"][0]["metadata"].update(nbgrader="yes"),
        "tags_dict": lambda nb: nb["cells"][0]["metadata"].update(tags={"a": 1}),
        "grade_id_int": lambda nb: nb["cells"][0]["metadata"]["nbgrader"].update(grade_id=7),
        "source_int": lambda nb: nb["cells"][0].update(source=5),
        "optlab_str": lambda nb: nb["metadata"].update(optlab="ex"),
        "nb_meta_list": lambda nb: nb.update(metadata=[]),
        "cells_dict": lambda nb: nb.update(cells={}),
        "no_outputs": lambda nb: nb["cells"][0].pop("outputs"),
    }.items():
        nb = json.loads(json.dumps(good))
        mutate(nb)
        (subs / f"{name}.ipynb").write_text(json.dumps(nb))
    (subs / "binary.ipynb").write_bytes(b"\xff\xfe\x00garbage")
    write_notebook(good, subs / "good.ipynb")


def test_malformed_notebooks_score_zero_with_the_reason_and_the_batch_goes_on(ex, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    malformed(subs)
    results = grade_folder(subs, ex, tmp_path / "scores.csv", LIMITS)
    table = rows(tmp_path / "scores.csv")
    assert len(results) == len(table) == 12
    assert table["good.ipynb"]["total"] == "1" and table["good.ipynb"]["status"] == "graded"
    for name, row in table.items():
        if name != "good.ipynb":
            assert (row["total"], row["status"]) == ("0", "not graded"), (name, row)
    fb = (tmp_path / "scores-feedback" / "deep.txt").read_text()
    assert "nested more than" in fb
    assert "metadata.nbgrader must be an object" in (tmp_path / "scores-feedback" / "nbgrader_str.txt").read_text()


def test_the_exercise_is_the_instructors_choice_never_the_notebooks(ex, tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    write_notebook(student("x = 2\n", optlab={"exercise": "other"}), subs / "claims_other.ipynb")
    forged = write_notebook(student("x = 5\n"), tmp_path / "mine" / "source.ipynb")    # a student's "exercise"
    write_notebook(student("x = 5\n", optlab={"exercise": str(forged)}), subs / "own_exercise.ipynb")
    results = grade_folder(subs, ex, tmp_path / "scores.csv", LIMITS)
    assert [r.score for r in results] == [0, 0]                 # graded as "tiny" (x must be 1)
    assert "graded as 'tiny'" in results[0].notes[0]
    parser = argparse.ArgumentParser(prog="optlab")
    cli.add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["grade", str(subs / "own_exercise.ipynb"), "--exercises-dir",
                              str(ex.path.parent.parent)])
    assert args.func(args) == 2                                # no --exercise: refused, metadata ignored
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pass --exercise NAME" in err and "Traceback" not in err


def test_any_file_name_goes_into_the_csv_and_formulas_are_escaped(ex, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    odd = os.fsencode(str(subs)) + b"/caf\xe9-latin1.ipynb"            # not UTF-8
    with open(odd, "w") as f:
        json.dump(student(), f)
    write_notebook(student(), subs / "=HYPERLINK(\"evil.example\",\"y\").ipynb")
    write_notebook(student(), subs / "+1.ipynb")
    grade_folder(subs, ex, tmp_path / "scores.csv", LIMITS)
    table = rows(tmp_path / "scores.csv")
    assert set(table) == {"'+1.ipynb", "'=HYPERLINK(\"evil.example\",\"y\").ipynb", "caf\\xe9-latin1.ipynb"}
    assert all(r["total"] == "1" for r in table.values())
    names = sorted(p.name for p in (tmp_path / "scores-feedback").iterdir())
    assert len(names) == 3 and all(n.endswith(".txt") and "/" not in n for n in names), names


def test_output_paths_are_checked_before_grading(ex, tmp_path, monkeypatch, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    write_notebook(student(), subs / "a.ipynb")
    monkeypatch.setattr(batch, "grade_path", lambda *a, **k: pytest.fail("graded before checking the CSV path"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        grade_folder(subs, ex, tmp_path / "missing_dir" / "x.csv", LIMITS)
    parser = argparse.ArgumentParser(prog="optlab")
    cli.add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["grade", str(subs), "--exercise", "tiny", "--exercises-dir",
                              str(ex.path.parent.parent), "--csv", str(tmp_path / "missing_dir" / "x.csv")])
    assert args.func(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("optlab grade: error: --csv") and err.count("\n") == 1


def test_results_are_written_as_they_come_and_a_batch_resumes(ex, tmp_path, monkeypatch):
    subs, csv_path = tmp_path / "subs", tmp_path / "scores.csv"
    subs.mkdir()
    for name in ("a", "b", "c"):
        write_notebook(student("x = 1\n" if name != "b" else "x = 3\n"), subs / f"{name}.ipynb")
    real, calls = batch.grade_path, []

    def crash_on_c(path, *args, **kw):
        calls.append(Path(path).name)
        if Path(path).name == "c.ipynb":
            raise KeyboardInterrupt       # the instructor's Ctrl-C, or a kill, in the middle of the batch
        return real(path, *args, **kw)

    monkeypatch.setattr(batch, "grade_path", crash_on_c)
    with pytest.raises(KeyboardInterrupt):
        grade_folder(subs, ex, csv_path, LIMITS)
    assert {k: r["total"] for k, r in rows(csv_path).items()} == {"a.ipynb": "1", "b.ipynb": "0"}
    monkeypatch.setattr(batch, "grade_path", real)
    monkeypatch.setattr(batch, "grade_path", lambda path, *a, **k: (calls.append("again " + Path(path).name),
                                                                     real(path, *a, **k))[1])
    results = grade_folder(subs, ex, csv_path, LIMITS, resume=True)
    assert [Path(r.submission).name for r in results] == ["c.ipynb"] and calls[-1] == "again c.ipynb"
    assert {k: r["total"] for k, r in rows(csv_path).items()} == {"a.ipynb": "1", "b.ipynb": "0", "c.ipynb": "1"}
    other = load_exercise("other", ex.path.parent.parent)
    with pytest.raises(ValueError, match="columns"):       # a CSV of another exercise is not resumed
        grade_folder(subs, other, csv_path, LIMITS, resume=True)


def test_each_student_gets_a_feedback_file(ex, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    write_notebook(student("x = 3\nprint('hello')\n"), subs / "bob.ipynb")
    grade_folder(subs, ex, tmp_path / "scores.csv", LIMITS, feedback_dir=tmp_path / "fb")
    text = (tmp_path / "fb" / "bob.txt").read_text()
    assert "Score: 0/1" in text and "test_x: 0/1 failed" in text
    assert "checked: x is 1" in text                                           # what the test checks
    assert "first failing step: AssertionError: x is 3, expected 1 (line 2 of the test cell)" in text
    assert "hello" in text


def test_the_csv_columns_are_documented_for_gradebook_import(ex):
    doc = README.read_text()
    for column in list(CSV_FIELDS) + ["total", "max", "status"]:
        assert f"`{column}`" in doc, column
    assert header(ex) == ["submission", "student", "test_x", "total", "max", "status"]
