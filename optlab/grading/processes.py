"""Process plumbing of the grader: limits set before ``exec``, the scrubbed environment, ending and
reading a test's processes, and the verdict pipe reader (used by :mod:`.runner`).

Example:
    >>> _signal_text(-11), _signal_text(0)
    ('segmentation fault', '')
"""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import sys
import time
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])   # the checkout holding the optlab package
NOBODY = 65534


def _can_drop_privileges():
    """Root drops to nobody for S, if nobody can reach the interpreter and optlab (world-executable dirs)."""
    if os.geteuid() != 0:
        return False
    for path in (os.path.realpath(sys.executable), sys.prefix, sys.base_prefix, ROOT):
        p = Path(path)
        for d in [p] + list(p.parents):
            try:
                if d.is_dir() and not d.stat().st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True


def _limits_fn(memory_mb, cpu_seconds, fsize, drop):
    def apply():
        os.umask(0o022)
        mem = int(memory_mb) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        cpu = int(cpu_seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if drop:
            resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
    return apply


def _env(home):
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": home, "PYTHONDONTWRITEBYTECODE": "1"}


def _signal_text(code):
    if code is None or code >= 0:
        return f"exit status {code}" if code else ""
    names = {signal.SIGXCPU: "CPU time limit exceeded", signal.SIGSEGV: "segmentation fault",
             signal.SIGKILL: "killed", signal.SIGXFSZ: "file size limit exceeded",
             signal.SIGABRT: "aborted"}
    return names.get(-code, f"signal {-code}")


def _read_tail(f, limit=4000):
    f.flush()
    size = f.seek(0, os.SEEK_END)
    f.seek(max(0, size - limit))
    return f.read().decode("utf-8", "replace")


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _collect(fd, nonce, deadline):
    """Read C's JSON lines until the verdict, EOF or the deadline; lines without the nonce are ignored."""
    buf, ready = b"", None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return ready, None
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return ready, None
        chunk = os.read(fd, 65536)
        if not chunk:
            return ready, None
        buf += chunk
        if len(buf) > 4 * 2**20:
            return ready, None
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict) or event.get("nonce") != nonce:
                continue
            if event.get("event") == "ready":
                ready = event
            elif event.get("event") == "verdict":
                return ready, event
