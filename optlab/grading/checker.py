"""The checker process (*C*): runs one test cell of the instructor's source, where no submitted code runs.

It reads its job from stdin (the setup cells and the one test cell, hidden tests included, and a
per-run nonce), waits for the sandbox's ``ready`` message, and builds the test's namespace the way the
notebook would: the instructor's setup cells run here, and each answer name is bound to what the
submission defined, as data or as a proxy (:class:`~optlab.grading.protocol.Remote`) whose calls run
in the sandbox. The test cell then runs here with the checker's own, untouched NumPy and optlab:
whatever the submission patched, printed or raised stays in the sandbox, and what comes back is plain
data. The outcome is written as JSON lines, each carrying the nonce, on a pipe that only the grader
reads.
"""
from __future__ import annotations

import json
import os
import sys
import traceback


class Missing:
    """Stands for an answer name the submission did not define; any use raises a clear NameError."""

    def __init__(self, name, reason):
        self._name, self._reason = name, reason

    def _fail(self, *args, **kwargs):
        raise NameError(f"'{self._name}' is not defined by the submission ({self._reason})")

    __call__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __array__ = __iter__ = __len__ = _fail
    __float__ = __int__ = __getitem__ = __neg__ = __pow__ = _fail

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._fail()

    def __repr__(self):
        return f"<missing answer {self._name}>"


def describe_failure(err, test_label):
    """The feedback line for a failed test: what went wrong, never the hidden test's source."""
    from .protocol import PeerGone, ProtocolError, SubmissionError

    cause, seen = err, 0
    while cause is not None and seen < 10:  # a submission error wrapped by the engine still counts
        if isinstance(cause, (SubmissionError, PeerGone, ProtocolError)):
            err = cause
            break
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    if isinstance(err, SubmissionError):
        text = f"your code raised {err.type_name}" + (f": {err.message}" if err.message else "")
        if err.student_traceback:
            text += "\n" + err.student_traceback.rstrip()
        return text
    if isinstance(err, PeerGone):
        return "your code's process ended (it crashed, exited or was killed) during this test"
    if isinstance(err, ProtocolError):
        return f"your code's process sent an invalid message ({err})"
    line = ""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == f"<cell {test_label}>"]
    if frames:
        line = f" (line {frames[-1].lineno} of the test cell)"
    message = str(err) or "a check failed"
    return f"{type(err).__name__}: {message}{line}"


def run_job(job, peer, report):
    """Run the setup cells and the test cell of ``job``; report ``ready`` and then the ``verdict``."""
    from . import testing
    from .notebook import strip_magics
    from .protocol import PeerGone, ProtocolError

    try:
        names, missing, errors = peer.recv_ready()
    except PeerGone:
        return report(event="verdict", passed=False,
                      message="your code's process ended before its answer cells finished")
    except ProtocolError as err:
        return report(event="verdict", passed=False, message=f"invalid message from your code ({err})")
    report(event="ready", errors=[{"cell": str(e.get("cell", "?"))[:100],
                                   "error": str(e.get("error", ""))[:2000],
                                   "traceback": str(e.get("traceback", ""))[:4000]}
                                  for e in errors[:50] if isinstance(e, dict)])
    namespace = {"__name__": "__main__"}
    setup_errors = []
    testing.reset_seeds()
    for cell in job["cells"]:
        if cell["kind"] == "answer":
            for name in cell["names"]:
                namespace[name] = names[name] if name in names else \
                    Missing(name, str(missing.get(name, "not defined")))
            continue
        code = compile(strip_magics(cell["source"]), f"<cell {cell['label']}>", "exec")
        try:
            exec(code, namespace)  # noqa: S102 - the instructor's own cells
        except BaseException as err:  # noqa: BLE001
            if cell["kind"] == "test":
                message = describe_failure(err, cell["label"])
                if setup_errors:
                    message += "\n(setup cells that failed before this test: " + "; ".join(setup_errors) + ")"
                return report(event="verdict", passed=False, message=message, seeds=testing.drawn_seeds())
            setup_errors.append(f"{cell['label']}: {describe_failure(err, cell['label'])}")
        else:
            if cell["kind"] == "test":
                return report(event="verdict", passed=True, message="", seeds=testing.drawn_seeds())
    return report(event="verdict", passed=False, message="the test cell was not found")


def main():
    """Entry point of the C process."""
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    fd_in, fd_out, fd_verdict = job["fds"]
    nonce = job["nonce"]

    def report(**event):
        event["nonce"] = nonce
        data = (json.dumps(event) + "\n").encode("utf-8")
        while data:
            data = data[os.write(fd_verdict, data):]

    import numpy  # noqa: F401
    import optlab  # noqa: F401
    from .protocol import Peer

    peer = Peer(fd_in, fd_out, "C")
    try:
        run_job(job, peer, report)
    finally:
        peer.close()
        os.close(fd_verdict)
