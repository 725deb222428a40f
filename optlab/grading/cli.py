"""``optlab exercises ...`` and ``optlab grade ...``: registered on the ``optlab`` command by add_subcommands.

    optlab exercises list                      the exercises found under exercises/
    optlab exercises release [NAME ...] [--out DIR]
                                               write the student versions (solutions and hidden tests removed)
    optlab exercises strip [NAME ...]          remove outputs from the instructor sources (before committing)
    optlab grade SUBMISSION.ipynb --exercise NAME
                                               run public and hidden tests; print points and feedback
    optlab grade FOLDER --exercise NAME --csv scores.csv [--resume]
                                               grade every .ipynb in FOLDER into a CSV (one row each) and
                                               one feedback file per student (scores-feedback/)

The exercise is always the instructor's choice (``--exercise``, or the name of the folder holding the
submissions when it names an exercise); a submission's metadata never chooses it. Mistakes on the
command line are reported in one line, without a traceback.
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
                       help="exercise name (default: the name of the folder holding the submissions, "
                            "if it names an exercise; never the notebook's metadata)")
    grade.add_argument("--csv", default=None, help="batch mode: CSV to write (default: scores.csv)")
    grade.add_argument("--feedback", default=None, metavar="DIR",
                       help="batch mode: folder for one feedback file per student "
                            "(default: <csv name>-feedback next to the CSV)")
    grade.add_argument("--resume", action="store_true",
                       help="batch mode: keep the rows already in the CSV and grade only the others")
    grade.add_argument("--time-limit", type=float, default=10.0, help="seconds per test (default 10)")
    grade.add_argument("--memory-limit", type=int, default=1024, help="MiB per test (default 1024)")
    grade.add_argument("--disk-limit", type=int, default=64, help="MiB of files per test (default 64)")
    grade.add_argument("--isolation", choices=("auto", "bwrap", "none"), default="auto",
                       help="run each test in bubblewrap: auto (if it works; required when CI=true), "
                            "bwrap (required), none (audit hook only; not for untrusted submissions)")
    grade.add_argument("--quiet", action="store_true", help="batch mode: only the summary")
    grade.set_defaults(func=_cmd_grade)
    return subparsers


def _one_line(command):
    """Run a subcommand; a usage mistake (bad path, unknown exercise, ...) becomes one line, exit status 2."""
    def run(args):
        from .isolation import IsolationError

        try:
            return command(args)
        except (OSError, ValueError, ImportError, IsolationError) as err:
            print(f"optlab {args.command}: error: {err}", file=sys.stderr)
            return 2
    run.__name__, run.__doc__ = command.__name__, command.__doc__
    return run


def _names(args):
    from .exercise import list_exercises

    return args.names or list_exercises(args.exercises_dir)


@_one_line
def _cmd_list(args):
    from .exercise import list_exercises, load_exercise

    for name in list_exercises(args.exercises_dir):
        ex = load_exercise(name, args.exercises_dir)
        tests = ", ".join(f"{t.grade_id} ({t.points:g})" for t in ex.tests)
        print(f"{name}: {ex.max_points:g} points: {tests}")
    return 0


@_one_line
def _cmd_release(args):
    from .exercise import load_exercise, release

    for name in _names(args):
        ex = load_exercise(name, args.exercises_dir)
        out = release(ex, None if args.out is None else Path(args.out) / name)
        print(f"released {name} -> {out}")
    return 0


@_one_line
def _cmd_strip(args):
    from .exercise import load_exercise
    from .notebook import has_outputs, strip_outputs, write_notebook

    for name in _names(args):
        ex = load_exercise(name, args.exercises_dir)
        if has_outputs(ex.nb):
            write_notebook(strip_outputs(ex.nb), ex.path)
            print(f"stripped {ex.path}")
    return 0


def _exercise_for(args, target):
    """The exercise to grade against: ``--exercise``, else the submissions' folder if it names one."""
    from .exercise import list_exercises, load_exercise

    if args.exercise:
        return load_exercise(args.exercise, args.exercises_dir)
    folder = target if target.is_dir() else target.resolve().parent
    known = list_exercises(args.exercises_dir)
    if folder.name in known:
        return load_exercise(folder.name, args.exercises_dir)
    raise ValueError(f"which exercise? pass --exercise NAME (one of: {', '.join(known) or 'none'}); "
                     "a submission's own metadata is never trusted to choose it")


@_one_line
def _cmd_grade(args):
    from .batch import check_output_paths, grade_folder
    from .isolation import resolve, warning
    from .runner import Limits, format_report, grade_path

    limits = Limits(time_limit=args.time_limit, memory_mb=args.memory_limit, disk_mb=args.disk_limit)
    target = Path(args.submission)
    if not target.exists():
        raise FileNotFoundError(f"{target} is neither a notebook nor a folder")
    exercise = _exercise_for(args, target)
    if target.is_dir():
        notebooks = sorted(target.glob("*.ipynb"))
        if not notebooks:
            raise FileNotFoundError(f"no .ipynb files in {target}")
        csv_path = Path(args.csv or "scores.csv")
        feedback = Path(args.feedback) if args.feedback else None
        check_output_paths(csv_path, feedback)          # before any grading
    resolve(args.isolation)                             # IsolationError now, not after the first test
    loud = warning(args.isolation)
    if loud:
        print(loud, file=sys.stderr, flush=True)
    if target.is_dir():
        def progress(result):
            print(f"{Path(result.submission).name}: {result.score:g}/{result.max_score:g}" if args.quiet
                  else format_report(result) + "\n", flush=True)

        results = grade_folder(target, exercise, csv_path, limits, progress=progress, resume=args.resume,
                               feedback_dir=feedback, isolation=args.isolation)
        print(f"graded {len(results)} submissions of {exercise.name}"
              + (f" ({len(notebooks) - len(results)} already in the CSV)" if args.resume else "")
              + f"; scores written to {csv_path}")
        return 0
    result = grade_path(target, exercise, limits, isolation=args.isolation)
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
