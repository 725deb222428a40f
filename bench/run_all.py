"""Run every ``bench_*.py`` script in this folder, one after another, each in its own interpreter.

Each script prints its own table (with PASS/MISS per target); this runner prints a header per script
and a summary line. Exit status: 0 if every script exited 0, else 1 (a script exits non-zero when it
failed or computed something wrong, not for a missed speed target).

Run: ``.venv/bin/python bench/run_all.py`` (``make bench``); ``--list`` prints the scripts found.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts():
    return sorted(HERE.glob("bench_*.py"))


def main(argv):
    found = scripts()
    if "--list" in argv:
        print("\n".join(p.name for p in found))
        return 0
    failed = []
    for path in found:
        print(f"== {path.name} ==", flush=True)
        start = time.perf_counter()
        code = subprocess.run([sys.executable, str(path)], cwd=HERE.parent).returncode
        print(f"-- {path.name}: exit {code}, {time.perf_counter() - start:.1f} s\n", flush=True)
        if code != 0:
            failed.append(path.name)
    print(f"{len(found)} benchmark script(s) run; " + (f"failed: {', '.join(failed)}" if failed else "none failed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
