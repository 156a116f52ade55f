"""Import benchmark: generate N synthetic cases, import them into fresh databases, compare.

    python benchmarks/import_bench.py [--cases 100000] [--backend sqlite|postgresql|both] [--pg-url URL]

Each phase runs in its own subprocess, so the peak memory printed (the process's RSS high-water
mark: VmHWM on Linux, resource.getrusage elsewhere) is that phase's own. Phases: generate (kinerja.generator), a reference plain
sqlite3 executemany of the same rows, kinerja.register.writing.import_path into a fresh SQLite
database in a temporary data folder and, when a PostgreSQL URL is given (--pg-url or
KINERJA_TEST_DATABASE_URL), into a scratch database created on that server and dropped afterwards.
The import time is reported as a ratio to the reference. The SQLite import runs as configured by
default (KINERJA_IMPORT_PARALLEL=auto: large tables parsed in a second process on a 2-core machine;
that process's peak and CPU time are printed beside it) and once more parsed in one process. Generation and SQLite import are also run
with 10,000 cases, to show that memory does not grow with the number of cases.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scratchdb  # benchmarks/scratchdb.py (the script's folder is on sys.path)

MARK = "BENCH_RESULT "
SMALL = 10_000
YEARS = (2016, 2025)


# -- phases (each in its own process) ------------------------------------------------------------
def _peak_mb() -> float:
    """This process's RSS high-water mark. On Linux VmHWM belongs to the address space made at exec;
    getrusage's ru_maxrss also keeps the launching parent's high-water mark across fork and exec,
    so it is only the fallback (other systems)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def phase_generate(out: Path, cases: int, units: int, seed: int) -> dict:
    from kinerja import generator

    start = time.perf_counter()
    stats = generator.generate(out, units=units, years=YEARS, cases=cases, seed=seed)
    return {"seconds": time.perf_counter() - start, "rows": sum(stats.counts.values()), "peak_mb": _peak_mb()}


def phase_reference(out: Path, db: Path) -> dict:
    """The floor an importer is measured against: read the CSV rows, executemany them, one commit."""
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    rows = 0
    with con:
        for path in sorted(out.glob("*.csv")):
            with open(path, encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader)
                cols = ", ".join(f'"{c}"' for c in header)
                con.execute(f'CREATE TABLE "{path.stem}" (id INTEGER PRIMARY KEY, {cols})')
                marks = ", ".join("?" * len(header))
                before = con.total_changes
                con.executemany(f'INSERT INTO "{path.stem}" ({cols}) VALUES ({marks})', reader)
                rows += con.total_changes - before
    con.close()
    return {"seconds": time.perf_counter() - start, "rows": rows, "peak_mb": _peak_mb()}


def phase_import(out: Path, data_dir: Path, db_url: str, parallel: str = "auto") -> dict:
    os.environ["KINERJA_IMPORT_PARALLEL"] = parallel
    os.environ["KINERJA_DATA_DIR"] = str(data_dir)
    os.environ["KINERJA_DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    try:
        from kinerja.register.tabular import writing
    except ImportError as exc:
        return {"error": f"kinerja.register.tabular.writing is not available: {exc}"}
    before = _peak_mb()
    start = time.perf_counter()
    result = writing.import_path(out)
    seconds = time.perf_counter() - start
    errors = [str(e) for e in list(getattr(result, "errors", []))[:5]]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parsing processes, once joined
    return {"seconds": seconds, "ok": bool(result.ok), "errors": errors, "peak_mb": _peak_mb(),
            "setup_peak_mb": before, "worker_peak_mb": children.ru_maxrss / 1024.0,
            "worker_cpu": children.ru_utime + children.ru_stime}


# -- driver -----------------------------------------------------------------------------------------
def run_phase(*args: str) -> dict:
    """Run one phase in a fresh interpreter and return what it reported."""
    proc = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return {"error": (proc.stderr or proc.stdout).strip()[-2000:] or f"exit code {proc.returncode}"}


def _line(name: str, r: dict, cases: int, reference: float | None = None) -> str:
    if "error" in r:
        return f"  {name:<30} FAILED: {r['error']}"
    if r.get("ok") is False:
        return f"  {name:<30} IMPORT ERRORS: {r.get('errors')}"
    secs = r["seconds"]
    ratio = f"{secs / reference:7.1f}x" if reference else " " * 8
    worker = f"  (+ parsing process {r['worker_peak_mb']:.0f} MB, {r['worker_cpu']:.1f} s CPU)" \
        if r.get("worker_peak_mb") else ""
    return f"  {name:<30} {secs:9.2f} {cases / secs:11,.0f} {ratio} {r['peak_mb']:10.0f}{worker}"


def bench(cases: int, units: int, seed: int, backends: list[str], pg_url: str | None, workdir: Path,
          flat: bool, small: int = SMALL, serial: bool = True) -> int:
    print(f"Kinerja import benchmark: {cases:,} synthetic cases, {units} section(s), {YEARS[0]}-{YEARS[1]}, "
          f"seed {seed}")
    print(f"  {'phase':<30} {'seconds':>9} {'cases/s':>11} {'vs ref':>8} {'peak MB':>10}")
    sizes = [cases] + ([small] if flat and cases != small else [])
    peaks: dict[tuple[str, int], float] = {}
    status = 0
    for n in sizes:
        n_units = units if n == cases else max(1, round(units * n / cases))
        out = workdir / f"data-{n}"
        g = run_phase("generate", str(out), str(n), str(n_units), str(seed))
        print(_line(f"generate {n:,}", g, n))
        if "error" in g:
            return 1
        peaks["generate", n] = g["peak_mb"]
        ref = run_phase("reference", str(out), str(workdir / f"reference-{n}.sqlite3"))
        print(_line(f"sqlite3 executemany {g['rows']:,} rows", ref, n))
        reference = ref.get("seconds")
        for backend in backends if n == cases else ["sqlite"]:
            data_dir = workdir / f"kinerja-{backend}-{n}"
            if backend == "sqlite":
                url = f"sqlite:///{data_dir / 'kinerja.sqlite3'}"
            else:
                assert pg_url is not None
                url = scratchdb.with_db(pg_url, "kinerja_bench")
                scratchdb.admin(pg_url, "DROP DATABASE IF EXISTS kinerja_bench")
                scratchdb.admin(pg_url, "CREATE DATABASE kinerja_bench")
            try:
                r = run_phase("import", str(out), str(data_dir), url)
            finally:
                if backend == "postgresql":
                    scratchdb.admin(pg_url or "", "DROP DATABASE IF EXISTS kinerja_bench")
            print(_line(f"import {backend} {n:,}", r, n, reference))
            if "error" in r or r.get("ok") is False:
                status = 1
            else:
                peaks[f"import {backend}", n] = r["peak_mb"]
            if backend == "sqlite" and n == cases and serial:  # the same import parsed in one process
                serial = run_phase("import", str(out), str(workdir / f"kinerja-serial-{n}"),
                                   f"sqlite:///{workdir / f'kinerja-serial-{n}' / 'kinerja.sqlite3'}", "0")
                print(_line("  ... parsed in one process", serial, n, reference))
                status = status or int("error" in serial or serial.get("ok") is False)
        shutil.rmtree(out, ignore_errors=True)
    if len(sizes) == 2:
        print(f"Memory, {small:,} vs {cases:,} cases (peak RSS of each phase's process):")
        for phase in ("generate", "import sqlite"):
            if (phase, small) in peaks and (phase, cases) in peaks:
                low, high = peaks[phase, small], peaks[phase, cases]
                print(f"  {phase:<14} {low:7.0f} MB vs {high:7.0f} MB  (x{high / low:.2f} for x{cases // small} cases)")
    return status


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--units", type=int, help="sections (default: one per 5,000 cases)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    p.add_argument("--pg-url", default=os.environ.get("KINERJA_TEST_DATABASE_URL"),
                   help="PostgreSQL server URL (default: KINERJA_TEST_DATABASE_URL); a scratch database "
                        "kinerja_bench is created there and dropped")
    p.add_argument("--no-flat", action="store_true", help="skip the memory comparison with a smaller run")
    p.add_argument("--flat-cases", type=int, default=SMALL, help=f"cases of that smaller run (default {SMALL:,})")
    p.add_argument("--no-serial", action="store_true", help="skip the SQLite import parsed in one process")
    p.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.phase:
        name, *rest = args.phase
        if name == "generate":
            result = phase_generate(Path(rest[0]), int(rest[1]), int(rest[2]), int(rest[3]))
        elif name == "reference":
            result = phase_reference(Path(rest[0]), Path(rest[1]))
        else:
            result = phase_import(Path(rest[0]), Path(rest[1]), rest[2], *rest[3:])
        print(MARK + json.dumps(result), flush=True)
        return 0

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not args.pg_url:
        if args.backend == "postgresql":
            print("--backend postgresql needs --pg-url or KINERJA_TEST_DATABASE_URL", file=sys.stderr)
            return 2
        print("PostgreSQL left out: no --pg-url and no KINERJA_TEST_DATABASE_URL")
        backends = ["sqlite"]
    units = args.units or max(1, args.cases // 5000)
    with tempfile.TemporaryDirectory(prefix="kinerja-bench-") as tmp:
        return bench(args.cases, units, args.seed, backends, args.pg_url, Path(tmp), not args.no_flat,
                     args.flat_cases, not args.no_serial)


if __name__ == "__main__":
    sys.exit(main())
