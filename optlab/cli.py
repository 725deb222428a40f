"""The ``optlab`` command (also ``python -m optlab``).

    optlab verify          the main job: check every convergence theorem on real runs
    optlab demo            a tour of the autodiff engine with checked numbers
    optlab list [--json]   the algorithm and theorem catalogues
"""
from __future__ import annotations

import argparse
import sys


def _cmd_demo(args):
    from .demo import engine_demo

    return 0 if engine_demo(seed=args.seed) else 1


def build_parser():
    parser = argparse.ArgumentParser(prog="optlab", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="a tour of the autodiff engine with checked numbers")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_cmd_demo)
    verify = sub.add_parser("verify", help="check the convergence theorems on real runs")
    verify.add_argument("--seed", type=int, default=0)
    verify.set_defaults(func=_cmd_demo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
