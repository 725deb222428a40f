"""``optlab test MODULE:NAME --theorem ID``: the property test of :mod:`optlab.proptest` from a terminal."""
from __future__ import annotations

import sys

from .check import Counterexample, NotApplicable, check_method

def load(spec):
    """The object named by ``module:name`` (``module`` may be a dotted module or a path to a .py file)."""
    import importlib
    import importlib.util
    import os

    module, sep, name = spec.rpartition(":")
    if not sep or not module or not name:
        raise ValueError(f"METHOD must be module:name (e.g. mysgd:sgd), got {spec!r}")
    if module.endswith(".py") or os.sep in module:
        if not os.path.isfile(module):
            raise ValueError(f"no file {module!r} (from METHOD {spec!r})")
        loaded = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(module))[0], module)
        mod = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(mod)
    else:
        if os.getcwd() not in sys.path:          # the console script does not put the working folder first
            sys.path.insert(0, os.getcwd())
        mod = importlib.import_module(module)
    try:
        return getattr(mod, name)
    except AttributeError:
        raise ValueError(f"module {module!r} has no {name!r} (from METHOD {spec!r})") from None


def _parse_hyper(items):
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise ValueError(f"--hyper takes NAME=NUMBER, e.g. --hyper lr=0.1; got {item!r}")
    return out


def main(args):
    """``optlab test``: exit status 0 if every theorem held, 1 on a counterexample, 2 if not applicable."""
    try:
        method, hyper = load(args.method), _parse_hyper(args.hyper)
    except (ValueError, ImportError) as err:
        print(f"optlab test: {err}", file=sys.stderr)
        return 2
    status = 0
    for theorem in args.theorem:
        try:
            report = check_method(method, theorem, hyper=hyper, profile="thorough" if args.thorough else "quick",
                                  max_examples=args.max_examples, families=args.family, progress=not args.quiet,
                                  what=args.method.rpartition(":")[2])
        except Counterexample as err:
            print(err)
            status = 1
        except (NotApplicable, KeyError, ValueError) as err:
            print(f"{theorem}: not applicable: {err}" if isinstance(err, NotApplicable) else f"optlab test: {err}")
            status = max(status, 2) if status != 1 else 1
        else:
            print(report)
    return status
