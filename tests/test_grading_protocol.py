"""The wire between checker and sandbox, and the sandbox's audit hook.

Independent sources: values are compared with the originals (round trip); refusals are checked on
hand-made hostile frames; the audit hook is exercised in a separate interpreter against real files.
"""
import json
import os
import struct
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optlab import Primitive, grad
from optlab.grading.protocol import (
    MAX_FRAME, CallbackError, Peer, ProtocolError, Remote, SubmissionError, read_frame, write_frame,
)
from optlab.grading.runner import ROOT


def _pair():
    a_in, b_out = os.pipe()
    b_in, a_out = os.pipe()
    return Peer(b_in, b_out, "S"), Peer(a_in, a_out, "C")


def _roundtrip(value):
    s, c = _pair()
    try:
        return c.decode(json.loads(json.dumps(s.encode(value))))
    finally:
        s.close()
        c.close()


_dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128, np.uint8])


@given(hnp.arrays(_dtypes, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))
def test_arrays_roundtrip_exactly(a):
    b = _roundtrip(a)
    assert type(b) is np.ndarray and b.dtype == a.dtype and b.shape == a.shape
    assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def test_non_contiguous_and_nested_values_roundtrip():
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    value = {"a": a, "t": (1, 2.5, None, True, "s"), "l": [np.float32(1.5), np.int64(3)], 3: complex(1, 2),
             "nan": float("nan")}
    out = _roundtrip(value)
    assert np.array_equal(out["a"], a) and out["t"] == (1, 2.5, None, True, "s")
    assert out["l"] == [1.5, 3] and out[3] == complex(1, 2) and np.isnan(out["nan"])


@pytest.mark.parametrize("tree, message", [
    ({"$a": ["|O", [1], "AAAAAAAAAAA="]}, "refused array"),
    ({"$a": ["<f8", [2], "AAAAAAAAAAA="]}, "does not match"),
    ({"$a": ["<f8", [-1], ""]}, "refused"),
    ({"$a": [{"descr": 1}, [1], ""]}, "malformed"),
    ({"$zz": 1}, "unknown value tag"),
    ({"$h": ["C", 12345]}, "unknown handle"),
    ({"$h": ["X", 1]}, "malformed handle"),
    ({"$d": [[[1], 2]]}, "unhashable"),
    ({"$c": ["a", 1]}, "malformed complex"),
])
def test_decoding_refuses_anything_but_data(tree, message):
    s, c = _pair()
    with pytest.raises(ProtocolError, match=message):
        c.decode(tree)


def test_decoding_refuses_deep_nesting():
    s, c = _pair()
    tree = []
    for _ in range(100):
        tree = [tree]
    with pytest.raises(ProtocolError, match="deeply"):
        c.decode(tree)


def test_frames_over_the_limit_are_refused():
    r, w = os.pipe()
    os.write(w, struct.pack(">I", MAX_FRAME + 1))
    with pytest.raises(ProtocolError, match="exceeds"):
        read_frame(r)
    write_frame(w, {"op": "x"})
    os.write(w, struct.pack(">I", 3) + b"{{{")
    assert read_frame(r) == {"op": "x"}
    with pytest.raises(ProtocolError, match="malformed"):
        read_frame(r)


def _serve(sandbox, names):
    def run():
        sandbox.send_ready(names, [])
        sandbox.serve()
    t = threading.Thread(target=run)
    t.start()
    return t


def test_calls_errors_callbacks_and_primitives_across_the_wire():
    s, c = _pair()

    def apply_twice(f, x):
        return f(f(x))

    def boom(x):
        raise ZeroDivisionError("no")

    class Thing:
        value = 41
    square = Primitive("sq", lambda x: x * x, [lambda g, ans, x: 2 * g * x])
    t = _serve(s, {"apply_twice": apply_twice, "boom": boom, "thing": Thing(), "sq": square, "k": 3.0})
    names, missing, errors = c.recv_ready()
    assert names["k"] == 3.0 and missing == {} and errors == []
    assert names["apply_twice"](lambda x: x + 1, np.arange(3.0)).tolist() == [2.0, 3.0, 4.0]
    with pytest.raises(SubmissionError, match="ZeroDivisionError: no"):
        names["boom"](1)
    assert names["thing"].value == 41
    assert isinstance(names["sq"], Primitive) and isinstance(names["sq"].fn, Remote)
    assert grad(lambda x: names["sq"](x).sum())(np.array([1.0, 2.0])).tolist() == [2.0, 4.0]
    c.close()
    t.join()
    s.close()


def test_the_submission_can_call_but_not_inspect_the_checkers_objects():
    s, c = _pair()

    def probe(f):
        try:
            f.__globals__
        except AttributeError:
            pass
        try:
            return f.problem
        except CallbackError as err:
            return str(err)
    t = _serve(s, {"probe": probe})
    names, _, _ = c.recv_ready()

    class Oracle:
        problem = "secret"

        def __call__(self, x):
            return x
    assert "can be called, not inspected" in names["probe"](Oracle())
    with pytest.raises(TypeError, match="cannot pass a 'object' object"):
        names["probe"](object())
    c.close()
    t.join()
    s.close()


_GUARD_SCRIPT = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, sys.argv[1])
    from optlab.grading import sandbox
    secret_dir, box = sys.argv[2], sys.argv[3]
    sandbox._preload()
    os.chdir(box)
    sys.addaudithook(sandbox.make_guard(box, tuple(sandbox.read_roots()), (secret_dir,)))
    out = {}
    def attempt(name, fn):
        try:
            fn()
            out[name] = "allowed"
        except Exception as err:
            out[name] = type(err).__name__
    import numpy, optlab
    secret = os.path.join(secret_dir, "source.ipynb")
    attempt("read secret", lambda: open(secret).read())
    attempt("os.open secret", lambda: os.open(secret, os.O_RDONLY))
    attempt("list secret dir", lambda: os.listdir(secret_dir))
    attempt("read optlab", lambda: open(optlab.__file__).read())
    attempt("read numpy", lambda: open(numpy.__file__).read())
    attempt("write in box", lambda: open("f.txt", "w").write("x"))
    attempt("remove in box", lambda: os.remove("f.txt"))
    attempt("write next to secret", lambda: open(os.path.join(secret_dir, "x"), "w"))
    attempt("remove secret", lambda: os.remove(secret))
    attempt("symlink", lambda: os.symlink(secret, "l"))
    attempt("dir fd", lambda: os.open(os.path.dirname(numpy.__file__), os.O_RDONLY))
    attempt("proc", lambda: open("/proc/self/mem", "rb"))
    attempt("patched realpath", lambda: (setattr(os.path, "realpath", lambda p: box), open(secret))[1])
    attempt("multiprocessing", lambda: __import__("multiprocessing"))
    attempt("_posixsubprocess", lambda: __import__("_posixsubprocess"))
    attempt("socket", lambda: __import__("socket").socket())
    attempt("fork", lambda: os.fork())
    attempt("kill", lambda: os.kill(os.getpid(), 0))
    attempt("ctypes", lambda: __import__("ctypes").string_at(id(1), 1))
    attempt("settrace", lambda: sys.settrace(None))
    attempt("gc", lambda: __import__("gc").get_objects())
    attempt("code", lambda: (lambda: 1).__code__.replace(co_consts=(2,)))
    attempt("lazy stdlib import", lambda: __import__("fractions"))
    out["loaded"] = sorted(m for m in sandbox._BLOCKED_IMPORTS if m in sys.modules)
    print(json.dumps(out))
""")


def test_audit_hook_blocks_escapes_and_allows_ordinary_work(tmp_path):
    secret_dir, box = tmp_path / "exercises", tmp_path / "box"
    secret_dir.mkdir()
    box.mkdir()
    (secret_dir / "source.ipynb").write_text("HIDDEN")
    proc = subprocess.run([sys.executable, "-I", "-c", _GUARD_SCRIPT, ROOT, str(secret_dir), str(box)],
                          capture_output=True, text=True, timeout=60)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out.pop("loaded") == ["_ctypes", "ctypes"]  # NumPy's; ctypes calls are audited
    allowed = {"read optlab", "read numpy", "write in box", "remove in box", "lazy stdlib import"}
    assert {k for k, v in out.items() if v == "allowed"} == allowed, out
    assert (secret_dir / "source.ipynb").read_text() == "HIDDEN"
