"""CI grading of exercise 2 (SGD and Algorithm 7): solution, student version, and wrong or cheating code.

Expected scores come from the point table: steps tests check the algorithm box exactly (replayed through
optlab.algorithms, a second implementation); theorem tests check EC500 Theorems 3.2 and 10.3.
"""
import copy

from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import nbgrader_meta, student_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import Limits, grade_notebook

LIMITS = Limits(time_limit=8, memory_mb=1024)
EX = load_exercise("ex2_sgd")
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


def test_instructor_solution_gets_full_marks():
    result, points = grade(copy.deepcopy(EX.nb))
    assert points == POINTS and result.score == EX.max_points == 7, format_report(result)


def test_released_student_version_gets_zero_without_crashing():
    result, points = grade(student_notebook(EX.nb, exercise=EX.name))
    assert points == expected(*POINTS), format_report(result)
    assert all("NotImplementedError" in t.feedback for t in result.tests)


ASCENT = """
def sgd(stoch_grad, w1, lr, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for _ in range(T):
        w = w + lr * stoch_grad(w)          # sign error: gradient ascent
        out.append(w)
    return numpy.array(out)
"""
DELAYED = """
def adaptive_sgd(stoch_grad, w1, c, eps, T):
    w, total, out = numpy.array(w1, dtype=float), 0.0, []
    out.append(w)
    for _ in range(T):
        g = stoch_grad(w)
        w = w - c / numpy.sqrt(eps ** 2 + total) * g     # the sum stops at t - 1: not Algorithm 7
        total += float(g @ g)
        out.append(w)
    return numpy.array(out)
"""


def test_wrong_algorithms_lose_the_right_tests():
    result, points = grade(submission(sgd=ASCENT, adaptive_sgd=DELAYED))
    # The loose Theorem 10.3 bound does not catch the delayed sum; the exact steps test does.
    assert points == expected("test_sgd_steps", "test_sgd_theorem", "test_adaptive_steps"), \
        format_report(result)
    feedback = {t.grade_id: t.feedback for t in result.tests}
    assert "Theorem 3.2 fails" in feedback["test_sgd_theorem"]
    assert feedback["test_adaptive_steps"].startswith("AssertionError: Algorithm 7")


PEEK = """
def sgd(stoch_grad, w1, lr, T):
    rng = stoch_grad.rng                    # try to read the grader's random generator
    return numpy.array([w1] * (T + 1))
"""
HARD_CODED = """
def adaptive_sgd(stoch_grad, w1, c, eps, T):
    shrink = 1 - 1 / numpy.sqrt(41.0)       # the public check's numbers, without calling stoch_grad
    return numpy.array([[3.0, 4.0], [2.4, 3.2], [2.4 * shrink, 3.2 * shrink]])
"""


def test_peeking_at_the_oracle_and_hard_coding_fail():
    result, points = grade(submission(sgd=PEEK, adaptive_sgd=HARD_CODED))
    assert points == expected(*POINTS), format_report(result)
    assert "can be called, not inspected" in result.tests[0].feedback
