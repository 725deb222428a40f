"""CI grading of exercise 14 (the gradient autoscale transform of paper 000): solution, student version, wrong
submissions. The tests compare with optlab's GradientAutoscale (a second implementation) and check the centring,
projection and untouched-vector properties on fresh layer shapes.
"""
from exercise_grading import ExerciseCase

from optlab.grading.notebook import nbgrader_meta
from optlab.grading.report import format_report
from optlab.grading.runner import Limits

CASE = ExerciseCase("ex14_autoscale", Limits(time_limit=10, memory_mb=1024))
EX, POINTS, LIMITS = CASE.ex, CASE.points, CASE.limits
submission, grade, expected = CASE.submission, CASE.grade, CASE.expected
feedback = CASE.feedback


def test_instructor_solution_gets_full_marks():
    CASE.assert_full_marks(4)


def test_released_student_version_gets_zero_without_crashing():
    CASE.assert_student_version_scores_zero()


def _solution():
    return next(c["source"] for c in EX.nb["cells"] if nbgrader_meta(c).get("grade_id") == "autoscale")


# The population std (divide by N instead of N - 1): s and hence a are off.
POPULATION_STD = _solution().replace("ddof=1", "ddof=0")
# Centring by the mean of all eligible entries together instead of per tensor: blocks no longer sum to 0.
GLOBAL_MEAN = _solution().replace(
    "    out = g.copy()\n", "    out = g.copy()\n    mu = numpy.concatenate([g[sl] for sl in eligible]).mean()\n").replace(
    "out[sl] = a * (g[sl] - g[sl].mean())", "out[sl] = a * (g[sl] - mu)")


def test_the_population_std_is_caught_with_its_name():
    assert POPULATION_STD != _solution()
    result, points = grade(submission(autoscale=POPULATION_STD))
    assert points == {gid: 0 for gid in POINTS}, format_report(result)
    assert "s for the golden example" in feedback(result)["test_autoscale_golden"]


def test_global_centring_is_caught_by_the_properties():
    assert GLOBAL_MEAN != _solution()
    result, points = grade(submission(autoscale=GLOBAL_MEAN))
    assert points["test_autoscale_properties"] == 0, format_report(result)
    assert "sums to" in feedback(result)["test_autoscale_properties"], feedback(result)
