"""``optlab exercises ...`` and ``optlab grade ...``: registered on the ``optlab`` command by add_subcommands.

    optlab exercises list                      the exercises found under exercises/
    optlab exercises release [NAME ...] [--out DIR]
                                               write the student versions (solutions and hidden tests removed)
    optlab exercises strip [NAME ...]          remove outputs from the instructor sources (before committing)
    optlab grade SUBMISSION.ipynb [--exercise NAME]
                                               run public and hidden tests; print points and feedback
    optlab grade FOLDER --csv scores.csv       grade every .ipynb in FOLDER into a CSV (one row each)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_subcommands(subparsers):
    """Register ``exercises`` (list, release, strip) and ``grade`` on an argparse subparsers object."""
    ex = subparsers.add_parser("exercises", help="list, release or strip the graded exercises")
    ex_sub = ex.add_subparsers(dest="exercises_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--exercises-dir", default=None,
                        help="folder holding <name>/source.ipynb (default: exercises/ of this checkout)")
    lst = ex_sub.add_parser("list", parents=[common], help="the exercises and their points")
    lst.set_defaults(func=_cmd_list)
    rel = ex_sub.add_parser("release", parents=[common],
                            help="write student versions: solutions stubbed, hidden tests removed")
    rel.add_argument("names", nargs="*", help="exercises to release (default: all)")
    rel.add_argument("--out", default=None,
                     help="output folder (DIR/<name>/student.ipynb); default exercises/<name>/release/")
    rel.set_defaults(func=_cmd_release)
    strip = ex_sub.add_parser("strip", parents=[common], help="remove outputs from instructor sources")
    strip.add_argument("names", nargs="*")
    strip.set_defaults(func=_cmd_strip)

    grade = subparsers.add_parser("grade", parents=[common],
                                  help="grade a submission notebook, or a folder of them into a CSV")
    grade.add_argument("submission", help="a .ipynb file, or a folder of .ipynb files (batch mode)")
    grade.add_argument("--exercise", default=None,
                       help="exercise name (default: read from the notebook's metadata)")
    grade.add_argument("--csv", default=None, help="batch mode: CSV to write (default: scores.csv)")
    grade.add_argument("--time-limit", type=float, default=10.0, help="seconds per test (default 10)")
    grade.add_argument("--memory-limit", type=int, default=1024, help="MiB per test (default 1024)")
    grade.add_argument("--quiet", action="store_true", help="batch mode: only the summary")
    grade.set_defaults(func=_cmd_grade)
    return subparsers


def _names(args):
    from .exercise import list_exercises

    return args.names or list_exercises(args.exercises_dir)


def _cmd_list(args):
    from .exercise import list_exercises, load_exercise

    for name in list_exercises(args.exercises_dir):
        ex = load_exercise(name, args.exercises_dir)
        tests = ", ".join(f"{t.grade_id} ({t.points:g})" for t in ex.tests)
        print(f"{name}: {ex.max_points:g} points: {tests}")
    return 0


def _cmd_release(args):
    from .exercise import load_exercise, release

    for name in _names(args):
        ex = load_exercise(name, args.exercises_dir)
        out = release(ex, None if args.out is None else Path(args.out) / name)
        print(f"released {name} -> {out}")
    return 0


def _cmd_strip(args):
    from .exercise import load_exercise
    from .notebook import has_outputs, strip_outputs, write_notebook

    for name in _names(args):
        ex = load_exercise(name, args.exercises_dir)
        if has_outputs(ex.nb):
            write_notebook(strip_outputs(ex.nb), ex.path)
            print(f"stripped {ex.path}")
    return 0


def _exercise_for(args, notebooks):
    from .exercise import identify, load_exercise

    if args.exercise:
        return load_exercise(args.exercise, args.exercises_dir)
    from .notebook import read_notebook

    found = set()
    for path in notebooks:
        try:
            found.add(identify(read_notebook(path)))
        except ValueError:
            continue
    found.discard(None)
    if len(found) != 1:
        raise SystemExit(f"optlab grade: cannot tell which exercise to grade against (metadata names "
                         f"{sorted(found) or 'none'}); pass --exercise NAME")
    return load_exercise(found.pop(), args.exercises_dir)


def _cmd_grade(args):
    from .runner import Limits, format_report, grade_folder, grade_path

    limits = Limits(time_limit=args.time_limit, memory_mb=args.memory_limit)
    target = Path(args.submission)
    if target.is_dir():
        notebooks = sorted(target.glob("*.ipynb"))
        if not notebooks:
            raise SystemExit(f"optlab grade: no .ipynb files in {target}")
        exercise = _exercise_for(args, notebooks)
        csv_path = Path(args.csv or "scores.csv")

        def progress(result):
            print(f"{Path(result.submission).name}: {result.score:g}/{result.max_score:g}" if args.quiet
                  else format_report(result) + "\n", flush=True)

        results = grade_folder(target, exercise, csv_path, limits, progress=progress)
        print(f"graded {len(results)} submissions of {exercise.name}; scores written to {csv_path}")
        return 0
    if not target.is_file():
        raise SystemExit(f"optlab grade: {target} is neither a notebook nor a folder")
    exercise = _exercise_for(args, [target])
    result = grade_path(target, exercise, limits)
    print(format_report(result))
    return 0


def main(argv=None):
    """Stand-alone entry (``python -m optlab.grading.cli``); ``optlab`` wires add_subcommands itself."""
    parser = argparse.ArgumentParser(prog="optlab", description="graded exercises")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
