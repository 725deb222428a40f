"""Grading a submission: two fresh processes per test, a verdict channel the submission cannot reach.

For every test cell of the instructor's source, the grader (this process) starts

* **S**, the sandbox (:mod:`.sandbox`): ``python -I`` inside bubblewrap (:mod:`.isolation`: its own
  namespaces, no network, a file system of only the interpreter, optlab and an empty size-limited working
  folder, user ``nobody``), environment scrubbed, limits set by ``setrlimit`` in ``preexec_fn``
  (RLIMIT_AS = the memory limit, RLIMIT_CPU, RLIMIT_FSIZE, no core files), its own session. Without
  bwrap it runs in an empty temporary folder, as ``nobody`` only when root can drop to it, behind the
  audit hook alone (and ``optlab grade`` says so loudly). Its stdin carries the
  instructor's setup cells and the submission's answer cells (matched by ``grade_id``; the submission's
  test and setup cells are never used). Its stdout and stderr go to a file that is shown as quoted
  feedback and never parsed;
* **C**, the checker (:mod:`.checker`), which receives the test cell (hidden tests included) and a random
  nonce on its stdin, and runs it against proxies of the submission's answers.

S and C talk over two pipes with the data-only protocol of :mod:`.protocol`. C reports on a third pipe
that only this process holds the reading end of; its messages must carry the nonce.

Why the verdict is sound:

* no submitted code ever runs in C or here; the test's comparisons use C's own NumPy and optlab, so
  patching modules, overriding ``__eq__``, printing "PASSED" or writing files in S changes nothing but
  the data S returns, and that data must match fresh random problems drawn by ``os.urandom`` in C;
* hidden tests and the nonce exist only in C's and this process's memory and pipes; the exercise
  sources, other submissions and the CSV's folder are not in S's file system, and S's audit hook
  (the second layer) refuses them too; S cannot see, hence cannot signal, C or this process;
* a crash, an infinite loop or memory exhaustion in S ends only this test: C sees the pipe close, or
  the wall-clock deadline kills both process groups; MemoryError is reported like any exception.
  When the answer cells themselves exceed the time limit, the remaining tests score 0 without running;
* scores and the CSV are computed and written only here, from C's verdicts.

Example (the instructor solution of a tiny exercise gets full marks; see also ``optlab grade``):
    >>> import tempfile
    >>> from optlab.grading.notebook import code_cell, new_notebook, write_notebook
    >>> from optlab.grading.exercise import load_exercise
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = write_notebook(new_notebook([
    ...     code_cell("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION\\n",
    ...               solution=True, grade_id="f"),
    ...     code_cell("assert f(5) == 10\\n", grade=True, grade_id="test_f", points=1)]),
    ...     root / "double" / "source.ipynb")
    >>> ex = load_exercise("double", root)
    >>> result = grade_notebook(ex.nb, ex, Limits(time_limit=10))
    >>> (result.score, result.max_score)
    (1, 1)
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .exercise import identify, submission_answers
from .processes import NOBODY as _NOBODY, ROOT, _can_drop_privileges, _collect, _env, _kill, _limits_fn, \
    _read_tail, _signal_text
from .isolation import WORKDIR, bwrap_command, python_binds, root_mode
from .sandbox import HIDDEN_PACKAGES
from .report import format_report, write_csv  # noqa: F401  (re-exported)
from .notebook import source_text
from .validate import MAX_BYTES, InvalidNotebook, check_submission, parse

_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from optlab.grading.{} import main; main()"
# Inside bubblewrap: become nobody first (when bwrap ran as root), limit the process count in the sandbox's
# own namespaces, then start the sandbox; nothing of the submission has been read yet.
_BWRAP_BOOT = ("import os, resource, sys\n"
               "if sys.argv[2] == 'root':\n"
               "    os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
               "if os.getuid() == 0 or os.geteuid() == 0:\n"
               "    raise SystemExit('optlab sandbox: refusing to run graded code as root')\n"
               "resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))\n"
               "sys.path.insert(0, sys.argv[1]); from optlab.grading.sandbox import main; main()")


@dataclass(frozen=True)
class Limits:
    """Per-test limits: wall-clock seconds (from process start), memory and disk (with bwrap) in MiB."""

    time_limit: float = 10.0
    memory_mb: int = 1024
    checker_memory_mb: int = 4096
    output_bytes: int = 8 * 2**20
    disk_mb: int = 64

    def __post_init__(self):
        if not self.time_limit > 0:
            raise ValueError(f"time_limit must be > 0 seconds, got {self.time_limit}")
        if self.disk_mb < 1:
            raise ValueError(f"disk_mb must be >= 1 (MiB of files a test may write), got {self.disk_mb}")
        if self.memory_mb < 256:
            raise ValueError(f"memory_mb must be >= 256 (Python and NumPy need it), got {self.memory_mb}")


@dataclass
class TestResult:
    grade_id: str
    points: float
    max_points: float
    feedback: str = ""
    seeds: list = field(default_factory=list)
    output: str = ""


@dataclass
class GradeResult:
    submission: str
    exercise: str
    tests: list
    cell_errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def score(self):
        return sum(t.points for t in self.tests)

    @property
    def max_score(self):
        return sum(t.max_points for t in self.tests)


def plan(exercise, answers):
    """The S program's cells (setup from the source, answers from the submission) and name owners.

    Tests-only cells ("support") are left out: they run in the checker only.
    """
    cells, owner = [], {}
    answer_by_index = {a.index: a for a in exercise.answers}
    for i, kind in enumerate(exercise.kinds):
        if kind == "setup":
            cells.append({"label": f"setup-{i}", "source": exercise.source(i)})
        elif kind == "answer":
            a = answer_by_index[i]
            cells.append({"label": f"answer-{a.grade_id}", "source": answers.get(a.grade_id)})
            owner.update({n: f"answer-{a.grade_id}" for n in a.names})
    names = [n for a in exercise.answers for n in a.names]
    return cells, names, owner


def checker_cells(exercise, test):
    """C's cells: setup and answer placeholders above the test cell, then the test cell itself."""
    out = []
    answer_by_index = {a.index: a for a in exercise.answers}
    for i, kind in enumerate(exercise.kinds[: test.index + 1]):
        if kind in ("setup", "support"):
            out.append({"kind": "setup", "label": f"setup-{i}", "source": exercise.source(i)})
        elif kind == "answer":
            out.append({"kind": "answer", "label": f"answer-{answer_by_index[i].grade_id}",
                        "names": answer_by_index[i].names})
        elif i == test.index:
            out.append({"kind": "test", "label": f"test-{test.grade_id}", "source": exercise.source(i)})
    return out


def run_test(exercise, program, test, limits, deny, drop=None, bwrap=None):
    """Run one test in fresh S and C processes (S inside ``bwrap`` when given); returns (TestResult, ready)."""
    if bwrap:   # the sandbox's working folder is a tmpfs inside bubblewrap; nothing on this host
        drop, sandbox = False, None
        root = root_mode()
        argv = bwrap_command(bwrap, [sys.executable, "-I", "-u", "-c", _BWRAP_BOOT, ROOT,
                                     "root" if root else "user"],
                             binds=python_binds(os.path.join(ROOT, "optlab")), root=root,
                             disk_mb=limits.disk_mb, hidden=[os.path.join(ROOT, *name.split("."))
                                                             for name in HIDDEN_PACKAGES])
    else:
        drop = _can_drop_privileges() if drop is None else drop
        sandbox = tempfile.mkdtemp(prefix="optlab-sbx-")
        argv = [sys.executable, "-I", "-u", "-c", _BOOT.format("sandbox"), ROOT]
        if drop:
            os.chown(sandbox, _NOBODY, _NOBODY)
    private = tempfile.mkdtemp(prefix="optlab-grade-")
    checkdir = os.path.join(private, "checker")
    os.mkdir(checkdir)
    s2c_r, s2c_w = os.pipe()
    c2s_r, c2s_w = os.pipe()
    v_r, v_w = os.pipe()
    nonce = secrets.token_hex(16)
    s_out = open(os.path.join(private, "s.out"), "w+b")
    c_out = open(os.path.join(private, "c.out"), "w+b")
    start = time.monotonic()
    procs, verdict = [], None
    try:
        s = subprocess.Popen(
            argv, stdin=subprocess.PIPE,
            stdout=s_out, stderr=subprocess.STDOUT, cwd=sandbox or private, env=_env(sandbox or WORKDIR),
            pass_fds=(c2s_r, s2c_w), start_new_session=True,
            preexec_fn=_limits_fn(limits.memory_mb, limits.time_limit, limits.output_bytes, drop))
        procs.append(s)
        c = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT.format("checker"), ROOT], stdin=subprocess.PIPE,
            stdout=c_out, stderr=subprocess.STDOUT, cwd=checkdir, env=_env(checkdir),
            pass_fds=(s2c_r, c2s_w, v_w), start_new_session=True,
            preexec_fn=_limits_fn(limits.checker_memory_mb, limits.time_limit, limits.output_bytes, False))
        procs.append(c)
        for fd in (s2c_r, s2c_w, c2s_r, c2s_w, v_w):
            os.close(fd)
        s_job = dict(program, fds=[c2s_r, s2c_w], deny=deny)
        c_job = {"fds": [s2c_r, c2s_w, v_w], "nonce": nonce, "cells": checker_cells(exercise, test)}
        for proc, job in ((s, s_job), (c, c_job)):
            try:
                proc.stdin.write(json.dumps(job).encode("utf-8"))
                proc.stdin.close()
            except BrokenPipeError:
                pass
        ready, verdict = _collect(v_r, nonce, start + limits.time_limit)
    finally:
        os.close(v_r)
        if verdict is not None and procs and "process ended" in str(verdict.get("message", "")):
            try:   # S ended by itself: let it (or bwrap) exit, so that its status can be told
                procs[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        for proc in procs:
            _kill(proc)
        for fd in (s2c_r, s2c_w, c2s_r, c2s_w, v_w):
            try:
                os.close(fd)
            except OSError:
                pass
    output = _read_tail(s_out)
    checker_output = _read_tail(c_out)
    s_out.close()
    c_out.close()
    shutil.rmtree(private, ignore_errors=True)
    if sandbox:
        shutil.rmtree(sandbox, ignore_errors=True)
    result = TestResult(test.grade_id, 0, test.points, output=output)
    if verdict is None:
        elapsed = time.monotonic() - start
        if elapsed >= limits.time_limit:
            where = "while testing" if ready is not None else "while running your answer cells"
            result.feedback = f"time limit of {limits.time_limit:g} s exceeded {where}"
        else:
            result.feedback = "the checker failed; ask your instructor (its output: " \
                              f"{checker_output[-800:]!r})"
        return result, ready
    result.seeds = [int(x) for x in verdict.get("seeds", []) if isinstance(x, int)]
    if verdict.get("passed") is True:
        result.points = test.points
    else:
        result.feedback = str(verdict.get("message", "failed"))
        code = s.returncode
        if bwrap and code is not None and code > 128:   # bwrap exits with 128 + the signal that ended S
            code = 128 - code
        why = _signal_text(code if code != -signal.SIGKILL else None)
        if why and "process ended" in result.feedback:
            result.feedback += f" ({why})"
    return result, ready


def grade_notebook(nb, exercise, limits=Limits(), name="submission", deny=(), isolation="auto", bwrap=None):
    """Grade one submission notebook (a dict) against ``exercise``; returns a :class:`GradeResult`.

    ``exercise`` is the instructor's choice: the notebook's own metadata never selects it (a different
    name there is reported as a note). ``isolation`` is ``"auto"``, ``"bwrap"`` or ``"none"``
    (:mod:`.isolation`); ``bwrap`` passes an already resolved bwrap path (or None) instead.
    """
    from .isolation import resolve

    bwrap = resolve(isolation) if bwrap is None and isolation != "none" else bwrap
    result = GradeResult(name, exercise.name, [])
    try:
        check_submission(nb)
    except InvalidNotebook as err:
        return not_graded(name, exercise, str(err))
    claimed = identify(nb)
    if claimed is not None and claimed != exercise.name:
        result.notes.append(f"the notebook says it is exercise {claimed[:80]!r}; it was graded as "
                            f"{exercise.name!r} (chosen by the instructor)")
    answers = submission_answers(exercise, nb)
    cells, names, owner = plan(exercise, answers)
    program = {"cells": cells, "names": names, "owner": owner}
    deny = [str(exercise.path.parent.parent)] + [str(d) for d in deny]
    cells_timed_out = None
    for test in exercise.tests:
        if cells_timed_out is not None:
            result.tests.append(TestResult(test.grade_id, 0, test.points, feedback=(
                f"not run: your answer cells exceeded the time limit in test {cells_timed_out}")))
            continue
        tr, ready = run_test(exercise, program, test, limits, deny, bwrap=bwrap)
        if ready is None and tr.feedback.startswith("time limit"):
            cells_timed_out = test.grade_id
        if ready is not None and not result.cell_errors:
            result.cell_errors = ready.get("errors", [])
        result.tests.append(tr)
    return result


def not_graded(name, exercise, why):
    """The result of a submission that could not be graded: 0 on every test, with the reason."""
    result = GradeResult(name, exercise.name, [
        TestResult(t.grade_id, 0, t.points, feedback=f"submission not graded: {why}") for t in exercise.tests])
    result.notes.append(f"not graded: {why}")
    return result


def grade_path(path, exercise, limits=Limits(), deny=(), isolation="auto", bwrap=None):
    """Grade one .ipynb file; a notebook that is unreadable or invalid scores 0 on every test, with the reason."""
    path = Path(path)
    try:
        with open(path, "rb", opener=_regular_file_opener) as f:
            nb = parse(f.read(MAX_BYTES + 1))
        check_submission(nb)
    except (OSError, InvalidNotebook) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        return not_graded(str(path), exercise, why)
    for cell in nb["cells"]:
        cell["source"] = source_text(cell)
    return grade_notebook(nb, exercise, limits, name=str(path), deny=[path.resolve().parent, *deny],
                          isolation=isolation, bwrap=bwrap)


def _regular_file_opener(path, flags):
    """Open without blocking and refuse anything but a regular file (a FIFO would hang the grader)."""
    fd = os.open(path, flags | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(0, "not a regular file")
    return fd


def __getattr__(name):   # grade_folder lives in .batch (imported on use: batch imports this module)
    if name == "grade_folder":
        from .batch import grade_folder

        return grade_folder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
