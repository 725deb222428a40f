"""The CuPy backend, checked on the CPU: engine primitives, problem families, oracles and algorithms
run on device arrays of the fake CuPy (tests/fake_cupy) and agree with the NumPy run.

The fake's arrays refuse to mix with plain NumPy arrays, as CuPy's do, so a host array that leaks into
a device computation fails here as it would on a GPU. The fake must never be importable in the pytest
process (it would shadow a real CuPy and confuse tests/test_algorithms_gpu.py), so every device check
runs in ONE subprocess: this file executed as a script with tests/fake_cupy first on sys.path. The
script prints a JSON verdict per check; the tests below are one per check and look their verdict up.

Fused GPU kernels (``cupy.ElementwiseKernel``, optlab.fused) do not exist in the fake. Methods that call
them (Adam, AdaGrad, SGDMomentum and NormalizedSGDMomentum) run their trajectory with optlab.fused's
functions replaced by in-place array code in the kernels' order ("stubbed fused"), and, where step 1
takes the plain path (SGDMomentum, NormalizedSGDMomentum), one step with the real optlab.fused too.
The kernels themselves are checked on a GPU by tests/test_algorithms_gpu.py.

The fake differs from CuPy in three ways that would fail checks for reasons CuPy never has; the device
run closes them first (``_cupy_like_fake``). ``test_on_a_real_gpu`` runs the same checks in-process with
the real CuPy (fused kernels included, looser tolerances) where a GPU is present.

Known engine issues are listed in ``KNOWN_ENGINE_ISSUES`` and run as strict xfails, so a fix shows up;
they fail the same way with the real CuPy 14 on an H100.
"""
from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import subprocess
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest

import optlab
import optlab.numpy as onp
from optlab.algorithms import (
    ALGORITHMS, ANGD, GD, IANSGD, LAMB, LARS, SGD, SVRG, AcceleratedGD, AdaGrad, AdaGradNorm,
    AdaGradNormEMA, AdaGradNormEMAMax, Adam, AlmostConvexProx, ClippedSGD, CubicNewton,
    GradientAutoscale, HogwildSim, InverseSqrt, MinibatchSGD, Momentum, NegativeCurvature,
    NesterovMomentum, NormalizedSGDMomentum, NormalizedSTORM, ParallelMinibatchSGD, ProjectedSGD,
    ScaleInvariantSGD, SGDMomentum, ShuffledSGD, StepRuleSGD, Transformed, WNGrad, run,
)
from optlab.algorithms import AMSGrad, Online, Projected, StronglyConvexAGD
from optlab.algorithms import GradientCentralization, GradNorm, ZNorm
from optlab.backend import to_numpy
from optlab.problems import FAMILIES, Oracle, least_squares, quadratic, rayleigh_quotient
from optlab.problems import reddi_adam_example, zipf_one_hot

ROOT = Path(__file__).resolve().parents[1]
FAKE = ROOT / "tests" / "fake_cupy"
# The fake computes on the CPU as NumPy does: results agree to rounding. A real GPU (test_on_a_real_gpu)
# rounds differently (fused multiply-add, reduction order, cuBLAS), so its comparisons are looser.
TOL = {"rtol": 1e-12, "atol": 1e-13}
TRAJECTORY_TOL = {"rtol": 1e-10, "atol": 1e-12}
REAL_GPU = [False]


# =============================================================================== (a) primitives
def _u(seed, shape, lo=-1.0, hi=1.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


_X34, _Y34, _Y4 = _u(1, (3, 4)), _u(2, (3, 4)), _u(3, (4,))
_P34, _P4 = _u(4, (3, 4), 0.5, 2.0), _u(5, (4,), 0.5, 2.0)
_M42, _V4, _V3 = _u(6, (4, 2)), _u(7, (4,)), _u(8, (3,))
_COND = _u(9, (3, 4)) > 0
_IDX = np.array([2, 0, 2])

# name -> (fn, args, differentiable positions). Arguments that are NumPy arrays move to the device in
# the device run (non-differentiable ones too: masks, index arrays); Python scalars stay as they are.
PRIMITIVES = {
    "abs": (onp.abs, [_X34], (0,)),
    "absolute": (onp.absolute, [_X34], (0,)),
    "cos": (onp.cos, [_X34], (0,)),
    "exp": (onp.exp, [_X34], (0,)),
    "expm1": (onp.expm1, [_X34], (0,)),
    "log": (onp.log, [_P34], (0,)),
    "log1p": (onp.log1p, [_P34], (0,)),
    "negative": (onp.negative, [_X34], (0,)),
    "relu": (onp.relu, [_X34], (0,)),
    "sigmoid": (onp.sigmoid, [_X34], (0,)),
    "sign": (lambda x: onp.sign(x) * x, [_X34], (0,)),
    "sin": (onp.sin, [_X34], (0,)),
    "softplus": (onp.softplus, [_X34], (0,)),
    "sqrt": (onp.sqrt, [_P34], (0,)),
    "square": (onp.square, [_X34], (0,)),
    "tanh": (onp.tanh, [_X34], (0,)),
    "add": (onp.add, [_X34, _Y4], (0, 1)),
    "subtract": (onp.subtract, [_X34, _Y4], (0, 1)),
    "multiply": (onp.multiply, [_X34, _Y4], (0, 1)),
    "divide": (onp.divide, [_X34, _P4], (0, 1)),
    "true_divide": (onp.true_divide, [_Y4, _P34], (0, 1)),
    "power": (onp.power, [_P34, _Y4], (0, 1)),
    "power:scalar_exponent": (lambda x: x ** 3, [_X34], (0,)),
    "power:scalar_base": (lambda x: 2.0 ** x, [_X34], (0,)),
    "maximum": (onp.maximum, [_X34, _Y34], (0, 1)),
    "minimum": (onp.minimum, [_X34, _Y34], (0, 1)),
    "clip": (lambda x: onp.clip(x, -0.5, 0.75), [_X34], (0,)),
    "where": (onp.where, [_COND, _X34, _Y4], (1, 2)),
    "scalar_operators": (lambda x: 2.0 * x - 1.0 + x / 3.0 - 0.5 / (x + 2.0), [_X34], (0,)),
    "matmul": (onp.matmul, [_X34, _M42], (0, 1)),
    "matmul:operator_matrix_vector": (lambda a, v: a @ v, [_X34, _V4], (0, 1)),
    "dot": (onp.dot, [_V4, _Y4], (0, 1)),
    "dot:matrix_vector": (onp.dot, [_X34, _V4], (0, 1)),
    "einsum": (lambda a, b: onp.einsum("ij,jk->ik", a, b), [_X34, _M42], (0, 1)),
    "einsum:batched": (lambda a, v: onp.einsum("ij,j->i", a, v), [_X34, _V4], (0, 1)),
    "outer": (onp.outer, [_V3, _V4], (0, 1)),
    "sum": (onp.sum, [_X34], (0,)),
    "sum:axis": (lambda x: onp.sum(x, axis=1), [_X34], (0,)),
    "mean": (lambda x: onp.mean(x, axis=0, keepdims=True), [_X34], (0,)),
    "max": (lambda x: onp.max(x, axis=1), [_X34], (0,)),
    "min": (onp.min, [_X34], (0,)),
    "norm": (onp.norm, [_V4], (0,)),
    "norm:frobenius_axis": (lambda x: onp.norm(x, axis=0), [_X34], (0,)),
    "logsumexp": (lambda x: onp.logsumexp(x, axis=1), [_X34], (0,)),
    "softmax": (lambda x: onp.softmax(x, axis=1), [_X34], (0,)),
    "log_softmax": (lambda x: onp.log_softmax(x, axis=-1), [_X34], (0,)),
    "concatenate": (lambda a, b: onp.concatenate([a, b], axis=0), [_X34, _Y34], (0, 1)),
    "stack": (lambda a, b: onp.stack([a, b], axis=1), [_X34, _Y34], (0, 1)),
    "expand_dims": (lambda x: onp.expand_dims(x, 1), [_X34], (0,)),
    "ravel": (onp.ravel, [_X34], (0,)),
    "reshape": (lambda x: onp.reshape(x, (2, 6)), [_X34], (0,)),
    "reshape:method": (lambda x: x.reshape(6, 2), [_X34], (0,)),
    "swapaxes": (lambda x: onp.swapaxes(x, 0, 1), [_X34], (0,)),
    "transpose": (onp.transpose, [_X34], (0,)),
    "transpose:attribute": (lambda x: x.T, [_X34], (0,)),
    "broadcast_to": (lambda v: onp.broadcast_to(v, (3, 4)), [_V4], (0,)),
    "getitem:slice": (lambda x: x[1:, ::2], [_X34], (0,)),
    "getitem:row": (lambda x: x[1], [_X34], (0,)),
    "getitem:index_array": (lambda x, i: x[i], [_X34, _IDX], (0,)),
    "getitem:host_index_array": (lambda x: x[np.array([2, 0, 2])], [_X34], (0,)),
    "getitem:mask": (lambda x, m: x[m], [_X34, _COND], (0,)),
    "getitem:scalar_times_array": (lambda x: x[0, 1] * x, [_X34], (0,)),
    "getitem:scalar": (lambda x: x[0, 1], [_X34], (0,)),
    "getitem:scalar_plus_sum": (lambda x: onp.sum(x[1:]) + x[0, 0], [_X34], (0,)),
    "zeros_like": (lambda x: x + onp.zeros_like(x), [_X34], (0,)),
    "ones_like": (lambda x: x * onp.ones_like(x), [_X34], (0,)),
}

# Engine issues that the device run exposes, each as a strict xfail with its diagnosis, so that a fix
# shows up as an XPASS asking for the entry's removal. (None open: the float seed, getitem's VJP on a
# scalar output, a Python-float base in power, and the mixing message of +,-,*,/ were fixed.)
KNOWN_ENGINE_ISSUES = {}


def _primitive_check(name):
    fn, args, diff = PRIMITIVES[name]

    def loss(*a):
        *a, w = a
        return onp.sum(onp.sin(fn(*a)) * w)

    def compute(args):
        out = fn(*args)
        w = _u(10, np.shape(to_numpy(out)))
        w = _like(w, args[diff[0]])
        grads = optlab.grad(loss, argnums=diff)(*args, w)
        hvps = []
        for k, i in enumerate(diff):
            v = _like(_u(20 + k, np.shape(to_numpy(args[i]))), args[i])
            rest = [a for j, a in enumerate(args) if j != i] + [w]
            hvps.append(optlab.hvp(loss, argnums=i)(args[i], v, *rest))
        return [out, *grads, *hvps]

    def compute_direct(args):   # a scalar output is a loss itself: the reverse pass starts from 1.0
        hvps = []
        for k, i in enumerate(diff):
            v = _like(_u(20 + k, np.shape(to_numpy(args[i]))), args[i])
            rest = [a for j, a in enumerate(args) if j != i]
            hvps.append(optlab.hvp(fn, argnums=i)(args[i], v, *rest))
        return [*optlab.grad(fn, argnums=diff)(*args), *hvps]

    host = compute(args)
    dev = compute([_dev(a) for a in args])
    labels = ["value"] + [f"grad[{i}]" for i in diff] + [f"hvp[{i}]" for i in diff]
    if np.ndim(host[0]) == 0:
        host += compute_direct(args)
        dev += compute_direct([_dev(a) for a in args])
        labels += [f"grad[{i}] of the output itself" for i in diff]
        labels += [f"hvp[{i}] of the output itself" for i in diff]
    for label, d, h in zip(labels, dev, host):
        _same(d, h, f"{name} {label}")


# =============================================================================== (b) problem families
def _family_check(name):
    fam = next(f for f in FAMILIES if f.name == name)
    p = fam.make()
    xh = np.asarray(p.x0(1))
    vh = np.random.default_rng(2).standard_normal(p.d)
    xd, vd = _dev(xh), _dev(vh)
    _close(p.value(xd), p.value(xh), "value")
    _same(p.f(xd), p.f(xh), "f", scalar=True)
    _same(p.grad(xd), p.grad(xh), "grad")
    _same(p.hvp(xd, vd), p.hvp(xh, vh), "hvp")
    _same(p.engine_grad(xd), p.engine_grad(xh), "engine_grad")
    _same(p.engine_hvp(xd, vd), p.engine_hvp(xh, vh), "engine_hvp")
    np.testing.assert_allclose(p.hessian(xd), p.hessian(xh), **TOL, err_msg="hessian (host)")
    assert p.in_domain(xd) == p.in_domain(xh), "in_domain"
    if p.constrained:
        far = 10 * xh + 3.0
        _same(p.project(_dev(far)), np.asarray(p.project(far)), "project")
    if p.is_finite_sum:
        idx = np.array([0, p.n - 1, 0, p.n // 2])
        _same(p.f_i(xd, idx), p.f_i(xh, idx), "f_i", scalar=True)
        _same(p.grad_i(xd, idx), p.grad_i(xh, idx), "grad_i")
        _same(p.engine_grad_i(xd, idx), p.engine_grad_i(xh, idx), "engine_grad_i")
        _same(p.hvp_i(xd, vd, idx), p.hvp_i(xh, vh, idx), "hvp_i")
        _same(p.grad_all(xd), p.grad_all(xh), "grad_all")
        _close(p.variance(xd), p.variance(xh), "variance")
        if hasattr(p, "grad_i_sparse"):
            sd, gd = p.grad_i_sparse(xd, 3)
            sh, gh = p.grad_i_sparse(xh, 3)
            assert np.array_equal(sd, sh)
            _same(gd, gh, "grad_i_sparse")
    for kw in _oracle_models(p):
        _oracle_agrees(p, xh, kw)


def _oracle_models(p):
    if p.is_finite_sum:
        B = min(3, p.n)
        models = [dict(batch_size=1), dict(batch_size=B)]
        if p.weights is None:
            models.append(dict(batch_size=B, replace=False))
        return models
    return [dict(), dict(noise="gaussian", sigma=0.5), dict(noise="gaussian", sigma=0.5, batch_size=3),
            dict(noise="sphere", sigma=0.5), dict(noise="affine", sigma=0.5, tau1=0.3, batch_size=2)]


def _oracle_agrees(p, xh, kw):
    """Same seed, same sample path: three stochastic gradients, a full gradient and the variance."""
    oh, od = Oracle(p, seed=5, **kw), Oracle(p, seed=5, **kw)
    xd = _dev(xh)
    for k in range(3):
        _same(od(xd), oh(xh), f"oracle {kw} call {k}")
    _same(od.full_grad(xd), oh.full_grad(xh), f"oracle {kw} full_grad")
    _close(od.variance(xd), oh.variance(xh), f"oracle {kw} variance")
    assert od.calls == oh.calls and od.grad_evals == oh.grad_evals


def _backend_x0_check(_):
    """optlab.set_backend('cupy') makes x0 (and so a plain run) live on the device."""
    set_backend = optlab.set_backend
    p = least_squares(n=40, d=5, seed=0, noise=0.0, normalize=True)
    host = run(SGD(lr=0.5), p, steps=15, seed=2)
    set_backend("cupy")
    try:
        for fam in FAMILIES:
            q = fam.make()
            for seed in (0, 1):
                x = q.x0(seed)
                assert _is_dev(x), (fam.name, seed, type(x))
                set_backend("numpy")
                np.testing.assert_array_equal(to_numpy(x), q.x0(seed), err_msg=fam.name)
                set_backend("cupy")
        dev = run(SGD(lr=0.5), p, steps=15, seed=2)
    finally:
        set_backend("numpy")
    assert _is_dev(dev.state.x)
    np.testing.assert_allclose(dev.x, host.x, **TRAJECTORY_TOL)
    np.testing.assert_allclose(dev.loss, host.loss, **TRAJECTORY_TOL)


def _device_data_check(_):
    """DeviceData copies to a device once and reuses the copy; a NumPy x gets the host arrays."""
    import cupy

    from optlab.problems.base import DeviceData

    calls = []
    real = cupy.asarray

    def counting(a, *args, **kw):
        calls.append(1)
        return real(a, *args, **kw)

    host = np.arange(3.0)
    data = DeviceData(host, 2.5)
    xd = real(np.ones(3))
    cupy.asarray = counting
    try:
        first, second = data(xd), data(xd)
        from optlab.autodiff.graph import Variable

        third = data(Variable(xd))                 # a graph value decides by its value
    finally:
        cupy.asarray = real
    assert len(calls) == 1, calls
    assert first[0] is cupy and first[1] is second[1] is third[1] and _is_dev(first[1])
    assert first[2] == 2.5
    xp, h, c = data(np.ones(3))
    assert xp is np and h is host and c == 2.5


# =============================================================================== (c) algorithms
def _methods():
    P = least_squares(n=40, d=5, seed=0, noise=0.0, normalize=True)
    H = P.H
    Q = quadratic(d=6, mu=0.5, H=3.0, seed=1)
    RQ = rayleigh_quotient(d=5, n=6, seed=0)
    lsq = dict(problem=P)
    x05 = dict(problem=P, x0=np.full(5, 0.5))
    return {
        "gd": dict(method=GD(lr=1 / H), **lsq),
        "sgd": dict(method=SGD(lr=0.5), **lsq),
        "sgd:gaussian_noise": dict(method=SGD(lr=0.1), problem=Q, noise="gaussian", sigma=0.3),
        "sgd:sphere_noise_batch": dict(method=SGD(lr=0.1), problem=Q, noise="sphere", sigma=0.3,
                                       batch_size=2),
        "shuffled_sgd": dict(method=ShuffledSGD(lr=0.5), steps=50, **lsq),
        "minibatch_sgd": dict(method=MinibatchSGD(lr=0.5, batch_size=4, replace=False), **lsq),
        "parallel_minibatch_sgd": dict(method=ParallelMinibatchSGD(lr=0.5, batch_size=4, workers=2),
                                       **lsq),
        "step_rule_sgd": dict(method=StepRuleSGD(lr=0.8, alpha=0.5, psi="sqrt", K=100), **lsq),
        "adagrad_norm": dict(method=AdaGradNorm(c=1.0), **lsq),
        "adagrad_norm_ema": dict(method=AdaGradNormEMA(c=0.5, beta=0.9), **lsq),
        "adagrad_norm_ema_max": dict(method=AdaGradNormEMAMax(c=1.0, beta=0.9), **lsq),
        "momentum": dict(method=Momentum(lr=1 / H, momentum=0.5), **lsq),
        "momentum:nesterov_two_step": dict(method=Momentum(lr=1 / H, momentum=NesterovMomentum(),
                                                           two_step=True), **lsq),
        "accelerated_gd": dict(method=AcceleratedGD(lr=1 / H), **lsq),
        "adagrad": dict(method=AdaGrad(c=0.3), fused=True, **lsq),
        "adam": dict(method=Adam(lr=0.05), fused=True, **lsq),
        "adam:kingma": dict(method=Adam(lr=0.05, eps_mode="kingma"), fused=True, **lsq),
        "hogwild_sim": dict(method=HogwildSim(lr=0.3, tau=4), **lsq),
        "hogwild_sim:coordinate": dict(method=HogwildSim(lr=0.1, tau=4, coordinate=True,
                                                         delay="uniform"), **lsq),
        "sgd_momentum": dict(method=SGDMomentum(lr=0.3, alpha=0.5), fused=True, **lsq),
        "projected_sgd": dict(method=ProjectedSGD(mu=1.0, D=10.0), **lsq),
        "projected_sgd:constrained_problem": dict(
            method=SGD(lr=0.1), problem=quadratic(d=5, mu=0.5, H=4.0, radius=2.0), noise="gaussian",
            sigma=0.3),
        "almost_convex_prox": dict(method=AlmostConvexProx(gamma=0.1, H=H), **lsq),
        "svrg": dict(method=SVRG(lr=0.3), **lsq),
        "normalized_sgd_momentum": dict(method=NormalizedSGDMomentum(lr=InverseSqrt(0.2), alpha=0.5),
                                        fused=True, **lsq),
        "normalized_storm": dict(method=NormalizedSTORM(lr=InverseSqrt(0.2), alpha=0.5), **lsq),
        "lars": dict(method=LARS(lr=0.05), **x05),
        "lamb": dict(method=LAMB(lr=0.05, blocks=(3, 2)), **x05),
        "lamb:momentum": dict(method=LAMB(lr=0.05, adam=False), **x05),
        "negative_curvature": dict(method=NegativeCurvature(J=1.0, lr=1 / H), **lsq),
        "cubic_newton": dict(method=CubicNewton(J=1.0), **lsq),
        "gradient_autoscale": dict(method=Transformed(SGD(lr=0.5), GradientAutoscale(
            shapes=((2, 2), (1,)))), **lsq),
        "scale_invariant_sgd": dict(method=ScaleInvariantSGD(lr_w=0.5, lr_g=0.5, blocks=(3,)), **lsq),
        "wngrad": dict(method=WNGrad(lr_w=0.5, lr_g=0.5, blocks=(5,)), problem=RQ),
        "an_gd": dict(method=ANGD(lr=InverseSqrt(0.2), beta=0.5), **lsq),
        "ian_sgd": dict(method=IANSGD(lr=0.1, beta=0.5, A=1.0, Gamma=1.0, delta=0.1), problem=Q,
                        noise="affine", sigma=0.3, tau1=0.2),
        "clipped_sgd": dict(method=ClippedSGD(lr=0.5, clip=0.1), **lsq),
        "strongly_convex_agd": dict(method=StronglyConvexAGD(lr=1 / H, mu=P.mu), **lsq),
        "amsgrad": dict(method=AMSGrad(lr=0.05), **lsq),
        "online:reddi": dict(method=Online(Adam(lr=InverseSqrt(0.5), beta1=0.0, beta2=0.1, eps=0.0)),
                             problem=reddi_adam_example(C=3.0), x0=np.ones(1), steps=30, fused=True),
        "projected:zipf": dict(method=Projected(AdaGradNorm(c=1.0, eps=0.0)), problem=zipf_one_hot(d=6),
                               x0=np.zeros(6), steps=30),
        "grad_norm": dict(method=Transformed(SGD(lr=0.05), GradNorm(shapes=((2, 2), (1,)))), **lsq),
        "gradient_centralization": dict(method=Transformed(SGD(lr=0.5), GradientCentralization(
            shapes=((2, 2), (1,)))), **lsq),
        "znorm": dict(method=Transformed(SGD(lr=0.05), ZNorm(shapes=((2, 2), (1,)))), **lsq),
    }


METHOD_NAMES = sorted(_methods())
FUSED_PLAIN_FIRST_STEP = ("sgd_momentum", "normalized_sgd_momentum")   # step 1 takes the plain path
HOST_ONLY_ALGORITHMS = {"hogwild": "real Hogwild! runs worker processes on shared host memory"}


def _algorithm_check(name, stub_fused=True, steps=None):
    case = dict(_methods()[name])
    method, p = case.pop("method"), case.pop("problem")
    fused = case.pop("fused", False)
    steps = case.pop("steps", 20) if steps is None else steps
    x0 = case.pop("x0", None)
    x0 = np.asarray(p.x0(1)) if x0 is None else x0
    host = run(method, p, steps=steps, x0=x0, seed=3, **case)
    if fused and stub_fused and not REAL_GPU[0]:
        with _stubbed_fused():
            dev = run(method, p, steps=steps, x0=_dev(x0), seed=3, **case)
    else:
        dev = run(method, p, steps=steps, x0=_dev(x0), seed=3, **case)
    assert _is_dev(dev.state.x), type(dev.state.x)
    np.testing.assert_allclose(dev.x, host.x, **TRAJECTORY_TOL, err_msg=f"{name} iterates")
    np.testing.assert_allclose(dev.loss, host.loss, **TRAJECTORY_TOL, err_msg=f"{name} loss")
    np.testing.assert_array_equal(dev.grad_evals, host.grad_evals)


def _batch_check(name):
    """A batch of seeds on the device equals the same batch on the host (fast paths stubbed)."""
    import warnings

    case = dict(_methods()[name])
    method, p = case.pop("method"), case.pop("problem")
    case.pop("fused", False)
    steps = case.pop("steps", 20)
    x0 = case.pop("x0", None)
    x0 = np.asarray(p.x0(1)) if x0 is None else x0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                    # seed loops and row-by-row problems say so
        host = run(method, p, steps=steps, x0=x0, seeds=(3, 5), **case)
        with (contextlib.nullcontext() if REAL_GPU[0] else _stubbed_fused()):
            dev = run(method, p, steps=steps, x0=_dev(x0), seeds=(3, 5), **case)
    np.testing.assert_allclose(dev.x, host.x, **TRAJECTORY_TOL, err_msg=f"{name} batched iterates")
    np.testing.assert_allclose(dev.loss, host.loss, **TRAJECTORY_TOL, err_msg=f"{name} batched loss")


def _counter_stream_check(_):
    """The counter stream computes a batch's noise on the device; it follows the host batch."""
    from optlab.algorithms import SGD
    from optlab.problems import cosine_sum

    p = cosine_sum(d=5)
    kw = dict(steps=15, seeds=range(6), noise="sphere", sigma=1.0, stream="counter", batch_size=2)
    x0 = np.asarray(p.x0(1))
    host, dev = run(SGD(lr=0.5), p, x0=x0, **kw), run(SGD(lr=0.5), p, x0=_dev(x0), **kw)
    assert _is_dev(dev.state.x), type(dev.state.x)
    np.testing.assert_allclose(dev.x, host.x, **TRAJECTORY_TOL, err_msg="counter-stream iterates")


class _stubbed_fused:
    """optlab.fused's kernels as in-place array code in the kernels' order (the fake has no
    ElementwiseKernel); what is checked is everything around the kernel: state, gradients, noise."""

    def __enter__(self):
        import optlab.fused as fused

        def adam(x, g, m, v, *, b1, b2, scale, eps):
            gg = g * g
            m[...] = (m - g) * b1 + g
            v[...] = (v - gg) * b2 + gg
            x[...] = x - (m / (v ** 0.5 + eps)) * scale

        def adagrad(x, g, s, *, c, eps):
            s[...] = s + g * g
            if eps:
                x[...] = x - (g / (s + eps * eps) ** 0.5) * c
            else:
                step = (g / (s + (s == 0)) ** 0.5) * c
                x[...] = x - step * (s > 0)

        def sgd_momentum(x, g, m, *, alpha, lr):
            m[...] = (1 - alpha) * m + alpha * g
            x[...] = x - lr * m

        def average_and_norm(m, g, *, alpha):
            m[...] = (1 - alpha) * m + alpha * g
            return (m * m).sum()

        def normalized_step(x, m, lr, sumsq=None):
            n = math.sqrt(float((m * m).sum() if sumsq is None else sumsq))
            if n > 0:
                x[...] = x - (lr / n) * m
            return x

        self.fused, self.saved = fused, {k: getattr(fused, k) for k in
                                         ("adam", "adagrad", "sgd_momentum", "average_and_norm", "normalized_step")}
        for k, f in dict(adam=adam, adagrad=adagrad, sgd_momentum=sgd_momentum, average_and_norm=average_and_norm,
                         normalized_step=normalized_step).items():
            setattr(fused, k, f)
        return self

    def __exit__(self, *exc):
        for k, f in self.saved.items():
            setattr(self.fused, k, f)


# =============================================================================== (d) mixing
MIXES = {
    "add": lambda d, h: onp.add(d, h),
    "add:host_first": lambda d, h: onp.add(h, d),
    "multiply": lambda d, h: onp.multiply(d, h),
    "matmul": lambda d, h: onp.matmul(d, h),
    "dot": lambda d, h: onp.dot(h, d),
    "einsum": lambda d, h: onp.einsum("i,i->", d, h),
    "maximum": lambda d, h: onp.maximum(d, h),
    "where": lambda d, h: onp.where(d > 0, d, h),
    "concatenate": lambda d, h: onp.concatenate([d, h]),
    "stack": lambda d, h: onp.stack([h, d]),
    "graph:multiply": lambda d, h: optlab.grad(lambda x: onp.sum(x * h))(d),
    "graph:matmul": lambda d, h: optlab.grad(lambda x: onp.sum(onp.outer(h, x)))(d),
    "graph:hvp": lambda d, h: optlab.hvp(lambda x: onp.sum(onp.sin(x)))(d, h),
}


def _mix_check(name):
    d, h = _dev(np.arange(1.0, 4.0)), np.arange(2.0, 5.0)
    try:
        MIXES[name](d, h)
    except TypeError as err:
        msg = str(err)
        assert "CuPy" in msg and "NumPy" in msg, f"the message should name both kinds of array: {msg}"
        return
    raise AssertionError("mixing a device and a host array did not raise TypeError")


# =============================================================================== the device run
CHECKS = {
    **{f"primitive/{k}": functools.partial(_primitive_check, k) for k in PRIMITIVES},
    **{f"family/{f.name}": functools.partial(_family_check, f.name) for f in FAMILIES},
    "backend/x0_and_run_on_the_chosen_backend": functools.partial(_backend_x0_check, None),
    "backend/device_data_copies_once": functools.partial(_device_data_check, None),
    **{f"algorithm/{k}": functools.partial(_algorithm_check, k) for k in METHOD_NAMES},
    **{f"batch/{k}": functools.partial(_batch_check, k) for k in METHOD_NAMES},
    "batch/counter_stream_on_the_device": functools.partial(_counter_stream_check, None),
    **{f"algorithm/{k}:first_step_real_fused_module": functools.partial(
        _algorithm_check, k, stub_fused=False, steps=1) for k in FUSED_PLAIN_FIRST_STEP},
    **{f"mix/{k}": functools.partial(_mix_check, k) for k in MIXES},
}


def _dev(a):
    import cupy

    return cupy.asarray(a) if isinstance(a, np.ndarray) else a


def _like(a, ref):
    return _dev(a) if _is_dev(ref) else a


def _is_dev(a):
    return type(a).__module__ == "cupy"


def _same(d, h, what, scalar=False):
    if scalar:   # a 0-d device array, or a Python float where the function returns one
        assert _is_dev(d) or isinstance(d, float), f"{what}: got {type(d)}"
    else:
        assert _is_dev(d), f"{what}: got {type(d).__module__}.{type(d).__name__}, not a device array"
    np.testing.assert_allclose(to_numpy(d), to_numpy(h), **TOL, err_msg=what)


def _close(d, h, what):
    assert isinstance(d, float), f"{what}: got {type(d)}, not a Python float"
    assert math.isclose(d, h, rel_tol=TOL["rtol"], abs_tol=TOL["atol"]), f"{what}: {d} != {h}"


def _cupy_like_fake():
    """Close three gaps between the fake and CuPy that would fail checks for reasons CuPy never has
    (each is a candidate for tests/fake_cupy itself):

    * integer indexing returns a 0-d device array (the fake returns a NumPy scalar, which puts an
      engine cotangent on the host);
    * ufuncs have ``.at`` (``cupy.add.at``, used by the reverse of x[index_array]); like CuPy's, it
      takes host index arrays and refuses host values;
    * ``cupy.ndarray`` is not a ``numpy.ndarray``: the fake's arrays subclass it, so code that tells
      host from device with ``isinstance(x, numpy.ndarray)`` (optlab/algorithms/run.py, for x_star)
      takes device arrays for host ones. That module is given a ``numpy`` whose ``ndarray`` excludes
      the fake's arrays.
    """
    import types

    import cupy

    getitem = np.ndarray.__getitem__

    def __getitem__(self, index):
        r = getitem(self, index)
        return np.asarray(r).view(cupy.ndarray) if isinstance(r, np.generic) else r

    cupy.ndarray.__getitem__ = __getitem__

    class DeviceUfunc:
        def __init__(self, ufunc, call):
            self._ufunc, self._call = ufunc, call

        def __call__(self, *args, **kwargs):
            return self._call(*args, **kwargs)

        def at(self, a, indices, b=None):
            if type(a) is np.ndarray or type(b) is np.ndarray:
                raise TypeError(f"Unsupported type {np.ndarray} in {self._ufunc.__name__}.at")
            base = lambda v: v.view(np.ndarray) if isinstance(v, cupy.ndarray) else v  # noqa: E731
            indices = tuple(map(base, indices)) if isinstance(indices, tuple) else base(indices)
            self._ufunc.at(base(a), indices, *(() if b is None else (base(b),)))

    lookup = cupy.__getattr__

    def __getattr__(name):
        found = lookup(name)
        ufunc = getattr(np, name, None)
        return DeviceUfunc(ufunc, found) if isinstance(ufunc, np.ufunc) else found

    cupy.__getattr__ = __getattr__

    class HostNdarray(type):
        def __instancecheck__(cls, x):
            return isinstance(x, np.ndarray) and not isinstance(x, cupy.ndarray)

    run_module = sys.modules["optlab.algorithms.run"]   # optlab.algorithms.run is the function

    host_numpy = types.ModuleType("numpy")
    host_numpy.__dict__.update(np.__dict__)
    host_numpy.ndarray = HostNdarray("ndarray", (), {})
    run_module.numpy = host_numpy


def _device_main(names):
    import cupy

    assert Path(cupy.__file__).resolve().is_relative_to(FAKE.resolve()), cupy.__file__
    _cupy_like_fake()
    print(json.dumps(_run_checks(names)))


def _run_checks(names):
    out = {}
    for name in names:
        try:
            CHECKS[name]()
            out[name] = [True, ""]
        except Exception:
            out[name] = [False, traceback.format_exc(limit=-6)]
    return out


def _env(with_fake=True):
    env = dict(os.environ)
    paths = ([str(FAKE)] if with_fake else []) + [str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


@functools.lru_cache(maxsize=None)
def _device_results():
    proc = subprocess.run([sys.executable, __file__, "--device"], capture_output=True, text=True,
                          env=_env(), cwd=ROOT, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"the device run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _param(name):
    if name in KNOWN_ENGINE_ISSUES:
        return pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_ENGINE_ISSUES[name], strict=True))
    return name


@pytest.mark.parametrize("name", [_param(n) for n in CHECKS])
def test_on_device_arrays(name):
    ok, detail = _device_results()[name]
    assert ok, f"{name} failed on device arrays:\n{detail}"


@functools.lru_cache(maxsize=None)
def _real_gpu_results():
    REAL_GPU[0] = True
    saved = dict(TOL), dict(TRAJECTORY_TOL)
    TOL.update(rtol=1e-9, atol=1e-11)
    TRAJECTORY_TOL.update(rtol=1e-8, atol=1e-10)
    try:
        return _run_checks(list(CHECKS))
    finally:
        REAL_GPU[0] = False
        TOL.update(saved[0])
        TRAJECTORY_TOL.update(saved[1])


@pytest.mark.gpu
@pytest.mark.parametrize("name", [_param(n) for n in CHECKS])
def test_on_a_real_gpu(name):
    """The same checks with the real CuPy on a GPU, in this process (skipped without one); the fused
    kernels run for real."""
    ok, detail = _real_gpu_results()[name]
    assert ok, f"{name} failed on a real GPU:\n{detail}"


# =============================================================================== host-side tests
def test_every_primitive_and_algorithm_is_covered():
    from optlab.autodiff.graph import Primitive

    exported = {n for n in dir(onp) if not n.startswith("_")
                and (isinstance(getattr(onp, n), Primitive)
                     or getattr(getattr(onp, n), "__module__", "").startswith(("optlab.autodiff",
                                                                                "optlab.numpy")))}
    covered = {k.split(":")[0] for k in PRIMITIVES} | {"shape", "ndim"}  # shape/ndim: no arrays made
    assert not exported - covered, sorted(exported - covered)
    methods = {type(c["method"]) for c in _methods().values()}
    methods |= {type(part) for c in _methods().values() if isinstance(c["method"], Transformed)
                for part in (c["method"].method, c["method"].transform)}
    missing = {e.name for e in ALGORITHMS if e.name not in HOST_ONLY_ALGORITHMS
               and isinstance(e.method, type) and e.method not in methods}
    assert not missing, sorted(missing)


def test_importing_optlab_never_imports_cupy():
    code = ("import sys, optlab, optlab.numpy, optlab.problems, optlab.algorithms, optlab.backend, "
            "optlab.fused; assert 'cupy' not in sys.modules, 'cupy was imported'")
    for with_fake in (True, False):   # with the fake importable, an import would succeed silently
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=_env(with_fake), cwd=ROOT, timeout=120)
        assert proc.returncode == 0, proc.stderr


def test_set_backend_cupy_without_cupy_says_how_to_install():
    code = ("import sys; sys.modules['cupy'] = None\n"          # as if CuPy were not installed
            "from optlab import set_backend, backend_name\n"
            "try:\n    set_backend('cupy')\n"
            "except ImportError as err:\n    print('ImportError:', err)\n"
            "print('backend:', backend_name())\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=_env(with_fake=False), cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "ImportError:" in proc.stdout and "pip install" in proc.stdout, proc.stdout
    assert "backend: numpy" in proc.stdout   # a failed switch leaves the backend as it was


if __name__ == "__main__" and sys.argv[1:] == ["--device"]:
    sys.path.insert(0, str(FAKE))   # optlab never imports cupy on import: the fake is found first
    _device_main(list(CHECKS))
