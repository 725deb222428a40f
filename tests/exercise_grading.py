"""What every exercise's CI grading test needs: submissions built from the instructor's notebook, grading,
the expected points, and the two checks every exercise must pass (full marks for the instructor's
solution; 0 without a crash for the released student version). Used by tests/test_grading_exN.py.
"""
import copy

from optlab.grading.exercise import load_exercise
from optlab.grading.notebook import nbgrader_meta, student_notebook
from optlab.grading.report import format_report
from optlab.grading.runner import grade_notebook


class ExerciseCase:
    """One exercise under test, graded with ``limits``."""

    def __init__(self, name, limits):
        self.ex, self.limits = load_exercise(name), limits
        self.points = {t.grade_id: t.points for t in self.ex.tests}

    def submission(self, **replace):
        """The released student notebook with the instructor's answers, except the cells in ``replace``
        (grade_id -> source)."""
        nb = student_notebook(self.ex.nb, exercise=self.ex.name)
        answers = {nbgrader_meta(c)["grade_id"]: c["source"] for c in self.ex.nb["cells"]
                   if nbgrader_meta(c).get("solution")}
        answers.update(replace)
        for cell in nb["cells"]:
            if nbgrader_meta(cell).get("solution"):
                cell["source"] = answers[nbgrader_meta(cell)["grade_id"]]
        return nb

    def grade(self, nb):
        result = grade_notebook(nb, self.ex, self.limits, name="sub.ipynb")
        return result, {t.grade_id: t.points for t in result.tests}

    def expected(self, *failing):
        """The points table with the tests in ``failing`` at 0."""
        return {gid: (0 if gid in failing else p) for gid, p in self.points.items()}

    @staticmethod
    def feedback(result):
        return {t.grade_id: t.feedback for t in result.tests}

    def assert_full_marks(self, max_points):
        result, points = self.grade(copy.deepcopy(self.ex.nb))
        assert points == self.points and result.score == self.ex.max_points == max_points, format_report(result)

    def assert_student_version_scores_zero(self):
        result, points = self.grade(student_notebook(self.ex.nb, exercise=self.ex.name))
        assert points == self.expected(*self.points), format_report(result)
        assert all("NotImplementedError" in t.feedback for t in result.tests)
