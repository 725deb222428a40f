"""The residual ReLU network of slides 004's E4 (optlab.problems.residual_relu).

Independent checks: the hand-written backpropagation against the engine's gradient of f and against central
finite differences, at points where no ReLU sits within the difference step of its kink; the kink itself
(the gradient jumps, so the family honestly claims no smoothness); reproducibility of data, start and runs.
"""
import warnings

import numpy
import pytest

from optlab.algorithms import SGD, run
from optlab.problems import residual_relu
from optlab.problems.residual_relu import layer_shapes, spirals, unpack

ARCHS = [(5, 3), (4, 5), (3, 1)]


def _pre_activations(p, x):
    """Every ReLU input, for all n points (to stay away from kinks)."""
    P = unpack(numpy.asarray(x), p.width, p.depth)
    pre = [p.U @ P["A0"].T + P["b0"]]
    z = numpy.maximum(pre[0], 0)
    for l in range(1, p.depth):
        pre.append(z @ P[f"A{l}"].T + P[f"b{l}"])
        z = z + numpy.maximum(pre[-1], 0)
    return numpy.concatenate([q.ravel() for q in pre])


@pytest.mark.parametrize("width, depth", ARCHS)
def test_backprop_matches_engine_and_finite_differences(width, depth):
    p = residual_relu(width=width, depth=depth, n=30, seed=2)
    rng = numpy.random.default_rng(0)
    h = 1e-6
    checked = 0
    for seed in range(1, 6):
        x = numpy.asarray(p.x0(seed=seed))
        idx = rng.integers(p.n, size=7)
        assert numpy.allclose(p.grad_i(x, idx), p.engine_grad_i(x, idx), rtol=1e-10, atol=1e-12)
        assert numpy.allclose(p.grad(x), p.engine_grad(x), rtol=1e-10, atol=1e-12)
        v = rng.standard_normal(p.d)
        v /= numpy.linalg.norm(v)
        pattern = [numpy.sign(_pre_activations(p, x + s * h * v)) for s in (-1, 0, 1)]
        if not (numpy.array_equal(pattern[0], pattern[1]) and numpy.array_equal(pattern[1], pattern[2])):
            continue                                       # a kink inside the difference step: skip this point
        fd = (p.value(x + h * v) - p.value(x - h * v)) / (2 * h)
        assert float(p.grad(x) @ v) == pytest.approx(fd, rel=1e-6, abs=1e-9)
        checked += 1
    assert checked >= 3


def test_gradient_jumps_at_a_relu_kink():
    """Put one ReLU input exactly at 0 (bias b0_j = -A0_j u_i): the b0_j component of the gradient differs
    on the two sides by an amount that does not shrink with the distance, so f is not smooth there."""
    p = residual_relu(width=5, depth=3, n=20, seed=0)
    x = numpy.array(p.x0(seed=1))
    P = unpack(x, 5, 3)
    i, j = 0, 0
    at = sum(int(numpy.prod(s)) for _, s in layer_shapes(5, 3)[:1]) + j      # index of b0[j] in x
    x[at] = -P["A0"][j] @ p.U[i]
    jumps = []
    for t in (1e-6, 1e-9, 1e-12):
        up, down = x.copy(), x.copy()
        up[at] += t
        down[at] -= t
        jumps.append(abs(p.grad(up)[at] - p.grad(down)[at]))
    assert min(jumps) > 1e-4 and max(jumps) / min(jumps) < 1.01


def test_assumptions_are_honest():
    p = residual_relu(width=5, depth=3, n=20)
    assert p.assumptions == {"nonconvex", "finite_sum"}
    assert all(getattr(p, c) is None for c in ("H", "G", "mu", "rho", "f_star", "x_star"))
    assert p.d == 2 * 5 + 5 + 2 * (25 + 5) + 2 * 5 + 2 + 2 + 1


def test_reproducible_data_start_and_run():
    U1, y1 = spirals(50, seed=3)
    U2, y2 = spirals(50, seed=3)
    assert numpy.array_equal(U1, U2) and numpy.array_equal(y1, y2)
    assert not numpy.array_equal(U1, spirals(50, seed=4)[0])
    p, q = residual_relu(width=4, depth=3, n=40, seed=1), residual_relu(width=4, depth=3, n=40, seed=1)
    assert numpy.array_equal(p.x0(seed=5), q.x0(seed=5)) and not numpy.array_equal(p.x0(seed=5), p.x0(seed=6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = run(SGD(lr=0.1), p, steps=50, x0=p.x0(seed=5), seed=7, batch_size=5, progress=False, grad_norm=False)
        b = run(SGD(lr=0.1), q, steps=50, x0=q.x0(seed=5), seed=7, batch_size=5, progress=False, grad_norm=False)
    assert numpy.array_equal(numpy.asarray(a.x), numpy.asarray(b.x))


def test_bad_sizes_are_refused_by_name():
    with pytest.raises(ValueError, match="width"):
        residual_relu(width=0)
    with pytest.raises(ValueError, match="depth"):
        residual_relu(depth=-1)
