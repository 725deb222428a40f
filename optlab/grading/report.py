"""What the grader prints and writes: per-test points and feedback, and the batch CSV.

Text that comes from a submission (its output, its exception messages) is shown quoted, with control
characters replaced, so that it cannot pass for a line of the report. Points come only from verdicts.
"""
from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from pathlib import Path


CSV_FIELDS = ("submission", "student")  # then one column per test grade_id, then "total", "max", "status"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def display_name(name):
    """A file name as text: bytes that are not UTF-8 (``surrogateescape``) shown as ``\\xNN``, never a crash."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def csv_text(value):
    """A text cell that a spreadsheet shows as text: a leading ``= + - @`` (a formula) gets a ``'``."""
    value = _clean(str(value)).replace("\n", " ")
    return "'" + value if value.startswith(_FORMULA_START) else value


def result_row(result):
    """The CSV row of one result (names as text, points as numbers)."""
    name = display_name(Path(result.submission).name)
    stem = name[:-6] if name.endswith(".ipynb") else name
    status = "not graded" if any(n.startswith("not graded") for n in getattr(result, "notes", [])) else "graded"
    return [name, stem] + [_num(t.points) for t in result.tests] + [_num(result.score), _num(result.max_score),
                                                                     status]


def header(exercise):
    return list(CSV_FIELDS) + [t.grade_id for t in exercise.tests] + ["total", "max", "status"]


def write_csv(rows, exercise, csv_path):
    """Write the batch CSV atomically: a new temporary file in the same folder, then ``os.replace``.

    ``rows`` are :func:`result_row` lists (or GradeResults). The temporary file is created exclusively
    (``mkstemp``), so no path that already exists, a FIFO planted there included, is ever opened.
    """
    csv_path = Path(csv_path)
    rows = [r if isinstance(r, list) else result_row(r) for r in rows]
    fd, tmp = tempfile.mkstemp(prefix="." + csv_path.name + ".", suffix=".tmp", dir=csv_path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header(exercise))
            for row in rows:
                w.writerow([csv_text(row[0]), csv_text(row[1])] + row[2:])
        os.chmod(tmp, 0o644)
        os.replace(tmp, csv_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return csv_path


def read_csv_rows(csv_path, columns):
    """The rows of an earlier run's CSV (for ``--resume``); ValueError if its columns are not this exercise's."""
    with open(csv_path, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    expected = list(CSV_FIELDS) + list(columns) + ["total", "max", "status"]
    if not table or table[0] != expected:
        raise ValueError(f"--resume: {csv_path} does not have the columns of this exercise "
                         f"({', '.join(expected)}); grade into a new CSV instead")
    rows = []
    for row in table[1:]:
        if len(row) != len(expected):
            raise ValueError(f"--resume: {csv_path} has a row of {len(row)} fields, expected {len(expected)}")
        name = row[0][1:] if row[0].startswith("'") and row[0][1:].startswith(_FORMULA_START) else row[0]
        stem = row[1][1:] if row[1].startswith("'") and row[1][1:].startswith(_FORMULA_START) else row[1]
        rows.append([name, stem] + [_parse_num(x) for x in row[2:-1]] + [row[-1]])
    return rows


def _parse_num(text):
    x = float(text)
    return int(x) if x.is_integer() else x


def feedback_path(folder, name):
    """``folder/<student>.txt`` for a submission file name (made safe: no separators, no dot files)."""
    stem = display_name(name)
    stem = stem[:-6] if stem.endswith(".ipynb") else stem
    safe = "".join(ch if ch.isalnum() or ch in "-_.@+" else "_" for ch in stem).lstrip(".") or "_"
    if safe != stem or len(safe) > 150:   # two names made safe alike must not share a file
        safe = safe[:150] + "-" + hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return Path(folder) / (safe + ".txt")


def test_descriptions(exercise):
    """What each test checks, in the instructor's words: the first comment line of its cell."""
    out = {}
    for t in exercise.tests:
        first = [ln.strip().lstrip("#").strip() for ln in exercise.source(t.index).splitlines()
                 if ln.strip().startswith("#") and "BEGIN HIDDEN" not in ln]
        out[t.grade_id] = first[0] if first else t.grade_id
    return out


def feedback_text(result, exercise):
    """A student's feedback file: per test the points, what was checked and the first failing step."""
    what = test_descriptions(exercise)
    lines = [f"Feedback on {display_name(Path(result.submission).name)} (exercise {result.exercise})",
             f"Score: {_num(result.score)}/{_num(result.max_score)}", ""]
    lines += [f"Note: {_clean(n)}" for n in result.notes]
    for t in result.tests:
        lines.append(f"{t.grade_id}: {_num(t.points)}/{_num(t.max_points)} "
                     f"{'passed' if t.points == t.max_points else 'failed'}")
        lines.append(f"  checked: {_clean(what.get(t.grade_id, t.grade_id))}")
        if t.feedback:
            first, *rest = _clean(t.feedback).splitlines() or [""]
            lines.append(f"  first failing step: {first}")
            lines.extend("    " + ln for ln in rest[:20])
        if t.seeds and t.points < t.max_points:
            lines.append(f"  seeds (to replay): {', '.join(map(str, t.seeds))}")
        if t.output.strip() and t.points < t.max_points:
            lines.append("  output of your code:")
            lines.append(_quote(t.output))
    return "\n".join(lines) + "\n"


def write_feedback(result, exercise, path):
    """Write :func:`feedback_text` to ``path`` atomically (temporary file, then replace)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".feedback.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(feedback_text(result, exercise))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def _num(x):
    return int(x) if float(x).is_integer() else x


def _clean(text):
    return "".join(ch if ch in "\n" or ch.isprintable() else "?" for ch in text)


def _quote(text, limit=1500):
    """Text from the submission, shown as quoted lines with control characters removed."""
    text = _clean(text[-limit:])
    return "\n".join("      | " + line for line in text.rstrip().splitlines())


def format_report(result, show_output=True):
    """Per-test points and feedback, as printed by ``optlab grade``."""
    lines = [f"{display_name(str(result.submission))}  (exercise {result.exercise})"]
    lines += [f"  note: {_clean(n)}" for n in getattr(result, "notes", [])]
    for e in result.cell_errors:
        lines.append(f"  note: cell {_clean(str(e.get('cell')))} raised "
                     f"{_clean(str(e.get('error')))[:300]}".rstrip().replace("\n", " "))
    width = max([len(t.grade_id) for t in result.tests] + [5])
    shown = None
    for t in result.tests:
        status = "passed" if t.points == t.max_points else "failed"
        lines.append(f"  {t.grade_id:<{width}}  {_num(t.points):>3}/{_num(t.max_points):<3} {status}")
        if t.feedback:
            lines.extend("      > " + ln for ln in _clean(t.feedback).splitlines())
        if t.seeds and t.points < t.max_points:
            lines.append(f"      seeds: {', '.join(map(str, t.seeds))}")
        if show_output and t.output.strip() and t.points < t.max_points:
            if t.output == shown:
                lines.append("      output of your code: as above")
            else:
                lines.append("      output of your code (quoted, not a verdict):")
                lines.append(_quote(t.output))
                shown = t.output
    lines.append(f"  {'total':<{width}}  {_num(result.score):>3}/{_num(result.max_score)}")
    return "\n".join(lines)
