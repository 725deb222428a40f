"""CI grading of exercise 4 (warm-up + cosine with restarts): solution, student version, wrong submissions.

The replay test compares the submitted schedule with one built from optlab's LinearWarmup-style warm-up and
CosineAnnealing (a second implementation); the convergence test drives GD with the submitted schedule inside
the theorem check EC500-21.6/schedule on fresh strongly convex quadratics.
"""
from exercise_grading import ExerciseCase

from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex4_schedules", Limits(time_limit=8, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(5)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()



# Off by one in the warm-up: eta_t = (t - 1) lr_max / warmup (starts at 0).
OFF_BY_ONE = """
def make_schedule(lr_max, warmup, periods, lr_min=0.0, decay=1.0):
    def schedule(t):
        if t <= warmup:
            return (t - 1) * lr_max / warmup
        s, scale = t - warmup, 1.0
        for T in periods:
            if s <= T:
                lo, hi = lr_min * scale, lr_max * scale
                return lo + 0.5 * (hi - lo) * (1 + math.cos(math.pi * s / T))
            s -= T
            scale *= decay
        return lr_min * scale / decay
    return schedule
"""
# A missing factor 1/2 in the cosine: the rate reaches 2 lr_max - lr_min, above 1/H.
NO_HALF = """
def make_schedule(lr_max, warmup, periods, lr_min=0.0, decay=1.0):
    def schedule(t):
        if t <= warmup:
            return t * lr_max / warmup
        s, scale = t - warmup, 1.0
        for T in periods:
            if s <= T:
                lo, hi = lr_min * scale, lr_max * scale
                return lo + (hi - lo) * (1 + math.cos(math.pi * s / T))
            s -= T
            scale *= decay
        return lr_min * scale / decay
    return schedule
"""


def test_an_off_by_one_warm_up_fails_the_replay_but_still_converges():
    result, points = grade(submission(make_schedule=OFF_BY_ONE))
    assert points == expected("test_schedule_replay"), format_report(result)
    assert "at index (0,)" in feedback(result)["test_schedule_replay"]


def test_a_missing_half_fails_both_checks_and_names_the_step_above_1_over_H():
    result, points = grade(submission(make_schedule=NO_HALF))
    assert points == expected("test_schedule_replay", "test_schedule_convergence"), format_report(result)
    fb = feedback(result)["test_schedule_convergence"]
    assert "EC500-21.6/schedule needs 0 <= eta_t <= 1/H" in fb and "the schedule gives eta_" in fb
