"""Grading a folder of submissions: nothing a submission does can crash the batch or lose finished work.

* The output paths (CSV, feedback folder) are checked **before** grading starts.
* Each submission is graded on its own; anything that goes wrong with one (an invalid notebook, or a
  bug of the grader itself) scores that submission 0 with the reason, and the batch goes on.
* After each submission the CSV is rewritten atomically (:func:`.report.write_csv`: a fresh temporary
  file, then ``os.replace``) and the student's feedback file is written: a crash or a kill loses at most
  the submission in hand, and ``resume=True`` (``optlab grade --resume``) skips the rows already there.

Example:
    >>> import tempfile
    >>> from optlab.grading.notebook import code_cell, new_notebook, write_notebook
    >>> from optlab.grading.exercise import load_exercise
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = write_notebook(new_notebook([code_cell("x = 2", solution=True, grade_id="x"),
    ...     code_cell("assert x == 2", grade=True, grade_id="t", points=1)]), root / "ex" / "source.ipynb")
    >>> ex = load_exercise("ex", root)
    >>> (root / "subs").mkdir(); _ = (root / "subs" / "broken.ipynb").write_text("{")
    >>> [r.score for r in grade_folder(root / "subs", ex, root / "scores.csv", isolation="none")]
    [0]
    >>> (root / "scores.csv").read_text().splitlines()
    ['submission,student,t,total,max,status', 'broken.ipynb,broken,0,0,1,not graded']
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .isolation import resolve
from .report import display_name, feedback_path, read_csv_rows, result_row, write_csv, write_feedback
from .runner import Limits, grade_path, not_graded


def check_output_paths(csv_path, feedback_dir=None):
    """Refuse, before any grading, output paths that cannot be written (with what to do)."""
    csv_path = Path(csv_path)
    parent = csv_path.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"--csv {csv_path}: the folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(f"--csv {csv_path}: the folder {parent} is not writable")
    if os.path.lexists(csv_path) and not stat.S_ISREG(os.lstat(csv_path).st_mode):
        raise FileExistsError(f"--csv {csv_path} exists and is not a regular file; choose another path")
    if feedback_dir is not None:
        feedback_dir = Path(feedback_dir)
        if os.path.lexists(feedback_dir) and not (feedback_dir.is_dir() and not feedback_dir.is_symlink()):
            raise FileExistsError(f"--feedback {feedback_dir} exists and is not a folder")
        if not feedback_dir.parent.is_dir():
            raise FileNotFoundError(f"--feedback {feedback_dir}: the folder {feedback_dir.parent} does not exist")


def grade_folder(folder, exercise, csv_path, limits=Limits(), progress=None, *, resume=False,
                 feedback_dir=None, isolation="auto"):
    """Grade every ``*.ipynb`` in ``folder`` (sorted by name) into ``csv_path``; return the new results.

    ``feedback_dir`` (default: ``<csv name>-feedback`` next to the CSV; ``False`` for none) receives one
    ``<student>.txt`` per submission. With ``resume``, submissions already in the CSV are not graded again.
    """
    folder, csv_path = Path(folder), Path(csv_path)
    if feedback_dir is None:
        feedback_dir = csv_path.with_name(csv_path.stem + "-feedback")
    check_output_paths(csv_path, feedback_dir or None)
    bwrap = resolve(isolation)
    columns = [t.grade_id for t in exercise.tests]
    rows = read_csv_rows(csv_path, columns) if resume and csv_path.exists() else []
    done = {row[0] for row in rows}
    if feedback_dir:
        Path(feedback_dir).mkdir(exist_ok=True)
    results = []
    for path in sorted(folder.glob("*.ipynb"), key=lambda p: display_name(p.name)):
        if display_name(path.name) in done:
            continue
        try:
            result = grade_path(path, exercise, limits, deny=[csv_path.resolve().parent], isolation=isolation,
                                bwrap=bwrap)
        except Exception as err:  # noqa: BLE001 - a grader bug costs this submission, not the batch
            result = not_graded(str(path), exercise, f"the grader failed ({type(err).__name__}: "
                                f"{str(err)[:300]}); tell your instructor")
        results.append(result)
        rows.append(result_row(result))
        write_csv(rows, exercise, csv_path)
        if feedback_dir:
            write_feedback(result, exercise, feedback_path(feedback_dir, path.name))
        if progress:
            progress(result)
    if not rows:
        write_csv(rows, exercise, csv_path)
    return results
