"""The baseline transforms of paper 000 App A (L194): GradNorm, gradient centralization (GC), ZNorm.

* Golden values worked out by hand (small integer matrices) and by a second, plain-NumPy implementation
  that loops over rows and layers (the transforms themselves slice a flat vector).
* The defining properties on random layer shapes (hypothesis): GC leaves every row / output filter with
  zero mean, ZNorm every eligible layer with zero mean and unit unbiased std, GradNorm every layer with
  norm alpha; each layer is transformed on its own (changing one layer's gradient changes no other's).
* A batch of seeds (S, d) gives each seed's single result, in a transform and in a batched run.
* Bad input: a zero-gradient layer (GradNorm), a constant layer with eps = 0 (ZNorm), shapes that do not
  cover d, a gradient of the wrong rank: a ValueError naming the argument.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from optlab.algorithms import SGD, GradientCentralization, GradNorm, Transformed, ZNorm, run
from optlab.problems import least_squares

TRANSFORMS = {"grad_norm": GradNorm, "gc": GradientCentralization, "znorm": ZNorm}


# ---- a second implementation: plain NumPy, one layer and one row at a time --------------------------

def _split(g, shapes):
    out, start = [], 0
    for sh in shapes:
        n = int(np.prod(sh))
        out.append(np.array(g[start:start + n]).reshape(sh))
        start += n
    return out


def reference(name, g, shapes, alpha=1.0, eps=1e-8):
    parts = []
    for G in _split(np.asarray(g, dtype=float), shapes):
        G = G.copy()
        if name == "grad_norm":
            G = alpha * G / math.sqrt(sum(v * v for v in G.ravel()))
        elif name == "gc" and G.ndim > 1:
            for i in range(G.shape[0]):
                G[i] = G[i] - G[i].mean()
        elif name == "znorm" and G.ndim > 1:
            v = G.ravel()
            mu = sum(v) / len(v)
            sd = math.sqrt(sum((x - mu) ** 2 for x in v) / (len(v) - 1))
            G = (G - mu) / (sd + eps)
        parts.append(G.ravel())
    return np.concatenate(parts)


def make(name, shapes, **kw):
    return TRANSFORMS[name](shapes=shapes, **kw)


# ---- golden values ---------------------------------------------------------------------------------

def test_golden_values_by_hand():
    """[[1, 2, 3], [4, 4, 7]] and the bias [0, -2]: row means 2 and 5; mean 3.5, unbiased std 2.0736;
    ||W|| = sqrt(95), ||b|| = 2."""
    g = np.array([1.0, 2.0, 3.0, 4.0, 4.0, 7.0, 0.0, -2.0])
    shapes = ((2, 3), (2,))
    gc, _ = GradientCentralization(shapes).apply(g, None)
    np.testing.assert_array_equal(gc, [-1.0, 0.0, 1.0, -1.0, -1.0, 2.0, 0.0, -2.0])
    gn, _ = GradNorm(alpha=2.0, shapes=shapes).apply(g, None)
    np.testing.assert_allclose(gn, np.r_[2 * g[:6] / math.sqrt(95), 0.0, -2.0], rtol=1e-15)
    z, _ = ZNorm(shapes=shapes, eps=0.0).apply(g, None)
    sd = math.sqrt((2.5 ** 2 + 1.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 3.5 ** 2) / 5)
    np.testing.assert_allclose(z[:6], (g[:6] - 3.5) / sd, rtol=1e-14)
    np.testing.assert_array_equal(z[6:], g[6:])


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_equals_the_plain_numpy_loop(name):
    rng = np.random.default_rng(1)
    shapes = ((3, 2, 2), (4,), (5, 3), (2, 1), (1, 6))
    g = rng.standard_normal(sum(int(np.prod(s)) for s in shapes)) * 10.0 ** rng.uniform(-6, 3)
    out, state = make(name, shapes).apply(g, make(name, shapes).init())
    assert state is None
    np.testing.assert_allclose(out, reference(name, g, shapes), rtol=1e-12, atol=0)


def test_shapes_none_is_one_row_and_one_layer():
    g = np.array([1.0, 2.0, 6.0])
    np.testing.assert_array_equal(GradientCentralization().apply(g, None)[0], [-2.0, -1.0, 3.0])
    np.testing.assert_allclose(GradNorm().apply(g, None)[0], g / math.sqrt(41), rtol=1e-15)
    np.testing.assert_allclose(ZNorm(eps=0.0).apply(g, None)[0], (g - 3) / math.sqrt(7), rtol=1e-15)


# ---- defining properties on random layer shapes -----------------------------------------------------

shape_lists = st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), min_size=1, max_size=4)


def _gradient(data, shapes):
    d = sum(int(np.prod(s)) for s in shapes)
    seed = data.draw(st.integers(0, 2 ** 31), label="seed")
    scale = 10.0 ** data.draw(st.floats(-6, 4), label="log10 scale")
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(d) + rng.standard_normal()) * scale         # a common offset: a nonzero mean


@settings(max_examples=40, deadline=None)
@given(shapes=shape_lists, data=st.data())
def test_gc_leaves_every_row_with_zero_mean_and_vectors_alone(shapes, data):
    g = _gradient(data, shapes)
    out, _ = GradientCentralization(shapes).apply(g, None)
    for G, G0 in zip(_split(out, shapes), _split(g, shapes)):
        if G.ndim == 1:
            np.testing.assert_array_equal(G, G0)
        else:
            rows = G.reshape(G.shape[0], -1)
            assert np.all(np.abs(rows.mean(axis=1)) <= 1e-12 * np.abs(G0).max())
            np.testing.assert_allclose(rows - G0.reshape(G.shape[0], -1),            # a shift per row
                                       np.repeat((rows - G0.reshape(G.shape[0], -1))[:, :1], rows.shape[1], 1),
                                       atol=1e-12 * np.abs(G0).max())


@settings(max_examples=40, deadline=None)
@given(shapes=shape_lists, data=st.data())
def test_znorm_gives_zero_mean_and_unit_std_per_eligible_layer(shapes, data):
    g = _gradient(data, shapes)
    out, _ = ZNorm(shapes=shapes, eps=0.0).apply(g, None) if all(
        len(s) < 2 or np.prod(s) > 1 for s in shapes) else (None, None)
    if out is None:
        with pytest.raises(ValueError, match="shapes"):
            ZNorm(shapes=shapes)
        return
    for G, G0 in zip(_split(out, shapes), _split(g, shapes)):
        if G.ndim == 1:
            np.testing.assert_array_equal(G, G0)
        else:
            assert abs(G.mean()) <= 1e-12
            assert G.std(ddof=1) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(shapes=shape_lists, data=st.data(), alpha=st.floats(1e-3, 1e3))
def test_grad_norm_gives_every_layer_norm_alpha_in_its_own_direction(shapes, data, alpha):
    g = _gradient(data, shapes)
    out, _ = GradNorm(alpha=alpha, shapes=shapes).apply(g, None)
    for G, G0 in zip(_split(out, shapes), _split(g, shapes)):
        assert np.linalg.norm(G) == pytest.approx(alpha, rel=1e-12)
        assert np.dot(G.ravel(), G0.ravel()) == pytest.approx(alpha * np.linalg.norm(G0), rel=1e-12)


INVARIANT = {"gc": (1.0, 3.0), "znorm": (1000.0, 3.0), "grad_norm": (1000.0, 0.0)}   # G -> c G + shift


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_each_layer_is_transformed_on_its_own(name):
    """Changing the last layer's gradient (G -> c G + shift, which that layer's rule forgets: GC a shift of
    the rows, ZNorm both, GradNorm a positive factor) changes no other layer's output, and that layer's
    output only up to rounding (ZNorm: up to eps/std)."""
    shapes = ((3, 4), (4,), (2, 2, 2))
    g = np.random.default_rng(5).standard_normal(24)
    c, shift = INVARIANT[name]
    h = g.copy()
    h[16:] = c * h[16:] + shift
    t = make(name, shapes)
    a, b = t.apply(g, None)[0], t.apply(h, None)[0]
    np.testing.assert_array_equal(a[:16], b[:16])
    np.testing.assert_allclose(a[16:], b[16:], rtol=1e-7, atol=1e-12)
    h[12:16] += 1.0                                        # the bias: only GradNorm's bias output changes
    b2 = t.apply(h, None)[0]
    np.testing.assert_array_equal(b2[:12], b[:12])
    np.testing.assert_array_equal(b2[16:], b[16:])


# ---- seeds as a batch -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_a_batch_of_seeds_gives_each_seeds_result(name):
    shapes = ((3, 2), (2,), (2, 3))
    G = np.random.default_rng(2).standard_normal((4, 14)) * np.array([[1e-3], [1.0], [10.0], [1e4]])
    t = make(name, shapes)
    batch, _ = t.apply(G, None)
    for k in range(4):
        np.testing.assert_array_equal(batch[k], t.apply(G[k], None)[0])


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_a_batched_run_equals_the_single_runs(name):
    p = least_squares(n=30, d=7, seed=1)
    method = Transformed(SGD(lr=0.05), make(name, ((2, 3), (1,))))
    assert method.no_batch is None
    batch = run(method, p, steps=25, seeds=[0, 4], progress=False)
    for k, s in enumerate((0, 4)):
        single = run(method, p, steps=25, seed=s, progress=False)
        np.testing.assert_allclose(batch[k].x, single.x, rtol=1e-12, atol=1e-12)


# ---- bad input ------------------------------------------------------------------------------------

def test_zero_gradient_layer_has_no_direction():
    with pytest.raises(ValueError, match=r"GradNorm: tensor 1 \(shape \(2,\)\) has a zero gradient"):
        GradNorm(shapes=((2, 2), (2,))).apply(np.array([1.0, 2, 3, 4, 0, 0]), None)
    with pytest.raises(ValueError, match="zero gradient"):            # in one seed of a batch
        GradNorm().apply(np.array([[1.0, 2.0], [0.0, 0.0]]), None)


def test_constant_layer_has_no_z_score_without_eps():
    g = np.array([2.0, 2.0, 2.0, 2.0, 1.0])
    with pytest.raises(ValueError, match=r"ZNorm: tensor 0 \(shape \(2, 2\)\) has a constant gradient.*eps > 0"):
        ZNorm(shapes=((2, 2), (1,)), eps=0.0).apply(g, None)
    np.testing.assert_array_equal(ZNorm(shapes=((2, 2), (1,))).apply(g, None)[0], [0, 0, 0, 0, 1.0])
    with pytest.raises(ValueError, match="one entry"):
        ZNorm().apply(np.array([3.0]), None)


def test_gc_of_a_zero_gradient_is_zero():
    np.testing.assert_array_equal(GradientCentralization(((2, 2),)).apply(np.zeros(4), None)[0], np.zeros(4))


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_shapes_that_do_not_cover_d_are_refused(name):
    with pytest.raises(ValueError, match=r"shapes must cover the dimension d = 5"):
        make(name, ((2, 2),)).apply(np.arange(1.0, 6.0), None)
    with pytest.raises(ValueError, match="g must be a flat gradient"):
        make(name, ((2, 2),)).apply(np.ones((2, 2, 1)), None)
    for bad in (((2, 0),), ((2, 1.5),), (), 7, ((),)):
        with pytest.raises(ValueError, match="shapes"):
            make(name, bad)
