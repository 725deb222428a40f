"""Operating-system isolation of the sandbox process with bubblewrap (``bwrap``), and what happens without it.

The audit hook of :mod:`.sandbox` is a tripwire inside the submission's own process: code that can
reach the hook's tables, or make a system call that raises no audit event (``mknod``, ``pidfd_send_signal``),
gets past it. So every test's sandbox process is started inside **bubblewrap**
(https://github.com/containers/bubblewrap, Debian/Ubuntu package ``bubblewrap``), which builds a fresh
file system and namespaces for it:

* its file system is an empty tmpfs root holding, read-only, only ``/usr`` (with the ``/bin``, ``/lib``
  links), the Python installation (``sys.base_prefix`` and the virtual environment ``sys.prefix``) and the
  ``optlab`` package folder (with ``optlab/algorithms`` and ``optlab/theory`` empty: they hold the
  answers to exercises), plus a fresh ``/dev`` (null, zero, random, urandom; no device nodes can be
  made), its own ``/proc`` and a size-limited tmpfs working folder ``/sandbox`` (the disk quota of one
  test). The exercises, the solutions, other submissions and the grader's files are not in it at all;
* its own PID, network, IPC and UTS namespaces (no network; the grader and the checker are not
  visible, so they cannot be signalled, by pid or pidfd), ``--die-with-parent`` and ``--new-session``;
* its user is unprivileged whoever started the grader: as root, bwrap builds the namespaces and the
  sandbox switches to ``nobody`` (65534) on the host before it reads its program; as another user (or
  as a root that may not create namespaces, as in a container), bwrap maps it to ``nobody`` inside a user
  namespace, without capabilities (and forbids further user namespaces);
* the resource limits (address space, CPU seconds, file size, no core files, and as root a process
  count) are set by ``setrlimit`` before ``exec`` and inherited through bwrap.

Without bwrap (macOS, Windows, a Linux without the package or without user namespaces), grading still
works with rlimits and the audit hook only, and :func:`warning` says so loudly, naming the fix.

Example (the command line, without running it):
    >>> cmd = bwrap_command("/usr/bin/bwrap", ["python", "-c", "pass"], binds=["/opt/py"], root=False,
    ...                     disk_mb=64)
    >>> i = cmd.index("/opt/py")
    >>> cmd[i - 1 : i + 2], cmd.index("/tmp") < i       # /tmp is mounted first, binds go on top of it
    (['--ro-bind', '/opt/py', '/opt/py'], True)
    >>> cmd[-3:]
    ['python', '-c', 'pass']
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache

NOBODY = 65534
WORKDIR = "/sandbox"
INSTALL_HINT = ("install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu), "
                "`sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch); on macOS or "
                "Windows run `optlab grade` inside a Linux container (see exercises/README.md)")
MODES = ("auto", "bwrap", "none")


class IsolationError(RuntimeError):
    """bubblewrap was required (``--isolation bwrap`` or CI) but cannot be used here."""


def _system_binds():
    """Read-only host paths every sandbox needs: /usr and the dynamic loader's links and cache."""
    binds = ["/usr"]
    binds += [p for p in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives")
              if os.path.exists(p)]
    return binds


def python_binds(package_dir):
    """The folders the sandboxed interpreter must read: its installation, the venv, optlab's package folder.

    Only the ``optlab`` package folder of the checkout is shown, never the checkout itself (which holds
    ``exercises/``).
    """
    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), package_dir}
    real = sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)})
    # a path inside another one is already visible
    return [p for p in real if not any(p != q and p.startswith(q + "/") for q in real) and p != "/usr"
            and not p.startswith("/usr/")]


def bwrap_command(bwrap, argv, *, binds, root, disk_mb, hidden=()):
    """The bwrap command line that runs ``argv`` isolated (see the module docstring)."""
    cmd = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
           "--die-with-parent", "--new-session"]
    if root:   # namespaces without a user namespace; the sandbox itself becomes nobody at once
        cmd += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        cmd += ["--unshare-user", "--disable-userns", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    for path in _system_binds():
        cmd += ["--ro-bind", path, path]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.isdir(f"/usr/{link}") and os.path.islink(f"/{link}"):
            cmd += ["--symlink", f"usr/{link}", f"/{link}"]
        elif os.path.isdir(f"/{link}") and not os.path.islink(f"/{link}"):
            cmd += ["--ro-bind", f"/{link}", f"/{link}"]
    # /tmp first: a bind below it (a checkout or venv under /tmp) must go on top of the empty tmpfs,
    # not be hidden by it
    cmd += ["--size", str(16 * 2**20), "--tmpfs", "/tmp"]
    made = set()
    for path in binds:
        # the folders above a bind are made world-traversable (bwrap would make them 0700 as root)
        parts = path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/" + "/".join(parts[:i])
            if folder not in made:
                made.add(folder)
                cmd += ["--perms", "0755", "--dir", folder]
        cmd += ["--ro-bind", path, path]
    for path in hidden:   # folders shown empty (optlab's own methods, see sandbox.HIDDEN_PACKAGES)
        cmd += ["--size", "4096", "--perms", "0555", "--tmpfs", path]
    cmd += ["--dev", "/dev", "--proc", "/proc",
            "--size", str(int(disk_mb) * 2**20), "--perms", "0777", "--tmpfs", WORKDIR,
            "--chdir", WORKDIR, "--"]
    return cmd + list(argv)


def find_bwrap():
    return shutil.which("bwrap") or next((p for p in ("/usr/bin/bwrap", "/bin/bwrap") if os.path.exists(p)),
                                        None)


def _works(bwrap, root):
    cmd = bwrap_command(bwrap, [sys.executable, "-I", "-c", "import os; print(os.getpid())"],
                        binds=python_binds(os.path.dirname(os.path.dirname(__file__))), root=root, disk_mb=1)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap ({bwrap}) could not be started: {err}"
    if proc.returncode != 0 or proc.stdout.strip() not in ("1", "2"):
        return (f"bubblewrap ({bwrap}) cannot create namespaces here (user namespaces disabled?): "
                f"{proc.stderr.strip()[-300:]}")
    return ""


@lru_cache(maxsize=1)
def _probe():
    bwrap = find_bwrap()
    if bwrap is None:
        return None, "bubblewrap (bwrap) is not installed", False
    if os.geteuid() == 0 and not _works(bwrap, root=True):
        return bwrap, "", True
    # not root, or root without CAP_SYS_ADMIN (a container): a user namespace maps the sandbox to nobody
    why = _works(bwrap, root=False)
    return (None if why else bwrap), why, False


def probe():
    """``(path to bwrap or None, reason it cannot be used or "")``: bwrap is run once, for real."""
    return _probe()[:2]


def root_mode():
    """True when bwrap runs as root without a user namespace and the sandbox drops to nobody itself."""
    return _probe()[2]


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def resolve(mode="auto"):
    """The bwrap path to use, or None for rlimits and the audit hook only.

    ``mode``: ``"bwrap"`` requires it (IsolationError if unusable), ``"none"`` never uses it,
    ``"auto"`` uses it when it works, and requires it under CI (env ``CI=true``).
    """
    if mode not in MODES:
        raise ValueError(f"isolation must be one of {MODES}, got {mode!r}")
    if mode == "none":
        return None
    bwrap, why = probe()
    if bwrap is None and (mode == "bwrap" or in_ci()):
        raise IsolationError(f"{why}; {INSTALL_HINT}")
    return bwrap


def warning(mode="auto"):
    """The loud message printed when grading runs without OS isolation (None when bwrap is used)."""
    if mode != "none" and probe()[0] is not None:
        return None
    why = "isolation switched off (--isolation none)" if mode == "none" else probe()[1]
    return ("WARNING: optlab grade runs WITHOUT operating-system isolation: " + why + ".\n"
            "  Submissions are then held only by resource limits and an in-process audit hook, which a\n"
            "  determined student can get past (read hidden tests, plant files, kill the grader).\n"
            "  Do not grade untrusted submissions like this; " + INSTALL_HINT + ".")


def measure(repeats=10):
    """Median seconds of one trivial graded test with and without bubblewrap, measured alternately.

    Returns ``{"bwrap": s, "none": s}`` (``"bwrap"`` missing when it is unusable). Run
    ``python -m optlab.grading.isolation`` to see whether isolation works here and what it costs.
    """
    import statistics
    import tempfile
    import time
    from pathlib import Path

    from .exercise import load_exercise
    from .notebook import code_cell, new_notebook, write_notebook
    from .runner import Limits, grade_notebook

    root = Path(tempfile.mkdtemp(prefix="optlab-measure-"))
    write_notebook(new_notebook([code_cell("x = 1", solution=True, grade_id="x"),
                                 code_cell("assert x == 1", grade=True, grade_id="t", points=1)]),
                   root / "probe" / "source.ipynb")
    ex = load_exercise("probe", root)
    modes = ["none"] + (["bwrap"] if probe()[0] else [])
    times = {m: [] for m in modes}
    for _ in range(repeats):
        for mode in modes:
            start = time.perf_counter()
            result = grade_notebook(ex.nb, ex, Limits(time_limit=30), isolation=mode)
            times[mode].append(time.perf_counter() - start)
            assert result.score == 1, result
    return {m: statistics.median(t) for m, t in times.items()}


if __name__ == "__main__":
    bwrap, why = probe()
    print(f"bubblewrap: {bwrap or 'not usable'}{' (' + why + ')' if why else ''}")
    timing = measure()
    line = ", ".join(f"{m}: {t * 1000:.0f} ms" for m, t in timing.items())
    ratio = f"; bwrap/none = {timing['bwrap'] / timing['none']:.2f}" if "bwrap" in timing else ""
    print(f"one trivial test (two processes), median of 10: {line}{ratio}")
