"""Contracts over the whole catalogue: every method decreases a well-conditioned quadratic, the same
seed gives the same trajectory, and bad hyperparameters raise a ValueError naming the parameter.

The common problem is an interpolating least squares (y = X w_true exactly, unit rows): a quadratic
with condition number ~2.4 on which constant-step stochastic methods converge; x_star and f_star
come from the problem family's closed form (lstsq), independently of the algorithms.
"""
import math

import numpy as np
import pytest

from optlab.algorithms import (
    ALGORITHMS, ANGD, GD, IANSGD, LAMB, LARS, SGD, SVRG, AcceleratedGD, AdaGrad, AdaGradNorm,
    AdaGradNormEMA, AdaGradNormEMAMax, Adam, AlmostConvexProx, ClippedSGD, CosineAnnealing, CubicNewton,
    GradientAutoscale, HogwildSim, InverseSqrt, LinearWarmup, MinibatchSGD, Momentum, NegativeCurvature,
    NesterovMomentum, NormalizedSGDMomentum, NormalizedSTORM, ParallelMinibatchSGD, ProjectedSGD,
    ScaleInvariantSGD, SGDMomentum, ShuffledSGD, StepDecay, StepRuleSGD, Transformed, WNGrad, run,
)
from optlab.algorithms import PSGD, AMSGrad, StronglyConvexAGD
from optlab.algorithms import GradientCentralization, GradNorm, ZNorm
from optlab.problems import least_squares

P = least_squares(n=40, d=5, seed=0, noise=0.0, normalize=True)
H = P.H

METHODS = {
    "gd": GD(lr=1 / H),
    "sgd": SGD(lr=0.5),
    "sgd_cosine": SGD(lr=CosineAnnealing(lr_max=0.8, period=(100, 200))),
    "sgd_warmup": SGD(lr=LinearWarmup(lr=0.8, warmup=20)),
    "sgd_step_decay": SGD(lr=StepDecay(lr=0.8, every=100, factor=0.5)),
    "shuffled_sgd": ShuffledSGD(lr=0.5),
    "minibatch_sgd": MinibatchSGD(lr=0.5, batch_size=4, replace=False),
    "parallel_minibatch_sgd": ParallelMinibatchSGD(lr=0.5, batch_size=4, workers=2),
    "step_rule_sgd": StepRuleSGD(lr=0.8, alpha=0.5),
    "step_rule_sgd_combined": StepRuleSGD(lr=0.8, alpha=0.5, psi="sqrt", K=100),
    "adagrad_norm": AdaGradNorm(c=1.0),
    "adagrad_norm_ema": AdaGradNormEMA(c=0.5, beta=0.9),
    "adagrad_norm_ema_max": AdaGradNormEMAMax(c=1.0, beta=0.9),
    "momentum": Momentum(lr=1 / H, momentum=0.5),
    "nesterov_two_step": Momentum(lr=1 / H, momentum=0.5, two_step=True),
    "agd_momentum_form": Momentum(lr=1 / H, momentum=NesterovMomentum(), two_step=True),
    "accelerated_gd": AcceleratedGD(lr=1 / H),
    "adagrad": AdaGrad(c=0.3),
    "adam": Adam(lr=0.05),
    "adam_kingma": Adam(lr=0.05, eps_mode="kingma"),
    "hogwild_sim": HogwildSim(lr=0.3, tau=4),
    "hogwild_sim_coordinate": HogwildSim(lr=0.1, tau=4, coordinate=True, delay="uniform"),
    "sgd_momentum": SGDMomentum(lr=0.3, alpha=0.5),
    "projected_sgd": ProjectedSGD(mu=1.0, D=10.0),
    "almost_convex_prox": AlmostConvexProx(gamma=0.1, H=H),
    "svrg": SVRG(lr=0.3),
    "normalized_sgd_momentum": NormalizedSGDMomentum(lr=InverseSqrt(0.2), alpha=0.5),
    "normalized_storm": NormalizedSTORM(lr=InverseSqrt(0.2), alpha=0.5),
    "lars": LARS(lr=0.05),
    "lamb": LAMB(lr=0.05, blocks=(3, 2)),
    "lamb_momentum": LAMB(lr=0.05, adam=False),
    "negative_curvature": NegativeCurvature(J=1.0, lr=1 / H),
    "cubic_newton": CubicNewton(J=1.0),
    "gan_sgd": Transformed(SGD(lr=0.5), GradientAutoscale(shapes=((2, 2), (1,)))),
    "gan_momentum": Transformed(Momentum(lr=1.0, momentum=0.5, stochastic=True),
                                GradientAutoscale(shapes=((2, 2), (1,)))),
    "scale_invariant_sgd": ScaleInvariantSGD(lr_w=0.5, lr_g=0.5, blocks=(3,)),
    "psgd": PSGD(lr_w=0.5, lr_g=0.5, blocks=(3,)),
    "an_gd": ANGD(lr=InverseSqrt(0.2), beta=0.5),
    "ian_sgd": IANSGD(lr=0.5, beta=0.5, A=1.0, Gamma=1.0, delta=0.1),
    "clipped_sgd": ClippedSGD(lr=0.5, clip=0.1),
    "strongly_convex_agd": StronglyConvexAGD(lr=1 / H, mu=P.mu),
    "amsgrad": AMSGrad(lr=0.05),
    "grad_norm_sgd": Transformed(SGD(lr=0.05), GradNorm(shapes=((2, 2), (1,)))),
    "gc_sgd": Transformed(SGD(lr=0.5), GradientCentralization(shapes=((2, 2), (1,)))),
    "znorm_sgd": Transformed(SGD(lr=0.05), ZNorm(shapes=((2, 2), (1,)))),
}
STOCHASTIC = [k for k in METHODS if k not in {"gd", "momentum", "nesterov_two_step", "agd_momentum_form",
                                                "accelerated_gd", "almost_convex_prox",
                                                "negative_curvature", "cubic_newton", "gan_momentum",
                                                "strongly_convex_agd"}]
STEPS = 300
# layer-wise methods scale the step by ||W_i||: from W = 0 they cannot move (as the box says)
X0 = {k: np.full(5, 0.5) for k in ("lars", "lamb", "lamb_momentum")}
# PSGD keeps ||x[:3]|| at its start: start on the sphere through the minimizer's block (else it cannot reach it)
X0["psgd"] = np.r_[np.linalg.norm(P.x_star[:3]), 0.0, 0.0, 0.0, 0.0]


def test_catalogue_is_covered():
    """Every catalogue entry (except the sphere method WNGrad, tested on the Rayleigh quotient) has a member
    in the contract table; a transform (GAN, GradNorm, GC, ZNorm) is tested through Transformed."""
    tested = {type(m) for m in METHODS.values()} | {type(part) for m in METHODS.values()
                                                    if isinstance(m, Transformed)
                                                    for part in (m.method, m.transform)}
    missing = {e.name for e in ALGORITHMS
               if isinstance(e.method, type) and e.method not in tested
               and e.method is not WNGrad}
    assert not missing
    assert len({e.name for e in ALGORITHMS}) == len(ALGORITHMS)
    assert all(e.source for e in ALGORITHMS)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_decreases_a_well_conditioned_quadratic(name):
    tr = run(METHODS[name], P, steps=STEPS, seed=1, grad_norm=False, x0=X0.get(name))
    gap0, gapT = P.value(tr.x[0]) - P.f_star, P.value(tr.x[-1]) - P.f_star
    assert gap0 > 0.4
    assert gapT <= 0.5 * gap0, (name, gap0, gapT)
    assert np.all(np.isfinite(tr.loss))


@pytest.mark.parametrize("name", sorted(METHODS))
def test_same_seed_same_trajectory(name):
    kw = dict(steps=50, grad_norm=False, x0=X0.get(name))     # 50 > n: ShuffledSGD reshuffles
    a = run(METHODS[name], P, seed=7, **kw)
    b = run(METHODS[name], P, seed=7, **kw)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.oracle_calls, b.oracle_calls)
    if name in STOCHASTIC:
        c = run(METHODS[name], P, seed=8, **kw)
        assert not np.array_equal(a.x, c.x)


def test_steps_do_not_mutate_x0():
    x0 = np.ones(5)
    for name in ("adam", "adagrad", "sgd", "lars"):
        run(METHODS[name], P, steps=3, x0=x0)
        np.testing.assert_array_equal(x0, np.ones(5))


BAD = [
    (lambda: SGD(lr=0.0), "lr"),
    (lambda: SGD(lr=-1.0), "lr"),
    (lambda: GD(lr=math.nan), "lr"),
    (lambda: GD(lr="0.1"), "lr"),
    (lambda: Adam(lr=-1e-3), "lr"),
    (lambda: Adam(beta1=1.0), "beta1"),
    (lambda: Adam(beta2=-0.1), "beta2"),
    (lambda: Adam(eps=-1e-8), "eps"),
    (lambda: Adam(eps_mode="torch"), "eps_mode"),
    (lambda: AdaGrad(c=0.1, eps=-1.0), "eps"),
    (lambda: AdaGradNorm(c=0.0), "c"),
    (lambda: AdaGradNormEMA(c=1.0, beta=1.0), "beta"),
    (lambda: AdaGradNormEMAMax(c=1.0, beta=-0.5), "beta"),
    (lambda: Momentum(lr=0.1, momentum=1.5), "momentum"),
    (lambda: SGDMomentum(lr=0.1, alpha=0.0), "alpha"),
    (lambda: NormalizedSTORM(lr=0.1, alpha=1.5), "alpha"),
    (lambda: LAMB(lr=0.1, beta=1.0), "beta"),
    (lambda: ANGD(lr=0.1, beta=1.5), "beta"),
    (lambda: IANSGD(lr=0.1, Gamma=0.0), "Gamma"),
    (lambda: ClippedSGD(lr=0.1, clip=-1.0), "clip"),
    (lambda: HogwildSim(lr=0.1, tau=-1), "tau"),
    (lambda: HogwildSim(lr=0.1, coordinate_scale=2), "coordinate_scale"),
    (lambda: MinibatchSGD(lr=0.1, batch_size=0), "batch_size"),
    (lambda: ParallelMinibatchSGD(lr=0.1, batch_size=5, workers=2), "workers"),
    (lambda: ProjectedSGD(mu=0.0, D=1.0), "mu"),
    (lambda: CubicNewton(J=0.0), "J"),
    (lambda: StepRuleSGD(lr=0.1, alpha=-1.0), "alpha"),
    (lambda: StepRuleSGD(lr=0.1, alpha=1.0, psi="cube"), "psi"),
    (lambda: CosineAnnealing(lr_max=1.0, period=10, lr_min=2.0), "lr_min"),
    (lambda: StepDecay(lr=1.0, every=10, factor=2.0), "factor"),
    (lambda: GradientAutoscale(clip_a=0.0), "clip_a"),
    (lambda: GradNorm(alpha=0.0), "alpha"),
    (lambda: GradientCentralization(shapes=((2, 0),)), "shapes"),
    (lambda: ZNorm(eps=-1.0), "eps"),
    (lambda: ZNorm(shapes=((1, 1), (3,))), "shapes"),
    (lambda: ScaleInvariantSGD(lr_w=0.1, lr_g=-0.1, blocks=(2,)), "lr_g"),
    (lambda: SVRG(lr=0.1, checkpoint="best"), "checkpoint"),
]


@pytest.mark.parametrize("make, name", BAD, ids=[f"{n}-{i}" for i, (_, n) in enumerate(BAD)])
def test_invalid_hyperparameters_raise_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        make()


def test_batch_larger_than_n_raises_naming_batch_size():
    with pytest.raises(ValueError, match=r"batch_size"):
        run(MinibatchSGD(lr=0.1, batch_size=41, replace=False), P, steps=1)
    with pytest.raises(ValueError, match=r"batch_size"):
        run(SGD(lr=0.1), P, steps=1, batch_size=41, replace=False)


def test_hyperparameters_are_visible_and_comparable():
    a = Adam(lr=0.01, beta1=0.8)
    assert (a.lr, a.beta1, a.beta2, a.eps, a.eps_mode) == (0.01, 0.8, 0.999, 1e-8, "notes")
    assert a == Adam(lr=0.01, beta1=0.8) and "beta1=0.8" in repr(a)
    with pytest.raises(Exception):
        a.lr = 1.0
