"""Every exercise notebook runs in Jupyter as students and instructors see it.

The instructor source (with solutions) must run top to bottom with every public self-check passing;
the released student version must run with each self-check failing only on NotImplementedError.
The kernel is this interpreter (optlab.grading.kernel), so no kernel spec needs installing.
"""
import os
import pathlib

import pytest

from optlab.grading.exercise import list_exercises, load_exercise
from optlab.grading.kernel import cell_errors, execute_notebook
from optlab.grading.notebook import student_notebook

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


@pytest.fixture(autouse=True)
def this_checkout(monkeypatch):
    """The kernel imports the optlab of this checkout, whichever one the environment has installed."""
    root = str(pathlib.Path(__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))


@pytest.mark.parametrize("name", list_exercises())
def test_instructor_source_runs_with_all_self_checks_passing(name, tmp_path):
    ex = load_exercise(name)
    nb = execute_notebook(ex.nb, timeout=300, allow_errors=True, cwd=tmp_path)
    assert cell_errors(nb) == []


@pytest.mark.parametrize("name", list_exercises())
def test_student_version_self_checks_fail_only_on_missing_answers(name, tmp_path):
    ex = load_exercise(name)
    nb = execute_notebook(student_notebook(ex.nb, exercise=name), timeout=300, allow_errors=True,
                          cwd=tmp_path)
    errors = cell_errors(nb)
    assert {e[1] for e in errors} == {"NotImplementedError"}
    assert sorted(e[0] for e in errors) == [t.index for t in ex.tests]
