"""CI grading of exercise 6 (Nesterov's accelerated gradient in two forms): solution, student version, and
wrong submissions.

The steps tests replay optlab's AcceleratedGD and Momentum(NesterovMomentum(), two_step=True) (second
implementations); the theorem tests put the submission in place of Algorithm 11 in the theorem objects
EC500-15.2 and EC500-15.2-alpha and call optlab.theory.check in the checker: no bound is written in the
exercise.
"""
import copy

import numpy

from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import nbgrader_meta, student_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import Limits, grade_notebook

LIMITS = Limits(time_limit=8, memory_mb=1024)
EX = load_exercise("ex6_nesterov")
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


# Algorithm 10 exactly as printed in the notes: w_{t+1} = w_t - v_t and lookahead w_t - beta_t v_{t-1}
# (erratum E1): the first step climbs.
PRINTED_SIGN = """
def agd_momentum(grad, w1, lr, T):
    alphas, S = [0.0, 1.0], 1.0
    while len(alphas) <= T:
        alphas.append((1 + math.sqrt(1 + 4 * S)) / 2)
        S += alphas[-1]
    w = numpy.array(w1, dtype=float)
    v = numpy.zeros_like(w)
    out = [w]
    for t in range(1, T + 1):
        beta = 0.0 if t < 2 else alphas[t - 2] ** 2 / (alphas[t] * alphas[t - 1])
        v = beta * v - lr * grad(w - beta * v)
        w = w - v
        out.append(w)
    return numpy.array(out)
"""




# An off-by-one in the weights: alpha_{t+1} solved from S_{t-1} instead of S_t.
OFF_BY_ONE = """
def agd_coupling(grad, w1, lr, T):
    w = numpy.array(w1, dtype=float)
    y, alpha, S = w.copy(), 1.0, 0.0
    out = [w]
    for _ in range(T):
        S_prev = S
        S += alpha
        tau = alpha / S
        x = (1 - tau) * w + tau * y
        g = grad(x)
        w, y = x - lr * g, y - lr * alpha * g
        alpha = (1 + math.sqrt(1 + 4 * S_prev)) / 2
        out.append(w)
    return numpy.array(out)
"""


def test_the_printed_sign_and_an_off_by_one_in_the_weights_lose_their_tests():
    result, points = grade(submission(agd_coupling=OFF_BY_ONE, agd_momentum=PRINTED_SIGN))
    # the off-by-one may or may not break Theorem 15.2 on a drawn problem, so that test is not pinned
    assert points["test_coupling_steps"] == 0, format_report(result)
    assert points["test_momentum_steps"] == points["test_forms_agree"] == points["test_momentum_theorem"] == 0
    fb = feedback(result)
    # alpha_2 is the first weight that differs; since y_2 = w_2 it first changes x_3, hence w_4
    assert "w_4 differs from the algorithm's first at step t = 4" in fb["test_coupling_steps"]
    assert "two-step momentum on ||w||^2/2, lr = 1, T = 1 is wrong" in fb["test_momentum_steps"]
    assert "your two forms differ first at w_2" in fb["test_forms_agree"]
    assert fb["test_momentum_theorem"].startswith("AssertionError: EC500-15.2 fails for your agd_momentum")


# Plain GD submitted for both forms: the same iterates (so the equality test passes), but not the box.
GD = """
def {name}(grad, w1, lr, T):
    w = numpy.array(w1, dtype=float)
    out = [w]
    for _ in range(T):
        w = w - lr * grad(w)
        out.append(w)
    return numpy.array(out)
"""


def test_gradient_descent_is_not_acceleration():
    result, points = grade(submission(agd_coupling=GD.format(name="agd_coupling"),
                                      agd_momentum=GD.format(name="agd_momentum")))
    assert points["test_coupling_steps"] == points["test_momentum_steps"] == 0, format_report(result)
    assert points["test_forms_agree"] == POINTS["test_forms_agree"]
    assert "w_4 differs from the algorithm's first at step t = 4" in feedback(result)["test_coupling_steps"]
