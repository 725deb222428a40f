"""The attacks of issue #14 on the grader, one class per test, each through the real grading path.

A one-cell exercise is graded with an "answer" that attacks the grader and prints what it got (as JSON,
read back from the sandbox's quoted output). Each test checks the effect from outside: files that must be
unchanged, paths that must not exist, a batch that must finish. Tests needing bubblewrap skip, with the
reason, only where it is unusable and CI is not set; under CI=true they run (``.ci/run`` installs it).
"""
import json
import os
import stat
import threading

import pytest

from optlab.grading import isolation
from optlab.grading.batch import grade_folder
from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import code_cell, new_notebook, write_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import Limits, grade_notebook

LIMITS = Limits(time_limit=8)
BWRAP, WHY = isolation.probe()
needs_bwrap = pytest.mark.skipif(BWRAP is None and not isolation.in_ci(),
                                 reason=f"bubblewrap unusable here ({WHY}) and CI is not set")


@pytest.fixture
def world(tmp_path):
    """An exercise folder, a submissions folder with a victim's notebook, and an output folder."""
    root = tmp_path / "exercises"
    write_notebook(new_notebook([
        code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", solution=True, grade_id="answer"),
        code_cell("# x is one\nassert x == 1\n### BEGIN HIDDEN TESTS\nassert x + 0 == 1\n### END HIDDEN TESTS\n",
                  grade=True, grade_id="test_x", points=1)]), root / "tiny" / "source.ipynb")
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    out.mkdir()
    victim = write_notebook(student("x = 1\n"), subs / "victim.ipynb")
    return {"ex": load_exercise("tiny", root), "subs": subs, "out": out, "victim": victim,
            "victim_text": victim.read_text()}


def student(code, **metadata):
    return new_notebook([code_cell(code, solution=True, grade_id="answer")], **metadata)


def attack(world, code, limits=LIMITS, **kw):
    """Grade ``code`` (which must print one JSON line last) as a submission in the subs folder."""
    nb = student("import json, os, sys\nfound = {}\n" + code + "\nprint(json.dumps(found))\nx = 1\n")
    result = grade_notebook(nb, world["ex"], limits, name=str(world["subs"] / "attacker.ipynb"),
                            deny=[world["subs"], world["out"]], **kw)
    lines = [ln for ln in result.tests[0].output.splitlines() if ln.startswith("{")]
    assert lines, format_report(result)
    return result, json.loads(lines[-1])


def test_the_sandbox_never_runs_as_root(world):
    result, found = attack(world, "found['ids'] = [os.getuid(), os.geteuid(), os.getgid(), os.getegid()]")
    assert result.score == 1, format_report(result)
    assert 0 not in found["ids"], found
    if BWRAP:
        assert found["ids"] == [65534] * 4, found


GUARD_TABLES = """
import optlab.grading.sandbox as sb
for table in (sb._PATH_EVENTS, sb.__dict__.get("_UNAUDITED", {})):
    table.clear()
sb._BLOCKED = frozenset(); sb._BLOCKED_IMPORTS = frozenset(); sb._ALLOWED_DEVICES = ("/",)
class Sneaky(str):                           # methods that would run inside the audit hook
    def __radd__(self, other):
        frame = sys._getframe(1)
        found["hook_frame"] = sorted(frame.f_locals)[:5]
        return str.__add__(other, str(self))
    def __contains__(self, item):
        found["hook_contains"] = True
        return False
for name, act in [("read_source", lambda: open(SOURCE).read()),
                  ("read_relative", lambda: open(Sneaky(os.path.relpath(SOURCE))).read()),
                  ("overwrite_victim", lambda: open(VICTIM, Sneaky("w")).write("{}")),
                  ("remove_victim", lambda: os.remove(VICTIM)),
                  ("rename_onto_victim", lambda: (open("mine", "w").write("{}"), os.rename("mine", VICTIM)))]:
    try:
        act()
        found[name] = "done"
    except Exception as err:
        found[name] = type(err).__name__
"""


# "none": the audit hook alone (the second layer) must hold too
@pytest.mark.parametrize("layers", ["auto", "none"])
def test_emptied_guard_tables_reach_no_file_of_the_instructor_or_other_students(world, layers):
    code = f"SOURCE = {str(world['ex'].path)!r}\nVICTIM = {str(world['victim'])!r}\n" + GUARD_TABLES
    result, found = attack(world, code, isolation=layers)
    assert world["victim"].read_text() == world["victim_text"], found
    assert "done" not in [found[k] for k in ("read_source", "read_relative", "overwrite_victim",
                                              "remove_victim", "rename_onto_victim")], found
    assert "hook_frame" not in found and "hook_contains" not in found, found


UNAUDITED = """
import signal
def fifo():
    (os.mkfifo if hasattr(os, "mkfifo") else __import__("posix").mkfifo)(CSV_TMP)
def node():
    (os.mknod if hasattr(os, "mknod") else __import__("posix").mknod)(PLANT, 0o100644)
def pidfd():
    fd = (os.pidfd_open if hasattr(os, "pidfd_open") else __import__("posix").pidfd_open)(GRADER)
    signal.pidfd_send_signal(fd, 0)          # signal 0: "could I kill it?"
for name, act in [("fifo", fifo), ("node", node), ("pidfd", pidfd)]:
    try:
        act()
        found[name] = "done"
    except Exception as err:
        found[name] = type(err).__name__
"""


@pytest.mark.parametrize("layers", ["auto", "none"])
def test_system_calls_without_audit_events_plant_nothing_and_reach_no_grader(world, layers):
    csv_path = world["out"] / "scores.csv"
    code = (f"CSV_TMP = {str(csv_path) + '.tmp'!r}\nPLANT = {str(world['out'] / 'planted')!r}\n"
            f"GRADER = {os.getpid()}\n" + UNAUDITED)
    result, found = attack(world, code, isolation=layers)
    assert found["pidfd"] != "done", found
    assert not os.path.lexists(str(csv_path) + ".tmp") and not (world["out"] / "planted").exists(), found
    # and a FIFO that is there (planted by anyone) never makes the CSV write wait
    os.mkfifo(str(csv_path) + ".tmp")
    done = []
    thread = threading.Thread(target=lambda: done.append(grade_folder(
        world["subs"], world["ex"], csv_path, LIMITS, isolation=layers)), daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert done and csv_path.read_text().splitlines()[1].startswith("victim.ipynb,victim,1,1,1,graded")


DISK = """
written = 0
try:
    for i in range(40):                      # 40 files of 1 MiB each, each far below the file size limit
        with open(f"f{i}", "wb") as f:
            f.write(b"x" * 2**20)
        written += 2**20
except OSError as err:
    found["error"] = type(err).__name__
found["written"] = written
"""


@needs_bwrap
def test_files_written_by_one_test_are_capped_by_a_disk_quota(world):
    result, found = attack(world, DISK, limits=Limits(time_limit=8, disk_mb=16))
    assert found["written"] <= 16 * 2**20 and found.get("error") == "OSError", found


PRESEED = """
import types, importlib.util
class Fake(types.ModuleType):                # any attribute, any submodule: imports of it "work"
    __path__ = []
    def __getattr__(self, name):
        return type(name, (), {})
for name in ("multiprocessing", "multiprocessing.shared_memory", "_multiprocessing", "_posixshmem",
             "_posixsubprocess", "subprocess"):
    sys.modules[name] = Fake(name)
try:
    from optlab.algorithms import SGD
    found["import"] = "done"
except Exception as err:
    found["import"] = type(err).__name__
try:
    import optlab
    path = os.path.join(os.path.dirname(optlab.__file__), "algorithms", "__init__.py")
    spec = importlib.util.spec_from_file_location("optlab.algorithms", path,
                                                  submodule_search_locations=[os.path.dirname(path)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["optlab.algorithms"] = module
    spec.loader.exec_module(module)
    found["by_hand"] = "done" if hasattr(module, "SGD") else "empty"
except Exception as err:
    found["by_hand"] = type(err).__name__
"""


@pytest.mark.parametrize("layers", ["auto", "none"])
def test_pre_seeded_modules_do_not_open_optlabs_own_methods_to_the_submission(world, layers):
    result, found = attack(world, PRESEED, isolation=layers)
    assert found["import"] != "done" and found["by_hand"] != "done", found


def test_isolation_required_but_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(isolation, "probe", lambda: (None, "bubblewrap (bwrap) is not installed"))
    with pytest.raises(isolation.IsolationError, match="apt-get install bubblewrap"):
        isolation.resolve("bwrap")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(isolation.IsolationError):
        isolation.resolve("auto")
    monkeypatch.setenv("CI", "")
    assert isolation.resolve("auto") is None and "WITHOUT operating-system isolation" in isolation.warning()


@needs_bwrap
def test_bwrap_shows_the_sandbox_no_file_outside_the_interpreter_optlab_and_its_folder(world):
    code = ("found['root'] = sorted(os.listdir('/'))\n"
            "found['cwd'] = os.getcwd()\n"
            f"found['exercises'] = os.path.exists({str(world['ex'].path)!r})\n"
            f"found['subs'] = os.path.exists({str(world['subs'])!r})\n")
    # (os.path.exists is a stat, which raises no audit event: this is the file system's own answer)
    result, found = attack(world, code)
    assert found["exercises"] is False and found["subs"] is False, found
    assert found["cwd"] == isolation.WORKDIR and "sandbox" in found["root"], found
    assert stat.S_ISDIR(os.stat(world["subs"]).st_mode)   # (they do exist outside)


@needs_bwrap
def test_the_user_namespace_mode_also_runs_the_sandbox_as_nobody(world, monkeypatch):
    # the mode of a non-root grader, and of a root one that may not create namespaces (a container)
    from optlab.grading import runner

    monkeypatch.setattr(runner, "root_mode", lambda: False)
    result, found = attack(world, "found['ids'] = [os.getuid(), os.geteuid(), os.getgid(), os.getegid()]",
                           isolation="bwrap")
    assert result.score == 1 and found["ids"] == [65534] * 4, found
