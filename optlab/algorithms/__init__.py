"""The algorithm catalogue: one small class per method, each line traceable to its algorithm box.

Every method is a frozen dataclass of hyperparameters (named as in the source, validated on
construction) with ``init(x0, oracle) -> state`` and ``step(state, oracle) -> state``; ``run`` drives
it and returns a :class:`Trace`; ``plot_trace`` draws traces. ``ALGORITHMS`` lists every method with
its source (used by ``optlab list``); ``SCHEDULES`` the learning-rate schedules.

Example:
    >>> from optlab.problems import quadratic
    >>> tr = run(Adam(lr=0.1), quadratic(d=5, mu=1.0, H=4.0), steps=200)
    >>> bool(tr.gap[-1] < 1e-3 * tr.gap[0])
    True
    >>> len(ALGORITHMS) >= 30
    True
"""
from typing import NamedTuple

from .adam import Adam
from .adaptive import AdaGrad, AdaGradNorm, AdaGradNormEMA, AdaGradNormEMAMax
from .almost_convex import AlmostConvexProx
from .gd import GD
from .generalized_smooth import ANGD, IANSGD, ClippedSGD
from .hogwild import HogwildSim
from .hogwild_shm import HogwildResult, hogwild
from .lars_lamb import LAMB, LARS
from .momentum import AcceleratedGD, Momentum, NesterovMomentum, SGDMomentum, agd_alphas
from .normalized import NormalizedSGDMomentum, NormalizedSTORM
from .run import DivergenceError, Trace, run
from .scale_invariant import PSGD, ScaleInvariantSGD, WNGrad
from .schedules import (
    SCHEDULES, BatchScaled, Constant, CosineAnnealing, EpochDiminishing, InverseSqrt, InverseTime,
    LinearWarmup, PowerDecay, StepDecay,
)
from .second_order import CubicNewton, NegativeCurvature, solve_cubic
from .sgd import (
    SGD, MinibatchSGD, ParallelMinibatchSGD, ProjectedSGD, ShuffledSGD, StepRuleSGD,
)
from .transforms import GradientAutoscale, Transformed
from .variance_reduced import SVRG
from ..plotting import plot_trace
from .accelerated_strongly_convex import StronglyConvexAGD
from .amsgrad import AMSGrad
from .online import Online
from .projected import Projected
from .baseline_transforms import GradientCentralization, GradNorm, ZNorm


class Entry(NamedTuple):
    name: str
    method: object      # a method class (or, for real Hogwild!, the function that runs it)
    source: str


ALGORITHMS = (
    Entry("gd", GD, "EC500 Algorithm 1 (seed 003 L152-160)"),
    Entry("sgd", SGD, "EC500 Algorithm 2 (seed 003 L287-301); slides' SGD (seed 004 L218-235)"),
    Entry("shuffled_sgd", ShuffledSGD, "EC500 Algorithm 3, SGD for ERM with shuffling (seed 003 L385-407)"),
    Entry("minibatch_sgd", MinibatchSGD,
          "EC500 Algorithm 6 (seed 003 L1126-1137); minibatches with/without replacement (seed 004 L147-235)"),
    Entry("step_rule_sgd", StepRuleSGD, "SGD slides' adaptive and combined step rules (seed 004 L820-852)"),
    Entry("adagrad_norm", AdaGradNorm, "EC500 Algorithm 7, adaptive SGD (seed 003 L1391-1407)"),
    Entry("adagrad_norm_ema", AdaGradNormEMA, "EC500 Algorithm 8, adaptive SGD with EMA (seed 003 L1803-1817)"),
    Entry("adagrad_norm_ema_max", AdaGradNormEMAMax,
          "EC500 Algorithm 9, corrected adaptive SGD with EMA (seed 003 L1825-1841)"),
    Entry("momentum", Momentum,
          "EC500 Algorithm 10, GD with momentum, sign fixed per L2149-2151 (seed 003 L2003-2019)"),
    Entry("accelerated_gd", AcceleratedGD, "EC500 Algorithm 11, linear coupling (seed 003 L2083-2107)"),
    Entry("adagrad", AdaGrad, "EC500 section 16, per-coordinate AdaGrad (seed 003 L2307-2311, L2351-2357)"),
    Entry("adam", Adam, "EC500 Algorithm 12 (seed 003 L2448-2472)"),
    Entry("parallel_minibatch_sgd", ParallelMinibatchSGD, "EC500 Algorithm 13 (seed 003 L2579-2592)"),
    Entry("hogwild", hogwild,
          "EC500 Algorithm 14, lock-free worker processes on shared memory (seed 003 L2608-2620)"),
    Entry("hogwild_sim", HogwildSim,
          "EC500 Algorithms 14/15 with staleness tau, Theorem 19.1's model (seed 003 L2608-2669)"),
    Entry("sgd_momentum", SGDMomentum, "EC500 Algorithm 16 (seed 003 L2701-2713)"),
    Entry("projected_sgd", ProjectedSGD, "EC500 Theorem 22.1, eta_t = 1/(mu t) (seed 003 L3136-3138)"),
    Entry("almost_convex_prox", AlmostConvexProx, "EC500 section 22 outer loop (seed 003 L3228-3276)"),
    Entry("svrg", SVRG, "EC500 Algorithm 17 (seed 003 L3354-3372)"),
    Entry("normalized_sgd_momentum", NormalizedSGDMomentum,
          "EC500 section 24, normalized SGD with momentum (seed 003 L3436-3438)"),
    Entry("normalized_storm", NormalizedSTORM,
          "EC500 section 24.1, normalized SGD with variance-reduced momentum (seed 003 L3600-3602)"),
    Entry("lars", LARS, "EC500 section 24.2, LARS (seed 003 L3714)"),
    Entry("lamb", LAMB, "EC500 section 24.2, LAMB (seed 003 L3720-3724)"),
    Entry("negative_curvature", NegativeCurvature,
          "EC500 Theorem 25.7, negative-curvature step (seed 003 L3847)"),
    Entry("cubic_newton", CubicNewton,
          "EC500 section 25, cubic-regularized Newton, hard-case solver (seed 003 L3825-3863)"),
    Entry("gradient_autoscale", GradientAutoscale,
          "Gradient autoscaled normalization, a transform for Transformed(...) (seed 000 L59-92)"),
    Entry("scale_invariant_sgd", ScaleInvariantSGD,
          "(S)GD with separate LRs for scale-invariant weights, eq. (4) (seed 001 L112)"),
    Entry("wngrad", WNGrad, "projected WNGrad / effective LR view, Theorem 2.5 (seed 001 L176-190)"),
    Entry("an_gd", ANGD, "adaptively normalized GD / AN-SGD, eqs. (8), (14) (seed 002 L196, L292)"),
    Entry("ian_sgd", IANSGD, "IAN-SGD, eq. (17) (seed 002 L326-328)"),
    Entry("clipped_sgd", ClippedSGD, "clipped SGD baseline (seed 002 L294; clipping map seed 000 L194)"),
    Entry("strongly_convex_agd", StronglyConvexAGD,
          "Nesterov's AGD for strongly convex losses (external: Nesterov 2004 (2.2.19); EC500 L3210-3214)"),
    Entry("amsgrad", AMSGrad, "AMSGrad (external: Reddi, Kale, Kumar 2018, Alg 2; cited at seed 003 L2546-2548)"),
    Entry("grad_norm", GradNorm, "GradNorm baseline, a transform for Transformed(...) (seed 000 L194, ref [6])"),
    Entry("gradient_centralization", GradientCentralization,
          "gradient centralization (GC) baseline, a transform for Transformed(...) (seed 000 L194, ref [24])"),
    Entry("znorm", ZNorm, "Z-score gradient normalization baseline, a transform for Transformed(...) "
          "(seed 000 L194, ref [25])"),
)

__all__ = [e.method.__name__ for e in ALGORITHMS] + [
    "HogwildResult", "ALGORITHMS", "SCHEDULES", "Entry", "run", "Trace", "DivergenceError", "plot_trace", "Transformed",
    "NesterovMomentum", "agd_alphas", "solve_cubic", "Constant", "InverseSqrt", "PowerDecay",
    "InverseTime", "StepDecay", "CosineAnnealing", "LinearWarmup", "BatchScaled", "EpochDiminishing",
    "Online", "Projected",
]
