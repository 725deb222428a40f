"""The sign of Algorithm 10 in EC500 (seed 003) section 15, against Theorem 15.2's bound, one block each.

Algorithm 10 with Nesterov's beta_t should inherit Theorem 15.2 (L2153); as printed it ascends (E1), with
the signs of L2149-2151 (optlab's ``Momentum``) it is Algorithm 11 and satisfies the bound.
"""
from __future__ import annotations

import numpy

from ..algorithms import Momentum, NesterovMomentum
from ..problems import quadratic
from .block import theorem
from .ec500_accel import SOURCE, EC500_15_2_alpha, PrintedMomentum
from .theorem import Instance


class _Algorithm10(EC500_15_2_alpha):
    """Algorithm 10 with Nesterov's beta_t, against Theorem 15.2's (alpha) bound (not a theorem itself).

    As printed (eqs (5)-(6) at L1991-1993), v_t = beta_t v_{t-1} - eta g_t then w_{t+1} = w_t - v_t
    (lookahead w_t - beta_t v_{t-1}): the first step is w_2 = w_1 + eta g_1, gradient *ascent* (E1).
    L2153 says Algorithm 11 "is exactly the form of the two-step momentum integrator used in Algorithm
    10", so Algorithm 10 with beta_t = alpha_{t-2}^2/(alpha_t alpha_{t-1}) should inherit Theorem 15.2.
    """
    rule = "beta_1 = 0, beta_t = alpha_{t-2}^2/(alpha_t alpha_{t-1}); 0 < eta <= 1/H"
    tight, tight_factor, note = None, None, ""

    def default(self, seed):
        p = quadratic(d=6, mu=0.01, H=1.0, seed=seed)
        return Instance(p, numpy.zeros(6), T=200, hyper={"lr": 1.0}, label="quadratic, eta = 1/H")


@theorem
class EC500_Alg10(_Algorithm10):
    """Algorithm 10 (two-step, Nesterov's beta_t), signs of L2149-2151: Theorem 15.2's bound

    EC500 Algorithm 10 (L2003-2019) with the signs of the derivation at L2149-2151: x_t = w_t + beta_t
    v_{t-1}, v_t = beta_t v_{t-1} - eta grad L(x_t), w_{t+1} = w_t + v_t (optlab's ``Momentum``), which is
    Algorithm 11 rewritten, so for every t:

        S_t (L(w_{t+1}) - L_*) for x_t = w_t + beta_t v_{t-1}, w_{t+1} = w_t + v_t  <=  ||w_* - w_1||^2 / (2 eta)

    With w_1 - w_* = (3, 4) and eta = 1/2: 25.

    >>> EC500_Alg10.theorem.bound(Instance(quadratic(d=2, mu=1.0, H=2.0, x_star=[0.0, 0.0]), [3.0, 4.0], T=1,
    ...                                    hyper={"lr": 0.5}))
    array([25.])
    """
    id, source, statement = "EC500-Alg10", f"{SOURCE} Alg 10, L2003-2019; L2149-2153", "corrected"
    algorithm = Momentum
    note = ("x_t = w_t + beta_t v_{t-1}, v_t = beta_t v_{t-1} - eta grad L(x_t), w_{t+1} = w_t + v_t: "
            "Algorithm 11 rewritten (equal to it up to rounding), so Thm 15.2's bound holds.")

    def method(self, inst):
        return Momentum(lr=inst.hyper["lr"], momentum=NesterovMomentum(), two_step=True)


@theorem
class EC500_Alg10_printed(_Algorithm10):
    """Algorithm 10 as printed (w_{t+1} = w_t - v_t), Nesterov's beta_t: Thm 15.2's bound

    EC500 Algorithm 10 exactly as printed (L2003-2019, eqs (5)-(6) at L1991-1993), run as
    :class:`PrintedMomentum`, against the same bound:

        S_t (L(w_{t+1}) - L_*) for w_{t+1/2} = w_t - beta_t v_{t-1}, w_{t+1} = w_t - v_t  <=
        ||w_* - w_1||^2 / (2 eta)

    The bound is that of EC500-Alg10 (25 on its example); the run ascends and exceeds it:

    >>> EC500_Alg10_printed.theorem.check(EC500_Alg10_printed.theorem.counterexample()).holds
    False
    """
    id, statement = "EC500-Alg10/printed", "printed"
    source = f"{SOURCE} Alg 10, L2003-2019; eqs (5)-(6) L1991-1993"
    algorithm, draw = PrintedMomentum, None
    note = ("Erratum E1: with v_t = beta_t v_{t-1} - eta g_t, w_{t+1} = w_t - v_t the first step is "
            "w_2 = w_1 + eta grad L(w_1), and the run climbs (L(w_2) > L(w_1), then diverges). The "
            "derivation at L2149-2151 has w_{t+1} = w_t + v_t and lookahead w_t + beta_t v_{t-1}; optlab's "
            "Momentum implements that form (EC500-Alg10). The ODE at L2027 has the same sign slip "
            "(+eta grad L should be -eta grad L).")

    def method(self, inst):
        return PrintedMomentum(lr=inst.hyper["lr"], momentum=NesterovMomentum())

    def counterexample(self):
        return Instance(quadratic(d=6, mu=0.01, H=1.0, seed=0), numpy.zeros(6), T=20, hyper={"lr": 1.0},
                        label="quadratic (mu = 0.01, H = 1), eta = 1/H: the gap climbs 0.76, 2.60, 9.66, 48.1, ...")


THEOREMS = tuple(block.theorem for block in (EC500_Alg10, EC500_Alg10_printed))
