"""CI grading of exercise 5 (the section-9 estimates and Algorithm 9): solution, student version, wrong submissions.

The estimates are compared with optlab.algorithms.estimated_rate, Algorithm 9 is replayed through
AdaGradNormEMAMax (second implementations), and the theorem test puts the submission in place of the
algorithm of EC500-10.1/path and EC500-12.1 and calls ``optlab.theory.check``.
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex5_adaptive_sgd", Limits(time_limit=8, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(6)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()



# Algorithm 8: the EMA without the running maximum (eta_t can grow).
NO_MAX = """
def ema_max_sgd(stoch_grad, w1, c, beta, eps, T):
    w = numpy.array(w1, dtype=float)
    out, A = [w], 0.0
    for t in range(1, T + 1):
        g = stoch_grad(w)
        A = beta * A + float(g @ g)
        w = w - c / numpy.sqrt(eps ** 2 + A) * g
        out.append(w)
    return numpy.array(out)
"""
# The unbiased estimate divided by t instead of t - 1 (the other two right).
BIASED = """
def plug_in(G):
    G = numpy.asarray(G, dtype=float)
    return float(numpy.mean(numpy.sum(G * G, axis=1)) - numpy.sum(G.mean(axis=0) ** 2))


def unbiased(G):
    G = numpy.asarray(G, dtype=float)
    return float(numpy.sum((G - G.mean(axis=0)) ** 2) / len(G))


def optimistic(G):
    G = numpy.asarray(G, dtype=float)
    return float(numpy.mean(numpy.sum(G * G, axis=1)))
"""


def test_algorithm_8_and_a_biased_estimate_lose_the_right_tests_with_the_check_named():
    result, points = grade(submission(ema_max_sgd=NO_MAX, estimates=BIASED))
    fb = feedback(result)
    assert points["test_estimates"] == 0 and points["test_ema_max_steps"] == 0, format_report(result)
    assert "the estimates on (1, 0), (3, 0) is wrong at index (1,)" in fb["test_estimates"]
    assert "Algorithm 9 on ||w||^2/2 is wrong" in fb["test_ema_max_steps"]


def test_a_correct_algorithm_9_with_wrong_estimates_keeps_its_other_points():
    result, points = grade(submission(estimates=BIASED))
    assert points == expected("test_estimates"), format_report(result)
