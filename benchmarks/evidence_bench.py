"""Evidence benchmark: import a large REFI-QDA project, then time matrix, agreement and search.

    python benchmarks/evidence_bench.py [--sources 500] [--codings 20000] [--backend sqlite|postgresql|both]
                                        [--pg-url URL] [--seed 1]

Generates a synthetic QDPX (all text marked SINTETIS, paragraphs shuffled from the demo sample in
src/kinerja/evidence/sample; the default codebook; two coders who mostly agree), then, per backend
in its own subprocess with a fresh database: `kinerja.evidence.services.import_qdpx`, the
triangulation matrix and inter-coder agreement (`selectors.matrix`, `selectors.agreement`), and
stemmed search (`selectors.search`, first query builds the index, later queries reuse it).
Reference measured in the same run: parsing the project.qde with lxml alone. Targets:
matrix + agreement < 2 s, a search (index built) < 200 ms. A missed target is a figure, reported as
MISSED (timings depend on the machine); exit status 1 means a phase failed, or, with --strict, also
that a target was missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import scratchdb  # benchmarks/scratchdb.py (the script's folder is on sys.path)

MARK = "BENCH_RESULT "
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "kinerja" / "evidence" / "sample"
QUERIES = ["anggaran", "kendaraan operasional", "koordinasi kepolisian", "dianggarkan", "rumah aman",
           "pekerja sosial", "pencairan dana", "asesmen", "sekolah", "laporan"]
MATRIX_AGREEMENT_TARGET_S = 2.0
SEARCH_TARGET_S = 0.2


def _paragraphs() -> list[str]:
    out = []
    for path in sorted(SAMPLE.glob("*.txt")) + sorted(SAMPLE.glob("*.md")):
        for para in path.read_text(encoding="utf-8").split("\n\n"):
            para = para.strip()
            if para and not para.startswith("SINTETIS"):
                out.append(para)
    return out


def generate(n_sources: int, n_codings: int, seed: int) -> bytes:
    """A deterministic synthetic QDPX of the given size."""
    sys.path.insert(0, str(ROOT / "src"))
    import tomllib

    from kinerja.evidence.analysis import records, refiqda

    rng = random.Random(seed)
    paras = _paragraphs()
    entries = tomllib.loads((ROOT / "src" / "kinerja" / "evidence" / "codebook_default.toml").read_text())["kode"]
    guid = {e["name"]: refiqda.derived_guid("kode-bawaan", e["name"]) for e in entries}
    codes = tuple(records.Code(guid[e["name"]], e["name"], e.get("description_id", ""), e.get("colour"),
                               guid.get(e.get("parent", "")), e.get("link"), e.get("codable", True)) for e in entries)
    codable = [c.guid for c in codes if c.codable]
    weights = [rng.randint(1, 6) for _ in codable]
    informants = tuple(records.Informant(refiqda.derived_guid("inf", str(i)), f"IK-{i:03d}", "Pekerja Sosial", i < 20)
                       for i in range(60))
    types = ["wawancara"] * 6 + ["observasi"] * 2 + ["dokumentasi"] * 2
    sources, codings = [], []
    per_source = n_codings // n_sources
    for s in range(n_sources):
        body = rng.sample(paras, rng.randint(10, 18))
        text = "SINTETIS / SYNTHETIC — teks bangkitan untuk benchmark.\n\n" + "\n\n".join(body) + "\n"
        sguid = refiqda.derived_guid("src", str(s))
        kind = types[s % len(types)]
        who = (informants[s % len(informants)].guid,) if kind == "wawancara" else ()
        sources.append(records.Source(sguid, f"Sumber sintetis {s:04d}", kind, text, None, who))
        spans = []
        start = 0
        for para in text.split("\n\n"):
            spans.append((start, start + len(para)))
            start += len(para) + 2
        picks = [(rng.choice(spans[1:]), rng.choices(codable, weights)[0]) for _ in range(per_source // 2)]
        for k in range(per_source):
            (a, b), code = picks[k % len(picks)]
            coder = "peneliti1" if k < len(picks) else "peneliti2"
            if coder == "peneliti2" and rng.random() < 0.1:  # a disagreement now and then
                (a, b), code = rng.choice(spans[1:]), rng.choices(codable, weights)[0]
            lo = rng.randint(a, max(a, b - 20))
            hi = min(b, lo + rng.randint(20, 200))
            codings.append(records.Coding(refiqda.derived_guid("cod", f"{s}:{k}"), sguid, lo, hi, code, coder,
                                          rng.choice(["mendukung", "menghambat", "netral"])))
    project = records.Project(codes=codes, sources=tuple(sources), informants=informants, codings=tuple(codings))
    return refiqda.write_qdpx(project)


def reference_parse(data: bytes) -> float:
    """Seconds to unzip project.qde and parse it with lxml, nothing else."""
    from lxml import etree

    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    assert root is not None
    return time.perf_counter() - start


def phase_run(qdpx: Path, data_dir: Path, db_url: str) -> dict:
    os.environ["KINERJA_DATA_DIR"] = str(data_dir)
    os.environ["KINERJA_DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    import django

    django.setup()
    from kinerja.register import database

    database.migrate(backup_first=False)
    from kinerja.evidence import selectors, services

    data = qdpx.read_bytes()
    op = services.OPERATOR
    timings: dict[str, float] = {}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        """Wall-clock and CPU seconds of this process: on a busy machine CPU time shows the cost
        of our own work, wall time includes waiting for the CPU (and, on PostgreSQL, the server)."""
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        timings[name] = time.perf_counter() - wall
        timings[name + "_cpu"] = time.process_time() - cpu
        return result

    import datetime as dt

    from kinerja.register.models import Unit

    ev = services.create_evaluation(op, code="bench", title="Benchmark", unit=Unit.objects.create(code="BENCH", name="Bench"),
                                    period_start=dt.date(2020, 1, 1), period_end=dt.date(2021, 1, 1),
                                    default_codebook=False)
    summary = timed("import", lambda: services.import_qdpx(op, ev, data))
    timed("load_project", lambda: selectors.workspace_project(ev))
    matrix = timed("matrix", lambda: selectors.matrix(op, ev))
    agreement = timed("agreement", lambda: selectors.agreement(op, ev))
    timed("matrix_agreement_again", lambda: (selectors.matrix(op, ev), selectors.agreement(op, ev)))
    first = timed("search_first", lambda: selectors.search(op, ev, QUERIES[0]))
    warm, warm_cpu = [], []
    for query in QUERIES * 2:
        timed("search", lambda q=query: selectors.search(op, ev, q))
        warm.append(timings["search"])
        warm_cpu.append(timings["search_cpu"])
    timings["search_median"] = statistics.median(warm)
    timings["search_median_cpu"] = statistics.median(warm_cpu)
    timings["search_max"] = max(warm)
    alphas = [r["alpha"] for r in agreement if r["alpha"] is not None]
    return {"timings": timings, "sources": summary.sources, "codings": summary.codings, "codes": len(matrix),
            "hits": len(first), "alpha_median": statistics.median(alphas) if alphas else None}


def run_phase(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return {"error": (proc.stderr or proc.stdout).strip()[-2000:]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--sources", type=int, default=500)
    p.add_argument("--codings", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    p.add_argument("--pg-url", default=os.environ.get("KINERJA_TEST_DATABASE_URL"),
                   help="PostgreSQL server URL (default KINERJA_TEST_DATABASE_URL); a scratch database "
                        "kinerja_evbench is created there and dropped")
    p.add_argument("--strict", action="store_true", help="exit status 1 when a target is missed as well")
    p.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.phase:
        result = phase_run(Path(args.phase[1]), Path(args.phase[2]), args.phase[3])
        print(MARK + json.dumps(result))
        return 0

    start = time.perf_counter()
    data = generate(args.sources, args.codings, args.seed)
    gen_s = time.perf_counter() - start
    ref_s = min(reference_parse(data) for _ in range(3))
    print(f"SINTETIS: QDPX {len(data) / 1e6:.1f} MB, {args.sources} sources, {args.codings} codings "
          f"(generated in {gen_s:.2f} s)")
    print(f"reference: unzip + lxml parse of project.qde  {ref_s * 1000:8.1f} ms")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    status = 0
    with tempfile.TemporaryDirectory(prefix="kinerja-evbench-") as tmp:
        qdpx = Path(tmp) / "bench.qdpx"
        qdpx.write_bytes(data)
        for backend in backends:
            data_dir = Path(tmp) / backend
            if backend == "postgresql":
                if not args.pg_url:
                    print("postgresql: no --pg-url or KINERJA_TEST_DATABASE_URL", file=sys.stderr)
                    return 1
                scratchdb.admin(args.pg_url, "DROP DATABASE IF EXISTS kinerja_evbench")
                scratchdb.admin(args.pg_url, "CREATE DATABASE kinerja_evbench")
                url = scratchdb.with_db(args.pg_url, "kinerja_evbench")
            else:
                url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
            try:
                r = run_phase("run", str(qdpx), str(data_dir), url)
            finally:
                if backend == "postgresql":
                    scratchdb.admin(args.pg_url or "", "DROP DATABASE IF EXISTS kinerja_evbench")
            if "error" in r:
                print(f"{backend}: FAILED\n{r['error']}", file=sys.stderr)
                status = 1
                continue
            t = r["timings"]
            both = t["matrix"] + t["agreement"]
            both_cpu = t["matrix_cpu"] + t["agreement_cpu"]
            ok_ma = both < MATRIX_AGREEMENT_TARGET_S
            ok_search = t["search_median"] < SEARCH_TARGET_S
            if args.strict and not (ok_ma and ok_search):
                status = 1

            def ms(key: str, t: dict[str, float] = t) -> str:
                return f"{t[key] * 1000:8.1f} ms (cpu {t[key + '_cpu'] * 1000:7.1f})"

            print(f"\n{backend}: {r['sources']} sources, {r['codings']} codings, {r['codes']} codes, "
                  f"median alpha {r['alpha_median']:.3f}   [wall ms (this process's cpu ms)]")
            print(f"  import_qdpx                     {ms('import')}   {t['import'] / ref_s:5.1f} x reference")
            print(f"  load workspace (DB + decrypt)   {ms('load_project')}")
            print(f"  matrix (loads the workspace)    {ms('matrix')}")
            print(f"  agreement                       {ms('agreement')}")
            print(f"  matrix + agreement              {both * 1000:8.1f} ms (cpu {both_cpu * 1000:7.1f})   "
                  f"target < {MATRIX_AGREEMENT_TARGET_S:.0f} s: {'ok' if ok_ma else 'MISSED'}")
            print(f"  both again, workspace unchanged {ms('matrix_agreement_again')}")
            print(f"  search, first (builds index)    {ms('search_first')}   {r['hits']} hits")
            print(f"  search, median of {len(QUERIES) * 2}          {ms('search_median')}   max "
                  f"{t['search_max'] * 1000:.1f} ms   target < {SEARCH_TARGET_S * 1000:.0f} ms: "
                  f"{'ok' if ok_search else 'MISSED'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
