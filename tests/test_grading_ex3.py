"""CI grading of exercise 3 (projected GD and its regret): solution, student version, wrong submissions.

The steps test replays projected GD on the gradients the run drew (a second implementation in the
exercise); the theorem tests put the submission in place of EC500-2.4's algorithm and call
``optlab.theory.check``; the regret test compares the submitted regret with what EC500-2.4 measures.
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex3_projected_gd", Limits(time_limit=8, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(6)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()


# Projects before stepping instead of after: w_{t+1} = Pi(w_t) - lr g_t can leave the ball.
PROJECT_FIRST = """
def projected_gd(grad, project, w1, lr, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for _ in range(T):
        w = numpy.asarray(project(w), dtype=float) - lr * grad(w)
        out.append(w)
    return numpy.array(out)
"""
# Off by one: counts w_2..w_{T+1} instead of w_1..w_T.
REGRET_OFF_BY_ONE = """
def regret(loss, iterates, w_star):
    best = loss(w_star)
    return numpy.cumsum([loss(w) - best for w in iterates[1:]])
"""


def test_projecting_at_the_wrong_time_and_an_off_by_one_regret_lose_their_tests():
    result, points = grade(submission(projected_gd=PROJECT_FIRST, regret=REGRET_OFF_BY_ONE))
    # The unconstrained check passes (Pi is the identity there); the one-step check onto the unit ball
    # does not: Pi(w_1) - lr g = (1.5, 0) is outside the ball.
    fb = feedback(result)
    assert points["test_projected_gd_steps"] == 0, format_report(result)
    assert "one projected step onto the unit ball is wrong at index (1, 0)" in fb["test_projected_gd_steps"]
    assert points["test_regret"] == 0
    assert "the regret of |w| along 3, 2, 1, 0" in fb["test_regret"]


ASCENT = """
def projected_gd(grad, project, w1, lr, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for _ in range(T):
        w = numpy.asarray(project(w + lr * grad(w)), dtype=float)     # sign error
        out.append(w)
    return numpy.array(out)
"""


def test_a_sign_error_fails_the_steps_and_theorem_2_4_with_the_step_named():
    result, points = grade(submission(projected_gd=ASCENT))
    assert points == expected("test_projected_gd_steps", "test_projected_gd_theorem", "test_regret"), \
        format_report(result)
    fb = feedback(result)
    assert fb["test_projected_gd_theorem"].startswith("AssertionError: EC500-2.4 fails for your projected_gd")
    assert "at t = " in fb["test_projected_gd_theorem"]
