"""CI grading of exercise 14 (the gradient autoscale transform of paper 000): solution, student version, wrong
submissions. The tests compare with optlab's GradientAutoscale (a second implementation) and check the centring,
projection and untouched-vector properties on fresh layer shapes.
"""
import copy

from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import nbgrader_meta, student_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import Limits, grade_notebook

LIMITS = Limits(time_limit=10, memory_mb=1024)
EX = load_exercise("ex14_autoscale")
POINTS = {t.grade_id: t.points for t in EX.tests}


def submission(**replace):
    nb = student_notebook(EX.nb, exercise=EX.name)
    answers = {nbgrader_meta(c)["grade_id"]: c["source"] for c in EX.nb["cells"]
               if nbgrader_meta(c).get("solution")}
    answers.update(replace)
    for cell in nb["cells"]:
        if nbgrader_meta(cell).get("solution"):
            cell["source"] = answers[nbgrader_meta(cell)["grade_id"]]
    return nb


def grade(nb):
    result = grade_notebook(nb, EX, LIMITS, name="sub.ipynb")
    return result, {t.grade_id: t.points for t in result.tests}


def feedback(result):
    return {t.grade_id: t.feedback for t in result.tests}


def test_instructor_solution_gets_full_marks():
    result, points = grade(copy.deepcopy(EX.nb))
    assert points == POINTS and result.score == EX.max_points == 4, format_report(result)


def test_released_student_version_gets_zero_without_crashing():
    result, points = grade(student_notebook(EX.nb, exercise=EX.name))
    assert points == {gid: 0 for gid in POINTS}, format_report(result)
    assert all("NotImplementedError" in t.feedback for t in result.tests)


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
