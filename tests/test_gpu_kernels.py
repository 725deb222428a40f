"""The GPU kernels of optlab.fused_linalg and optlab.fused against plain CuPy (marker ``gpu``)."""
import numpy as np
import pytest

pytestmark = pytest.mark.gpu


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n, d", [(65536, 1), (70001, 4), (70001, 64), (100000, 100), (65537, 128), (65536, 256)])
def test_tall_skinny_matvec_matches_cublas(dtype, n, d):
    import cupy

    from optlab import fused_linalg as fl

    rng = np.random.default_rng(0)
    X = cupy.asarray(rng.standard_normal((n, d)).astype(dtype))
    w = cupy.asarray(rng.standard_normal(d).astype(dtype))
    assert fl.usable(X, w)
    tol = 1e-4 if dtype == "float32" else 1e-11
    np.testing.assert_allclose(fl.matvec(X, w).get(), (X.astype("float64") @ w.astype("float64")).get(),
                               rtol=tol, atol=tol * np.sqrt(d))
    assert (fl.matvec(X, w) == fl.matvec(X, w)).all(), "the kernel must be deterministic"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_and_softplus_kernels_match_the_numpy_formulas(dtype):
    import cupy

    from optlab import fused_linalg as fl

    x = np.concatenate([np.linspace(-800, 800, 10001), [0.0, -1e-30, 1e-30]]).astype(dtype)
    xd = cupy.asarray(x)
    with np.errstate(over="ignore"):
        sig = np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))
        sp = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    # the GPU may flush subnormal results to zero: below the smallest normal number only 0 is asked
    tiny = np.finfo(dtype).tiny
    np.testing.assert_allclose(fl.sigmoid(xd).get(), sig, rtol=4 * np.finfo(dtype).eps, atol=tiny)
    np.testing.assert_allclose(fl.softplus(xd).get(), sp, rtol=4 * np.finfo(dtype).eps, atol=tiny)


def test_engine_logistic_gradient_on_gpu_matches_the_host():
    import cupy

    import optlab
    import optlab.numpy as onp

    rng = np.random.default_rng(1)
    X, y, w = rng.standard_normal((100000, 32)), np.sign(rng.standard_normal(100000)), rng.standard_normal(32) / 4
    loss = lambda Xa, ya: (lambda v: onp.mean(onp.softplus(-ya * (Xa @ v))))   # noqa: E731
    v_host, g_host = optlab.value_and_grad(loss(X, y))(w)
    v_dev, g_dev = optlab.value_and_grad(loss(cupy.asarray(X), cupy.asarray(y)))(cupy.asarray(w))
    np.testing.assert_allclose(float(v_dev), v_host, rtol=1e-12)
    np.testing.assert_allclose(g_dev.get(), g_host, rtol=1e-10, atol=1e-13)
    h_dev = optlab.hvp(loss(cupy.asarray(X), cupy.asarray(y)))(cupy.asarray(w), cupy.asarray(w))
    np.testing.assert_allclose(h_dev.get(), optlab.hvp(loss(X, y))(w, w), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n, d", [(70001, 4), (70001, 64), (65537, 128), (65536, 256)])
def test_tall_skinny_transposed_matvec_matches_cublas(dtype, n, d):
    import cupy

    from optlab import fused_linalg as fl

    rng = np.random.default_rng(2)
    X = cupy.asarray(rng.standard_normal((n, d)).astype(dtype))
    r = cupy.asarray(rng.standard_normal(n).astype(dtype))
    assert fl.usable_transposed(X.T, r)
    want = (X.T.astype("float64") @ r.astype("float64")).get()
    tol = 1e-5 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(fl.rmatvec(X, r).get(), want, rtol=0, atol=tol * np.abs(want).max())
    assert (fl.rmatvec(X, r) == fl.rmatvec(X, r)).all(), "the kernel must be deterministic"


def test_transposed_kernel_declines_what_it_does_not_cover():
    import cupy

    from optlab import fused_linalg as fl

    X = cupy.ones((70000, 25), dtype="float32")          # 25 floats: not whole 16-byte chunks
    r = cupy.ones(70000, dtype="float32")
    assert not fl.usable_transposed(X.T, r)
    assert not fl.usable_transposed(cupy.ones((64, 70000), dtype="float32"), r)  # not a transposed view
    assert not fl.usable_transposed(X.T, r.astype("float64"))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mul_sigmoid_rounds_as_the_two_passes(dtype):
    import cupy

    from optlab import fused_linalg as fl

    x = cupy.asarray(np.linspace(-50, 50, 100001).astype(dtype))
    g = cupy.asarray(np.random.default_rng(3).standard_normal(100001).astype(dtype))
    assert (fl.mul_sigmoid(g, x) == g * fl.sigmoid(x)).all()
    g0 = cupy.asarray(np.array(0.25, dtype=dtype))
    assert (fl.mul_sigmoid(cupy.broadcast_to(g0, x.shape), x) == g0 * fl.sigmoid(x)).all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 3, 1001, (1 << 20) + 3])
def test_normalized_kernels_follow_the_host_arithmetic(dtype, n):
    """The vectorized averaging pass and step, ragged ends included, to the last bit."""
    import cupy

    from optlab import fused

    rng = np.random.default_rng(n)
    m0, g, x0 = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    alpha, lr = 0.1, 0.01
    m_host = (1 - alpha) * m0 + alpha * g
    m = cupy.asarray(m0)
    sumsq = fused.average_and_norm(m, cupy.asarray(g), alpha=alpha)
    assert (m.get() == m_host).all()
    exact = float((m_host.astype("float64") ** 2).sum())
    assert abs(float(sumsq) - exact) <= (1e-5 if dtype == "float32" else 1e-12) * exact
    x = cupy.asarray(x0)
    fused.normalized_step(x, m, lr, sumsq)
    k = np.array(lr, dtype) / np.sqrt(np.array(float(sumsq), dtype))
    assert (x.get() == x0 - k * m_host).all()


def test_normalized_kernels_no_step_at_zero_and_strided_views():
    import cupy

    from optlab import fused

    m, x = cupy.zeros(5), cupy.ones(5)
    fused.normalized_step(x, m, 0.1, fused.average_and_norm(m, cupy.zeros(5), alpha=0.5))
    assert (x == 1).all()
    rng = np.random.default_rng(4)
    m_all, g_all = cupy.asarray(rng.standard_normal(20)), cupy.asarray(rng.standard_normal(20))
    want = (1 - 0.3) * m_all[::2].get() + 0.3 * g_all[::2].get()
    fused.average_and_norm(m_all[::2], g_all[::2], alpha=0.3)   # a strided view: the plain path
    assert (m_all[::2].get() == want).all()


def _host_update(name, g, x, aux, p):
    """The update on the host, in NumPy, in the order of optlab.algorithms (scalars in the dtype)."""
    t = x.dtype.type
    if name == "adam":
        m, v = aux
        gg = g * g
        m = (m - g) * t(p["b1"]) + g
        v = (v - gg) * t(p["b2"]) + gg
        return x - (m / (np.sqrt(v) + t(p["eps"]))) * t(p["scale"]), [m, v]
    if name == "adagrad":
        s = aux[0] + g * g
        return x - (g / np.sqrt(s + t(p["eps"] * p["eps"]))) * t(p["c"]), [s]
    m = t(1 - p["alpha"]) * aux[0] + t(p["alpha"]) * g
    return x - t(p["lr"]) * m, [m]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 3, 1001, (1 << 20) + 3])
@pytest.mark.parametrize("name", ["adam", "adagrad", "sgd_momentum"])
def test_vectorized_updates_follow_the_host_arithmetic(name, n, dtype):
    """The 16-byte-chunk kernels, ragged ends included, equal NumPy on the host to the last bit, and
    so does the ElementwiseKernel that strided views fall back to."""
    import cupy

    from optlab import fused

    rng = np.random.default_rng(n)
    g, x = (rng.standard_normal(n).astype(dtype) for _ in range(2))
    aux = [rng.standard_normal(n).astype(dtype), rng.random(n).astype(dtype)]  # m (any sign), v >= 0
    if name != "adam":
        aux = [aux[1]] if name == "adagrad" else [aux[0]]
    p = {"b1": 0.9, "b2": 0.999, "scale": 0.01, "eps": 1e-8, "c": 0.1, "alpha": 0.1, "lr": 0.05}
    want_x, want_aux = _host_update(name, g, x, aux, p)
    for strided in (False, True):
        size = 2 * n if strided else n
        dev = [cupy.zeros(size, dtype=dtype) for _ in range(2 + len(aux))]
        views = [a[::2] if strided else a for a in dev]
        for view, host in zip(views, [g, x, *aux]):
            view[...] = cupy.asarray(host)
        gd, xd, *auxd = views
        if name == "adam":
            fused.adam(xd, gd, *auxd, b1=p["b1"], b2=p["b2"], scale=p["scale"], eps=p["eps"])
        elif name == "adagrad":
            fused.adagrad(xd, gd, *auxd, c=p["c"], eps=p["eps"])
        else:
            fused.sgd_momentum(xd, gd, *auxd, alpha=p["alpha"], lr=p["lr"])
        assert (xd.get() == want_x).all(), f"x differs (strided={strided})"
        for got, want in zip(auxd, want_aux):
            assert (got.get() == want).all(), f"state differs (strided={strided})"
