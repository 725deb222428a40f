"""CI grading of exercise 13 (IAN-SGD, paper 002): solution, student version, wrong submissions.

Part 1 computes the exact expectation of the submitted step over every pair (xi, xi') of a finite sum and
compares it with -lr grad F(w) E[h^-beta] (eq. 16), then replays each pair against optlab's IANSGD (a second
implementation); Part 2 runs the submission as the algorithm of 002-IAN-SGD through optlab.theory.check, every
step checked against the box, plus a progress check on a noiseless isotropic quadratic.
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex13_ian_sgd", Limits(time_limit=10, memory_mb=1024))
submission, grade, feedback = CASE.submission, CASE.grade, CASE.feedback

# AN-SGD: the normalizer from the same sample as the direction (the biased estimator of the slides, L300).
SAME_SAMPLE = """
def ian_sgd_step(w, sample, stoch_grad, lr, beta, A, Gamma, delta):
    w = numpy.asarray(w, dtype=float)
    g = numpy.asarray(stoch_grad(w, sample()), dtype=float)
    h = max(1.0, Gamma * (A * float(numpy.linalg.norm(g)) + delta))
    return w - lr * g / h ** beta
"""

# Two samples drawn, but the normalizer evaluated on the direction's sample: same bias, right sample count.
SAME_SAMPLE_TWICE = """
def ian_sgd_step(w, sample, stoch_grad, lr, beta, A, Gamma, delta):
    w = numpy.asarray(w, dtype=float)
    xi, xi_norm = sample(), sample()
    g = numpy.asarray(stoch_grad(w, xi), dtype=float)
    g_norm = numpy.asarray(stoch_grad(w, xi), dtype=float)
    h = max(1.0, Gamma * (A * float(numpy.linalg.norm(g_norm)) + delta))
    return w - lr * g / h ** beta
"""

# The clipping max{1, .} left out: the step is too long wherever Gamma (A ||g'|| + delta) < 1.
NO_CLIP = """
def ian_sgd_step(w, sample, stoch_grad, lr, beta, A, Gamma, delta):
    w = numpy.asarray(w, dtype=float)
    xi, xi_norm = sample(), sample()
    g = numpy.asarray(stoch_grad(w, xi), dtype=float)
    h = Gamma * (A * float(numpy.linalg.norm(stoch_grad(w, xi_norm))) + delta)
    return w - lr * g / h ** beta
"""

# beta ignored (always normalized by h): right at the theorem's beta = 1, wrong for beta < 1.
BETA_IGNORED = """
def ian_sgd_step(w, sample, stoch_grad, lr, beta, A, Gamma, delta):
    w = numpy.asarray(w, dtype=float)
    xi, xi_norm = sample(), sample()
    g = numpy.asarray(stoch_grad(w, xi), dtype=float)
    h = max(1.0, Gamma * (A * float(numpy.linalg.norm(stoch_grad(w, xi_norm))) + delta))
    return w - lr * g / h
"""

# The run loop one step short (T - 1 steps): the step is right, the run is not.
OFF_BY_ONE = """
def ian_sgd(sample, stoch_grad, w1, lr, beta, A, Gamma, delta, T):
    iterates = [numpy.array(w1, dtype=float)]
    for _ in range(T - 1):
        iterates.append(ian_sgd_step(iterates[-1], sample, stoch_grad, lr, beta, A, Gamma, delta))
    return numpy.array(iterates)
"""


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(6)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()


def test_the_same_sample_for_direction_and_normalizer_fails_both_parts():
    result, points = grade(submission(ian_sgd_step=SAME_SAMPLE))
    assert points == CASE.expected("test_ian_unbiased", "test_ian_theorem"), format_report(result)
    fb = feedback(result)
    assert "E[w_(t+1) - w_t] of your ian_sgd_step over all" in fb["test_ian_unbiased"], fb
    assert "your step drew [1] sample(s)" in fb["test_ian_unbiased"], fb
    assert "IAN-SGD draws two independent samples per step" in fb["test_ian_theorem"], fb


def test_a_dependent_normalizer_with_two_draws_fails_unbiasedness():
    result, points = grade(submission(ian_sgd_step=SAME_SAMPLE_TWICE))
    assert points == CASE.expected("test_ian_unbiased", "test_ian_theorem"), format_report(result)
    fb = feedback(result)
    assert "E[w_(t+1) - w_t] of your ian_sgd_step over all" in fb["test_ian_unbiased"], fb
    assert "your step drew" not in fb["test_ian_unbiased"], fb
    assert "evaluated the samples [0, 0]" in fb["test_ian_theorem"], fb


def test_a_missing_clip_fails_both_parts():
    result, points = grade(submission(ian_sgd_step=NO_CLIP))
    assert points == CASE.expected("test_ian_unbiased", "test_ian_theorem"), format_report(result)
    assert "compared with w_t - lr g/h_t^beta" in feedback(result)["test_ian_theorem"]


def test_beta_ignored_fails_both_parts_at_the_step():
    result, points = grade(submission(ian_sgd_step=BETA_IGNORED))
    assert points == CASE.expected("test_ian_unbiased", "test_ian_theorem"), format_report(result)
    fb = feedback(result)
    assert "beta = 0.5" in fb["test_ian_unbiased"], fb
    assert "compared with w_t - lr g/h_t^beta" in fb["test_ian_theorem"], fb


def test_a_run_one_step_short_fails_only_the_run_part():
    result, points = grade(submission(ian_sgd=OFF_BY_ONE))
    assert points == CASE.expected("test_ian_theorem"), format_report(result)
    assert "your ian_sgd returned iterates of shape" in feedback(result)["test_ian_theorem"]
