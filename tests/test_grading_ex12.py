"""CI grading of exercise 12 (normalized SGD with STORM-like momentum): solution, student version, wrong submissions.

Part 1 replays optlab's NormalizedSTORM on the samples the submission drew (a second implementation); Part 2
runs the submission as the algorithm of EC500-24.5 (corrected) through optlab.theory.check, plus a progress
check on a noiseless isotropic quadratic (a method that stands still satisfies any upper bound).
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex12_storm", Limits(time_limit=10, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(6)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()


# Plain momentum: the correction g - g_prev is dropped (Lemma 24.1's estimator, not 24.4's). The samples are
# still drawn in pairs, so only the replay can tell; the theorem check may or may not catch it (not pinned).
PLAIN_MOMENTUM = """
def normalized_storm(two_point_grad, w1, lr, alpha, T):
    w = numpy.array(w1, dtype=float)
    iterates, w_prev, m = [w], w, None
    for t in range(1, T + 1):
        g, g_prev = two_point_grad(w, w_prev)
        m = g if t == 1 else (1 - alpha) * m + alpha * g
        norm = float(numpy.linalg.norm(m))
        w_prev, w = w, (w - lr * m / norm if norm > 0 else w)
        iterates.append(w)
    return numpy.array(iterates)
"""

# A step that forgets to normalize: w - lr m (SGD with STORM momentum). On the noiseless quadratic it still
# converges, but it is not the box.
UNNORMALIZED = PLAIN_MOMENTUM.replace("(1 - alpha) * m + alpha * g", "(1 - alpha) * (m + g - g_prev) + alpha * g"
                                      ).replace("w - lr * m / norm", "w - lr * m")

# Calling the oracle at (w_t, w_t) every step: the correction is always 0 (the second sample point is wrong).
SAME_POINT = PLAIN_MOMENTUM.replace("(1 - alpha) * m + alpha * g", "(1 - alpha) * (m + g - g_prev) + alpha * g"
                                    ).replace("two_point_grad(w, w_prev)", "two_point_grad(w, w)")


def test_plain_momentum_fails_the_replay():
    result, points = grade(submission(normalized_storm=PLAIN_MOMENTUM))
    assert points["test_storm_steps"] == 0, format_report(result)
    assert "your normalized_storm: the iterates" in feedback(result)["test_storm_steps"]


def test_an_unnormalized_step_fails_the_replay():
    result, points = grade(submission(normalized_storm=UNNORMALIZED))
    assert points["test_storm_steps"] == 0, format_report(result)
    assert "normalized_storm on ||w||^2/2 with exact gradients is wrong" in feedback(result)["test_storm_steps"]


def test_the_wrong_second_point_is_named():
    result, points = grade(submission(normalized_storm=SAME_POINT))
    assert points == {"test_storm_steps": 0, "test_storm_theorem": 0}, format_report(result)
    fb = feedback(result)
    assert "the points w_prev passed to two_point_grad" in fb["test_storm_steps"], fb
