"""CI grading of exercise 8 (SVRG): solution, student version, and wrong submissions.

Expected scores come from the point table. The estimator is graded by EC500-23-unbiased and EC500-23.1/path
(exact enumeration over the N terms at the points of an SVRG run, with the submitted estimator); Algorithm 17
by an exact replay against optlab's SVRG on the same samples and by EC500-23.2 over independent runs. No
bound is written in the exercise: the checks are the theorem objects of optlab.theory.
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex8_svrg", Limits(time_limit=60, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(10)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()


# A missing factor: half of the checkpoint's full gradient. At t = 1 (w = v) the mean over the terms is
# grad L(w)/2, so unbiasedness fails at the first point; the lemma's second moment may still be below its
# bound (the estimator is smaller), so that test is not asserted. Algorithm 17 built on it leaves the box.
HALF = """
def svrg_estimate(grad_i, grad_L_v, w, v, i):
    return grad_i(w, i) - grad_i(v, i) + grad_L_v / 2
"""
# An off-by-one checkpoint: the average of w_{t-N+2}..w_{t+1} instead of w_{t-N+1}..w_t.
SHIFTED = """
def svrg(grad_i, full_grad, sample, w1, lr, N, T):
    w = numpy.array(w1, dtype=float)
    v, grad_L_v, epoch_sum = w.copy(), full_grad(w), numpy.zeros_like(w)
    out = [w]
    for t in range(1, T + 1):
        i = sample()
        w = w - lr * svrg_estimate(grad_i, grad_L_v, w, v, i)
        epoch_sum = epoch_sum + w
        out.append(w)
        if t % N == 0:
            v, epoch_sum = epoch_sum / N, numpy.zeros_like(w)
            grad_L_v = full_grad(v)
    return numpy.array(out)
"""
ASCENT = """
def svrg(grad_i, full_grad, sample, w1, lr, N, T):
    w = numpy.array(w1, dtype=float)
    v, grad_L_v, epoch_sum = w.copy(), full_grad(w), numpy.zeros_like(w)
    out = [w]
    for t in range(1, T + 1):
        i = sample()
        epoch_sum = epoch_sum + w
        w = w + lr * svrg_estimate(grad_i, grad_L_v, w, v, i)      # sign error
        out.append(w)
        if t % N == 0:
            v, epoch_sum = epoch_sum / N, numpy.zeros_like(w)
            grad_L_v = full_grad(v)
    return numpy.array(out)
"""


def test_a_biased_estimator_fails_unbiasedness_and_the_replay():
    result, points = grade(submission(svrg_estimate=HALF))
    fb = feedback(result)
    assert points["test_estimator_unbiased"] == 0 and points["test_svrg_replay"] == 0, format_report(result)
    assert fb["test_estimator_unbiased"].startswith("AssertionError: the mean over the two terms")
    assert "leaves Algorithm 17" in fb["test_svrg_replay"]


def test_an_off_by_one_checkpoint_fails_the_replay_only():
    result, points = grade(submission(svrg=SHIFTED))
    assert points["test_svrg_replay"] == 0, format_report(result)
    assert points["test_estimator_unbiased"] == 2 and points["test_estimator_lemma"] == 2
    assert "leaves Algorithm 17" in feedback(result)["test_svrg_replay"]


def test_gradient_ascent_fails_the_replay_and_theorem_23_2():
    result, points = grade(submission(svrg=ASCENT))
    assert points == expected("test_svrg_replay", "test_svrg_theorem"), format_report(result)
    assert feedback(result)["test_svrg_theorem"].startswith("AssertionError: EC500-5.7 fails for your svrg (N = 1)")
