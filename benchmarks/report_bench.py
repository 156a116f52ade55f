"""Report benchmark: the time to make a unit-year performance evaluation report in each format
(and the case-response recap over every year), on the demo sample or a larger dataset.

    python benchmarks/report_bench.py [--cases N] [--data-dir DIR] [--unit CODE] [--year 2024]
        [--runs 3] [--backend sqlite|postgresql] [--pg-url URL]

Without --data-dir a fresh database is made: the sample of `kinerja demo` (one section, 2016-2025,
about 650 cases), or with --cases N a generated dataset of N cases (kinerja.generator), plus the
evidence sample. With --data-dir an imported KINERJA_DATA_DIR is used as it is (its database, or
KINERJA_DATABASE_URL). Each figure is the median of --runs: building the document (engine, gate,
evidence) and rendering it. Target: the PDF of one unit-year in under 5 s. A missed target is a
printed figure (MISSED), never an exit status."""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import scratchdb  # benchmarks/scratchdb.py (the script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
PDF_TARGET_S = 5.0
SECTION = "14.71-RESOS-ANAK"
PG_DB = "kinerja_repbench"


def _setup(data_dir: Path, db_url: str | None) -> None:
    os.environ["KINERJA_DATA_DIR"] = str(data_dir)
    if db_url:
        os.environ["KINERJA_DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from kinerja.register import database

    database.migrate(backup_first=False)


def _load(folder: Path, cases: int | None) -> None:
    from kinerja import generator
    from kinerja.evidence.demo import load_sample
    from kinerja.register.tabular import writing

    if cases is None:
        generator.demo_dataset(folder)
    else:
        generator.generate(folder, units=max(1, cases // 20_000), years=(2016, 2025), cases=cases, seed=2016)
    result = writing.import_path(folder)
    if not result.ok:
        raise SystemExit(result.report())
    load_sample(io.StringIO())


def _median(fn, runs: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def bench(unit_code: str, year: int, runs: int) -> None:
    from kinerja.indicators import gate
    from kinerja.register.models import Case, Unit
    from kinerja.reports import render, service

    unit = Unit.objects.filter(code=unit_code).first() or Unit.objects.filter(parent__isnull=False).order_by(
        "code").last()
    if unit is None:
        raise SystemExit("no unit")
    n = Case.objects.count()
    print(f"SINTETIS: {n} cases; unit {unit.code}; year {year}; median of {runs} run(s)")
    for publik in (False, True):
        audience = gate.operator(publik)
        label = "public" if publik else "internal"
        build_s, d = _median(lambda a=audience: service.build("kinerja", unit, audience=a, lang="id", year=year), runs)
        print(f"kinerja {label} build (engine, gate, evidence): {build_s:6.2f} s ({len(d.tables())} tables)")
        for fmt in ("html", "pdf", "xlsx"):
            total, data = _median(lambda f=fmt, a=audience: render.render(
                service.build("kinerja", unit, audience=a, lang="id", year=year), f), runs)
            note = ""
            if fmt == "pdf":
                note = f"  target < {PDF_TARGET_S:g} s: {'ok' if total < PDF_TARGET_S else 'MISSED'}"
            print(f"kinerja {label} {fmt:<4}: {total:6.2f} s (build + render, {len(data) / 1024:5.0f} KiB){note}")
    years = list(range(2016, year + 1))
    audience = gate.operator(False)
    for fmt in ("pdf", "xlsx"):
        total, data = _median(lambda f=fmt: render.render(
            service.build("rekap", unit, audience=audience, lang="id", years=years), f), runs)
        print(f"rekap {years[0]}-{years[-1]} {fmt:<4}: {total:6.2f} s ({len(data) / 1024:7.0f} KiB)")
    print("report bench done")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--cases", type=int, help="generate this many cases (default: the demo sample)")
    p.add_argument("--data-dir", help="an imported KINERJA_DATA_DIR to use as it is")
    p.add_argument("--unit", default=SECTION)
    p.add_argument("--year", type=int, default=2024)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--pg-url", default=os.environ.get("KINERJA_TEST_DATABASE_URL"),
                   help="PostgreSQL server URL (default KINERJA_TEST_DATABASE_URL); a scratch database "
                        f"{PG_DB} is created there and dropped")
    args = p.parse_args(argv)
    if args.data_dir:
        _setup(Path(args.data_dir), os.environ.get("KINERJA_DATABASE_URL"))
        bench(args.unit, args.year, args.runs)
        return 0
    with tempfile.TemporaryDirectory(prefix="kinerja-repbench-") as tmp:
        url = None
        if args.backend == "postgresql":
            if not args.pg_url:
                print("postgresql: no --pg-url or KINERJA_TEST_DATABASE_URL", file=sys.stderr)
                return 1
            scratchdb.admin(args.pg_url, f"DROP DATABASE IF EXISTS {PG_DB}")
            scratchdb.admin(args.pg_url, f"CREATE DATABASE {PG_DB}")
            url = scratchdb.with_db(args.pg_url, PG_DB)
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        try:
            _setup(Path(tmp) / "data", url)
            start = time.perf_counter()
            _load(Path(tmp) / "csv", args.cases)
            print(f"{args.backend}: loaded in {time.perf_counter() - start:.1f} s")
            bench(args.unit, args.year, args.runs)
        finally:
            if args.backend == "postgresql":
                from django.db import connections

                connections.close_all()
                scratchdb.admin(args.pg_url, f"DROP DATABASE IF EXISTS {PG_DB}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
