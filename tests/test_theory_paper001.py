"""Seed 001 with the gain block (001-Thm3.1/gain, 001-Thm4.2/gain): what the generic theorem tests do not show.

* the gain forms reduce to the one-block forms when there is no g (one formula, two theorems);
* the hypothesis eta_g < 2/L^gg is refused by name, and it matters: on a real run with eta_g = 2.1/L^gg the
  measured sum passes the bound taken at the largest admissible eta_g (so the check can fail);
* the bound is the printed formula at the constants recomputed from the family's data.
"""
import dataclasses

import numpy as np
import pytest

from optlab.problems import rayleigh_quotient
from optlab.theory import check, get
from optlab.theory.paper001 import _thm31, _thm42_C, _thm42_right
from optlab.theory.theorem import Instance, run_instance


def test_the_gain_formulas_reduce_to_the_one_block_forms():
    p = rayleigh_quotient(d=4, seed=1)
    inst = Instance(p, p.x0(), T=3, hyper={"lr_w": 2.0})
    one_block = get("001-Thm3.1").bound(inst)[0]
    assert _thm31(float(p.f(inst.x0)) - p.f_star, float(inst.x0 @ inst.x0), 2.0, p.extra["L_vv"]) == one_block
    # no coupling (L^vg = 0): C is the same, so the gain form adds exactly 2A/(c_g eta_g), A = gap + K
    A = 1.0 + (1.0 * 2.0 + 0.5) * (2.0 + (np.pi * 2.0) ** 2 * 2.0)
    assert _thm31(1.0, 1.0, 2.0, 2.0, 0.0, 1.0, 0.5) == pytest.approx(_thm31(1.0, 1.0, 2.0, 2.0) + 2 * A / (0.75 * 0.5))
    C, c_g = _thm42_C(2.0)
    assert (C, c_g) == (1.0, None) and _thm42_right(1.0, 1.0, 1.0, C, 2.0) == pytest.approx(2 + 8 * np.pi ** 2)
    C, c_g = _thm42_C(2.0, 1.0, 1.0, 1.0)                   # c_g = 1/2: C = 1 + 1/(1/2) = 3
    assert (C, c_g) == (3.0, 0.5)


def test_eta_g_above_two_over_L_gg_is_refused_by_name():
    t = get("001-Thm3.1/gain")
    inst = t.default(0)
    L_gg = inst.problem.sphere_constants(0.0, 1e-9)["L_gg"]
    with pytest.raises(ValueError, match="lr_g"):
        check(t, dataclasses.replace(inst, hyper={"lr_w": 1.0, "lr_g": 2.1 / L_gg}))


def test_the_eta_g_hypothesis_matters_on_a_real_run():
    """GD with eta_g = 2.1/L^gg: the gain diverges and the measured sum passes the bound of eta_g = 1.99/L^gg."""
    t = get("001-Thm3.1/gain")
    inst = dataclasses.replace(t.default(0), T=300)
    L_gg = inst.problem.sphere_constants(0.0, 1e-9)["L_gg"]
    edge = dataclasses.replace(inst, hyper={"lr_w": 1.0, "lr_g": 1.99 / L_gg})
    assert check(t, edge).holds
    bad = dataclasses.replace(inst, hyper={"lr_w": 1.0, "lr_g": 2.1 / L_gg})
    with pytest.warns(Warning, match="diverges"):
        measured = t.measure(run_instance(t, bad, 1), bad)[0]
    assert measured[-1] > t.bound(edge)[-1]


def test_the_bound_is_the_formula_at_the_constants_of_the_data():
    """The bound on the default instance, recomputed here from the data (c = mean y_b xh_b, L^gg = kappa + lam,
    the g-box of the module docstring) and the printed formula."""
    t = get("001-Thm3.1/gain")
    inst = t.default(0)
    p, eta_w, eta_g = inst.problem, inst.hyper["lr_w"], inst.hyper["lr_g"]
    c = np.linalg.norm(p.Xh.T @ p.y / p.n)
    a = 1 / (1 + p.eps) + p.lam
    g_max = max(abs(inst.x0[-1]), c / a, eta_g * c / (2 - eta_g * a))
    L_vv, c_g, n0 = 2 * g_max * c / np.sqrt(3), 1 - eta_g * a / 2, float(inst.x0[:-1] @ inst.x0[:-1])
    C = L_vv / 2 + c ** 2 / (c_g * a)
    A = p.value(inst.x0) - p.f_star + (C * eta_w / n0 + 0.5) * (2 * C + (np.pi * L_vv) ** 2 * eta_w / n0)
    assert t.bound(inst)[-1] == pytest.approx(4 * (A + n0 / eta_w) * A + 2 * A / (c_g * eta_g), rel=1e-12)
