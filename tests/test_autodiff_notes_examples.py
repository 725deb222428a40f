"""The worked examples of the EC500 notes (section 4), with expected values from their closed forms."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlab
import optlab.numpy as onp
from optlab import Operation, Variable, grad, jacobian
from optlab.autodiff import backward
from optlab.autodiff.notes import MultiplyOperation, PlusConstantOperation, backward_paths, record_partials

reals = st.floats(-3.0, 3.0, allow_nan=False)


def f_a(x):
    """f(x) = (x[1], 1 + x[0])."""
    return onp.stack([x[1], 1.0 + x[0]])


def g_a(z):
    """g(z) = (z[0] z[1], z[0], z[1])."""
    return onp.stack([z[0] * z[1], z[0], z[1]])


@given(reals, reals)
def test_a_chain_rule_with_explicit_jacobians(x0, x1):
    x = np.array([x0, x1])
    J = jacobian(lambda x: g_a(f_a(x)))(x)
    # g(f(x)) = (x1 (1 + x0), x1, 1 + x0), differentiated by hand.
    np.testing.assert_allclose(J, [[x1, x0 + 1.0], [0.0, 1.0], [1.0, 0.0]], rtol=0, atol=1e-15)
    # The chain rule: the composite's Jacobian is the product of the Jacobians.
    np.testing.assert_allclose(J, jacobian(g_a)(f_a(x)) @ jacobian(f_a)(x), rtol=0, atol=1e-15)
    assert jacobian(f_a)(x).shape == (2, 2) and jacobian(g_a)(f_a(x)).shape == (3, 2)


@given(reals)
def test_b_x_squared_plus_x_built_as_x_times_x_plus_one(x):
    np.testing.assert_allclose(grad(lambda x: x * (x + 1.0))(x), 2 * x + 1.0, rtol=1e-15, atol=1e-15)


def test_b_at_two_with_explicit_nodes():
    # The notes' graph: x -> y = x + 1 -> z = x * y; dz/dx = 2x + 1 = 5 at x = 2.
    x = Variable(2.0, name="x")
    y = x + 1.0
    z = x * y
    assert z.value == 6.0
    assert backward(z, 1.0, [x]) == [5.0]
    assert grad(lambda x: x * (x + 1.0))(2.0) == 5.0


@given(st.floats(-3.0, 3.0, allow_nan=False).filter(lambda x: abs(x) > 1e-3))
def test_c_p_equals_f_of_g_and_h(x):
    # p(x) = f(g(x), h(x)) with f(a, b) = a * b, g(x) = x^2, h(x) = 3x.
    # The issue text and the notes print p = 3x^4: a misprint. x^2 * 3x = 3x^3, so p'(x) = 9x^2.
    def p(x):
        return (x ** 2) * (3.0 * x)

    np.testing.assert_allclose(p(x), 3 * x ** 3, rtol=1e-15)
    np.testing.assert_allclose(grad(p)(x), 9 * x ** 2, rtol=1e-14)
    np.testing.assert_allclose(grad(grad(p))(x), 18 * x, rtol=1e-14)


@given(reals)
def test_d_x_times_x_has_two_ordered_edges(x):
    xv = Variable(x)
    z = xv * xv
    # One parent entry per argument position: with a set of parents, x * x would lose an edge and
    # its derivative would come out as x instead of 2x.
    assert isinstance(z.op, Operation) and z.op.parents == (xv, xv)
    assert backward(z, 1.0, [xv]) == [2 * x]
    assert grad(lambda x: x * x)(x) == 2 * x
    assert optlab.grad(lambda x: onp.multiply(x, x))(x) == 2 * x


# ---- Algorithms 4-5 (every path) are the reference for the fast pass (reverse topological order) ----

STEPS = {
    "add": lambda a, b: a + b,
    "multiply": lambda a, b: a * b,
    "sin": lambda a, b: onp.sin(a),
    "tanh": lambda a, b: onp.tanh(a),
    "square": lambda a, b: onp.square(a),
    "sum": lambda a, b: onp.sum(a),
    "notes_plus_constant": lambda a, b: PlusConstantOperation(constant=1.5).forward(a),
    "notes_multiply": lambda a, b: MultiplyOperation().forward(a, b),
}


@given(st.data(), st.integers(1, 3),
       st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 99), st.integers(0, 99)),
                min_size=1, max_size=8))
def test_backward_paths_agrees_with_backward_on_random_graphs(data, n, steps):
    """A random graph with reuse (every step may read any earlier node), built from the primitives and
    from the notes' operation objects. Algorithms 4-5 sum over every path; ``backward`` visits each
    node once. Both must give the full Jacobian of the output with respect to each input."""
    x = Variable(data.draw(hnp.arrays(np.float64, n, elements=reals), label="x"))
    y = Variable(data.draw(reals, label="y"))
    nodes = [x, y]
    for name, i, j in steps:
        nodes.append(STEPS[name](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    out = nodes[-1]
    out_shape = np.shape(out.value)
    seeds = np.eye(int(np.prod(out_shape))).reshape((-1,) + out_shape)
    expected = {}
    for leaf in (x, y):
        rows = [backward(out, seed if out_shape else 1.0, [leaf])[0] for seed in seeds]
        rows = [np.zeros(np.shape(leaf.value)) if r is None else np.broadcast_to(r, np.shape(leaf.value))
                for r in rows]
        expected[leaf] = np.reshape(rows, out_shape + np.shape(leaf.value))
    for _ in range(2):  # a second call must not double the accumulated derivatives
        backward_paths(out)
        for leaf in (x, y):
            got = getattr(leaf, "derivative", 0.0)  # 0 if the output does not depend on it
            np.testing.assert_allclose(np.broadcast_to(got, expected[leaf].shape), expected[leaf],
                                       rtol=1e-12, atol=1e-12)


def test_record_partials_stores_the_jacobian_of_each_edge():
    x, y = Variable(np.array([1.0, 2.0]), name="x"), Variable(np.array([3.0, -1.0]), name="y")
    with record_partials():
        z = MultiplyOperation().forward(x, y)
        w = PlusConstantOperation(constant=2.0).forward(z)
    np.testing.assert_array_equal(z.op.partials[0], np.diag([3.0, -1.0]))  # d(x*y)/dx = diag(y)
    np.testing.assert_array_equal(z.op.partials[1], np.diag([1.0, 2.0]))
    np.testing.assert_array_equal(w.op.partials[0], np.eye(2))
    outside = MultiplyOperation().forward(x, y)  # outside the block nothing is recorded
    assert getattr(outside.op, "partials", None) is None
    backward_paths(onp.sum(w))
    np.testing.assert_array_equal(x.derivative, [3.0, -1.0])
    np.testing.assert_array_equal(y.derivative, [1.0, 2.0])
