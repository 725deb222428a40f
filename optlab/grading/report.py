"""What the grader prints and writes: per-test points and feedback, and the batch CSV.

Text that comes from a submission (its output, its exception messages) is shown quoted, with control
characters replaced, so that it cannot pass for a line of the report. Points come only from verdicts.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path


def write_csv(results, exercise, csv_path):
    """One row per submission: file, points per test (columns named by grade_id), total, max."""
    csv_path = Path(csv_path)
    tmp = csv_path.with_name(csv_path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["submission"] + [t.grade_id for t in exercise.tests] + ["total", "max"])
        for r in results:
            w.writerow([Path(r.submission).name] + [_num(t.points) for t in r.tests]
                       + [_num(r.score), _num(r.max_score)])
    os.replace(tmp, csv_path)
    return csv_path


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
    lines = [f"{result.submission}  (exercise {result.exercise})"]
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
