"""``optlab verify``: check every theorem of the catalogue on default instances, with no configuration.

Prints a table (theorem, source, algorithm, problem, measured, bound, measured/bound, verdict), writes a
report folder (``index.md`` and ``index.html``, one section and plot per check), and exits non-zero if
any check's outcome differs from what is expected (a bound that should hold fails, or a misprint's
counterexample stops failing). With ``--json`` standard output carries only a JSON list with one record
per check; progress goes to stderr.

Where the report goes, so that no run destroys another's work: the full catalogue writes ``report/``;
``--theorem ID`` writes ``report/only/<IDs>/`` beside it (never over the full report); ``--json``
writes no report unless ``--report DIR`` is given; an explicit ``--report DIR`` is always used. Ctrl-C
stops the checks, prints the table of those that finished and writes their report to
``<folder>/interrupted/``.

Many checks run in worker processes, one per core (``--jobs N``; 1: all in this process): each worker
checks a theorem on an instance named by data only (theorem id, which instance, seed) and draws its
plot, and this process rebuilds the same :class:`~optlab.theory.theorem.Check` from the instance's
seed. Below ``MIN_PARALLEL`` checks the sweep stays in this process (starting workers costs more).
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import sys
import time
import warnings
from contextlib import contextmanager

from .theorem import Check, check

MIN_PARALLEL = 24   # checks; below this, starting the workers (imports: ~1 s each) costs more than it saves


def plan(theorem, seed=0, thorough=False):
    """What ``optlab verify`` checks for one theorem, as ``(which, seed)`` pairs: its default instance
    (one seed, or three with ``thorough``), or the counterexample of a misprint, plus its tight instance
    where it has one."""
    if not theorem.expect:
        return [("counterexample", None)]
    out = [("default", s) for s in range(seed, seed + (3 if thorough else 1))]
    if theorem.tight_instance is not None:
        out.append(("tight", None))
    return out


def instance_of(theorem, which, seed=None):
    """The instance a planned check names (deterministic: the same on every machine)."""
    if which == "counterexample":
        return theorem.counterexample()
    if which == "tight":
        return theorem.tight_instance()
    return theorem.default(seed)


def checks_for(theorem, seed=0, thorough=False):
    """The checks ``optlab verify`` runs for one theorem (see :func:`plan`)."""
    return [check(theorem, instance_of(theorem, which, s)) for which, s in plan(theorem, seed, thorough)]


def tight_ok(c):
    """For a check on a theorem's tight instance: does the run come within the stated factor?"""
    t = c.theorem
    if t.tight_instance is None or c.instance.label != "tight":
        return None
    return c.ratio >= t.tight_factor


@contextmanager
def quiet_runs():
    """The catalogue's instances are chosen on purpose (a lemma for any eta may diverge, a bound may be
    checked without noise): run()'s advice to users (RunWarning) would only be noise in the table."""
    from ..algorithms.diagnostics import RunWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunWarning)
        yield


def verify(theorems, seed=0, thorough=False, progress=True):
    """Run all checks in this process; returns the list of :class:`Check` (a progress bar goes to
    stderr)."""
    from tqdm.auto import tqdm

    results = []
    bar = tqdm(theorems, desc="verifying", unit="theorem", file=sys.stderr, disable=not progress)
    try:
        with quiet_runs():
            for thm in bar:
                bar.set_postfix_str(thm.id)
                results.extend(checks_for(thm, seed=seed, thorough=thorough))
    except KeyboardInterrupt as err:
        raise Interrupted(results) from err
    finally:
        bar.close()
    return results


def default_jobs():
    """Worker processes for the sweep: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                      # macOS, Windows
        return os.cpu_count() or 1


def verify_parallel(theorems, seed=0, thorough=False, progress=True, jobs=None, draw=True):
    """:func:`verify`'s checks on ``jobs`` worker processes, each also drawing its check's plot
    (``draw``); returns ``(checks, images)``: the same checks in the same order, and the PNG bytes of
    each plot (None without ``draw``) for :func:`optlab.theory.report.write_report`."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm.auto import tqdm

    specs = [(thm, which, s) for thm in theorems for which, s in plan(thm, seed, thorough)]
    done = [None] * len(specs)              # (Check, png) by position: the serial sweep's order
    bar = tqdm(total=len(specs), desc="verifying", unit="check", file=sys.stderr, disable=not progress)
    pool = ProcessPoolExecutor(max_workers=jobs or default_jobs(), initializer=_worker_start)
    try:
        futures = {pool.submit(_check_task, thm.id, which, s, draw): k
                   for k, (thm, which, s) in enumerate(specs)}
        for fut in as_completed(futures):
            k = futures[fut]
            measured, bound, holds, spread, detail, png = fut.result()
            thm, which, s = specs[k]            # the instance is rebuilt here from its seed
            done[k] = (Check(thm, instance_of(thm, which, s), measured, bound, holds, spread=spread,
                             detail=detail), png)
            bar.update(1)
    except KeyboardInterrupt as err:            # keep what finished; running checks end on their own
        pool.shutdown(wait=False, cancel_futures=True)
        finished = [d for d in done if d is not None]
        raise Interrupted([c for c, _ in finished], [png for _, png in finished]) from err
    finally:
        bar.close()
    pool.shutdown()
    return [c for c, _ in done], [png for _, png in done]


def _worker_start():
    """In a worker: Ctrl-C is for the main process, which stops the sweep and keeps what finished."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


_FIGURE = None      # a worker's ReportFigure, reused for every plot it draws


def _check_task(theorem_id, which, seed, draw):
    """Worker side: one check and its plot; plain arrays, flags and bytes travel back (no closures)."""
    global _FIGURE
    from . import get

    thm = get(theorem_id)
    with quiet_runs():
        c = check(thm, instance_of(thm, which, seed))
    png = None
    if draw:
        if _FIGURE is None:
            from .report import ReportFigure

            _FIGURE = ReportFigure()
        png = _FIGURE.png(c)
    return c.measured, c.bound, bool(c.holds), c.spread, c.detail, png


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`verify`; ``checks`` holds the checks that finished (``images`` their plots
    where workers drew them, else None)."""

    def __init__(self, checks, images=None):
        super().__init__(f"interrupted after {len(checks)} checks")
        self.checks, self.images = checks, images


def report_folder(args):
    """Where this invocation writes its report (None: nowhere); see the module docstring."""
    if args.report is not None:
        return args.report or None
    if args.json:
        return None
    if args.theorem:
        return str(pathlib.Path("report", "only", "+".join(t.replace("/", "_") for t in args.theorem)))
    return "report"


def verdict(c):
    ok = c.holds == c.theorem.expect and tight_ok(c) is not False
    if not c.theorem.expect:
        return "misprint shown" if ok else "UNEXPECTED: printed form holds"
    if tight_ok(c):
        return "holds, tight"
    if tight_ok(c) is False:
        return f"NOT TIGHT (< {c.theorem.tight_factor})"
    return "holds" if ok else "VIOLATED"


def _short_source(source):
    """'EC500 notes (seed 003) Thm 2.4, L206-246' -> 'seed 003 Thm 2.4' (the full source is in --json)."""
    return re.sub(r"^.*\((seed \d+)\)\s*", r"\1 ", source.split(",")[0])[:30]


def format_table(checks):
    head = ("theorem", "source", "algorithm", "problem", "measured", "bound", "ratio", "verdict")
    rows = []
    for c in checks:
        r = c.record()
        rows.append((r["theorem"], _short_source(r["source"]), r["algorithm"][:24], r["problem"][:28],
                     f"{r['measured']:.4g}", f"{r['bound']:.4g}", (f"{r['ratio']:.3f}" if r['ratio'] < 1e3 else f"{r['ratio']:.3g}"), verdict(c)))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "  ".join(str(x).ljust(w) for x, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def failures(checks):
    return [c for c in checks if c.holds != c.theorem.expect or tight_ok(c) is False]


def main(args):
    from . import THEOREMS
    from .report import write_report

    selected = [t for t in THEOREMS if not args.theorem or t.id in args.theorem
                or t.id.split("/")[0] in args.theorem]
    if args.theorem and not selected:
        known = ", ".join(t.id for t in THEOREMS)
        print(f"optlab verify: no theorem with id {args.theorem}; known ids: {known}", file=sys.stderr)
        return 2
    if args.thorough:       # the thorough profile: also 10x the seeds of every Monte Carlo check
        os.environ.setdefault("OPTLAB_PROFILE", "thorough")
    start = time.perf_counter()
    folder, interrupted, images = report_folder(args), False, None
    jobs = getattr(args, "jobs", None)
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        print(f"optlab verify: --jobs must be at least 1, got {jobs}", file=sys.stderr)
        return 2
    n_checks = sum(len(plan(t, args.seed, args.thorough)) for t in selected)
    try:
        if getattr(args, "cluster", None):           # the same checks as Dask tasks (optlab.distributed)
            from ..distributed import connect
            from ..distributed.sweep import verify_on_cluster

            with connect(args.cluster) as client:
                checks = verify_on_cluster(selected, client, seed=args.seed, thorough=args.thorough,
                                           progress=not args.quiet)
        elif jobs > 1 and n_checks >= MIN_PARALLEL:  # the workers also draw the report's plots
            checks, images = verify_parallel(selected, seed=args.seed, thorough=args.thorough,
                                             progress=not args.quiet, jobs=min(jobs, n_checks),
                                             draw=bool(folder))
        else:
            checks = verify(selected, seed=args.seed, thorough=args.thorough, progress=not args.quiet)
    except Interrupted as err:      # keep what finished: its table, and its report beside the full one
        checks, images, interrupted = err.checks, err.images, True
        folder = folder and str(pathlib.Path(folder, "interrupted"))
        print(f"optlab verify: interrupted; {len(checks)} checks finished", file=sys.stderr)
    bad = failures(checks)
    if args.json:
        record = lambda c: dict(c.record(), tight=tight_ok(c))  # noqa: E731
        json.dump([record(c) for c in checks], sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_table(checks))
        print(f"\n{len(checks)} checks of {len(selected)} theorems in {time.perf_counter() - start:.0f} s: "
              f"{len(checks) - len(bad)} as expected, {len(bad)} not")
    if folder and checks:
        path = write_report(checks, folder, images=images)
        print(f"report written to {path} (and {path.with_suffix('.html')})", file=sys.stderr)
    return 130 if interrupted else 1 if bad else 0
