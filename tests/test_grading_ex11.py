"""CI grading of exercise 11 (the cubic-regularized Newton step): solution, student version, wrong submissions.

Part 1 checks the global-minimiser conditions of the cubic model and compares the model value with optlab's
solve_cubic (a second implementation); Part 2 puts the submitted step inside cubic Newton and calls
optlab.theory.check with EC500-25.4, 25.7 and 25.8 (their own measure and bound) on fresh strict saddles.
"""
from exercise_grading import ExerciseCase

from optlab.grading.notebook import nbgrader_meta
from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex11_cubic_newton", Limits(time_limit=10, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(8)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()


# The "easy case only" step: solve (A + J r/2 I) delta = -g by bisection from r_0, never adding a bottom
# eigenvector. At a saddle (g = 0) it returns 0: cubic Newton would sit on the saddle forever.
NO_HARD_CASE = """
def cubic_step(g, A, J):
    lam, Q = numpy.linalg.eigh(A)
    gt = Q.T @ g
    r0 = max(0.0, -2 * lam[0] / J)
    phi = lambda r: numpy.linalg.norm(gt / numpy.maximum(lam + J * r / 2, 1e-300))
    lo, hi = r0, r0 + 1.0
    while phi(hi) > hi:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if phi(mid) > mid else (lo, mid)
    return Q @ (-gt / numpy.maximum(lam + J * hi / 2, 1e-300))
"""

# A missing factor 1/2: (A + J r I) delta = -g, the minimiser of the model with 2J in place of J. Its steps are
# too short: Theorem 25.7's decrease 2 lambda^3/(3 J^2) for the stated J is missed on the self-check's saddle.
def _solution():
    return next(c["source"] for c in EX.nb["cells"] if nbgrader_meta(c).get("grade_id") == "cubic_step")


FACTOR_TWO = _solution().replace("J * r / 2", "J * r").replace("-2 * lam[0] / J", "-lam[0] / J")


def test_a_step_without_the_hard_case_loses_part_1():
    result, points = grade(submission(cubic_step=NO_HARD_CASE))
    assert points["test_cubic_step"] == 0, format_report(result)
    assert "cubic_step at the saddle of diag(-1, 1), J = 2" in feedback(result)["test_cubic_step"]


def test_a_missing_factor_one_half_is_caught_by_both_parts():
    assert FACTOR_TWO != _solution()
    result, points = grade(submission(cubic_step=FACTOR_TWO))
    assert points == {"test_cubic_step": 0, "test_cubic_newton": 0}, format_report(result)
    fb = feedback(result)
    assert "cubic_step at the saddle of diag(-1, 1), J = 2 is wrong" in fb["test_cubic_step"]
    assert fb["test_cubic_newton"].startswith("AssertionError: EC500-25.7 fails for your cubic_step"), fb
