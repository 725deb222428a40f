"""CI grading of exercise 2 (SGD and Algorithm 7): solution, student version, and wrong or cheating code.

Expected scores come from the point table. The steps tests check the algorithm box exactly (replayed through
optlab.algorithms, a second implementation). The theorem tests take the theorem objects of optlab.theory
(EC500-3.2 and EC500-6.1 for SGD; EC500-10.2, EC500-10.1/path and EC500-10.3 for Algorithm 7), put the
submission in place of their algorithm (``optlab.grading.testing.SubmittedRun``) and call
``optlab.theory.check`` in the checker: no bound is written in the exercise.
"""
import dataclasses

import numpy
import pytest

import optlab.problems
import optlab.theory
from exercise_grading import ExerciseCase

from optlab.grading.notebook import nbgrader_meta, student_notebook
from optlab.grading.report import feedback_text, format_report
from optlab.grading.runner import Limits
from optlab.theory import Instance, check

# The theorem tests run 30-seed checks: seconds alone, tens of seconds on a loaded 2-core machine.
CASE = ExerciseCase("ex2_sgd", Limits(time_limit=60, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(7)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()


@pytest.fixture(scope="module")
def notebook():
    """The source's setup, helper and answer cells run in this process (test cells left out)."""
    namespace = {"__name__": "__main__"}
    for i, cell in enumerate(EX.nb["cells"]):
        if cell["cell_type"] == "code" and not nbgrader_meta(cell).get("grade"):
            exec(compile(cell["source"], f"<cell {i}>", "exec"), namespace)  # noqa: S102
    return namespace


def _same_check(theorem_id, instance, wrap):
    theorem = optlab.theory.get(theorem_id)
    mine, reference = check(wrap(theorem), instance), check(theorem, instance)
    assert mine.holds and reference.holds
    numpy.testing.assert_allclose(mine.measured, reference.measured, rtol=1e-9, atol=1e-12)
    if theorem.path_bound:   # the bound reads each run's own path (eta_t recovered from the iterates)
        numpy.testing.assert_allclose(mine.bound, reference.bound, rtol=1e-12)
    else:
        numpy.testing.assert_array_equal(mine.bound, reference.bound)


def test_the_solution_run_as_the_theorems_algorithm_measures_what_optlab_measures(notebook):
    # The submitted function goes through optlab.algorithms.run: on the same instance and seeds, the
    # theorem check sees the same measured values as with the theorem's own SGD / AdaGradNorm.
    rng = numpy.random.default_rng(5)
    p = optlab.problems.norm_loss(3, G=2.0, seed=1)
    w1 = p.x_star + numpy.array([1.0, -1.0, 0.5])
    _same_check("EC500-3.2", Instance(p, w1, 60, oracle={"noise": "sphere", "sigma": 0.5}, seeds=4),
                notebook["with_your_sgd"])
    p = optlab.problems.quadratic(4, mu=0.2, H=2.0, seed=2)
    _same_check("EC500-6.1", Instance(p, rng.standard_normal(4), 60, hyper={"lr": 0.4},
                                      oracle={"noise": "sphere", "sigma": 1.0}, seeds=4), notebook["with_your_sgd"])
    p = optlab.problems.cosine_sum(3, seed=3)
    inst = Instance(p, p.x0(seed=4), 80, hyper={"c": 0.7, "eps": 0.5}, oracle={"noise": "sphere", "sigma": 1.0})
    for theorem_id in ("EC500-10.2", "EC500-10.1/path"):
        _same_check(theorem_id, inst, notebook["with_your_adaptive_sgd"])
    _same_check("EC500-10.3", dataclasses.replace(inst, seeds=3), notebook["with_your_adaptive_sgd"])


ASCENT = """
def sgd(stoch_grad, w1, lr, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for _ in range(T):
        w = w + lr * stoch_grad(w)          # sign error: gradient ascent
        out.append(w)
    return numpy.array(out)
"""
DELAYED = """
def adaptive_sgd(stoch_grad, w1, c, eps, T):
    w, total, out = numpy.array(w1, dtype=float), 0.0, []
    out.append(w)
    for _ in range(T):
        g = stoch_grad(w)
        w = w - c / numpy.sqrt(eps ** 2 + total) * g     # the sum stops at t - 1: not Algorithm 7
        total += float(g @ g)
        out.append(w)
    return numpy.array(out)
"""


def test_wrong_algorithms_lose_the_right_tests():
    result, points = grade(submission(sgd=ASCENT, adaptive_sgd=DELAYED))
    # The delayed sum breaks Lemma 10.2 at t = 1 (||g_1||^2/eps^2 > log(1 + ||g_1||^2/eps^2)).
    assert points == expected(*POINTS), format_report(result)
    fb = feedback(result)
    assert fb["test_sgd_theorem"].startswith("AssertionError: EC500-3.2 fails for your sgd")
    assert fb["test_adaptive_steps"].startswith("AssertionError: Algorithm 7")
    assert fb["test_adaptive_theorem"].startswith("AssertionError: EC500-10.2 fails for your adaptive_sgd")
    assert "at t = 1 " in fb["test_adaptive_theorem"]


PEEK = """
def sgd(stoch_grad, w1, lr, T):
    rng = stoch_grad.rng                    # try to read the grader's random generator
    return numpy.array([w1] * (T + 1))
"""
HARD_CODED = """
def adaptive_sgd(stoch_grad, w1, c, eps, T):
    shrink = 1 - 1 / numpy.sqrt(41.0)       # the public check's numbers, without calling stoch_grad
    return numpy.array([[3.0, 4.0], [2.4, 3.2], [2.4 * shrink, 3.2 * shrink]])
"""


def test_peeking_at_the_oracle_and_hard_coding_fail():
    result, points = grade(submission(sgd=PEEK, adaptive_sgd=HARD_CODED))
    assert points == expected(*POINTS), format_report(result)
    assert "can be called, not inspected" in result.tests[0].feedback


# Gradient descent that hides its ascent from the checks: the theorem objects and helpers are patched in
# the sandbox (where the import of optlab.theory is refused anyway); the bound is computed in the checker.
PATCHED = """
import optlab.grading.testing as testing
testing.assert_theorem = lambda *a, **k: None
testing.SubmittedRun = None
try:
    import optlab.theory
    optlab.theory.check = lambda *a, **k: None
except Exception as err:
    print("import refused:", type(err).__name__)

def sgd(stoch_grad, w1, lr, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for _ in range(T):
        w = w + lr * stoch_grad(w)
        out.append(w)
    return numpy.array(out)
"""
# Queries the oracle twice per step (a minibatch of 2): T calls are allowed, the extra one is refused.
TWO_SAMPLES = """
def adaptive_sgd(stoch_grad, w1, c, eps, T):
    w, total, out = numpy.array(w1, dtype=float), 0.0, []
    out.append(w)
    for _ in range(T):
        g = (stoch_grad(w) + stoch_grad(w)) / 2
        total += float(g @ g)
        w = w - c / numpy.sqrt(eps ** 2 + total) * g
        out.append(w)
    return numpy.array(out)
"""


def test_patching_the_checks_and_extra_oracle_calls_fail():
    result, points = grade(submission(sgd=PATCHED, adaptive_sgd=TWO_SAMPLES))
    assert points == expected(*POINTS), format_report(result)
    fb = feedback(result)
    assert fb["test_sgd_theorem"].startswith("AssertionError: EC500-3.2 fails for your sgd")
    assert "import refused: PermissionError" in result.tests[1].output
    assert "stoch_grad was called more than T = " in fb["test_adaptive_theorem"]


# Per-coordinate AdaGrad instead of Algorithm 7's one step size: its steps are not along g_t.
PER_COORDINATE = """
def adaptive_sgd(stoch_grad, w1, c, eps, T):
    w, total, out = numpy.array(w1, dtype=float), 0.0, []
    out.append(w)
    for _ in range(T):
        g = stoch_grad(w)
        total = total + g * g
        w = w - c / numpy.sqrt(eps ** 2 + total) * g
        out.append(w)
    return numpy.array(out)
"""


def test_per_coordinate_step_sizes_are_not_algorithm_7():
    result, points = grade(submission(adaptive_sgd=PER_COORDINATE))
    assert points == expected("test_adaptive_steps", "test_adaptive_theorem"), format_report(result)
    assert "is not along the stochastic gradient" in feedback(result)["test_adaptive_theorem"]


STILL_ADAPTIVE = """
def adaptive_sgd(stoch_grad, w1, c, eps, T):
    w = numpy.array(w1, dtype=float)        # queries the oracle as Algorithm 7 does, but never moves:
    for _ in range(T):                      # eta_t = 0 keeps Lemma 10.2 and Theorems 10.1 and 10.3 true
        stoch_grad(w)
    return numpy.array([w] * (T + 1))
"""
STILL_SGD = STILL_ADAPTIVE.replace("adaptive_sgd(stoch_grad, w1, c, eps, T)", "sgd(stoch_grad, w1, lr, T)")


def test_methods_that_stand_still_lose_the_theorem_tests():
    result, points = grade(submission(sgd=STILL_SGD, adaptive_sgd=STILL_ADAPTIVE))
    assert points == expected(*POINTS), format_report(result)
    fb = feedback(result)
    assert fb["test_sgd_theorem"].startswith("AssertionError: EC500-"), fb      # 3.2 already catches this one
    assert fb["test_adaptive_theorem"].startswith(
        "AssertionError: your adaptive_sgd makes too little progress where progress is required"), fb
    text = feedback_text(result, EX)          # the student's feedback file: measured against the bound
    assert "test_adaptive_theorem: 0/1 failed\n  checked: Self-check: Lemma 10.2 and Theorems 10.1 and 10.3" in text
    assert "  first failing step: AssertionError: your adaptive_sgd makes too little progress" in text
    assert "above the bound" in text
