"""CI grading of exercise 10 (SGD with momentum): solution, student version, and wrong submissions.

Expected scores come from the point table. Algorithm 16 is graded by an exact replay against optlab's
SGDMomentum on the same samples, and by EC500-20.3 (corrected step eta = alpha/(4 sqrt6 H)) over independent
runs, plus the same theorem without noise on a quadratic, where a method that stands still fails it.
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex10_momentum_sgd", Limits(time_limit=60, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(7)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()



# The printed typo w_2 = w_1 - m_1 (no eta): the first step is too long, the replay says where.
PRINTED = """
def sgd_momentum(stoch_grad, w1, lr, alpha, T):
    w = numpy.array(w1, dtype=float)
    out, m = [w], None
    for t in range(1, T + 1):
        g = stoch_grad(w)
        m = g if t == 1 else (1 - alpha) * m + alpha * g
        w = w - (1.0 if t == 1 else lr) * m
        out.append(w)
    return numpy.array(out)
"""
# alpha and 1 - alpha swapped (the "usual beta" convention): not Algorithm 16.
SWAPPED = """
def sgd_momentum(stoch_grad, w1, lr, alpha, T):
    w = numpy.array(w1, dtype=float)
    out, m = [w], None
    for t in range(1, T + 1):
        g = stoch_grad(w)
        m = g if t == 1 else alpha * m + (1 - alpha) * g
        w = w - lr * m
        out.append(w)
    return numpy.array(out)
"""
ASCENT = """
def sgd_momentum(stoch_grad, w1, lr, alpha, T):
    w = numpy.array(w1, dtype=float)
    out, m = [w], None
    for t in range(1, T + 1):
        g = stoch_grad(w)
        m = g if t == 1 else (1 - alpha) * m + alpha * g
        w = w + lr * m                     # sign error
        out.append(w)
    return numpy.array(out)
"""
STILL = """
def sgd_momentum(stoch_grad, w1, lr, alpha, T):
    for _ in range(T):
        stoch_grad(numpy.array(w1, dtype=float))     # calls the oracle as required, never moves
    return numpy.array([w1] * (T + 1), dtype=float)
"""


def test_the_printed_first_step_fails_the_replay_at_w2():
    result, points = grade(submission(sgd_momentum=PRINTED))
    assert points["test_momentum_steps"] == 0, format_report(result)
    assert "Algorithm 16 on w^2/2" in feedback(result)["test_momentum_steps"]


def test_swapped_alpha_fails_the_replay():
    result, points = grade(submission(sgd_momentum=SWAPPED))
    assert points["test_momentum_steps"] == 0, format_report(result)
    # At alpha = 1/2 (the public hand-worked example) the swap is invisible; the replay at other alphas names it.
    assert "leaves Algorithm 16 at w_" in feedback(result)["test_momentum_steps"], format_report(result)


def test_gradient_ascent_and_standing_still_fail_the_theorem():
    for wrong in (ASCENT, STILL):
        result, points = grade(submission(sgd_momentum=wrong))
        assert points == expected(*POINTS), format_report(result)
        assert feedback(result)["test_momentum_theorem"].startswith("AssertionError: EC500-20.3 fails for your "
                                                                    "sgd_momentum"), format_report(result)
