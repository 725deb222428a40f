"""The GPU kernels of optlab.fused_linalg and optlab.fused against plain CuPy (marker ``gpu``)."""
import numpy as np
import pytest

pytestmark = pytest.mark.gpu


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n, d", [(65536, 1), (70001, 64), (100000, 100), (65536, 256)])
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
