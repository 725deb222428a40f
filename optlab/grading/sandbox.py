"""The sandboxed process that runs a submission's code (the *S* process of :mod:`optlab.grading.runner`).

It is started as ``python -I -c ...`` inside bubblewrap (or, without it, in an empty temporary folder),
with a scrubbed environment and resource limits set before ``exec`` (address space, CPU seconds, file
size, no core dumps), as the ``nobody`` user. It then

1. reads its program from stdin (the instructor's setup cells and the submission's answer cells; no
   test code and no secret ever reaches this process), and puts /dev/null in place of stdin;
2. imports NumPy and optlab, then installs an **audit hook** (PEP 578) that for the rest of its life
   refuses: reading files outside the Python installation, the optlab package and its own folder
   (so not the exercises folder, other submissions or the grader's files; those folders cannot even be
   listed), writing outside its own folder, directories' file descriptors, symlinks and hard links,
   starting processes, signals, socket operations, ctypes, changing resource limits, tracing and ``gc`` introspection, building code
   objects, and importing ``multiprocessing``, ``_posixsubprocess`` and the like (``subprocess`` is
   replaced by a stub whose functions refuse, so that libraries importing it, such as matplotlib, load).
   The hook binds every function it uses at installation, so patching ``os.path`` or ``builtins`` does
   not weaken it;
3. runs the cells one by one (an exception, ``sys.exit`` or ``MemoryError`` in a cell is recorded and
   the next cell runs), sends the ``ready`` message with the answer names, and serves the checker's
   calls until the checker hangs up.

Audit hooks are a tripwire, not a jail: some system calls raise no audit event, and an attacker able to
corrupt the interpreter's memory could get past any hook. The wall is bubblewrap (:mod:`.isolation`),
in which this process normally runs: the instructor's files are not in its file system at all. The hook
is the second layer (and the only one where bwrap is missing, with a loud warning): its tables are
private immutable copies, it never runs a method of a submitted object, the unaudited ``mkfifo``,
``mknod``, ``pidfd_open`` and ``pidfd_send_signal`` are removed from ``os``, ``posix`` and ``signal``, and
optlab's own methods (:data:`HIDDEN_PACKAGES`) can be neither imported, read nor executed. The verdict
never depends on this process's honesty (see :mod:`optlab.grading.runner`).
"""
from __future__ import annotations

import builtins
import json
import os
import sys

_BLOCKED = frozenset({
    "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty", "os.startfile",
    "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill",
    "resource.setrlimit", "resource.prlimit", "sys.settrace", "sys.setprofile", "gc.get_objects",
    "gc.get_referrers", "gc.get_referents", "code.__new__", "os.symlink", "os.link", "sqlite3.connect",
    "sqlite3.connect/handle", "sqlite3.enable_load_extension", "sqlite3.load_extension",
    "webbrowser.open", "os.setuid", "os.setgid",
})
_BLOCKED_PREFIXES = ("ctypes.", "socket.", "_winapi.", "winreg.", "msvcrt.", "syslog.")
# Modules whose mere presence would hand graded code an unaudited way to start processes or poke memory.
# (socket may be imported, matplotlib needs it: every socket operation raises a blocked "socket.*" event.)
_BLOCKED_IMPORTS = frozenset({
    "_posixsubprocess", "multiprocessing", "_multiprocessing", "_posixshmem", "pty", "ctypes", "_ctypes",
    "cffi", "_cffi_backend", "pdb", "bdb",
})
# event -> (positions of path arguments, positions of dir_fd arguments); paths must be in the sandbox.
_PATH_EVENTS = {
    "os.remove": ((0,), (1,)), "os.rmdir": ((0,), (1,)), "os.rename": ((0, 1), (2, 3)),
    "os.mkdir": ((0,), (2,)), "os.chmod": ((0,), (2,)), "os.chown": ((0,), (3,)),
    "os.utime": ((0,), (3,)), "os.truncate": ((0,), ()), "os.chflags": ((0,), ()),
    "os.lchflags": ((0,), ()), "os.setxattr": ((0,), ()), "os.removexattr": ((0,), ()),
}
_ALLOWED_DEVICES = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/zero")
# optlab's own methods and theorem checks are what exercises ask students to write: the sandbox can
# neither import, read nor exec them (inside bubblewrap these folders are empty as well).
HIDDEN_PACKAGES = ("optlab.algorithms", "optlab.theory")
# System calls that raise no audit event: removed from os, posix and signal before graded code runs.
_UNAUDITED = {"os": ("mkfifo", "mknod", "pidfd_open", "memfd_create"), "posix": ("mkfifo", "mknod",
              "pidfd_open", "memfd_create"), "signal": ("pidfd_send_signal",)}


def make_guard(sandbox, read_roots, deny_roots, hidden_roots=()):
    """The audit hook: a closure over its own references to the functions it needs.

    Its tables are private immutable copies (tuples, frozensets), and every argument it inspects is first
    made an exact ``str``/``int``, so that no method of a submitted object (``__radd__``, ``__eq__``,
    ``__contains__``) ever runs inside the hook, where it could walk up to the hook's frame.
    """
    import posix

    lstat, readlink, getcwd = posix.lstat, posix.readlink, posix.getcwd
    _isinstance, _str, _bytes, _int, _len, _tuple, _range = isinstance, str, bytes, int, len, tuple, range
    _type, _exact_str, _exact_int = type, str.__str__, int.__index__
    _Perm = PermissionError
    w_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    S_IFMT, S_IFLNK, S_IFDIR = 0o170000, 0o120000, 0o040000
    blocked, prefixes, imports = frozenset(_BLOCKED), _tuple(_BLOCKED_PREFIXES), frozenset(_BLOCKED_IMPORTS)
    path_events = _tuple((k, _tuple(map(_tuple, v))) for k, v in _PATH_EVENTS.items())
    path_event_names = frozenset(k for k, _ in path_events)
    hidden_modules = _tuple(HIDDEN_PACKAGES)
    hidden_files = _tuple(_str(r) for r in hidden_roots)
    devices = _tuple(_ALLOWED_DEVICES)

    def split(path):
        return [p for p in _str.split(path, "/") if p and p != "."]

    def resolve(path, depth=0):
        """Absolute path with every symlink resolved (a missing tail is kept as written)."""
        if depth > 40:
            raise _Perm("optlab sandbox: too many symbolic links")
        if not _str.startswith(path, "/"):
            path = getcwd() + "/" + path
        done = []
        parts = split(path)
        for i in _range(_len(parts)):
            part = parts[i]
            if part == "..":
                if done:
                    done.pop()
                continue
            candidate = "/" + "/".join(done + [part])
            try:
                mode = lstat(candidate).st_mode
            except OSError:
                return "/" + "/".join(done + parts[i:])
            if mode & S_IFMT == S_IFLNK:
                target = readlink(candidate)
                base = target if _str.startswith(target, "/") else "/" + "/".join(done) + "/" + target
                rest = "/".join(parts[i + 1:])
                return resolve(base + ("/" + rest if rest else ""), depth + 1)
            done.append(part)
        return "/" + "/".join(done)

    # The most specific (longest) root containing a path decides: the sandbox, a readable root, or a
    # denied one (so a denied folder inside the Python prefix stays denied, and the venv inside a
    # denied project folder stays readable).
    roots = _tuple(sorted([(r, "sandbox") for r in (sandbox,)] + [(r, "read") for r in read_roots]
                          + [(r, "deny") for r in _tuple(deny_roots) + hidden_files], key=lambda rk: -_len(rk[0])))

    def classify(path):
        for root, kind in roots:
            if path == root or _str.startswith(path, root + "/"):
                return kind
        return None

    def as_path(p):
        if _isinstance(p, _bytes):
            p = _bytes.decode(p, "utf-8", "surrogateescape")
        if not _isinstance(p, _str):
            raise _Perm("optlab sandbox: unexpected path argument")
        return resolve(_exact_str(p))

    def exact(x):
        """A str or int argument as an exact str/int (a subclass's methods never run); else None."""
        if _isinstance(x, _str):
            return _exact_str(x)
        if _isinstance(x, _int):
            return _exact_int(x)
        return None

    def hidden(name):
        for h in hidden_modules:
            if name == h or _str.startswith(name, h + "."):
                return True
        return False

    def is_dir(path):
        try:
            return lstat(path).st_mode & S_IFMT == S_IFDIR
        except OSError:
            return False

    def hook(event, args):
        if event in blocked or _str.startswith(event, prefixes):
            raise _Perm(f"optlab sandbox: {event} is not allowed in graded code")
        if event == "import":
            name = exact(args[0]) if _isinstance(args[0], _str) else ""
            if name in imports or _str.split(name, ".")[0] in imports or hidden(name):
                raise _Perm(f"optlab sandbox: importing {name} is not allowed in graded code")
            return
        if event == "exec":   # code loaded by hand (importlib.util, exec of a file) from a hidden package
            filename = exact(getattr(args[0], "co_filename", None)) if _type(args[0]).__name__ == "code" else None
            if _isinstance(filename, _str) and classify(resolve(filename)) == "deny":
                raise _Perm("optlab sandbox: running this code is not allowed in graded code")
            return
        if event == "open":
            path, mode, flags = args[0], exact(args[1]), exact(args[2])
            if _isinstance(path, _int):
                return
            real = as_path(path)
            writing = (_isinstance(mode, _str) and any(_str.__contains__(mode, c) for c in "wax+")) or \
                (_isinstance(flags, _int) and flags & w_flags)
            kind = classify(real)
            if kind == "sandbox":
                return
            if writing:
                raise _Perm(f"optlab sandbox: writing outside the working folder ({real})")
            if real in devices:
                return
            if kind != "read":
                raise _Perm(f"optlab sandbox: reading {real} is not allowed")
            if mode is None and is_dir(real):
                raise _Perm("optlab sandbox: opening directories is not allowed")
            return
        if event == "os.listdir" or event == "os.scandir":
            path = args[0] if args else None
            if _isinstance(path, (_str, _bytes)) and classify(as_path(path)) == "deny":
                raise _Perm("optlab sandbox: listing this folder is not allowed")
            return
        if event in path_event_names:
            for name, spec in path_events:
                if name == event:
                    paths, dir_fds = spec
            for i in dir_fds:
                if i < _len(args) and args[i] is not None and exact(args[i]) != -1:
                    raise _Perm(f"optlab sandbox: {event} with dir_fd is not allowed")
            for i in paths:
                if i < _len(args) and not _isinstance(args[i], _int):
                    if classify(as_path(args[i])) != "sandbox":
                        raise _Perm(f"optlab sandbox: {event} outside the working folder")

    return hook


def read_roots():
    """What the submission may read: the Python installation and the optlab package."""
    import optlab

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(optlab.__file__)}
    roots.update(p for p in sys.path if p and ("site-packages" in p or "dist-packages" in p))
    return [os.path.realpath(r) for r in roots if r]


def hidden_roots():
    """The folders of :data:`HIDDEN_PACKAGES` (resolved), which the guard treats as denied."""
    import optlab

    base = os.path.dirname(os.path.realpath(optlab.__file__))
    return tuple(os.path.join(base, *name.split(".")[1:]) for name in HIDDEN_PACKAGES)


def _remove_unaudited():
    """Delete the functions of :data:`_UNAUDITED` (their system calls raise no audit event)."""
    import signal

    import posix

    for module in (os, posix, signal):
        for name in _UNAUDITED[module.__name__]:
            module.__dict__.pop(name, None)


def _preload():
    """Import what graded code uses before the hook is installed (their own files are then cached)."""
    import numpy  # noqa: F401
    import optlab  # noqa: F401
    import optlab.numpy  # noqa: F401
    import traceback  # noqa: F401
    import linecache  # noqa: F401
    from . import testing  # noqa: F401
    from . import protocol  # noqa: F401


def _refuse(*args, **kwargs):
    raise PermissionError("optlab sandbox: starting programs is not allowed in graded code")


def _subprocess_stub():
    """A ``subprocess`` whose functions refuse: libraries that import it (matplotlib) still load, and
    the real module, which would load the unaudited ``_posixsubprocess``, never does."""
    import types

    stub = types.ModuleType("subprocess", "optlab sandbox: starting programs is not allowed")

    class SubprocessError(Exception):
        pass

    class CalledProcessError(SubprocessError):
        pass

    class TimeoutExpired(SubprocessError):
        pass

    stub.__dict__.update(
        PIPE=-1, STDOUT=-2, DEVNULL=-3, SubprocessError=SubprocessError,
        CalledProcessError=CalledProcessError, TimeoutExpired=TimeoutExpired, Popen=_refuse, run=_refuse,
        call=_refuse, check_call=_refuse, check_output=_refuse, getoutput=_refuse,
        getstatusoutput=_refuse, list2cmdline=lambda seq: " ".join(seq))
    return stub


def _display(*objs, **_):
    for obj in objs:
        print(repr(obj))


def run_cells(cells, namespace):
    """Run each cell; record (not raise) what fails. Returns the list of cell errors."""
    from .notebook import strip_magics
    from .protocol import _safe_str, _student_traceback

    import linecache

    errors = []
    for cell in cells:
        label, src = cell["label"], cell["source"]
        if src is None:
            errors.append({"cell": label, "error": "this answer cell is missing from the submission"})
            continue
        filename, src = f"<cell {label}>", strip_magics(src)
        linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)  # for tracebacks
        try:
            exec(compile(src, filename, "exec"), namespace)  # noqa: S102
        except BaseException as err:  # noqa: BLE001 - SystemExit and MemoryError included
            errors.append({"cell": label, "error": f"{type(err).__name__}: {_safe_str(err)}",
                           "traceback": _student_traceback(err)})
    return errors


def main():
    """Entry point of the S process (see the module docstring)."""
    program = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    _preload()
    unsafe = sorted(m for m in _BLOCKED_IMPORTS | {"subprocess"}
                    if m in sys.modules and m not in ("ctypes", "_ctypes"))
    if unsafe:  # a loaded module would hand graded code a way around the hook (ctypes calls are audited)
        raise RuntimeError(f"optlab sandbox: refusing to run graded code with {unsafe} loaded")
    sys.modules["subprocess"] = _subprocess_stub()
    from .protocol import Peer

    sandbox = os.path.realpath(os.getcwd())
    sys.addaudithook(make_guard(sandbox, tuple(read_roots()),
                                tuple(os.path.realpath(p) for p in program["deny"]), hidden_roots()))
    _remove_unaudited()
    namespace = {"__name__": "__main__", "__builtins__": builtins, "display": _display}
    errors = run_cells(program["cells"], namespace)
    wanted = program["names"]
    present = {n: namespace[n] for n in wanted if n in namespace}
    missing = {}
    for n in wanted:
        if n not in namespace:
            owner = [e for e in errors if e["cell"] == program["owner"].get(n)]
            missing[n] = owner[0]["error"] if owner else "not defined by its answer cell"
    fd_in, fd_out = program["fds"]
    peer = Peer(fd_in, fd_out, "S")
    try:
        peer.send_ready(present, errors, missing)
    except (TypeError, ValueError) as err:  # an answer that cannot be sent at all
        peer.send_ready({}, errors + [{"cell": "-", "error": f"cannot send answers: {err}"}], missing)
    peer.serve()
