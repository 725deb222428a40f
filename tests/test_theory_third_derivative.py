"""EC500 Prop 25.3 (seed 003 L3766-3778): third derivatives from the engine, their operator norm, and the block.

Independent checks: the engine's third-derivative tensor against central differences of the family's own
(analytic) Hessian; the operator-norm bracket against closed forms (rank-one tensors, diagonal tensors) and
against random unit vectors; the block on quadratics (J = 0: both sides exactly 0) and on its tight ray.
"""
import dataclasses

import numpy
import pytest

from optlab.problems import cosine_sum, cubic_test, quadratic, strict_saddle
from optlab.theory import Instance, check, get
from optlab.theory.ec500_second_order import hessian_lipschitz_ratios, segment_jerks
from optlab.theory.third_derivative import op_norm, third_derivative

PROBLEMS = [strict_saddle(d=3, k=2), cubic_test(d=4, rho=2.0, seed=1), cosine_sum(d=3)]


@pytest.mark.parametrize("p", PROBLEMS, ids=lambda p: p.name)
def test_third_derivative_matches_central_differences_of_the_hessian(p):
    rng = numpy.random.default_rng(0)
    h = 1e-4
    for _ in range(3):
        x = rng.standard_normal(p.d)
        T = third_derivative(p, x)
        for k in range(p.d):
            e = numpy.eye(p.d)[k]
            fd = (p.hessian(x + h * e) - p.hessian(x - h * e)) / (2 * h)
            # central differences err by O(h^2 ||grad^4 L||): 1e-6 for these families (4th derivatives <= ~3)
            assert numpy.allclose(T[:, :, k], (fd + fd.T) / 2, atol=1e-6), (p.name, x, k)


def test_op_norm_closed_forms():
    a = numpy.array([1.0, -2.0, 0.5])
    rank_one = numpy.einsum("i,j,k->ijk", a, a, a)             # T(u,u,u) = <a,u>^3: norm ||a||^3
    lower, upper, u = op_norm(rank_one)
    assert lower == pytest.approx(numpy.linalg.norm(a) ** 3, rel=1e-12)
    assert upper == pytest.approx(numpy.linalg.norm(a) ** 3, rel=1e-12)
    diag = numpy.zeros((4, 4, 4))
    for i, t in enumerate([0.3, -1.7, 0.9, 1.2]):               # sum t_i u_i^3: norm max |t_i|
        diag[i, i, i] = t
    assert op_norm(diag).lower == pytest.approx(1.7, rel=1e-12)
    assert numpy.all(op_norm(numpy.zeros((3, 3, 3)))[:2] == (0.0, 0.0))


def test_op_norm_bracket_is_never_beaten_by_random_unit_vectors():
    rng = numpy.random.default_rng(1)
    for d in (2, 3, 5):
        A = rng.standard_normal((d, d, d))
        T = sum(A.transpose(p) for p in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))) / 6
        lower, upper, u = op_norm(T)
        assert abs(numpy.einsum("ijk,i,j,k->", T, u, u, u)) == pytest.approx(lower, rel=1e-12)   # attained
        assert lower <= upper <= numpy.linalg.norm(T) * (1 + 1e-12)
        U = rng.standard_normal((20000, d))
        U /= numpy.linalg.norm(U, axis=1, keepdims=True)
        assert numpy.abs(numpy.einsum("ijk,si,sj,sk->s", T, U, U, U)).max() <= lower * (1 + 1e-12)


def test_family_jerk_stays_below_its_rho():
    """||grad^3 L||_op <= rho is Prop 25.3's hypothesis with J = rho: the attained lower value must not
    exceed the family's certified rho (it would refute it), and reaches it where the family is tight."""
    rng = numpy.random.default_rng(2)
    for p, tight in [(strict_saddle(d=3, k=2, a=1.0, b=0.5), False), (cubic_test(d=3, rho=2.0), True)]:
        best = max(op_norm(third_derivative(p, 3 * rng.standard_normal(p.d))).lower for _ in range(10))
        assert best <= p.rho * (1 + 1e-12)
        if tight:
            assert best == pytest.approx(p.rho, rel=1e-9)      # ||grad^3 (rho ||x||^3/6)|| = rho for x != 0


def test_quadratic_is_the_degenerate_instance_J_equals_zero():
    p = quadratic(d=4, mu=0.5, H=3.0, seed=0)
    W = numpy.random.default_rng(0).standard_normal((4, 4))
    assert numpy.all(hessian_lipschitz_ratios(p, W) == 0) and numpy.all(segment_jerks(p, W) == 0)


def test_block_tight_and_default_and_able_to_fail():
    t = get("EC500-25.3")
    tight = check(t, t.tight_instance())
    assert tight.holds and tight.ratio >= t.tight_factor
    assert check(t, t.default(0)).holds
    shrunk = dataclasses.replace(t, bound=lambda inst: 0.99 * t.bound(inst))
    assert not check(shrunk, t.tight_instance()).holds


def test_a_wrong_third_derivative_is_caught():
    """Half the cubic term's jerk (a family whose rho is overstated by 2 in its Hessians) breaks the bound."""
    t = get("EC500-25.3")
    inst = t.tight_instance()
    half = dataclasses.replace(t, bound=lambda i: segment_jerks(_half_cubic(i.problem), _iterates(t, i)))
    assert not check(half, inst).holds


def _half_cubic(p):
    return cubic_test(d=p.d, rho=p.rho / 2, lam_min=-1.0, lam_max=1.0, c_norm=0.0, seed=0)


def _iterates(t, inst):
    from optlab.algorithms import run
    from optlab.theory.measures import iterates

    return iterates(run(t.method(inst), inst.problem, steps=inst.T, x0=inst.x0, progress=False))


def test_bad_point_is_refused():
    with pytest.raises(ValueError, match="w must be one point"):
        third_derivative(strict_saddle(d=2), numpy.zeros((2, 2)))
    with pytest.raises(ValueError, match="T must be a d x d x d tensor"):
        op_norm(numpy.zeros((2, 3, 2)))
