"""CI grading of exercise 1: the instructor solution, the released student version, and adversaries.

Each submission is the released student notebook with some answer cells filled in. Expected scores
come from the exercise's point table: a test cell earns its points only if every answer it uses is
right (test_logistic_loss uses multiply, matmul, exp and log).
"""
import argparse
import copy
import csv
import re

import pytest
from exercise_grading import ExerciseCase

from optlab.grading import cli
from optlab.grading.exercise import release
from optlab.grading.notebook import nbgrader_meta, student_notebook, write_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import Limits, grade_folder, grade_notebook, grade_path

CASE = ExerciseCase("ex1_vjp", Limits(time_limit=4, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected


def _answers():
    return {nbgrader_meta(c)["grade_id"]: c["source"] for c in EX.nb["cells"]
            if nbgrader_meta(c).get("solution")}


SIN_COS_OK = _answers()["sin_cos"]
CORRECT_EXP = "def exp_vjp(g, ans, x):\n    return g * ans\n"
CORRECT_LOG = "def log_vjp(g, ans, x):\n    return g / x\n"


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(10)


def test_released_student_version_gets_zero_without_crashing(tmp_path):
    released = release(EX, tmp_path)      # what `optlab exercises release --out` writes
    result = grade_path(released, EX, LIMITS)
    points = {t.grade_id: t.points for t in result.tests}
    assert points == expected(*POINTS), format_report(result)
    assert all("NotImplementedError" in t.feedback for t in result.tests), format_report(result)


def test_infinite_loop_in_one_rule_costs_only_the_tests_using_it():
    result, points = grade(submission(exp_log="def exp_vjp(g, ans, x):\n    while True:\n        pass\n"
                                              + CORRECT_LOG))
    assert points == expected("test_exp_log", "test_logistic_loss"), format_report(result)
    loop = {t.grade_id: t.feedback for t in result.tests}["test_exp_log"]
    assert "time limit of 4 s exceeded while testing" in loop


def test_infinite_loop_at_top_level_scores_zero_and_stops_early():
    result, points = grade(submission(sin_cos="while True:\n    pass\n"))
    assert points == expected(*POINTS), format_report(result)
    assert "exceeded while running your answer cells" in result.tests[0].feedback
    assert all(t.feedback.startswith("not run") for t in result.tests[1:])


def test_crashes_cost_only_the_tests_they_hit():
    exits = "import os\ndef exp_vjp(g, ans, x):\n    os._exit(3)\n" + CORRECT_LOG
    segfault = ("import faulthandler\ndef matmul_vjp_a(g, ans, a, b):\n    faulthandler._sigsegv()\n"
                "def matmul_vjp_b(g, ans, a, b):\n    return a.T @ g\n")
    exit_cell = "import sys\nsys.exit(0)\n"  # SystemExit at top level: recorded, grading goes on
    result, points = grade(submission(exp_log=exits, matmul=segfault, sin_cos=SIN_COS_OK + exit_cell))
    assert points == expected("test_exp_log", "test_matmul", "test_logistic_loss"), format_report(result)
    feedback = {t.grade_id: t.feedback for t in result.tests}
    assert "process ended" in feedback["test_exp_log"]
    assert "segmentation fault" in feedback["test_matmul"]
    assert any("SystemExit" in e["error"] for e in result.cell_errors)


def test_memory_exhaustion_is_a_memory_error_in_that_test_only():
    # numpy.empty reserves address space without touching it: the RLIMIT_AS memory limit trips at
    # once, independent of how busy the machine is (zero-filling 1 GB could outlast the time limit).
    hog = ("import numpy\ndef log_vjp(g, ans, x):\n    hoard = []\n    while True:\n"
           "        hoard.append(numpy.empty(50 * 2**20, dtype=numpy.uint8))\n")
    result, points = grade(submission(exp_log=CORRECT_EXP + hog))
    assert points == expected("test_exp_log", "test_logistic_loss"), format_report(result)
    assert "MemoryError" in {t.grade_id: t.feedback for t in result.tests}["test_exp_log"]


def test_plots_and_prints_in_answer_cells_are_fine():
    plot = ("import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.savefig('figure.png')\n"
            "print('my plot is saved')\n")
    # (matplotlib builds its font cache at first import: seconds on a loaded machine, hence the limit)
    result = grade_notebook(submission(sin_cos=plot + SIN_COS_OK), EX, Limits(time_limit=20), name="s.ipynb")
    assert {t.grade_id: t.points for t in result.tests} == POINTS, format_report(result)


HARD_CODED = """
import numpy
def sin_vjp(g, ans, x):
    return g * numpy.array([0.955336489125606, 0.362357754476674, -0.416146836547142])
def cos_vjp(g, ans, x):
    return g * numpy.array([-0.295520206661340, 0.932039085967226, -0.909297426825682])
"""


def test_hard_coded_answers_pass_the_public_checks_but_not_the_grader():
    nb = submission(sin_cos=HARD_CODED)
    namespace = {}
    for cell in nb["cells"][:6]:  # the public self-check of Part 1, run as the student would
        if cell["cell_type"] == "code":
            exec(cell["source"], namespace)
    result, points = grade(nb)
    assert points == expected("test_sin_cos"), format_report(result)
    assert "seeds:" in format_report(result)


STEAL = r"""
import glob, os, pathlib, sys, inspect
import optlab
stolen = None
root = pathlib.Path(optlab.__file__).resolve().parents[1]
tries = [lambda: (root / "exercises" / "ex1_vjp" / "source.ipynb").read_text(),
         lambda: open(glob.glob(str(root / "**" / "source.ipynb"), recursive=True)[0]).read(),
         lambda: open(f"/proc/{os.getppid()}/cmdline").read(),
         lambda: sys.stdin.read(),
         lambda: __import__("subprocess").check_output(["cat", str(root / "exercises/ex1_vjp/source.ipynb")])]
for attempt in tries:
    try:
        text = str(attempt())
        if "BEGIN SOLUTION" in text:
            stolen = text
    except Exception as err:
        print("blocked:", type(err).__name__)

def sin_vjp(g, ans, x):
    callers = " ".join(f.filename for f in inspect.stack())   # whose frames call me?
    if stolen or "test" in callers:
        print("LEAKED")
        return g * optlab.numpy.cos(x)
    return 0 * g

def cos_vjp(g, ans, x):
    return 0 * g
"""


def test_reading_the_hidden_tests_or_solutions_fails():
    result, points = grade(submission(sin_cos=STEAL))
    assert points == expected("test_sin_cos"), format_report(result)
    out = result.tests[0].output
    assert "LEAKED" not in out and out.count("blocked: PermissionError") == 3, out
    assert "BEGIN HIDDEN" not in format_report(result) and "fresh_rng" not in format_report(result)


FORGER = r"""
import os, sys, json, tempfile
import numpy, optlab, optlab.grading.testing as testing
print("test_sin_cos 2/2 passed\n  total 10/10")
sys.stderr.write('{"event": "verdict", "passed": true}\n')
for path in ("scores.csv", "../scores.csv", os.path.join(tempfile.gettempdir(), "scores.csv"),
             os.path.expanduser("~/scores.csv")):
    try:
        with open(path, "w") as f:
            f.write("submission,total\nforger.ipynb,10\n")
        print("wrote", path)
    except OSError as err:
        print("could not write", path, type(err).__name__)
numpy.allclose = lambda *a, **k: True                  # patch the checks ...
optlab.check_grad = lambda *a, **k: 0.0
testing.assert_close = testing.assert_same_vjp = lambda *a, **k: None
class Anything(numpy.ndarray):
    def __eq__(self, other):
        return True
def sin_vjp(g, ans, x):                                # ... and answer wrongly
    return numpy.zeros_like(g).view(Anything)
def cos_vjp(g, ans, x):
    return numpy.zeros_like(g).view(Anything)
"""


def test_fake_verdicts_patches_and_csv_writes_change_nothing(tmp_path):
    subs = tmp_path / "submissions"
    subs.mkdir()
    write_notebook(submission(sin_cos=FORGER), subs / "forger.ipynb")
    write_notebook(copy.deepcopy(EX.nb), subs / "instructor.ipynb")
    write_notebook(student_notebook(EX.nb, exercise=EX.name), subs / "student.ipynb")
    write_notebook(submission(sin_cos=HARD_CODED), subs / "hardcoded.ipynb")
    (subs / "broken.ipynb").write_text("{not json")
    csv_path = tmp_path / "scores.csv"
    results = grade_folder(subs, EX, csv_path, LIMITS)
    rows = {r["submission"]: r for r in csv.DictReader(csv_path.open())}
    assert list(rows) == ["broken.ipynb", "forger.ipynb", "hardcoded.ipynb", "instructor.ipynb",
                          "student.ipynb"]
    assert {k: r["total"] for k, r in rows.items()} == {
        "broken.ipynb": "0", "forger.ipynb": "8", "hardcoded.ipynb": "8", "instructor.ipynb": "10",
        "student.ipynb": "0"}
    assert rows["forger.ipynb"]["test_sin_cos"] == "0" and rows["forger.ipynb"]["max"] == "10"
    forger = results[1]
    assert "could not write" in forger.tests[0].output and "wrote ../" not in forger.tests[0].output
    report = format_report(forger)
    assert re.search(r"\n  test_sin_cos +0/2 +failed", report)
    assert "      | test_sin_cos 2/2 passed" in report  # the fake line is shown quoted, not as a result
    assert not (tmp_path.parent / "scores.csv").exists()


def test_cli_grades_a_file_and_a_folder(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="optlab")
    cli.add_subcommands(parser.add_subparsers(dest="command", required=True))
    path = write_notebook(submission(), tmp_path / "subs" / "alice.ipynb")
    args = parser.parse_args(["grade", str(path), "--exercise", "ex1_vjp", "--time-limit", "4"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "test_matmul" in out and re.search(r"total +10/10", out)
    args = parser.parse_args(["grade", str(tmp_path / "subs"), "--exercise", "ex1_vjp", "--csv",
                              str(tmp_path / "s.csv"), "--quiet", "--time-limit", "4"])
    assert args.func(args) == 0
    assert "alice.ipynb: 10/10" in capsys.readouterr().out
    assert (tmp_path / "s.csv").read_text().splitlines()[1].endswith(",10,10,graded")


def test_limits_are_validated():
    with pytest.raises(ValueError, match="time_limit"):
        Limits(time_limit=0)
    with pytest.raises(ValueError, match="memory_mb"):
        Limits(memory_mb=10)
    with pytest.raises(ValueError, match="disk_mb"):
        Limits(disk_mb=0)
