"""Every primitive of optlab.numpy, to first and second order, against central finite differences.

One table row per case: a hypothesis strategy drawing ``(fn, args)`` (shapes with broadcasting, axes,
indices, values kept away from kinks and domain edges; see autodiff_checks.py). The same two generic
checks run on every row.
"""
from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlab.numpy as onp
import optlab
from autodiff_checks import axes, check_first_order, check_second_order, flatten, shapes, values
from optlab.autodiff import lean, ops
from optlab.autodiff.graph import Primitive
from optlab.autodiff.ops import sum_to
from optlab.autodiff.ops.shape import _untake_p as untake

# ---- case strategies ------------------------------------------------------------------------------


@st.composite
def unary(draw, fn, domain="real"):
    return fn, [draw(values(draw(shapes()), domain))]


@st.composite
def binary(draw, fn, left="real", right="real"):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    return fn, [draw(values(s.input_shapes[0], left)), draw(values(s.input_shapes[1], right))]


@st.composite
def where_case(draw):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    cond = draw(hnp.arrays(bool, s.input_shapes[0]))
    return (lambda x, y: onp.where(cond, x, y)), [draw(values(s.input_shapes[1])), draw(values(s.input_shapes[2]))]


@st.composite
def clip_case(draw):
    lo, hi = draw(st.sampled_from([(-0.5, 0.75), (None, 0.75), (-0.5, None)]))  # bounds off the grid
    return (lambda x: onp.clip(x, lo, hi)), [draw(values(draw(shapes())))]


@st.composite
def reduction(draw, fn, unique=False):
    shape = draw(shapes())
    axis, keepdims = draw(axes(len(shape))), draw(st.booleans())
    return (lambda x: fn(x, axis=axis, keepdims=keepdims)), [draw(values(shape, unique=unique))]


@st.composite
def along_axis(draw, fn):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda x: fn(x, axis=axis)), [draw(values(shape, "wide" if draw(st.booleans()) else "real"))]


@st.composite
def vector_norm(draw):
    shape = draw(shapes(min_dims=1))
    if len(shape) == 1 and draw(st.booleans()):
        return onp.norm, [draw(values(shape, "nonzero"))]
    axis, keepdims = draw(st.integers(-len(shape), len(shape) - 1)), draw(st.booleans())
    return (lambda x: onp.norm(x, axis=axis, keepdims=keepdims)), [draw(values(shape, "nonzero"))]


@st.composite
def frobenius_norm(draw):
    if draw(st.booleans()):  # a matrix, ord='fro' (or the default)
        shape = draw(shapes(min_dims=2, max_dims=2))
        ord_ = draw(st.sampled_from([None, "fro"]))
        return (lambda x: onp.norm(x, ord_)), [draw(values(shape, "nonzero"))]
    shape = draw(shapes(min_dims=3, max_dims=3))  # a stack of matrices: axis is a pair
    axis = draw(st.permutations(range(3)).map(lambda p: tuple(p[:2])))
    return (lambda x: onp.norm(x, axis=axis)), [draw(values(shape, "nonzero"))]


@st.composite
def reshape_case(draw):
    shape = draw(shapes())
    size = int(np.prod(shape))
    target = draw(st.sampled_from([(-1,), shape[::-1], (1,) + shape, (size, 1), (1, -1)]))
    if draw(st.booleans()):
        return (lambda x: onp.reshape(x, target)), [draw(values(shape))]
    return (lambda x: x.reshape(target)), [draw(values(shape))]


@st.composite
def transpose_case(draw):
    shape = draw(shapes(max_dims=4))
    perm = draw(st.permutations(range(len(shape))).map(tuple)) if draw(st.integers(0, 4)) else None
    return (lambda x: onp.transpose(x, perm)), [draw(values(shape))]


def _index_entry(n):
    ends = st.none() | st.integers(-n - 1, n + 1)
    return st.integers(-n, n - 1) | st.builds(slice, ends, ends, st.sampled_from([None, 1, 2, -1, -2]))


@st.composite
def getitem_basic(draw):
    shape = draw(shapes(min_dims=1))
    count = draw(st.integers(1, len(shape)))
    index = [draw(_index_entry(n)) for n in shape[:count]]
    if draw(st.booleans()):
        index.insert(draw(st.integers(0, len(index))), None)  # newaxis
    if draw(st.booleans()):
        index.append(Ellipsis)
    index = tuple(index)
    return (lambda x: x[index]), [draw(values(shape))]


@st.composite
def getitem_integer_array(draw):
    shape = draw(shapes(min_dims=1))
    n = shape[0]
    idx = draw(hnp.arrays(np.int64, draw(st.integers(1, 6)), elements=st.integers(-n, n - 1)))
    idx = np.append(idx, idx[0] - n if idx[0] >= 0 else idx[0] + n)  # a repeat, spelled differently
    if len(shape) > 1 and draw(st.booleans()):  # along axis 1, or two arrays broadcast together
        m = shape[1]
        if draw(st.booleans()):
            idx1 = draw(hnp.arrays(np.int64, 3, elements=st.integers(-m, m - 1)))
            idx0 = draw(hnp.arrays(np.int64, 3, elements=st.integers(-n, n - 1)))
            return (lambda x: x[idx0, idx1]), [draw(values(shape))]
        idx = draw(hnp.arrays(np.int64, draw(st.integers(1, 6)), elements=st.integers(-m, m - 1)))
        return (lambda x: x[:, idx]), [draw(values(shape))]
    return (lambda x: x[idx]), [draw(values(shape))]


@st.composite
def getitem_mask(draw):
    shape = draw(shapes(min_dims=1))
    if draw(st.booleans()):
        mask = draw(hnp.arrays(bool, shape))
    else:
        mask = draw(hnp.arrays(bool, shape[:1]))
    return (lambda x: x[mask]), [draw(values(shape))]


@st.composite
def concatenate_case(draw):
    shape = list(draw(shapes(min_dims=1)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        shape[axis] = draw(st.integers(1, 3))
        arrays.append(draw(values(tuple(shape))))
    return (lambda *xs: onp.concatenate(xs, axis=axis)), arrays


@st.composite
def stack_case(draw):
    shape = draw(shapes(max_dims=2))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    arrays = [draw(values(shape)) for _ in range(draw(st.integers(1, 3)))]
    return (lambda *xs: onp.stack(xs, axis=axis)), arrays


@st.composite
def matmul_case(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    kind = draw(st.sampled_from(["1-1", "2-1", "1-2", "2-2", "batched", "batched-1", "1-batched"]))
    b1, b2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2, max_side=2)).input_shapes
    a_shape, b_shape = {
        "1-1": ((k,), (k,)), "2-1": ((n, k), (k,)), "1-2": ((k,), (k, m)), "2-2": ((n, k), (k, m)),
        "batched": (b1 + (n, k), b2 + (k, m)), "batched-1": (b1 + (n, k), (k,)), "1-batched": ((k,), b2 + (k, m)),
    }[kind]
    fn = draw(st.sampled_from([onp.matmul, lambda a, b: a @ b]))
    return fn, [draw(values(a_shape)), draw(values(b_shape))]


@st.composite
def dot_case(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    a_shape, b_shape = draw(st.sampled_from([((), (k, m)), ((k,), ()), ((k,), (k,)), ((n, k), (k,)),
                                             ((k,), (k, m)), ((n, k), (k, m))]))
    return onp.dot, [draw(values(a_shape)), draw(values(b_shape))]


@st.composite
def outer_case(draw):
    a_shape = draw(shapes(min_dims=1, max_dims=2))
    b_shape = draw(shapes(min_dims=1, max_dims=2))
    return onp.outer, [draw(values(a_shape)), draw(values(b_shape))]


def _einsum_case(specs):
    @st.composite
    def case(draw):
        spec = draw(st.sampled_from(specs))
        sizes = {c: draw(st.integers(1, 3)) for c in sorted(set(spec) - set(",->"))}
        terms = spec.split("->")[0].split(",")
        return (lambda *xs: onp.einsum(spec, *xs)), [draw(values(tuple(sizes[c] for c in t))) for t in terms]
    return case()


@st.composite
def broadcast_to_case(draw):
    target = draw(shapes())
    kept = target[draw(st.integers(0, len(target))):]  # a suffix of the target, some sides set to 1
    shape = tuple(1 if draw(st.booleans()) else n for n in kept)
    return (lambda x: onp.broadcast_to(x, target)), [draw(values(shape))]


@st.composite
def expand_dims_case(draw):
    shape = draw(shapes())
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return (lambda x: onp.expand_dims(x, axis)), [draw(values(shape))]


@st.composite
def swapaxes_case(draw):
    shape = draw(shapes(min_dims=1))
    a, b = draw(st.integers(-len(shape), len(shape) - 1)), draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda x: onp.swapaxes(x, a, b)), [draw(values(shape))]


@st.composite
def sum_to_case(draw):
    # sum_to(x, shape) sums a broadcast array back to `shape` (broadcast_to's adjoint, its VJP).
    full = draw(shapes())
    start = draw(st.integers(0, len(full)))
    target = tuple(1 if draw(st.booleans()) else n for n in full[start:])
    return (lambda x: sum_to(x, shape=target)), [draw(values(full))]


@st.composite
def untake_case(draw):
    # untake(g, index, shape) scatters g into zeros of `shape` at `index` (getitem's adjoint), adding
    # where an index repeats.
    shape = draw(shapes(min_dims=1))
    if draw(st.booleans()):
        index = tuple(draw(_index_entry(n)) for n in shape[:draw(st.integers(1, len(shape)))])
    else:
        index = draw(hnp.arrays(np.int64, draw(st.integers(1, 5)), elements=st.integers(-shape[0], shape[0] - 1)))
    g_shape = np.zeros(shape)[index].shape
    return (lambda g: untake(g, index=index, shape=shape)), [draw(values(g_shape))]


def _operators(x, y):
    # Every Variable operator, reflected ones included, plus NumPy calls dispatched to optlab.
    return (2.0 - x) * (1.5 + y) / (2.5 + y * y) + (-x) ** 2 - abs(y) + np.exp(x / 4) + np.sum(np.tanh(y), axis=None)


# ---- the table: one line per primitive (or per form of one) ------------------------------------------

CASES = {
    "add": binary(onp.add),
    "subtract": binary(onp.subtract),
    "multiply": binary(onp.multiply),
    "divide": binary(onp.divide, "real", "nonzero"),
    "power": binary(onp.power, "positive", "real"),
    "power_constant_exponent": unary(lambda x: x ** 3 + onp.power(x, -2.0) * 0.1, "nonzero"),
    "negative": unary(onp.negative),
    "exp": unary(onp.exp),
    "log": unary(onp.log, "positive"),
    "log1p": unary(onp.log1p, "positive"),
    "expm1": unary(onp.expm1),
    "sqrt": unary(onp.sqrt, "positive"),
    "square": unary(onp.square),
    "sin": unary(onp.sin),
    "cos": unary(onp.cos),
    "tanh": unary(onp.tanh),
    "abs": unary(onp.abs),
    "sign": unary(lambda x: onp.sign(x) * x + onp.sign(x)),
    "maximum": binary(onp.maximum, "real", "shifted"),
    "minimum": binary(onp.minimum, "real", "shifted"),
    "where": where_case(),
    "clip": clip_case(),
    "sigmoid": unary(onp.sigmoid, "wide"),
    "relu": unary(onp.relu),
    "softplus": unary(onp.softplus, "wide"),
    "sum": reduction(onp.sum),
    "mean": reduction(onp.mean),
    "max": reduction(onp.max, unique=True),
    "min": reduction(onp.min, unique=True),
    "logsumexp": reduction(onp.logsumexp),
    "softmax": along_axis(onp.softmax),
    "log_softmax": along_axis(onp.log_softmax),
    "norm_vector": vector_norm(),
    "norm_frobenius": frobenius_norm(),
    "reshape": reshape_case(),
    "transpose": transpose_case(),
    "getitem_basic": getitem_basic(),
    "getitem_integer_array": getitem_integer_array(),
    "getitem_boolean_mask": getitem_mask(),
    "concatenate": concatenate_case(),
    "stack": stack_case(),
    "matmul": matmul_case(),
    "dot": dot_case(),
    "outer": outer_case(),
    "einsum_explicit": _einsum_case(["ij,jk->ik", "bij,bjk->bik", "ij,ij->i", "ij->ji", "i,i->", "ij,j->i"]),
    "einsum_implicit": _einsum_case(["ij,jk", "i,i", "ij,j", "ba,ca", "ij"]),
    "einsum_index_summed_in_one_operand": _einsum_case(["ij,k->k", "ijk,k->jk", "ij->", "ij,jk->k"]),
    "broadcast_to": broadcast_to_case(),
    "sum_to": sum_to_case(),
    "untake": untake_case(),
    "expand_dims": expand_dims_case(),
    "swapaxes": swapaxes_case(),
    "ravel": unary(onp.ravel),
    "operators_and_numpy_dispatch": binary(_operators),
}

def _every_primitive():
    """Every Primitive object in the modules of optlab.autodiff.ops, public or not, by its name."""
    found = {}
    for info in pkgutil.iter_modules(ops.__path__):
        module = importlib.import_module(f"{ops.__name__}.{info.name}")
        found.update({obj.name: obj for obj in vars(module).values() if isinstance(obj, Primitive)})
    return found


def _covered(name):
    return any(row == name or row.startswith(name + "_") for row in CASES)


def test_the_table_covers_every_primitive_and_every_public_function():
    primitives = _every_primitive()
    assert len(primitives) >= 40 and "untake" in primitives  # the walk finds private ones too
    assert not [name for name in primitives if not _covered(name)]
    # The public functions (optlab.numpy's list), by the name of the primitive an alias stands for.
    public = [getattr(ops, n).name if isinstance(getattr(ops, n), Primitive) else n for n in ops.__all__]
    assert not [name for name in public if not _covered(name)]
    assert all(getattr(onp, n) is getattr(ops, n) for n in ops.__all__)


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_first_order_against_finite_differences(name, data):
    fn, args = data.draw(CASES[name], label="case")
    check_first_order(fn, args, seed=data.draw(st.integers(0, 2**32 - 1), label="seed"))


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_second_order_against_finite_differences(name, data):
    fn, args = data.draw(CASES[name], label="case")
    check_second_order(fn, args, seed=data.draw(st.integers(0, 2**32 - 1), label="seed"))


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_released_values_are_never_read(name, data):
    """Every needs_args=False / needs_ans=False declaration is true.

    With the size threshold at 0, ``grad`` releases every value it may (lean.py): the operands of each
    primitive come from reshape (which does not read its result) and its result feeds ``negative``
    (which does not read its operand), so a rule that reads a released value raises. The gradient and
    the Hessian-vector product must equal those computed with nothing released (a tiny case is below
    the default threshold).
    """
    fn, args = data.draw(CASES[name], label="case")
    z, F = flatten(fn, args)
    u = np.random.default_rng(0).standard_normal(np.shape(fn(*args)))
    v = np.random.default_rng(1).standard_normal(z.shape)

    def psi(z):
        return onp.sum(-F(z) * u)

    kept = optlab.grad(psi)(z), optlab.hvp(psi)(z, v)
    saved, lean.RELEASE_MIN_BYTES = lean.RELEASE_MIN_BYTES, 0
    try:
        released = optlab.grad(psi)(z), optlab.hvp(psi)(z, v)
    finally:
        lean.RELEASE_MIN_BYTES = saved
    np.testing.assert_allclose(released[0], kept[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(released[1], kept[1], rtol=1e-12, atol=1e-12)
