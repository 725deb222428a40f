"""CI grading of exercise 9 (projected SGD): solution, student version, and wrong submissions.

Expected scores come from the point table. The method is graded by an exact replay against optlab's
ProjectedSGD on the same samples (projection active), and by EC500-22.1-sum over independent runs and,
without noise, on quadratics with H/mu in [10, 30] started on the sphere, where skipping the projection
breaks the bound by orders of magnitude.
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex9_projected_sgd", Limits(time_limit=60, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(7)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()




# The projection left out: identical while the iterates stay inside the ball, thrown far out otherwise.
NO_PROJECTION = """
def projected_sgd(stoch_grad, w1, mu, D, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for t in range(1, T + 1):
        w = w - stoch_grad(w) / (mu * t)
        out.append(w)
    return numpy.array(out)
"""
# An off-by-one step: eta_t = 1/(mu (t + 1)), a plausible slip when counting from 0.
OFF_BY_ONE = """
def projected_sgd(stoch_grad, w1, mu, D, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for t in range(T):
        w = w - stoch_grad(w) / (mu * (t + 2))
        norm = numpy.linalg.norm(w)
        if norm > D:
            w = w * (D / norm)
        out.append(w)
    return numpy.array(out)
"""


def test_leaving_out_the_projection_fails_both_tests():
    result, points = grade(submission(projected_sgd=NO_PROJECTION))
    assert points == expected(*POINTS), format_report(result)
    fb = feedback(result)
    assert fb["test_projected_steps"].startswith("AssertionError: projected SGD on w^2/2")
    assert fb["test_projected_theorem"].startswith("AssertionError: EC500-22.1-sum fails for your projected_sgd"), \
        format_report(result)


def test_an_off_by_one_step_fails_the_replay():
    result, points = grade(submission(projected_sgd=OFF_BY_ONE))
    assert points["test_projected_steps"] == 0, format_report(result)
    assert feedback(result)["test_projected_steps"].startswith("AssertionError: projected SGD on w^2/2")
