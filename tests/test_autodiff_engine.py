"""The reverse pass and the functional API: idempotence, deep graphs, nesting, and closed forms."""
from __future__ import annotations

import sys
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlab
import optlab.numpy as onp
from optlab import Primitive, Variable, grad, hessian, hvp, jacobian, value_and_grad, vjp
from optlab.autodiff import backward, reverse_topological_order

reals = st.floats(-2.0, 2.0, allow_nan=False)
vectors = hnp.arrays(np.float64, st.integers(1, 5), elements=reals)


def _loss(x):
    # Reuse on purpose: x feeds several operations, and sin(x) is used twice.
    s = onp.sin(x)
    return onp.sum(s * s + s * x) + onp.sum(x) ** 2


def _loss_grad(x):
    s, c = np.sin(x), np.cos(x)
    return 2 * s * c + c * x + s + 2 * np.sum(x)


# ---- idempotence ------------------------------------------------------------------------------------


@given(vectors)
def test_grad_twice_gives_identical_results(x):
    g = grad(_loss)
    first, second = g(x), g(x)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, _loss_grad(x), rtol=1e-12, atol=1e-12)


@given(vectors)
def test_backward_twice_on_the_same_graph_is_not_doubled(x):
    xv = Variable(x)
    out = _loss(xv)
    first = backward(out, 1.0, [xv])[0]
    second = backward(out, 1.0, [xv])[0]
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, _loss_grad(x), rtol=1e-12, atol=1e-12)
    # The graph and its values are untouched by the passes.
    np.testing.assert_array_equal(out.value, _loss(x))
    np.testing.assert_array_equal(xv.value, x)


def test_vjp_pullback_can_be_called_repeatedly_and_is_linear():
    x = np.array([0.3, -1.2, 2.0])
    value, pull = vjp(lambda x: onp.sin(x) * x, x)
    np.testing.assert_array_equal(value, np.sin(x) * x)
    u = np.array([1.0, 2.0, -1.0])
    a, b = pull(u), pull(u)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, u * (np.cos(x) * x + np.sin(x)), rtol=1e-14)
    np.testing.assert_allclose(pull(2 * u), 2 * a, rtol=1e-14)


# ---- deep graphs ------------------------------------------------------------------------------------

N_DEEP = 1_000_000


@pytest.mark.parametrize("step", ["add", "multiply"])
def test_a_chain_of_a_million_nodes_differentiates_without_recursion(step):
    limit = sys.getrecursionlimit()

    def f(x):
        for _ in range(N_DEEP):
            x = x + 1.0 if step == "add" else x * 1.0
        return x

    start = time.process_time()  # CPU time: other jobs on a shared machine do not count
    value, g = value_and_grad(f)(0.5)
    elapsed = time.process_time() - start
    assert g == 1.0
    assert value == (0.5 + N_DEEP if step == "add" else 0.5)
    assert sys.getrecursionlimit() == limit  # not raised behind our back
    assert elapsed < 15.0, f"{elapsed:.1f} s of CPU for {N_DEEP} nodes"


def test_a_user_held_deep_graph_survives_two_passes_and_deletion():
    x = Variable(2.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0
    assert len(reverse_topological_order(y)) == 200_001
    assert backward(y, 1.0, [x]) == [1.0]
    assert backward(y, 1.0, [x]) == [1.0]
    del y  # freeing a deep chain must not overflow the C stack either


# ---- nested derivatives -----------------------------------------------------------------------------


@given(reals)
def test_second_and_third_derivatives_of_x_to_the_fourth(x):
    f = lambda x: x ** 4  # noqa: E731
    np.testing.assert_allclose(grad(grad(f))(x), 12 * x ** 2, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(grad(grad(grad(f)))(x), 24 * x, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(grad(grad(grad(grad(f))))(x), 24.0, rtol=1e-13)


@given(reals)
def test_perturbation_confusion(x):
    # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1 (Siskind and Pearlmutter's example).
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(x) == 1.0
    # The inner derivative depends on the outer variable: d/dx [x * d/dy (x * y)] = d/dx x^2 = 2x.
    np.testing.assert_allclose(grad(lambda x: x * grad(lambda y: x * y)(1.0))(x), 2 * x, rtol=1e-15)
    # The inner value too: d/dx [value of (y -> x y) at y = 1] = 1.
    assert grad(lambda x: value_and_grad(lambda y: x * y)(1.0)[0])(x) == 1.0


@given(vectors)
def test_hessian_and_hvp_of_a_known_function(x):
    # f(x) = sum(x^3) / 3 + (sum x)^2 / 2: Hessian diag(2x) + ones.
    f = lambda x: onp.sum(x ** 3) / 3.0 + onp.sum(x) ** 2 / 2.0  # noqa: E731
    H = np.diag(2 * x) + np.ones((x.size, x.size))
    np.testing.assert_allclose(hessian(f)(x), H, rtol=1e-13, atol=1e-13)
    v = np.linspace(-1.0, 1.0, x.size)
    np.testing.assert_allclose(hvp(f)(x, v), H @ v, rtol=1e-13, atol=1e-13)


def test_hvp_of_the_logistic_loss_matches_the_hand_written_formula():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 4)), np.sign(rng.standard_normal(50))
    w, v = rng.standard_normal(4), rng.standard_normal(4)
    loss = lambda w: onp.mean(onp.softplus(-y * (X @ w)))  # noqa: E731
    s = 1.0 / (1.0 + np.exp(-y * (X @ w)))
    np.testing.assert_allclose(hvp(loss)(w, v), X.T @ (s * (1 - s) * (X @ v)) / 50, rtol=1e-12)
    np.testing.assert_allclose(grad(loss)(w), X.T @ (-y * (1 - s)) / 50, rtol=1e-12)


def test_hvp_with_respect_to_a_later_argument():
    f = lambda a, x: onp.sum(a * x ** 3)  # noqa: E731
    a, x, v = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([1.0, 1.0])
    np.testing.assert_allclose(hvp(f, argnums=1)(x, v, a), 6 * a * x * v)


# ---- the API's shapes and argnums -------------------------------------------------------------------


def test_argnums_tuple_and_value():
    f = lambda x, y, z: x * y ** 2 + z  # noqa: E731
    value, (gx, gz) = value_and_grad(f, argnums=(0, 2))(2.0, 3.0, 4.0)
    assert (value, gx, gz) == (22.0, 9.0, 1.0)
    assert grad(f, argnums=1)(2.0, 3.0, 4.0) == 12.0


def test_output_independent_of_the_input_gives_zeros():
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(grad(lambda x: 3.0)(x), np.zeros(2))
    np.testing.assert_array_equal(grad(lambda x, y: onp.sum(y * y), argnums=0)(x, x), np.zeros(2))
    np.testing.assert_array_equal(jacobian(lambda x: np.ones(3))(x), np.zeros((3, 2)))


def test_jacobian_shape_is_output_shape_then_input_shape():
    A = np.arange(24.0).reshape(2, 3, 4)
    x = np.ones((4, 5))
    J = jacobian(lambda x: onp.matmul(A, x))(x)
    assert J.shape == (2, 3, 5, 4, 5)
    # d(A x)[b, i, k] / d x[j, l] = A[b, i, j] * delta(k, l)
    np.testing.assert_array_equal(J, np.einsum("bij,kl->bikjl", A, np.eye(5)))


def test_reverse_topological_order_lists_users_before_what_they_use():
    x = Variable(np.array([1.0, 2.0]))
    a = onp.exp(x)
    b = a * x
    c = onp.sum(b + a)
    order = reverse_topological_order(c)
    assert order[0] is c and order[-1] is x and len(order) == 5
    position = {id(v): i for i, v in enumerate(order)}
    for v in order:
        for p in (v.op.parents if v.op else ()):
            if isinstance(p, Variable):
                assert position[id(v)] < position[id(p)]


def test_a_custom_primitive_as_in_contributing_differentiates_twice():
    cube = Primitive("cube", lambda x: x ** 3, [lambda g, ans, x: g * 3 * x ** 2])
    assert grad(cube)(2.0) == 12.0
    assert grad(grad(cube))(2.0) == 12.0  # 6x
    assert cube(2.0) == 8.0  # no graph value among the inputs: plain computation


def test_intermediates_kept_by_the_user_stay_intact_after_grad():
    kept = []

    def f(x):
        y = onp.exp(x)
        kept.append(y)
        return onp.sum(y * y)

    x = np.array([0.1, 0.2])
    np.testing.assert_allclose(grad(f)(x), 2 * np.exp(2 * x), rtol=1e-14)
    y = kept[0]
    assert y.op is not None and y.op.parents[0].value is not None
    np.testing.assert_array_equal(y.value, np.exp(x))


def test_grad_frees_values_no_vjp_rule_reads():
    """In tanh(X @ W + b) the value of X @ W is read by no VJP rule (add needs only shapes, matmul not
    its result): under grad it is freed as soon as the function drops it, as in hand-written
    backpropagation; a graph built outside grad keeps it. The gradients agree."""
    import weakref

    rng = np.random.default_rng(0)
    X, b = rng.standard_normal((64, 300)), rng.standard_normal(300)  # 150 kB: above RELEASE_MIN_BYTES
    freed = []

    def f(W):
        z = X @ W
        alive = weakref.ref(z.value)
        h = onp.tanh(z + b)
        del z
        freed.append(alive() is None)
        return onp.sum(h * h)

    W = rng.standard_normal((300, 300)) / 20
    g_lean = optlab.grad(f)(W)
    value, pullback = optlab.vjp(f, W)  # the same graph, built outside grad: nothing released
    assert freed == [True, False]
    np.testing.assert_allclose(g_lean, pullback(1.0), rtol=1e-13, atol=1e-13)
    h = np.tanh(X @ W + b)
    np.testing.assert_allclose(g_lean, X.T @ (2 * h * (1 - h * h)), rtol=1e-12, atol=1e-12)


# ---- comparisons are elementwise; hashing stays by identity ----------------------------------------


def test_equality_is_elementwise_as_in_numpy():
    x = np.array([0.0, 1.0, 2.0])
    xv = Variable(x)
    np.testing.assert_array_equal(xv == 0, x == 0)
    np.testing.assert_array_equal(xv != 1.0, x != 1.0)
    np.testing.assert_array_equal(xv == Variable(np.array([0.0, 5.0, 2.0])), [True, False, True])
    assert (Variable(2.0) == 2.0) is True and (Variable(2.0) != 2.0) is False
    # With the plain value on the left, NumPy and Python hand the comparison to the Variable.
    np.testing.assert_array_equal(np.array([0.0, 1.0, 7.0]) == xv, [True, True, False])
    np.testing.assert_array_equal(1.0 != xv, x != 1.0)
    # Hashing is by identity: Variables with equal values stay distinct dictionary keys.
    a, b = Variable(1.0), Variable(1.0)
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b" and len({a, b}) == 2


def test_where_on_an_equality_of_a_traced_value_takes_both_branches():
    # f(x) = 5x where x == 0, x^2 elsewhere: the gradient is 5 at 0 and 2x elsewhere. With an identity
    # ==, x == 0 was the Python False and the x^2 branch was taken everywhere (gradient 0 at 0).
    f = lambda x: onp.sum(onp.where(x == 0, 5 * x, x * x))
    g = lambda x: onp.sum(onp.where(x != 0, x * x, 5 * x))
    x = np.array([0.0, 1.0, -2.0])
    for fn in (f, g):
        np.testing.assert_array_equal(grad(fn)(x), [5.0, 2.0, -4.0])
        assert fn(x) == 5.0  # the same function on plain arrays: 5 * 0 + 1 + 4


# ---- hvp with several arguments ---------------------------------------------------------------------


@given(reals, reals, reals, reals)
def test_hvp_with_a_tuple_of_argnums_gives_a_tuple_of_blocks(x, y, u, w):
    # f(x, y) = x^2 y + sin(y): the Hessian is [[2y, 2x], [2x, -sin(y)]].
    f = lambda x, y: x * x * y + onp.sin(y)
    hx, hy = hvp(f, argnums=(0, 1))((x, y), (u, w))
    np.testing.assert_allclose([hx, hy], [2 * y * u + 2 * x * w, 2 * x * u - np.sin(y) * w],
                               rtol=1e-12, atol=1e-12)
    # Positions in another order, and a single position as a one-element tuple.
    hy2, hx2 = hvp(f, argnums=(1, 0))((y, x), (w, u))
    np.testing.assert_allclose([hx2, hy2], [hx, hy], rtol=1e-14, atol=1e-14)
    (hy_only,) = hvp(f, argnums=(1,))((y,), (w,), x)
    np.testing.assert_allclose(hy_only, -np.sin(y) * w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hvp(f, argnums=1)(y, w, x), hy_only, rtol=1e-14, atol=1e-14)


def test_hvp_with_tuple_argnums_on_arrays_matches_the_hessian():
    rng = np.random.default_rng(3)
    A, x, y, u, w = (rng.standard_normal(s) for s in [(3, 2), 3, 2, 3, 2])
    f = lambda x, y: onp.sum(onp.tanh(x @ A) * y) + onp.sum(x ** 3)
    H = hessian(lambda z: f(z[:3], z[3:]))(np.concatenate([x, y]))
    hx, hy = hvp(f, argnums=(0, 1))((x, y), (u, w))
    np.testing.assert_allclose(np.concatenate([hx, hy]), H @ np.concatenate([u, w]), rtol=1e-12, atol=1e-12)
    with pytest.raises(TypeError, match="2 points and 2 directions"):
        hvp(f, argnums=(0, 1))((x, y), (u,))


# ---- the trace state is per thread -------------------------------------------------------------------


def test_a_grad_running_in_another_thread_does_not_release_values_of_this_one():
    """grad releases the values no VJP rule reads (lean.py) only in the graph it traces: a graph that
    another thread builds meanwhile keeps them (its owner may read them)."""
    import threading
    import weakref

    rng = np.random.default_rng(0)
    X, b = rng.standard_normal((64, 300)), rng.standard_normal(300)  # above lean.RELEASE_MIN_BYTES
    inside, done = threading.Event(), threading.Event()

    def traced(W):
        inside.set()
        done.wait(10)
        return onp.sum(W)

    worker = threading.Thread(target=lambda: grad(traced)(np.ones(2)))
    worker.start()
    try:
        assert inside.wait(10)
        W = Variable(rng.standard_normal((300, 300)))
        z = X @ W
        alive = weakref.ref(z.value)
        h = onp.tanh(z + b)
        del z
        assert alive() is not None, "a grad in another thread released a value of this thread's graph"
        assert backward(onp.sum(h), 1.0, [W])[0].shape == (300, 300)
    finally:
        done.set()
        worker.join()
