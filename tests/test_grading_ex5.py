"""CI grading of exercise 5 (the section-9 estimates and Algorithm 9): solution, student version, wrong submissions.

The estimates are compared with optlab.algorithms.estimated_rate, Algorithm 9 is replayed through
AdaGradNormEMAMax (second implementations), and the theorem test puts the submission in place of the
algorithm of EC500-10.1/path and EC500-12.1 and calls ``optlab.theory.check``.
"""
import copy

from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import nbgrader_meta, student_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import Limits, grade_notebook

LIMITS = Limits(time_limit=8, memory_mb=1024)
EX = load_exercise("ex5_adaptive_sgd")
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


def expected(*failing):
    return {gid: (0 if gid in failing else p) for gid, p in POINTS.items()}


def feedback(result):
    return {t.grade_id: t.feedback for t in result.tests}


def test_instructor_solution_gets_full_marks():
    result, points = grade(copy.deepcopy(EX.nb))
    assert points == POINTS and result.score == EX.max_points == 6, format_report(result)


def test_released_student_version_gets_zero_without_crashing():
    result, points = grade(student_notebook(EX.nb, exercise=EX.name))
    assert points == expected(*POINTS), format_report(result)
    assert all("NotImplementedError" in t.feedback for t in result.tests)



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
