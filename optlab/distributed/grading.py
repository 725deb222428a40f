"""``optlab grade FOLDER --cluster ...``: each submission graded on a Dask worker.

The driver reads each notebook and sends its bytes with the exercise to a worker; the worker writes
them to a private temporary folder and grades them exactly as the local batch does
(:func:`optlab.grading.runner.grade_path`: each test in its own sandboxed process on that machine).
Results come back as they finish, and :func:`optlab.grading.batch.grade_folder` writes the CSV and the
feedback file after each one, so a crash loses at most the submissions in flight. A hostile or crashing
submission costs only its own tests; a worker lost mid-batch has its submissions graded again elsewhere
(Dask reschedules the task; grading is deterministic, so the second grade is the first one's).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from .cluster import require_dask


def grade_bytes(data, name, exercise, limits, isolation):
    """Worker side: grade one notebook given as bytes; the result is reported under ``name``."""
    from optlab.grading.runner import grade_path, not_graded

    with tempfile.TemporaryDirectory(prefix="optlab-grade-") as tmp:
        path = Path(tmp) / "submission.ipynb"
        path.write_bytes(data)
        try:
            result = grade_path(path, exercise, limits, isolation=isolation)
        except Exception as err:  # noqa: BLE001 - a grader bug costs this submission, not the batch
            result = not_graded(name, exercise, f"the grader failed ({type(err).__name__}: "
                                f"{str(err)[:300]}); tell your instructor")
    result.submission = name
    return result


def grade_on_cluster(client, paths, exercise, limits, isolation, retries=2):
    """Yield ``(path, result)`` for every notebook path, in the order the workers finish them."""
    distributed = require_dask()
    from optlab.grading.runner import not_graded

    futures, by_key = [], {}
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as err:                    # unreadable here: scored 0 here, like the local batch
            yield path, not_graded(str(path), exercise, err.strerror or str(err))
            continue
        fut = client.submit(grade_bytes, data, str(path), exercise, limits, isolation, pure=False,
                            retries=retries)
        futures.append(fut)
        by_key[fut.key] = path
    for fut in distributed.as_completed(futures):
        path = by_key[fut.key]
        try:
            result = fut.result()
        except Exception as err:  # noqa: BLE001 - e.g. a worker killed every time it ran this one
            result = not_graded(str(path), exercise, f"grading failed on the cluster "
                                f"({type(err).__name__}); regrade it alone")
        yield path, result
