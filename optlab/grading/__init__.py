"""Graded exercises: nbgrader-style notebooks, student releases, and a grader that cannot be fooled.

* :mod:`.notebook`: the cell conventions (``### BEGIN SOLUTION``, ``### BEGIN HIDDEN TESTS``, metadata
  ``nbgrader: {solution, grade, grade_id, points}``) and the student version of a notebook;
* :mod:`.exercise`: ``exercises/<name>/source.ipynb`` on disk, its grading plan, ``release``;
* :mod:`.runner`: grading (two fresh processes per test, limits, verdicts, batch CSV); its docstring
  explains why a submission cannot see the hidden tests or forge its score;
* :mod:`.sandbox` and :mod:`.checker`: the two processes; :mod:`.protocol`: the data-only wire between them;
* :mod:`.testing`: helpers for test cells (``fresh_rng``, ``assert_close``, ``assert_same_vjp``);
* :mod:`.kernel`: running a notebook in Jupyter with this interpreter (for instructors and CI);
* :mod:`.cli`: ``optlab exercises release`` and ``optlab grade``.
"""
from .exercise import Exercise, list_exercises, load_exercise, release
from .runner import GradeResult, Limits, TestResult, format_report, grade_folder, grade_notebook, grade_path

__all__ = [
    "Exercise", "list_exercises", "load_exercise", "release", "Limits", "GradeResult", "TestResult",
    "grade_notebook", "grade_path", "grade_folder", "format_report",
]
