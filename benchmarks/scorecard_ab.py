"""One unit-year scorecard timed for two versions of the engine, alternated on the same data.

    python benchmarks/scorecard_ab.py --unit 62.02-RESOS-ANAK [--year 2024] [--rounds 5]
        [--other-src /path/to/older/checkout/src] [--data-dir DIR] [--database-url URL] [--cache]

On a machine whose speed wanders (a shared 2-vCPU machine can change by half from one minute to the
next), absolute milliseconds mostly measure the machine; two engines alternated round by round are
compared fairly. Each round runs each version in a fresh process: one warm call, then the median of
seven. With --other-src (an older checkout's src folder, e.g. from `git worktree add`) the ratio
other / this is printed per round and as the median of the rounds; without it, only this engine is
timed. Point KINERJA_DATA_DIR (or --data-dir) and, for PostgreSQL, KINERJA_DATABASE_URL (or
--database-url) at an imported dataset, such as the one indicators_bench.py --keep leaves.

Both engines are timed computing (KINERJA_FIGURE_CACHE=0), as on a first view or right after a
write; with --cache this engine is timed with its figure cache on (the warm call fills it, so the
runs are hits)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

CHILD = """
import os, statistics, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
django.setup()
from kinerja.indicators.scorecard import scorecard
unit, year = sys.argv[1], int(sys.argv[2])
scorecard(unit, year)
runs = []
for _ in range(7):
    t = time.perf_counter()
    scorecard(unit, year)
    runs.append(time.perf_counter() - t)
print(statistics.median(runs) * 1000)
"""


def timed(unit: str, year: int, src: str | None, env: dict[str, str]) -> float:
    child_env = dict(env)
    if src:
        child_env["PYTHONPATH"] = src + os.pathsep + child_env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD, unit, str(year)], env=child_env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the engine at {src or 'this checkout'} failed:\n{out.stderr[-3000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unit", required=True)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--other-src", help="src folder of the engine to compare with")
    ap.add_argument("--data-dir")
    ap.add_argument("--database-url")
    ap.add_argument("--cache", action="store_true", help="time this engine with its figure cache on")
    a = ap.parse_args()
    env = dict(os.environ, KINERJA_FIGURE_CACHE="0")
    if a.data_dir:
        env["KINERJA_DATA_DIR"] = a.data_dir
    if a.database_url:
        env["KINERJA_DATABASE_URL"] = a.database_url
    this, other = [], []
    for r in range(1, a.rounds + 1):
        if a.other_src:
            other.append(timed(a.unit, a.year, a.other_src, env))
        this.append(timed(a.unit, a.year, None, {**env, "KINERJA_FIGURE_CACHE": "1" if a.cache else "0"}))
        line = f"round {r}: this engine {this[-1]:.1f} ms"
        if a.other_src:
            line += f", other {other[-1]:.1f} ms, other / this {other[-1] / this[-1]:.2f}x"
        print(line, flush=True)
    print(f"{a.unit} {a.year}: this engine median {statistics.median(this):.1f} ms")
    if a.other_src:
        ratios = [o / t for o, t in zip(other, this, strict=True)]
        print(f"  other engine median {statistics.median(other):.1f} ms; "
              f"other / this: median of rounds {statistics.median(ratios):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
