"""CI grading of exercise 7 (diagonal AdaGrad and Adam): solution, student version, and wrong submissions.

The steps tests replay optlab's AdaGrad and Adam (second implementations) on the stochastic gradients the
run drew; the theorem tests put the submission in place of the algorithm of EC500-16.3 (AdaGrad) and of
Reddi-2018-1 (Adam on Reddi et al.'s online example, which a correct Adam fails) and call
optlab.theory.check in the checker: no bound is written in the exercise.
"""
import copy

from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import nbgrader_meta, student_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import Limits, grade_notebook

LIMITS = Limits(time_limit=8, memory_mb=1024)
EX = load_exercise("ex7_adagrad_adam")
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
    assert points == POINTS and result.score == EX.max_points == 8, format_report(result)


def test_released_student_version_gets_zero_without_crashing():
    result, points = grade(student_notebook(EX.nb, exercise=EX.name))
    assert points == expected(*POINTS), format_report(result)
    assert all("NotImplementedError" in t.feedback for t in result.tests)


# AdaGrad that forgets the box, and "Adam" whose denominator keeps its running maximum (AMSGrad's fix):
# the second one converges on Reddi et al.'s example, so it does not reproduce Adam's failure.
NO_BOX = """
def adagrad(stoch_grad, w1, c, D, T):
    w = numpy.array(w1, dtype=float)
    s = numpy.zeros_like(w)
    out = [w]
    for _ in range(T):
        g = stoch_grad(w)
        s = s + g * g
        w = w - numpy.where(s > 0, c * g / numpy.sqrt(numpy.where(s > 0, s, 1.0)), 0.0)
        out.append(w)
    return numpy.array(out)
"""
MAX_DENOMINATOR = """
def adam(stoch_grad, w1, lr, beta1, beta2, eps, T, project=None):
    w = numpy.array(w1, dtype=float)
    m, v = numpy.zeros_like(w), numpy.full_like(w, eps ** 2)
    v_max = v.copy()
    out = [w]
    for t in range(1, T + 1):
        g = stoch_grad(w)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = numpy.maximum(v_max, v)
        w = w - lr(t) * (m / (1 - beta1 ** t)) / numpy.sqrt(v_max / (1 - beta2 ** t))
        if project is not None:
            w = numpy.asarray(project(w), dtype=float)
        out.append(w)
    return numpy.array(out)
"""


def test_a_missing_box_and_a_non_decreasing_denominator_are_caught():
    result, points = grade(submission(adagrad=NO_BOX, adam=MAX_DENOMINATOR))
    # Without the box AdaGrad may or may not break Theorem 16.3 on a drawn problem: that test is not pinned.
    assert points["test_adagrad_steps"] == points["test_adam_steps"] == points["test_adam_reddi"] == 0, \
        format_report(result)
    fb = feedback(result)
    assert "your adagrad: the iterates" in fb["test_adagrad_steps"]
    assert "your adam: the iterates" in fb["test_adam_steps"]
    assert fb["test_adam_reddi"].startswith("AssertionError: Reddi-2018-1 fails for your adam")


# Adam without bias correction (m_hat = m, v_hat = v): Reddi et al.'s own setting, so it still fails
# their example as it should, but it is not Algorithm 12.
NO_BIAS_CORRECTION = """
def adam(stoch_grad, w1, lr, beta1, beta2, eps, T, project=None):
    w = numpy.array(w1, dtype=float)
    m, v = numpy.zeros_like(w), numpy.full_like(w, eps ** 2)
    out = [w]
    for t in range(1, T + 1):
        g = stoch_grad(w)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w = w - lr(t) * m / numpy.sqrt(v)
        if project is not None:
            w = numpy.asarray(project(w), dtype=float)
        out.append(w)
    return numpy.array(out)
"""


def test_adam_without_bias_correction_loses_only_the_steps():
    result, points = grade(submission(adam=NO_BIAS_CORRECTION))
    assert points == expected("test_adam_steps"), format_report(result)
    assert "Adam's first step on ||w||^2/2" in feedback(result)["test_adam_steps"]
