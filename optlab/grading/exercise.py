"""Exercises on disk: ``exercises/<name>/source.ipynb`` (the instructor's), and releasing student versions.

The grading plan of an exercise is read from the instructor source only: which cells are answers (and
which names each one must define), which are tests (and their points), which are setup. A submission
contributes nothing but the code of its answer cells, matched by ``grade_id``.

Example:
    >>> import tempfile
    >>> from optlab.grading.notebook import code_cell, new_notebook, write_notebook
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = write_notebook(new_notebook([
    ...     code_cell("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION\\n",
    ...               solution=True, grade_id="f"),
    ...     code_cell("assert f(1) == 2\\n### BEGIN HIDDEN TESTS\\nassert f(5) == 10\\n"
    ...               "### END HIDDEN TESTS\\n", grade=True, grade_id="test_f", points=1)]),
    ...     root / "double" / "source.ipynb")
    >>> ex = load_exercise("double", root)
    >>> [(t.grade_id, t.points) for t in ex.tests], ex.answers[0].names
    ([('test_f', 1)], ['f'])
    >>> student = read_notebook(release(ex))
    >>> print(student["cells"][1]["source"])
    assert f(1) == 2
    <BLANKLINE>
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .notebook import (
    answer_names, cell_kind, nbgrader_meta, read_notebook, source_text, student_notebook,
    validate_source, write_notebook,
)

SOURCE_NAME = "source.ipynb"
RELEASE_DIR, RELEASE_NAME = "release", "student.ipynb"


@dataclass(frozen=True)
class Answer:
    grade_id: str
    index: int
    names: list = field(default_factory=list)


@dataclass(frozen=True)
class Test:
    grade_id: str
    index: int
    points: float


@dataclass
class Exercise:
    """An instructor notebook and its grading plan (answers, tests, setup cells), all from the source."""

    name: str
    path: Path
    nb: dict

    def __post_init__(self):
        validate_source(self.nb, where=str(self.path))
        self.kinds = [cell_kind(c) for c in self.nb["cells"]]
        self.answers, self.tests = [], []
        for i, (kind, cell) in enumerate(zip(self.kinds, self.nb["cells"])):
            gid = nbgrader_meta(cell).get("grade_id")
            if kind == "answer":
                self.answers.append(Answer(gid, i, answer_names(source_text(cell))))
            elif kind == "test":
                self.tests.append(Test(gid, i, nbgrader_meta(cell)["points"]))

    @property
    def max_points(self):
        return sum(t.points for t in self.tests)

    def source(self, index):
        return source_text(self.nb["cells"][index])


def default_root():
    """The ``exercises/`` folder next to the optlab package (a source checkout), or $OPTLAB_EXERCISES."""
    env = os.environ.get("OPTLAB_EXERCISES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "exercises"


def _root(root):
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        raise FileNotFoundError(f"exercises folder {root} does not exist; pass --exercises-dir "
                                "(or set OPTLAB_EXERCISES) to the folder holding <name>/source.ipynb")
    return root


def list_exercises(root=None):
    """Names of the exercises under ``root`` (folders holding a source.ipynb), sorted."""
    root = _root(root)
    return sorted(p.parent.name for p in root.glob(f"*/{SOURCE_NAME}"))


def load_exercise(name, root=None):
    """The exercise ``name`` under ``root``; a path to a source notebook is accepted too."""
    if str(name).endswith(".ipynb") and Path(name).is_file():
        path = Path(name)
        return Exercise(path.parent.name, path.resolve(), read_notebook(path))
    root = _root(root)
    path = root / name / SOURCE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no exercise named {name!r}: {path} does not exist "
                                f"(exercises here: {', '.join(list_exercises(root)) or 'none'})")
    return Exercise(name, path.resolve(), read_notebook(path))


def release(exercise, out=None):
    """Write the student version; ``out`` is a .ipynb path or a folder (default: <exercise>/release/)."""
    out = Path(out) if out is not None else exercise.path.parent / RELEASE_DIR
    if out.suffix != ".ipynb":
        out = out / RELEASE_NAME
    return write_notebook(student_notebook(exercise.nb, exercise=exercise.name), out)


def submission_answers(exercise, submission_nb):
    """The submission's code for each answer ``grade_id`` (first cell carrying it), else None.

    Only answer cells are taken: the submission's test and setup cells, and any cell whose grade_id
    is not an answer of the exercise, are ignored.
    """
    wanted = {a.grade_id for a in exercise.answers}
    found = {}
    for cell in submission_nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if cell.get("cell_type") == "code" and gid in wanted and gid not in found:
            found[gid] = source_text(cell)
    return {gid: found.get(gid) for gid in (a.grade_id for a in exercise.answers)}


def identify(submission_nb):
    """The exercise name recorded in a released notebook's metadata (None if absent)."""
    name = submission_nb.get("metadata", {}).get("optlab", {}).get("exercise")
    return name if isinstance(name, str) else None
