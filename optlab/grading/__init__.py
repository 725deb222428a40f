"""Graded exercises: nbgrader-style notebooks, student releases, and a grader that cannot be fooled.

* :mod:`.notebook`: the cell conventions (``### BEGIN SOLUTION``, ``### BEGIN HIDDEN TESTS``, metadata
  ``nbgrader: {solution, grade, grade_id, points}``) and the student version of a notebook;
* :mod:`.exercise`: ``exercises/<name>/source.ipynb`` on disk, its grading plan, ``release``;
* :mod:`.runner`: grading (two fresh processes per test, limits, verdicts, batch CSV); its docstring
  explains why a submission cannot see the hidden tests or forge its score; :mod:`.report` prints it;
* :mod:`.batch`: a folder of submissions into a CSV and feedback files, resumable, crash-proof;
* :mod:`.isolation`: the sandbox inside bubblewrap (namespaces, read-only minimal file system, nobody);
* :mod:`.validate`: the nbformat schema and optlab's metadata types, checked before a notebook is used;
* :mod:`.sandbox` and :mod:`.checker`: the two processes; :mod:`.protocol`: the data-only wire between them;
* :mod:`.testing`: helpers for test cells (``fresh_rng``, ``assert_close``, ``assert_same_vjp``);
* :mod:`.kernel`: running a notebook in Jupyter with this interpreter (for instructors and CI);
* :mod:`.cli`: ``optlab exercises release`` and ``optlab grade``.

The names below are imported on first use, so that the sandbox, which imports this package, never
loads the grader's own modules (``subprocess`` in particular).
"""
_EXPORTS = {
    "Exercise": "exercise", "list_exercises": "exercise", "load_exercise": "exercise",
    "release": "exercise", "Limits": "runner", "GradeResult": "runner", "TestResult": "runner",
    "grade_notebook": "runner", "grade_path": "runner", "grade_folder": "batch",
    "format_report": "report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'optlab.grading' has no attribute '{name}'")
