"""Exercise notebooks: reading, the nbgrader-style cell conventions, and the student version.

An exercise is one instructor notebook, ``exercises/<name>/source.ipynb`` (nbformat 4, stored with outputs
stripped). Its code cells come in three kinds, told apart by nbgrader's cell metadata and markers:

* **answer** cells: ``metadata.nbgrader.solution == true`` and a ``grade_id``. The instructor's code sits
  between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the student version replaces each region by
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at the marker's indentation (as nbgrader does).
* **test** cells: ``metadata.nbgrader.grade == true``, a ``grade_id`` and ``points > 0``. Everything in the
  cell is a public self-check except the regions between ``### BEGIN HIDDEN TESTS`` and
  ``### END HIDDEN TESTS``, which the student version drops. A test cell earns its points when it runs
  without raising (all or nothing, as in nbgrader).
* **setup** cells: every other code cell (imports, helpers, demos). Grading always runs the
  instructor's version of these, never the submission's. A setup cell tagged ``tests-only`` (Jupyter
  cell tags) holds test helpers: it runs in the notebook and in the grader's checker, but not in the
  sandbox where answers run (use it for imports that the sandbox refuses, such as optlab.algorithms).

IPython line magics (``%matplotlib inline``) and shell lines (``!pip ...``) are skipped when grading.

Example:
    >>> cell = code_cell("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION\\n",
    ...                  solution=True, grade_id="double")
    >>> print(student_source(cell))
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    <BLANKLINE>
    >>> answer_names(cell["source"])
    ['f']
"""
from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"
_GRADE_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


# ---- reading and writing ------------------------------------------------------------------------------

def read_notebook(path):
    """Load an nbformat-4 notebook as a plain dict (cell sources joined into strings)."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not a readable .ipynb notebook ({err})") from err
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        raise ValueError(f"{path}: expected an nbformat 4 notebook with a 'cells' list")
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or "cell_type" not in cell:
            raise ValueError(f"{path}: a cell is not an object with a 'cell_type'")
        cell["source"] = source_text(cell)
        cell.setdefault("metadata", {})
    return nb


def write_notebook(nb, path):
    """Write ``nb`` as .ipynb JSON (one-space indent, as Jupyter does), creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def source_text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def code_cell(source, *, solution=False, grade=False, grade_id=None, points=None, tags=()):
    """A new code cell with nbgrader metadata (used by tests and to build notebooks programmatically)."""
    meta = {"tags": list(tags)} if tags else {}
    if solution or grade:
        meta["nbgrader"] = {"solution": bool(solution), "grade": bool(grade), "grade_id": grade_id,
                            "locked": bool(grade), "schema_version": 3}
        if grade:
            meta["nbgrader"]["points"] = points
    return {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [],
            "source": source}


def new_notebook(cells, **metadata):
    return {"nbformat": 4, "nbformat_minor": 5, "cells": list(cells),
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}, **metadata}}


# ---- outputs --------------------------------------------------------------------------------------------

def strip_outputs(nb):
    """Remove outputs and execution counts in place (the form notebooks are committed in); returns nb."""
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell.get("metadata", {}).pop("execution", None)
    return nb


def has_outputs(nb):
    """True if any code cell holds outputs or an execution count."""
    return any(cell.get("outputs") or cell.get("execution_count") is not None
               for cell in nb["cells"] if cell.get("cell_type") == "code")


# ---- cell kinds -----------------------------------------------------------------------------------------

def nbgrader_meta(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _marker(line):
    """The marker text of a comment line such as ``    ### BEGIN SOLUTION`` (else None)."""
    stripped = line.strip()
    if not stripped.startswith("#"):
        return None
    return stripped.lstrip("#").strip()


def has_marker(source, marker):
    return any(_marker(line) == marker for line in source.splitlines())


TESTS_ONLY_TAG = "tests-only"


def cell_kind(cell):
    """'answer', 'test', 'setup', 'support' (tests-only setup) for code cells; 'text' otherwise."""
    meta = nbgrader_meta(cell)
    if cell["cell_type"] != "code":
        return "text"
    if meta.get("solution") or has_marker(source_text(cell), BEGIN_SOLUTION):
        return "answer"
    if meta.get("grade"):
        return "test"
    return "support" if TESTS_ONLY_TAG in cell_tags(cell) else "setup"


def cell_tags(cell):
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def validate_source(nb, where="notebook"):
    """Check an instructor notebook's conventions; raise ValueError naming the cell and the rule broken."""
    seen = set()
    for i, cell in enumerate(nb["cells"]):
        kind, meta, src = cell_kind(cell), nbgrader_meta(cell), source_text(cell)
        label = f"{where}, cell {i}"
        if kind in ("answer", "test"):
            gid = meta.get("grade_id")
            if not isinstance(gid, str) or not _GRADE_ID.match(gid):
                raise ValueError(f"{label}: a {kind} cell needs metadata nbgrader.grade_id made of "
                                 f"letters, digits, '_' or '-' (got {gid!r})")
            if gid in seen:
                raise ValueError(f"{label}: grade_id {gid!r} is used twice; grade ids must be unique")
            seen.add(gid)
        if kind in ("answer", "test") and TESTS_ONLY_TAG in cell_tags(cell):
            raise ValueError(f"{label}: the '{TESTS_ONLY_TAG}' tag is for setup cells, not {kind} cells")
        if kind == "answer" and meta.get("grade"):
            raise ValueError(f"{label}: a cell cannot be both an answer (solution) and a test (grade); "
                             "manually graded answers are not supported")
        if kind == "test":
            points = meta.get("points")
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
                raise ValueError(f"{label}: test cell {meta['grade_id']!r} needs nbgrader.points > 0 "
                                 f"(got {points!r})")
        _check_regions(src, BEGIN_SOLUTION, END_SOLUTION, label)
        _check_regions(src, BEGIN_HIDDEN, END_HIDDEN, label)
        if kind != "answer" and has_marker(src, BEGIN_SOLUTION):
            raise ValueError(f"{label}: solution markers outside an answer cell")
        if kind != "test" and has_marker(src, BEGIN_HIDDEN):
            raise ValueError(f"{label}: hidden-test markers are only allowed in test cells "
                             "(metadata nbgrader.grade = true)")
        if cell["cell_type"] == "code":
            for version, text in (("", src), ("student version: ", student_source(cell))):
                try:
                    compile(strip_magics(text), label, "exec")
                except SyntaxError as err:
                    raise ValueError(f"{label}: {version}syntax error at line {err.lineno}: "
                                     f"{err.msg}") from err
    if not any(cell_kind(c) == "test" for c in nb["cells"]):
        raise ValueError(f"{where}: no test cell (metadata nbgrader.grade = true, points > 0)")
    return nb


def _check_regions(src, begin, end, label):
    depth = 0
    for n, line in enumerate(src.splitlines(), 1):
        m = _marker(line)
        if m == begin:
            if depth:
                raise ValueError(f"{label}, line {n}: '{begin}' inside another '{begin}' region")
            depth = 1
        elif m == end:
            if not depth:
                raise ValueError(f"{label}, line {n}: '{end}' without a matching '{begin}'")
            depth = 0
    if depth:
        raise ValueError(f"{label}: '{begin}' is never closed by '{end}'")


# ---- transformations ------------------------------------------------------------------------------------

def _replace_regions(src, begin, end, stub):
    out, inside = [], False
    for line in src.splitlines():
        m = _marker(line)
        if m == begin:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in stub)
        elif m == end:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out) + ("\n" if src.endswith("\n") else "")


def student_source(cell):
    """The student version of one cell's source: solutions stubbed, hidden tests removed."""
    src = source_text(cell)
    if cell["cell_type"] == "code":
        src = _replace_regions(src, BEGIN_SOLUTION, END_SOLUTION, CODE_STUB)
    else:
        src = _replace_regions(src, BEGIN_SOLUTION, END_SOLUTION, (MARKDOWN_STUB,))
    return _replace_regions(src, BEGIN_HIDDEN, END_HIDDEN, ())


def student_notebook(nb, exercise=None):
    """The student version of an instructor notebook (a new dict; ``nb`` is not modified)."""
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        cell["source"] = student_source(cell)
    strip_outputs(out)
    add_cell_ids(out)
    if exercise is not None:
        out["metadata"]["optlab"] = {"exercise": exercise}
    return out


def add_cell_ids(nb):
    """Give every cell a unique ``id`` (required by nbformat 4.5): its grade_id, else ``cell-<n>``; returns nb."""
    seen = {c["id"] for c in nb["cells"] if isinstance(c.get("id"), str)}
    for i, cell in enumerate(nb["cells"]):
        if isinstance(cell.get("id"), str):
            continue
        base = nbgrader_meta(cell).get("grade_id")
        base = base if isinstance(base, str) and _GRADE_ID.match(base) and len(base) <= 60 else f"cell-{i}"
        cid, n = base, 1
        while cid in seen:
            cid, n = f"{base}-{n}", n + 1
        cell["id"] = cid
        seen.add(cid)
    nb["nbformat_minor"] = max(int(nb.get("nbformat_minor", 5)), 5)
    return nb


def strip_magics(src):
    """Replace IPython magic and shell lines by ``pass`` (same indentation), so the cell is plain Python."""
    lines = []
    for line in src.splitlines():
        body = line.lstrip()
        if body.startswith(("%", "!")):
            line = line[: len(line) - len(body)] + "pass"
        lines.append(line)
    return "\n".join(lines) + "\n"


def answer_names(src):
    """Names bound at the top level of a cell (functions, classes, assignments, imports), in order."""
    try:
        tree = ast.parse(strip_magics(src))
    except SyntaxError:
        return []
    names = []

    def add(name):
        if name not in names:
            names.append(name)

    def targets(node):
        if isinstance(node, ast.Name):
            add(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                targets(elt)
        elif isinstance(node, ast.Starred):
            targets(node.value)

    def visit(stmts):
        for node in stmts:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                add(node.name)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    targets(t)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                targets(node.target)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
                if isinstance(node, ast.For):
                    targets(node.target)
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return names
