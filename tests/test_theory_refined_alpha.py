"""EC500-24.5-refined (Theorem 24.5 with the refined alpha, L3690-3696): its alpha rule and its bound against
the proof's explicit intermediate, recomputed here from the formula at L3684 (independent of the block)."""
import math

import numpy as np
import pytest

from optlab.problems import quadratic
from optlab.theory import Instance, check, get
from optlab.theory.stochastic import delta

REFINED, PLAIN = get("EC500-24.5-refined"), get("EC500-24.5")


def _inst(sigma, T, H=2.0, dist=1.0):
    p = quadratic(d=2, mu=H, H=H, x_star=[0.0, 0.0])
    return Instance(p, [dist, 0.0], T=T, seeds=4, oracle={"noise": "gaussian", "sigma": sigma})


def _intermediate(D, H, s, T, a):
    """L3684: 11 sqrt(Delta H T)/alpha^(1/4) + 13 T sigma sqrt(alpha)/2 + 13 sigma/(2 alpha), any alpha."""
    return 11 * math.sqrt(D * H * T) / a ** 0.25 + 13 * T * s * math.sqrt(a) / 2 + 13 * s / (2 * a)


@pytest.mark.parametrize("sigma, T", [(0.01, 10), (0.3, 50), (1.0, 8), (2.0, 400), (7.0, 1000), (50.0, 3)])
def test_bound_is_the_intermediate_at_the_refined_alpha(sigma, T):
    inst = _inst(sigma, T)
    D, H = delta(inst), inst.problem.H
    m = REFINED.method(inst)
    alpha = min(1.0, (D * H) ** (2 / 3) / (sigma ** (4 / 3) * T ** (2 / 3)))
    assert m.alpha == pytest.approx(alpha, rel=1e-12)
    assert m.lr == pytest.approx(math.sqrt(D * math.sqrt(alpha) / (H * T)), rel=1e-12)
    assert (m.alpha == 1.0) == (sigma <= math.sqrt(D * H / T))              # the cut-off condition
    b, mid = REFINED.bound(inst)[0], _intermediate(D, H, sigma, T, alpha)
    if alpha < 1:
        assert b == pytest.approx(mid, rel=1e-12)                           # exact below alpha = 1
    else:
        assert mid <= b * (1 + 1e-12) and b == pytest.approx(24 * math.sqrt(D * H * T), rel=1e-12)
        assert b <= 34 * math.sqrt(D * H * T)                               # the printed 34 is looser


def test_refined_beats_plain_alpha_bound_at_low_noise_and_loses_at_high_noise():
    """Low noise: 24 sqrt(Delta H T) against 11 sqrt(Delta H) T^(2/3) + ..., a factor 2.2 T^(-1/6) (0.57 at
    T = 3000); high noise: the third term 13 sigma/(2 alpha) grows like sigma^(7/3)."""
    low, high = _inst(0.01, 3000), _inst(30.0, 300)
    assert REFINED.bound(low)[0] < 0.6 * PLAIN.bound(low)[0]
    assert REFINED.bound(high)[0] > 2 * PLAIN.bound(high)[0]


def test_refined_holds_on_a_low_noise_run_where_alpha_is_one():
    inst = _inst(0.001, 200)
    c = check(REFINED, inst)
    assert REFINED.method(inst).alpha == 1.0 and c.holds and 0 < c.ratio < 1
