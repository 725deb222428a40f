"""The wire between the checker and the sandboxed submission: frames, a data-only codec, calls by handle.

Frames are a 4-byte big-endian length followed by UTF-8 JSON. Values travel through a **data-only
codec**: None, bools, numbers, strings, lists, tuples, dicts and NumPy arrays of numeric or boolean
dtype are sent by value; nothing is ever unpickled, so bytes from the submission can only ever become
plain data on the checker's side. Any other object stays where it lives and travels as a *handle*:

* the submission's functions and objects reach the checker as :class:`Remote` proxies; calling one (or
  reading one of its attributes) runs the submission's code in the sandbox and brings back data;
* the checker may pass its own *callables* to the submission (a gradient oracle, a loss); the
  submission can call them and gets data back, but cannot read their attributes, so it never gets a
  reference into the checker's objects.

optlab primitives defined by the submission arrive as genuine local ``Primitive`` objects whose
forward function and VJP rules are remote calls, so the checker's own engine (``grad``,
``check_grad``) drives them.

Example (both ends in one process, over two pipes):
    >>> import os, threading, numpy
    >>> a_in, b_out = os.pipe(); b_in, a_out = os.pipe()
    >>> sandbox, checker = Peer(b_in, b_out, "S"), Peer(a_in, a_out, "C")
    >>> t = threading.Thread(target=lambda: sandbox.send_ready({"double": lambda x: 2 * x}, []))
    >>> t.start(); names, missing, errors = checker.recv_ready(); t.join()
    >>> t = threading.Thread(target=sandbox.serve); t.start()
    >>> names["double"](numpy.arange(3.0))
    array([0., 2., 4.])
    >>> checker.close(); t.join(); sandbox.close()
"""
from __future__ import annotations

import base64
import json
import os
import struct

import numpy

MAX_FRAME = 64 * 2**20            # bytes; a larger frame is a protocol error
_ARRAY_KINDS = "biufc"            # bool, signed, unsigned, float, complex
_MAX_DEPTH = 64


class ProtocolError(Exception):
    """The other side sent something that is not a valid message."""


class PeerGone(ProtocolError):
    """The other side closed the connection (it exited or crashed)."""


class SubmissionError(Exception):
    """The submission's code raised; ``type_name``, ``message`` and its ``student_traceback`` are kept."""

    def __init__(self, type_name, message, student_traceback=""):
        super().__init__(f"{type_name}: {message}")
        self.type_name, self.message, self.student_traceback = type_name, message, student_traceback


class CallbackError(Exception):
    """A callable of the checker, called by the submission, raised (only its type and message are told)."""


# ---- frames ---------------------------------------------------------------------------------------------

def write_frame(fd, obj):
    data = json.dumps(obj, allow_nan=True, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_FRAME:
        raise ProtocolError(f"message of {len(data)} bytes exceeds the {MAX_FRAME}-byte limit")
    view = memoryview(struct.pack(">I", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd, n):
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise PeerGone("the other process closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    (n,) = struct.unpack(">I", _read_exact(fd, 4))
    if n > MAX_FRAME:
        raise ProtocolError(f"announced message of {n} bytes exceeds the {MAX_FRAME}-byte limit")
    try:
        msg = json.loads(_read_exact(fd, n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ProtocolError(f"malformed message: {type(err).__name__}") from err
    if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
        raise ProtocolError("a message must be an object with an 'op'")
    return msg


# ---- the data-only codec --------------------------------------------------------------------------------

def encode_array(a):
    a = numpy.asarray(a)
    if a.dtype.kind not in _ARRAY_KINDS or a.dtype.fields is not None:
        return None
    data = a.tobytes(order="C")  # C order whatever the layout; shape () stays ()
    return {"$a": [a.dtype.str, list(a.shape), base64.b64encode(data).decode("ascii")]}


def decode_array(spec):
    if not (isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str)
            and isinstance(spec[1], list) and isinstance(spec[2], str)):
        raise ProtocolError("malformed array")
    try:
        dtype = numpy.dtype(spec[0])
        shape = tuple(int(n) for n in spec[1])
    except (TypeError, ValueError) as err:
        raise ProtocolError("malformed array header") from err
    if dtype.kind not in _ARRAY_KINDS or dtype.fields is not None or any(n < 0 for n in shape):
        raise ProtocolError(f"refused array dtype {spec[0]!r} or shape {shape}")
    data = base64.b64decode(spec[2].encode("ascii"), validate=True)
    if len(data) != dtype.itemsize * int(numpy.prod(shape, dtype=numpy.int64)):
        raise ProtocolError("array data does not match its shape")
    return numpy.frombuffer(data, dtype=dtype).reshape(shape).copy()


class Remote:
    """A proxy for an object living in the other process: call it, or read an attribute of it."""

    __slots__ = ("_peer", "_hid", "_label")

    def __init__(self, peer, hid, label):
        self._peer, self._hid, self._label = peer, hid, label

    def __call__(self, *args, **kwargs):
        return self._peer.request({"op": "call", "h": self._hid, "args": self._peer.encode(list(args)),
                                   "kw": self._peer.encode(kwargs)})

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._peer.request({"op": "getattr", "h": self._hid, "name": name})

    def __repr__(self):
        return f"<{self._label} in the {'submission' if self._peer.side == 'C' else 'checker'}>"


class Peer:
    """One end of the connection: encodes values, keeps exported objects by handle, serves requests.

    ``side`` is ``"S"`` (the sandboxed submission, which exports anything and lets the checker read
    attributes) or ``"C"`` (the checker, which exports only callables, call-only).
    """

    def __init__(self, fd_in, fd_out, side):
        if side not in ("S", "C"):
            raise ValueError(f"side must be 'S' or 'C', not {side!r}")
        self.fd_in, self.fd_out, self.side = fd_in, fd_out, side
        self._exported, self._next_id = {}, 0

    # -- values --
    def encode(self, obj, depth=0):
        if depth > _MAX_DEPTH:
            raise ValueError("value nested too deeply to send")
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, numpy.generic) and obj.dtype.kind in "biuf":
            return obj.item()
        if isinstance(obj, (int, float)):
            return int(obj) if isinstance(obj, int) else float(obj)
        if isinstance(obj, (complex, numpy.complexfloating)):
            return {"$c": [obj.real, obj.imag]}
        if isinstance(obj, numpy.ndarray):
            enc = encode_array(obj)
            if enc is not None:
                return enc
        elif isinstance(obj, list):
            return [self.encode(x, depth + 1) for x in obj]
        elif isinstance(obj, tuple):
            return {"$t": [self.encode(x, depth + 1) for x in obj]}
        elif isinstance(obj, dict):
            return {"$d": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in obj.items()]}
        elif isinstance(obj, Remote) and obj._peer is self:
            return {"$h": [obj._hid[0], obj._hid[1]]}
        return self._export(obj)

    def _export(self, obj):
        from ..autodiff.graph import Primitive

        if self.side == "S" and isinstance(obj, Primitive):
            vjps = [None if v is None else self._export_handle(v) for v in obj.vjps]
            return {"$p": [str(obj.name), self._export_handle(obj.fn), vjps, bool(obj.variadic)]}
        if self.side == "C" and not callable(obj):
            raise TypeError(f"cannot pass a {type(obj).__name__!r} object to the submission: pass data "
                            "(numbers, arrays, lists) or a function")
        return self._export_handle(obj)

    def _export_handle(self, obj):
        self._next_id += 1
        self._exported[self._next_id] = obj
        return {"$h": [self.side, self._next_id], "label": _label(obj)}

    def decode(self, tree, depth=0):
        if depth > _MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        if tree is None or isinstance(tree, (bool, int, float, str)):
            return tree
        if isinstance(tree, list):
            return [self.decode(x, depth + 1) for x in tree]
        if not isinstance(tree, dict) or not tree:
            raise ProtocolError("malformed value")
        tag = next(iter(tree))
        body = tree[tag]
        if tag == "$a":
            return decode_array(body)
        if tag == "$t":
            return tuple(self.decode(x, depth + 1) for x in _list(body))
        if tag == "$d":
            pairs = [self.decode(p, depth + 1) for p in _list(body)]
            if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise ProtocolError("malformed dict")
            try:
                return {k: v for k, v in pairs}
            except TypeError as err:
                raise ProtocolError("unhashable dict key") from err
        if tag == "$c":
            re_im = _list(body)
            if len(re_im) != 2 or not all(isinstance(v, (int, float)) for v in re_im):
                raise ProtocolError("malformed complex")
            return complex(*re_im)
        if tag == "$h":
            return self._handle(body, str(tree.get("label", "object")))
        if tag == "$p" and self.side == "C":
            return self._primitive(_list(body))
        raise ProtocolError(f"unknown value tag {tag!r}")

    def _handle(self, body, label):
        hid = _list(body)
        if len(hid) != 2 or hid[0] not in ("S", "C") or not isinstance(hid[1], int):
            raise ProtocolError("malformed handle")
        if hid[0] == self.side:  # one of ours coming back
            if hid[1] not in self._exported:
                raise ProtocolError("unknown handle")
            return self._exported[hid[1]]
        return Remote(self, (hid[0], hid[1]), label[:80])

    def _primitive(self, body):
        from ..autodiff.graph import Primitive

        if len(body) != 4 or not isinstance(body[0], str) or not isinstance(body[2], list):
            raise ProtocolError("malformed primitive")
        fn = self.decode(body[1])
        vjps = [None if v is None else self.decode(v) for v in body[2]]
        if not all(v is None or isinstance(v, Remote) for v in [fn] + vjps):
            raise ProtocolError("a primitive's functions must be handles")
        return Primitive(body[0][:80], fn, vjps, variadic=bool(body[3]))

    # -- messages --
    def send(self, msg):
        write_frame(self.fd_out, msg)

    def request(self, msg):
        """Send a call or getattr and serve nested requests until its answer comes back."""
        self._next_id += 1
        rid = msg["id"] = self._next_id
        self.send(msg)
        while True:
            reply = read_frame(self.fd_in)
            op = reply["op"]
            if op in ("call", "getattr"):
                self._serve_one(reply)
                continue
            if reply.get("id") != rid:
                raise ProtocolError(f"unexpected message {op!r} while waiting for an answer")
            if op == "ret":
                return self.decode(reply.get("value"))
            if op == "err":
                raise self._error(reply)
            raise ProtocolError(f"unknown message {op!r}")

    def _error(self, reply):
        kind, msg = str(reply.get("type", "Error"))[:100], str(reply.get("msg", ""))[:4000]
        if self.side == "C":
            return SubmissionError(kind, msg, str(reply.get("tb", ""))[:8000])
        return CallbackError(f"{kind}: {msg}")

    def _serve_one(self, msg):
        rid = msg.get("id")
        try:
            target = self._exported[_list(msg.get("h"))[1]] if _list(msg.get("h"))[0] == self.side else None
            if target is None:
                raise LookupError("unknown handle")
            if msg["op"] == "call":
                args = self.decode(msg.get("args", []))
                kwargs = self.decode(msg.get("kw", {"$d": []}))
                if not isinstance(args, list) or not isinstance(kwargs, dict):
                    raise ProtocolError("malformed call")
                result = target(*args, **{str(k): v for k, v in kwargs.items()})
            elif self.side == "S":
                result = getattr(target, str(msg.get("name")))
            else:
                raise PermissionError("the checker's objects can be called, not inspected")
            reply = {"op": "ret", "id": rid, "value": self.encode(result)}
        except (PeerGone, KeyboardInterrupt):
            raise
        except BaseException as err:  # noqa: BLE001 - any failure of the served code is reported back
            reply = {"op": "err", "id": rid, "type": type(err).__name__, "msg": _safe_str(err)}
            if self.side == "S":
                reply["tb"] = _student_traceback(err)
        self.send(reply)

    def serve(self):
        """Answer requests until the other side closes the connection (the submission's main loop)."""
        try:
            while True:
                msg = read_frame(self.fd_in)
                if msg["op"] not in ("call", "getattr"):
                    raise ProtocolError(f"unexpected message {msg['op']!r}")
                self._serve_one(msg)
        except PeerGone:
            return

    def send_ready(self, namespace, cell_errors, missing=None):
        """The submission's first message: its answer names (by value or handle) and cell errors."""
        self.send({"op": "ready", "names": self.encode(dict(namespace)),
                   "missing": self.encode(dict(missing or {})), "errors": self.encode(list(cell_errors))})

    def recv_ready(self):
        """The checker's side of :meth:`send_ready`: ``(names, missing, cell_errors)``."""
        msg = read_frame(self.fd_in)
        if msg["op"] != "ready":
            raise ProtocolError("expected the submission's 'ready' message")
        names = self.decode(msg.get("names"))
        if not isinstance(names, dict):
            raise ProtocolError("malformed 'ready' message")
        missing = self.decode(msg.get("missing", {"$d": []}))
        errors = self.decode(msg.get("errors", []))
        if not isinstance(missing, dict) or not isinstance(errors, list):
            raise ProtocolError("malformed 'ready' message")
        return names, missing, errors

    def close(self):
        for fd in (self.fd_in, self.fd_out):
            try:
                os.close(fd)
            except OSError:
                pass


def _list(x):
    if not isinstance(x, list):
        raise ProtocolError("malformed message")
    return x


def _label(obj):
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    kind = type(obj).__name__
    return f"{kind} {name}" if isinstance(name, str) else kind


def _safe_str(err):
    try:
        return str(err)[:4000]
    except BaseException:  # noqa: BLE001 - a hostile __str__
        return "(message could not be shown)"


def _student_traceback(err):
    """The traceback lines that point into notebook cells (the submission's own code)."""
    import traceback

    try:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.startswith("<cell")]
        lines = traceback.format_list(frames[-8:])
        return "".join(lines)[-6000:]
    except BaseException:  # noqa: BLE001
        return ""
