"""The ``optlab`` command (also ``python -m optlab``).

    optlab verify [--theorem ID] [--thorough] [--seed N] [--json] [--report DIR]
                           check every convergence theorem on real runs (the main job)
    optlab list [--json]   the algorithm and theorem catalogues
    optlab explain ID      one theorem: hypotheses, constants, hyperparameters, oracle, ranges, source
    optlab errata [-o FILE]
                           regenerate ERRATA.md from the catalogue
    optlab demo            a tour of the autodiff engine with checked numbers
    optlab test MODULE:NAME --theorem ID [--thorough]
                           property-test your own method against a theorem (optlab.proptest)
    optlab lectures [--dir DIR]
                           the lecture notebooks and the seed sections each covers
"""
from __future__ import annotations

import argparse
import json
import sys


def _cmd_demo(args):
    from .demo import engine_demo

    return 0 if engine_demo(seed=args.seed) else 1


def _cmd_verify(args):
    from .theory.verify import main

    return main(args)


def _cmd_errata(args):
    from .theory.errata import main

    return main(args)


def _cmd_test(args):
    from .proptest import main

    return main(args)


def _cmd_list(args):
    from .algorithms import ALGORITHMS
    from .theory import THEOREMS, about

    algorithms = [{"name": a.name, "source": a.source, "theorems": [t.id for t in about(a.method)]}
                  for a in ALGORITHMS]
    theorems = [{"name": t.id, "title": t.title, "source": t.source, "algorithm": t.algorithm_name,
                 "kind": t.kind, "statement": t.statement} for t in THEOREMS]
    if args.json:
        json.dump({"algorithms": algorithms, "theorems": theorems}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"Algorithms ({len(algorithms)}):")
    for a in algorithms:
        print(f"  {a['name']:<28} {a['source']}")
        if a["theorems"]:                       # the theorems about this method (optlab.theory.about)
            print(f"  {'':<28} theorems: {', '.join(a['theorems'])}")
    print(f"\nTheorems ({len(theorems)}):")
    for t in theorems:
        print(f"  {t['name']:<24} {t['statement']:<11} {t['title']}  [{t['source']}]")
    return 0


def _cmd_explain(args):
    from .theory.explain import explain

    try:
        print(explain(args.id))
    except KeyError as err:
        print(f"optlab explain: {err.args[0]}", file=sys.stderr)
        return 2
    return 0
def _cmd_lectures(args):
    from .lectures import main

    return main(args)


def build_parser():
    parser = argparse.ArgumentParser(prog="optlab", description="optlab: optimization theory, checked.")
    sub = parser.add_subparsers(dest="command", required=True)

    verify = sub.add_parser("verify", help="check every convergence theorem on real runs")
    verify.add_argument("--theorem", action="append", metavar="ID", help="only this theorem (repeatable); an id without '/' also selects its variants "
                        "and printed form, e.g. EC500-7.2")
    verify.add_argument("--thorough", action="store_true",
                        help="more instances, and 10x the seeds of every Monte Carlo check")
    verify.add_argument("--seed", type=int, default=0)
    verify.add_argument("--json", action="store_true",
                        help="print a JSON list with one record per check (writes no report unless --report)")
    verify.add_argument("--report", default=None, metavar="DIR",
                        help="folder for the report (index.md, index.html, plots); default: report for the "
                        "full catalogue, report/only/ID for --theorem, none for --json; '' for none")
    verify.add_argument("--quiet", action="store_true", help="no progress bar")
    verify.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes for the checks and plots (default: one per core; 1: none)")
    verify.add_argument("--cluster", default=None, metavar="SPEC",
                        help="run the checks on Dask workers: local, local:N or tcp://host:port "
                             "(pip install 'optlab[dask]'); same verdicts as without")
    verify.set_defaults(func=_cmd_verify)

    lst = sub.add_parser("list", help="the algorithm and theorem catalogues")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_cmd_list)

    explain = sub.add_parser("explain", help="one theorem: hypotheses, constants, hyperparameters, oracle, "
                             "admissible ranges, source")
    explain.add_argument("id", metavar="ID", help="a theorem id, e.g. EC500-6.1 (optlab list shows them)")
    explain.set_defaults(func=_cmd_explain)

    errata = sub.add_parser("errata", help="regenerate ERRATA.md from the theorem catalogue")
    errata.add_argument("-o", "--output", default="ERRATA.md", help="output file ('-' for stdout)")
    errata.set_defaults(func=_cmd_errata)

    demo = sub.add_parser("demo", help="a tour of the autodiff engine with checked numbers")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_cmd_demo)

    test = sub.add_parser("test", help="property-test your own method against a theorem")
    test.add_argument("method", metavar="MODULE:NAME", help="a function (grad, x0, T, **hyper) -> iterates, or "
                      "an optlab-style method class, e.g. mysgd:sgd (MODULE may also be a path to a .py file)")
    test.add_argument("--theorem", action="append", required=True, metavar="ID", help="the theorem (repeatable)")
    test.add_argument("--thorough", action="store_true", help="hypothesis profile 'thorough' (200 fresh draws; "
                      "default 'quick': 25 derandomized draws)")
    test.add_argument("--max-examples", type=int, metavar="N", help="number of drawn instances")
    test.add_argument("--hyper", action="append", default=[], metavar="NAME=VALUE", help="pin a hyperparameter")
    test.add_argument("--family", action="append", metavar="NAME", help="only this problem family (repeatable)")
    test.add_argument("--quiet", action="store_true", help="no progress line")
    test.set_defaults(func=_cmd_test)
    lectures = sub.add_parser("lectures", help="the lecture notebooks and the seed sections each covers")
    lectures.add_argument("--dir", default=None, help="lectures folder (default: the repository's lectures/)")
    lectures.set_defaults(func=_cmd_lectures)

    try:  # the exercise tools (optlab exercises release, optlab grade)
        from .grading.cli import add_subcommands
    except ImportError:
        pass
    else:
        add_subcommands(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:       # `optlab explain ID | head`: the reader left; no traceback
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
