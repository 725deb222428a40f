"""The four statements added for lectures 08-10 can fail: each check is shown failing on a run that
breaks its hypothesis or on a bound made slightly too strong (the catalogue tests show them holding)."""
import dataclasses

import numpy as np

from optlab.algorithms import GD, AMSGrad, InverseSqrt, Online
from optlab.problems import quadratic
from optlab.theory import Instance, check, get


def test_bubeck_rate_fails_for_gradient_descent():
    theorem = get("Bubeck-3.18")
    q = quadratic(d=20, mu=1e-3, H=1.0, seed=1, spectrum="log")
    inst = Instance(q, q.x_star + np.ones(20), T=400, hyper={"lr": 1.0})
    assert check(theorem, inst).holds
    assert not check(dataclasses.replace(theorem, method=lambda i: GD(lr=i.hyper["lr"])), inst).holds


def test_debiasing_needs_the_v0_term_the_notes_drop():
    theorem = get("EC500-17.0-debias")
    inst = theorem.default(0)                                  # eps = 0.5 in the notes' convention, T = 5
    b2, T, eps = inst.hyper["beta2"], inst.T, inst.hyper["eps"]
    dropped = b2 ** T * eps ** 2 / (1 - b2 ** T)
    notes = dataclasses.replace(theorem, bound=lambda i: theorem.bound(i) - dropped)   # E[v_hat] = g^2
    assert check(theorem, inst).holds and not check(notes, inst).holds


def test_reddi_cycle_does_not_happen_with_amsgrad():
    theorem = get("Reddi-2018-1")
    inst = theorem.default(0)

    def amsgrad(i):
        C = float(i.problem.slopes[0])
        return Online(AMSGrad(lr=InverseSqrt(i.hyper["lr"]), beta1=0.0, beta2=1 / (1 + C ** 2), eps=0.0))

    assert check(theorem, inst).holds
    assert not check(dataclasses.replace(theorem, method=amsgrad), inst).holds


def test_onehot_bound_is_within_a_factor_two_of_the_measurement():
    theorem = get("EC500-16.3-onehot")
    inst = dataclasses.replace(theorem.default(0), T=100, seeds=20)
    assert check(theorem, inst).holds
    assert not check(dataclasses.replace(theorem, bound=lambda i: 0.4 * theorem.bound(i)), inst).holds
