"""Exercise notebooks: nbgrader conventions, validation, the student version, releases and the CLI.

Independent sources: the expected student sources are written out by hand; every committed exercise
is checked against the text of its own solution and hidden-test regions.
"""
import argparse
import json

import pytest

from optlab.grading import cli
from optlab.grading.exercise import (
    list_exercises, load_exercise, release, submission_answers,
)
from optlab.grading.notebook import (
    BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, answer_names, code_cell, has_outputs,
    new_notebook, read_notebook, strip_magics, strip_outputs, student_notebook, student_source,
    validate_source, write_notebook,
)

SOLUTION = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
TEST = "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(7) == 14\n### END HIDDEN TESTS\nprint('ok')\n"


def _nb(*cells):
    return new_notebook(list(cells))


def _good():
    return _nb(code_cell("import math\n"), code_cell(SOLUTION, solution=True, grade_id="f"),
               code_cell(TEST, grade=True, grade_id="test_f", points=2))


def test_student_source_stubs_solutions_at_their_indentation():
    cell = code_cell(SOLUTION, solution=True, grade_id="f")
    assert student_source(cell) == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"


def test_student_source_drops_hidden_tests_only():
    cell = code_cell(TEST, grade=True, grade_id="t", points=1)
    assert student_source(cell) == "assert f(1) == 2\nprint('ok')\n"


def test_markdown_solution_becomes_answer_placeholder():
    cell = {"cell_type": "markdown", "metadata": {},
            "source": "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION\n"}
    assert student_source(cell) == "Why?\nYOUR ANSWER HERE\n"


def test_student_notebook_strips_outputs_and_records_exercise():
    nb = _good()
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    nb["cells"][1]["execution_count"] = 3
    out = student_notebook(nb, exercise="double")
    assert not has_outputs(out) and has_outputs(nb)  # the input is not modified
    assert out["metadata"]["optlab"] == {"exercise": "double"}
    text = json.dumps(out)
    assert "2 * x" not in text and "f(7)" not in text and BEGIN_SOLUTION not in text


@pytest.mark.parametrize("mutate, message", [
    (lambda nb: nb["cells"][1]["metadata"]["nbgrader"].pop("grade_id"), "grade_id"),
    (lambda nb: nb["cells"][2]["metadata"]["nbgrader"].update(grade_id="f"), "used twice"),
    (lambda nb: nb["cells"][2]["metadata"]["nbgrader"].update(points=0), "points > 0"),
    (lambda nb: nb["cells"][1].update(source="### BEGIN SOLUTION\nx = 1\n"), "never closed"),
    (lambda nb: nb["cells"][1].update(source="x = 1\n### END SOLUTION\n"), "without a matching"),
    (lambda nb: nb["cells"][0].update(source="### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n"),
     "only allowed in test cells"),
    (lambda nb: nb["cells"][1]["metadata"]["nbgrader"].update(grade=True, points=1), "both an answer"),
    (lambda nb: nb["cells"][2].update(source="for i in range(2):\n    ### BEGIN HIDDEN TESTS\n"
                                             "    pass\n    ### END HIDDEN TESTS\n"), "student version"),
    (lambda nb: nb["cells"].pop(2), "no test cell"),
])
def test_validation_names_the_broken_rule(mutate, message):
    nb = _good()
    mutate(nb)
    with pytest.raises(ValueError, match=message):
        validate_source(nb)


def test_answer_names_collects_top_level_bindings():
    src = ("import numpy as np\nfrom math import sqrt, pi as PI\ndef f(): pass\nclass C: pass\n"
           "a, (b, *c) = 1, (2, 3)\nif True:\n    d = 4\nlr: float = 0.1\ndef g():\n    hidden = 1\n")
    assert answer_names(src) == ["np", "sqrt", "PI", "f", "C", "a", "b", "c", "d", "lr", "g"]


def test_magics_and_shell_lines_are_neutralised():
    assert strip_magics("%matplotlib inline\nx = 1\n  !pip install foo\n") == \
        "pass\nx = 1\n  pass\n"


def test_submission_answers_take_only_answer_cells_by_grade_id(tmp_path):
    write_notebook(_good(), tmp_path / "double" / "source.ipynb")
    ex = load_exercise("double", tmp_path)
    sub = _nb(code_cell("def f(x): return 0\n", solution=True, grade_id="f"),
              code_cell("def f(x): return 1\n", solution=True, grade_id="f"),   # duplicate: ignored
              code_cell("f = None\n", grade=True, grade_id="test_f", points=99),  # a test cell: ignored
              code_cell("print('setup edits are ignored')\n"))
    assert submission_answers(ex, sub) == {"f": "def f(x): return 0\n"}
    assert submission_answers(ex, _nb()) == {"f": None}


def test_release_writes_student_version(tmp_path):
    write_notebook(_good(), tmp_path / "double" / "source.ipynb")
    assert list_exercises(tmp_path) == ["double"]
    ex = load_exercise("double", tmp_path)
    path = release(ex)
    assert path == tmp_path / "double" / "release" / "student.ipynb"
    student = read_notebook(path)
    assert [c["source"] for c in student["cells"]] == [
        "import math\n", "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
        "assert f(1) == 2\nprint('ok')\n"]
    assert read_notebook(release(ex, tmp_path / "out.ipynb"))["cells"] == student["cells"]


def test_unknown_exercise_lists_the_known_ones(tmp_path):
    write_notebook(_good(), tmp_path / "double" / "source.ipynb")
    with pytest.raises(FileNotFoundError, match="double"):
        load_exercise("nope", tmp_path)


def test_cli_release_and_list(tmp_path, capsys):
    write_notebook(_good(), tmp_path / "ex" / "double" / "source.ipynb")
    parser = argparse.ArgumentParser(prog="optlab")
    cli.add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["exercises", "release", "--exercises-dir", str(tmp_path / "ex"),
                              "--out", str(tmp_path / "out")])
    assert args.func(args) == 0
    assert (tmp_path / "out" / "double" / "student.ipynb").is_file()
    args = parser.parse_args(["exercises", "list", "--exercises-dir", str(tmp_path / "ex")])
    assert args.func(args) == 0
    assert "double: 2 points: test_f (2)" in capsys.readouterr().out


def test_cli_strip_removes_outputs(tmp_path):
    nb = _good()
    nb["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    path = write_notebook(nb, tmp_path / "double" / "source.ipynb")
    assert cli.main(["exercises", "strip", "--exercises-dir", str(tmp_path)]) == 0
    assert not has_outputs(read_notebook(path))


# ---- the committed exercises ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", list_exercises())
def test_committed_source_is_valid_and_stored_without_outputs(name):
    ex = load_exercise(name)
    assert not has_outputs(ex.nb), f"{ex.path} has outputs: run `optlab exercises strip {name}`"
    assert strip_outputs(read_notebook(ex.path)) == ex.nb


@pytest.mark.parametrize("name", list_exercises())
def test_committed_release_has_no_solution_and_no_hidden_test(name):
    ex = load_exercise(name)
    student = json.dumps(student_notebook(ex.nb, exercise=name))
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
        assert marker not in student
    inside_lines, outside_lines = set(), set()
    for cell in ex.nb["cells"]:
        inside = False
        for line in cell["source"].splitlines():
            mark = line.strip().lstrip("#").strip()
            if mark in (BEGIN_SOLUTION, BEGIN_HIDDEN, END_SOLUTION, END_HIDDEN):
                inside = mark in (BEGIN_SOLUTION, BEGIN_HIDDEN)
            else:
                (inside_lines if inside else outside_lines).add(line.strip())
    secret = [line for line in inside_lines - outside_lines if len(line) > 12]
    assert secret, "expected distinctive solution or hidden-test lines"
    for line in secret:
        assert json.dumps(line)[1:-1] not in student, f"{name} leaks: {line}"


def test_exercises_exist():
    assert "ex1_vjp" in list_exercises()


@pytest.mark.parametrize("name", list_exercises())
def test_released_notebooks_are_valid_nbformat_with_cell_ids(name, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    import warnings

    path = release(load_exercise(name), tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # a missing cell id is only a warning in nbformat 5
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    ids = [c["id"] for c in nb.cells]
    assert len(set(ids)) == len(ids) == len(nb.cells)
