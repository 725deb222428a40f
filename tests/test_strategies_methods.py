"""Property tests of a user's method against a theorem (optlab.proptest, ``optlab test``).

* A correct GD and SGD (plain functions and an optlab-style class) pass; optlab's own GD object with a
  pinned step size passes where that step is admissible and is told so where it is not.
* Each plausible bug is caught and shrunk to a small, reproducible counterexample: a wrong sign on one
  coordinate, a step size that lags one step behind (updated after use), the gradient of the previous
  iterate, a diverging method, and (statistically, confirmed on fresh sample paths) the wrong sign in SGD.
* Theorems a user's runs cannot be checked against are refused with the reason.
* The pytest decorator and the command line run the same test.
"""
import dataclasses

import numpy
import pytest

from optlab.algorithms import GD
from optlab.cli import main as cli
from optlab.proptest import (
    Counterexample, NotApplicable, Reseeded, check_instance, check_method, theorem_test,
)

QUAD = ["quadratic_strongly_convex", "cosine_sum"]          # cheap families; d shrinks to 1 on both


def gd(grad, x0, T, lr):
    w = [x0]
    for t in range(1, T + 1):
        eta = lr(t) if callable(lr) else lr
        w.append(w[-1] - eta * grad(w[-1]))
    return numpy.array(w)


def wrong_sign(grad, x0, T, lr):
    """Ascends along the last coordinate."""
    w = [x0]
    for _ in range(T):
        step = lr * grad(w[-1])
        step[-1] = -step[-1]
        w.append(w[-1] - step)
    return numpy.array(w)


def lagging_step(grad, x0, T, lr):
    """The step size is updated after it is used: step t takes eta_{t-1}, with eta_0 = 0."""
    w, eta = [x0], 0.0
    for _ in range(T):
        w.append(w[-1] - eta * grad(w[-1]))
        eta = lr
    return numpy.array(w)


def previous_gradient(grad, x0, T, lr):
    """Off by one in the index: step t uses the gradient at w_{t-1} (w[-2])."""
    w = [x0]
    for _ in range(T):
        w.append(w[-1] - lr * grad(w[-2] if len(w) > 1 else w[-1]))
    return numpy.array(w)


def diverging(grad, x0, T, lr):
    """Blows up to NaN after its first step."""
    w = [x0]
    for _ in range(T):
        w.append(w[-1] - lr * grad(w[-1]) if len(w) < 2 else numpy.full_like(x0, numpy.nan))
    return numpy.array(w)


@dataclasses.dataclass(frozen=True)
class MyGD:
    """An optlab-style method class (init/step), built with the theorem's hyperparameters."""
    lr: float
    flip: bool = False

    def init(self, x0, oracle):
        return GD(lr=self.lr).init(x0, oracle)

    def step(self, s, oracle):
        g = numpy.array(oracle.full_grad(s.x), dtype=float)
        if self.flip:
            g[0] = -g[0]
        return s._replace(x=s.x - self.lr * g, t=s.t + 1)


class MyGDFlipped(MyGD):
    def __init__(self, lr):
        super().__init__(lr, True)


# ---- correct methods pass ---------------------------------------------------------------------------

@pytest.mark.parametrize("theorem", ["EC500-5.7", "EC500-5.8", "EC500-13.1", "EC500-21.6"])
def test_a_correct_gd_function_passes(theorem):
    report = check_method(gd, theorem, max_examples=10)
    assert report.examples >= 10 and report.skipped == 0


def test_a_correct_sgd_function_passes_the_statistical_theorem():
    assert check_method(gd, "EC500-6.1", max_examples=8, families=QUAD, T=(1, 10)).examples >= 8


def test_a_correct_method_class_passes():
    assert check_method(MyGD, "EC500-5.8", max_examples=8).examples >= 8


def test_a_pinned_step_is_skipped_where_inadmissible_and_refused_where_never_admissible():
    report = check_method(GD(lr=0.9), "EC500-5.8", max_examples=10, families=QUAD)   # H = 4 and H = 1
    assert report.examples > 0 and report.skipped > 0 and "admits lr" in str(report)
    with pytest.raises(NotApplicable, match=r"admits lr in \[0.0, .*got lr=100"):
        check_method(gd, "EC500-5.8", hyper={"lr": 100.0}, max_examples=5, families=QUAD)


@pytest.mark.parametrize("theorem, reason", [("EC500-6.1/exact", "closed form"), ("EC500-7.2/printed", "misprint"),
                                             ("EC500-15.3", "no drawn instances"), ("EC500-10.2", "internal to optlab")])
def test_theorems_that_cannot_see_a_users_runs_are_refused(theorem, reason):
    any_hyper = lambda grad, x0, T, **hyper: gd(grad, x0, T, 0.01)   # noqa: E731
    with pytest.raises(NotApplicable, match=reason):
        check_method(any_hyper, theorem, max_examples=3, T=(1, 5))


def test_a_function_without_the_theorems_hyperparameters_is_told_which_they_are():
    with pytest.raises(TypeError, match=r"called with the hyperparameters \['method', 'radius'\]"):
        check_method(gd, "EC500-10.2", max_examples=2, T=(1, 5))


# ---- bugs are caught and shrunk ---------------------------------------------------------------------

@pytest.mark.parametrize("method, theorem, T_max, step", [
    (wrong_sign, "EC500-5.8", 2, 2),
    (lagging_step, "EC500-5.7", 1, 1),
    (previous_gradient, "EC500-5.7", 2, 2),
    (MyGDFlipped, "EC500-5.8", 2, 2),
])
def test_a_bug_is_caught_and_shrunk(method, theorem, T_max, step):
    with pytest.raises(Counterexample) as caught:
        check_method(method, theorem, families=QUAD)
    err = caught.value
    assert err.case.d == 1 and err.case.T <= T_max and err.step == step, str(err)
    text = str(err)
    assert f"first at t = {step}" in text and "exceeds" in text and "reproduce: check_instance(" in text
    # The printed instance reproduces the failure; the correct method passes on it.
    with pytest.raises(Counterexample):
        check_instance(method, theorem, err.instance)
    assert check_instance(gd if method is not MyGDFlipped else MyGD, theorem, err.instance).holds


def test_a_diverging_method_is_a_counterexample():
    with pytest.raises(Counterexample, match="NaN or inf"):
        check_method(diverging, "EC500-5.8", families=QUAD, max_examples=5)


def test_a_statistical_violation_is_confirmed_and_shrunk():
    with pytest.raises(Counterexample) as caught:
        check_method(wrong_sign, "EC500-6.1", families=QUAD, T=(1, 8), max_examples=10)
    err = caught.value
    assert "confirmed on" in str(err) and err.case.T <= 3 and err.case.d == 1, str(err)


def test_the_confirmation_runs_on_fresh_sample_paths():
    from optlab.algorithms import SGD, run
    from optlab.problems import quadratic

    p = quadratic(d=3, mu=0.5, H=2.0, seed=0)
    plain = run(SGD(lr=0.1), p, steps=5, x0=numpy.ones(3), seed=2, noise="gaussian", sigma=1.0)
    again = run(SGD(lr=0.1), p, steps=5, x0=numpy.ones(3), seed=2, noise="gaussian", sigma=1.0)
    fresh = run(Reseeded(SGD(lr=0.1), 1), p, steps=5, x0=numpy.ones(3), seed=2, noise="gaussian", sigma=1.0)
    assert numpy.array_equal(plain.x, again.x) and not numpy.allclose(plain.x, fresh.x)


def test_a_function_that_returns_the_wrong_shape_is_told_what_to_return():
    with pytest.raises(ValueError, match=r"iterates w_1 .. w_\(T\+1\) as an array of shape"):
        check_method(lambda grad, x0, T, lr: numpy.zeros((T, len(x0))), "EC500-5.8", max_examples=2)


# ---- pytest decorator and command line --------------------------------------------------------------

def test_the_decorator_makes_a_pytest_test():
    passing = theorem_test("EC500-5.8", max_examples=5)(gd)
    assert passing.__name__ == "gd" and passing() is None
    with pytest.raises(Counterexample):
        theorem_test("EC500-5.8", wrong_sign, families=QUAD)()
    with pytest.raises(pytest.skip.Exception, match="closed form"):
        theorem_test("EC500-6.1/exact", gd)()


def test_the_command_line(tmp_path, capsys):
    module = tmp_path / "mysgd.py"
    module.write_text("import numpy as np\n"
                      "def sgd(grad, x0, T, lr):\n"
                      "    w = [x0]\n"
                      "    for _ in range(T):\n"
                      "        step = lr * grad(w[-1])\n"
                      "        step[-1] = -step[-1]\n"
                      "        w.append(w[-1] - step)\n"
                      "    return np.array(w)\n")
    assert cli(["test", f"{module}:sgd", "--theorem", "EC500-5.8", "--family", QUAD[0], "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "EC500-5.8 fails for sgd" in out and "d = 1" in out and "first at t = 2" in out
    assert cli(["test", f"{module}:sgd", "--theorem", "EC500-5.8", "--hyper", "lr=100", "--quiet",
                "--max-examples", "3"]) == 2
    assert "not applicable" in capsys.readouterr().out
    assert cli(["test", f"{module}:nothing", "--theorem", "EC500-5.8"]) == 2
    assert "has no 'nothing'" in capsys.readouterr().err
