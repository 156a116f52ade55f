"""Indicator benchmark: the engine against an independent DuckDB reference, on N synthetic cases.

    python benchmarks/indicators_bench.py [--cases 1000000] [--units N] [--year 2024] [--runs 7]
        [--backend sqlite|postgresql|both] [--pg-url URL] [--csv DIR] [--data-dir DIR] [--keep DIR]
        [--pg-db NAME] [--pg-keep]
    python benchmarks/indicators_bench.py --size-series [--per-year 2000] [--backend ...] [--keep DIR]

Steps: generate N cases with kinerja.generator (or reuse a folder with --csv), import them
(kinerja.register.tabular.writing) into a fresh SQLite database and/or a scratch PostgreSQL database (or
reuse an imported KINERJA_DATA_DIR with --data-dir, and a kept PostgreSQL database with
--pg-keep). Then, timed:
- the reference: DuckDB loads the CSV files into tables (timed on its own), then computes every
  measure of every unit from SQL written from indicators.md alone, for the year and the year
  before (what the scorecards need) and for every root unit in each year 2016-2025. Its query
  times include the per-case first times of every case, which the engine also works out per query.
  It works in naive WIB times (as the files are written) with a recursive closure of the unit
  tree, and counts distinct children as distinct (kode_unit, kode_anak), so it shares nothing with
  the engine's UTC bounds, per-unit roll-up or ORM queries.
- the engine, per backend in its own process: one unit-year scorecard (median of --runs, for the
  smallest, median and largest section and a Dinas); every unit's scorecard for the year (one
  batch); every measure of every unit for the calendar year and for a 92-day window (1 March -
  1 June: not a calendar year, so P_prev is the 92 days before and the yearly measures are null);
  the whole country for ten years (every root unit and year in one compute_periods call, as the
  dashboard's trend asks for a series).
Every value of every unit, period and year must agree with DuckDB's to 1e-6 (absolute, or 1e-9
relative for large amounts); disagreements are listed and the exit status is 1. Targets: one
unit-year scorecard < 100 ms; every unit's scorecards for a year within 3x of DuckDB's query time.

The engine is timed with the figure cache off (KINERJA_FIGURE_CACHE=0): those are the costs of a
first view or of a unit just written. Each engine process first times every unit's scorecards
once before anything else: "cold" (with --drop-os-cache the OS page cache dropped first, where
the machine permits; else right after the previous phase, e.g. the other backend's import), then
warm. Then, with the
cache on (a database made by this checkout), the first view (miss) and the next ones (hit) of the
largest section and of every unit, and that the cached cards equal the computed ones.

The layout: one section per 2,000 cases (--units; 500 for a million cases), each with its Dinas
and Bidang. --size-series instead generates one section per history length (2, 3, 5 and 10 years
ending 2025, about --per-year cases in the scorecard's year), imports each, and times its 2024
scorecard alternately across them: how the cost grows with the section's history at the same
yearly volume (target: twice the history at most 1.2x the time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scratchdb  # benchmarks/scratchdb.py (the script's folder is on sys.path)

MARK = "BENCH_RESULT "
PREPARE = {"seconds": 0.0}  # DuckDB's time in per-case first times, within its query times
YEARS = (2016, 2025)
RESOLVED = ("reunifikasi_keluarga", "dirujuk_lembaga", "tujuan_tercapai", "mandiri_dewasa")
SPM = ("permakanan", "sandang", "alat_bantu", "perbekalan_kesehatan", "bimbingan_fisik_mental_sosial",
       "bimbingan_sosial_keluarga", "fasilitasi_dokumen", "akses_pendidikan_kesehatan", "penelusuran_keluarga",
       "reunifikasi_reintegrasi", "rujukan")
PAIRS = (("pendekatan_awal", "asesmen"), ("asesmen", "rencana_intervensi"), ("rencana_intervensi", "intervensi"),
         ("intervensi", "terminasi"))
# Directions of indicators.md (for capaian_target); the reference keeps its own copy on purpose.
DIRECTION = {
    "kasus_selesai": "up", "tingkat_penyelesaian": "up", "pertumbuhan_penyelesaian": "up",
    "kasus_selesai_per_peksos": "up", "biaya_per_kasus_selesai": "down", "ikm": "up",
    "rasio_peksos_bersertifikat": "up", "pengaduan_per_100_kasus": "down", "waktu_respon_median_jam": "down",
    "respon_tepat_waktu": "up", "waktu_asesmen_median_hari": "down", "pengaduan_selesai_tepat_waktu": "up",
    "kepatuhan_sop": "up", "rencana_disetujui": "up", "kelengkapan_dokumentasi": "up", "capaian_spm": "up",
    "waktu_tanggap_rujukan_median_jam": "down", "rujukan_tanpa_respon": "down", "kendala_anggaran": "down",
    "kendala_komunikasi": "down", "kendala_sarana_prasarana": "down", "kendala_sdm": "down",
    "kasus_terkendala": "down", "rasio_kesetaraan_respon": "up",
    **{f"durasi_{a}_{b}_median_hari": "down" for a, b in PAIRS},
}


# -- the DuckDB reference ------------------------------------------------------------------------
def _load(con, csv_dir: Path) -> None:  # type: ignore[no-untyped-def]
    def src(name: str) -> str:
        return f"read_csv('{csv_dir / (name + '.csv')}', header=true, all_varchar=true)"

    def ts(col: str) -> str:
        return f"CAST(NULLIF({col}, '') AS TIMESTAMP)"  # naive WIB, as the import format writes it

    con.execute(f"CREATE TABLE unit AS SELECT kode_unit, NULLIF(induk, '') AS induk FROM {src('unit')}")
    con.execute(f"""CREATE TABLE kasus AS SELECT kode_unit AS u, nomor_kasus AS no, kode_anak AS anak,
        jenis_kelamin AS sex, tingkat_risiko AS risk, {ts('dilaporkan_pada')} AS rep,
        lower(coalesce(persetujuan, '')) IN ('ya', 'true', '1') AS consent,
        {ts('ditutup_pada')} AS clo, NULLIF(alasan_penutupan, '') AS reason FROM {src('kasus')}""")
    con.execute(f"""CREATE TABLE tindakan AS SELECT kode_unit AS u, nomor_kasus AS no, tahap AS stage,
        NULLIF(layanan, '') AS service, {ts('waktu')} AS t, {ts('disetujui_pada')} AS approved,
        NULLIF(kendala, '') AS obstacle FROM {src('tindakan')}""")
    con.execute(f"""CREATE TABLE rujukan AS SELECT kode_unit AS u, nomor_kasus AS no, {ts('dikirim_pada')} AS sent,
        {ts('diterima_pada')} AS ack, NULLIF(hasil, '') AS result FROM {src('rujukan')}""")
    con.execute(f"""CREATE TABLE survei AS SELECT kode_unit AS u, CAST(tanggal AS DATE) AS d,
        {', '.join(f'CAST(NULLIF(u{i}, {chr(39)}{chr(39)}) AS INTEGER) AS u{i}' for i in range(1, 10))}
        FROM {src('survei')}""")
    con.execute(f"""CREATE TABLE pengaduan AS SELECT kode_unit AS u, {ts('diterima_pada')} AS rec,
        {ts('diselesaikan_pada')} AS res FROM {src('pengaduan')}""")
    con.execute(f"""CREATE TABLE anggaran AS SELECT kode_unit AS u, CAST(tahun AS INTEGER) AS y,
        CAST(pagu AS HUGEINT) AS pagu, CAST(realisasi AS HUGEINT) AS real FROM {src('anggaran')}""")
    con.execute(f"""CREATE TABLE sdm AS SELECT kode_unit AS u, CAST(tahun AS INTEGER) AS y,
        CAST(peksos AS DECIMAL(18, 2)) AS fte, CAST(peksos_bersertifikat AS DECIMAL(18, 2)) AS cert FROM {src('sdm')}""")
    con.execute(f"""CREATE TABLE sarana AS SELECT kode_unit AS u, CAST(tahun AS INTEGER) AS y,
        CAST(kapasitas_rumah_aman AS BIGINT) AS beds, CAST(hari_rawat AS BIGINT) AS bed_days FROM {src('sarana')}""")
    con.execute(f"""CREATE TABLE target AS SELECT kode_unit AS u, CAST(tahun AS INTEGER) AS y, indikator AS ind,
        CAST(target AS DOUBLE) AS v FROM {src('target')}""")
    con.execute("""CREATE TABLE tree AS WITH RECURSIVE t(anc, des) AS (
        SELECT kode_unit, kode_unit FROM unit
        UNION ALL SELECT t.anc, unit.kode_unit FROM t JOIN unit ON unit.induk = t.des) SELECT * FROM t""")


def _prepare(con) -> None:  # type: ignore[no-untyped-def]
    """Per-case first times and first plan approval: part of every timed query (the engine works
    them out per query too), not of the load."""
    firsts = ", ".join(f"MIN(t) FILTER (WHERE stage = '{s}') AS \"f_{s}\"" for s in
                       ("pendekatan_awal", "asesmen", "rencana_intervensi", "intervensi", "terminasi"))
    con.execute(f"CREATE OR REPLACE TABLE firsts AS SELECT u, no, {firsts} FROM tindakan GROUP BY u, no")
    con.execute("""CREATE OR REPLACE TABLE ri AS SELECT u, no, MIN(approved) AS first_approval FROM tindakan
        WHERE stage = 'rencana_intervensi' AND approved IS NOT NULL GROUP BY u, no""")


def open_reference(csv_dir: Path):  # type: ignore[no-untyped-def]
    """A DuckDB connection with the CSV tables loaded (once for all periods)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    _load(con, csv_dir)
    return con


def reference(con, start: dt.date, end: dt.date, sla_high: float = 24, sla_other: float = 72,  # type: ignore[no-untyped-def]
              complaint_days: float = 14, only: list[str] | None = None) -> dict[str, dict[str, float | int | None]]:
    """Every measure of every unit (or of the units `only`) for [start, end), from the spec alone,
    in naive WIB times."""
    t0 = time.perf_counter()
    _prepare(con)
    PREPARE["seconds"] += time.perf_counter() - t0
    wanted = ", ".join("'" + u.replace("'", "''") + "'" for u in only) if only else ""
    con.execute("CREATE OR REPLACE TEMP VIEW tree_q AS SELECT * FROM tree"
                + (f" WHERE anc IN ({wanted})" if only else ""))
    calendar = start.month == 1 and start.day == 1 and end == dt.date(start.year + 1, 1, 1)
    prev = (dt.date(start.year - 1, 1, 1), start) if calendar else (start - (end - start), start)
    days_in_year = (dt.date(start.year + 1, 1, 1) - dt.date(start.year, 1, 1)).days
    S, E = f"TIMESTAMP '{start} 00:00:00'", f"TIMESTAMP '{end} 00:00:00'"
    PS, PE = f"TIMESTAMP '{prev[0]} 00:00:00'", f"TIMESTAMP '{prev[1]} 00:00:00'"
    resolved = ", ".join(f"'{r}'" for r in RESOLVED)
    spm = ", ".join(f"'{s}'" for s in SPM)

    def inp(col: str, s: str = S, e: str = E) -> str:
        return f"({col} >= {s} AND {col} < {e})"

    # actions in P per case: any obstacle, SPM service, intervensi; and SPM services per case
    con.execute(f"""CREATE OR REPLACE TABLE act_p AS SELECT u, no,
        bool_or(obstacle IS NOT NULL) AS obstructed, bool_or(service IN ({spm})) AS spm,
        bool_or(stage = 'intervensi') AS intervened FROM tindakan WHERE {inp('t')} GROUP BY u, no""")
    con.execute(f"""CREATE OR REPLACE TABLE c AS SELECT k.*, f.* EXCLUDE (u, no), ri.first_approval,
        coalesce(a.obstructed, false) AS obstructed, coalesce(a.spm, false) AS spm_p,
        coalesce(a.intervened, false) AS intervened_p,
        {inp('rep')} AS received,
        (rep < {E} AND (clo IS NULL OR clo >= {S})) AS handled,
        coalesce({inp('clo')}, false) AS closedp,
        coalesce({inp('clo')} AND reason IN ({resolved}), false) AS resolved,
        coalesce({inp('clo', PS, PE)} AND reason IN ({resolved}), false) AS resolved_prev
        FROM kasus k LEFT JOIN firsts f USING (u, no) LEFT JOIN ri USING (u, no) LEFT JOIN act_p a USING (u, no)""")
    sla = f"CASE WHEN risk = 'tinggi' THEN {sla_high * 3600} ELSE {sla_other * 3600} END"
    ontime = f"(f_pendekatan_awal IS NOT NULL AND epoch(f_pendekatan_awal) - epoch(rep) <= {sla})"
    sop = ("(f_pendekatan_awal <= f_asesmen AND f_asesmen <= f_rencana_intervensi AND "
           "f_rencana_intervensi <= f_intervensi AND f_intervensi <= f_terminasi AND first_approval IS NOT NULL)")
    durs = ", ".join(
        f"median(epoch(f_{b}) - epoch(f_{a})) FILTER (WHERE closedp AND f_{a} IS NOT NULL AND f_{b} IS NOT NULL)"
        f" / 86400.0 AS \"durasi_{a}_{b}_median_hari\"" for a, b in PAIRS)
    cases = con.execute(f"""SELECT t.anc,
        count(*) FILTER (WHERE received) AS masuk, count(*) FILTER (WHERE handled) AS ditangani,
        count(*) FILTER (WHERE resolved) AS selesai, count(*) FILTER (WHERE resolved_prev) AS selesai_prev,
        count(*) FILTER (WHERE received AND {ontime}) AS ontime,
        count(*) FILTER (WHERE received AND sex = 'L') AS rec_l, count(*) FILTER (WHERE received AND sex = 'L' AND {ontime}) AS ok_l,
        count(*) FILTER (WHERE received AND sex = 'P') AS rec_p, count(*) FILTER (WHERE received AND sex = 'P' AND {ontime}) AS ok_p,
        median(epoch(f_pendekatan_awal) - epoch(rep)) FILTER (WHERE received AND f_pendekatan_awal IS NOT NULL) / 3600.0 AS resp,
        median(epoch(f_asesmen) - epoch(rep)) FILTER (WHERE received AND f_asesmen IS NOT NULL) / 86400.0 AS asse,
        count(*) FILTER (WHERE closedp) AS closed, count(*) FILTER (WHERE closedp AND {sop}) AS sop,
        count(*) FILTER (WHERE intervened_p) AS intervened,
        count(*) FILTER (WHERE intervened_p AND first_approval <= f_intervensi) AS plan_ok,
        count(*) FILTER (WHERE received AND consent AND f_asesmen IS NOT NULL) AS documented,
        count(DISTINCT (c.u, anak)) FILTER (WHERE handled) AS children,
        count(DISTINCT (c.u, anak)) FILTER (WHERE handled AND spm_p) AS children_spm,
        count(*) FILTER (WHERE handled AND obstructed) AS obstructed,
        {durs}
        FROM tree_q t JOIN c ON c.u = t.des
        WHERE handled OR resolved_prev OR intervened_p  -- every FILTER above implies one of these
        GROUP BY t.anc""").fetchall()
    cols = [d[0] for d in con.description]
    out: dict[str, dict] = {}
    for row in cases:
        r = dict(zip(cols, row, strict=True))
        out[r["anc"]] = r

    def merge(sql: str) -> None:
        rows = con.execute(sql).fetchall()
        names = [d[0] for d in con.description]
        for row in rows:
            r = dict(zip(names, row, strict=True))
            out.setdefault(r["anc"], {"anc": r["anc"]}).update(r)

    merge(f"""SELECT t.anc, {', '.join(f"count(*) FILTER (WHERE obstacle = '{k}') AS kendala_{k}"
                                       for k in ('anggaran', 'komunikasi', 'sarana_prasarana', 'sdm'))}
        FROM tree_q t JOIN tindakan a ON a.u = t.des WHERE {inp('t')} GROUP BY t.anc""")
    # distinct (unit, child, service) first: per ancestor and service each row is then one distinct child
    merge(f"""SELECT t.anc, {', '.join(f"count(*) FILTER (WHERE x.service = '{s}') AS anak_layanan_{s}"
                                       for s in SPM)}
        FROM tree_q t JOIN (SELECT DISTINCT a.u, k.anak, a.service FROM tindakan a
                            JOIN c k ON k.u = a.u AND k.no = a.no
                            WHERE {inp('a.t')} AND k.handled AND a.service IN ({spm})) x ON x.u = t.des
        GROUP BY t.anc""")
    merge(f"""SELECT t.anc, count(*) AS referrals,
        count(*) FILTER (WHERE result = 'tanpa_respon' OR ack IS NULL) AS unanswered,
        median(epoch(ack) - epoch(sent)) FILTER (WHERE ack IS NOT NULL) / 3600.0 AS ref_h
        FROM tree_q t JOIN rujukan r ON r.u = t.des WHERE {inp('sent')} GROUP BY t.anc""")
    merge(f"""SELECT t.anc, count(*) AS complaints,
        count(*) FILTER (WHERE res IS NOT NULL AND epoch(res) - epoch(rec) <= {complaint_days * 86400}) AS complaints_ok
        FROM tree_q t JOIN pengaduan p ON p.u = t.des WHERE {inp('rec')} GROUP BY t.anc""")
    merge(f"""SELECT t.anc, {', '.join(f'avg(u{i}) AS nrr{i}, count(u{i}) AS n{i}' for i in range(1, 10))}
        FROM tree_q t JOIN survei s ON s.u = t.des WHERE s.d >= DATE '{start}' AND s.d < DATE '{end}' GROUP BY t.anc""")
    if calendar:
        y = start.year
        merge(f"""SELECT t.anc, count(*) AS budget_rows, sum(real) AS real, sum(pagu) AS pagu
            FROM tree_q t JOIN anggaran b ON b.u = t.des WHERE y = {y} GROUP BY t.anc""")
        merge(f"""SELECT t.anc, count(*) AS sdm_rows, sum(fte) AS fte, sum(cert) AS cert
            FROM tree_q t JOIN sdm s ON s.u = t.des WHERE y = {y} GROUP BY t.anc""")
        merge(f"""SELECT t.anc, count(*) AS sarana_rows, sum(beds) AS beds, sum(bed_days) AS bed_days
            FROM tree_q t JOIN sarana s ON s.u = t.des WHERE y = {y} GROUP BY t.anc""")
    targets: dict[str, dict[str, float]] = {}
    if calendar:
        for u, ind, v in con.execute(f"SELECT u, ind, v FROM target WHERE y = {start.year}").fetchall():
            targets.setdefault(u, {})[ind] = v
    units = only or [u for (u,) in con.execute("SELECT kode_unit FROM unit").fetchall()]
    return {u: _reference_values(out.get(u, {}), targets.get(u, {}), calendar, days_in_year) for u in units}


def _div(a, b, scale=100.0):  # type: ignore[no-untyped-def]
    if a is None or b is None or b == 0:
        return None
    return float(a) / float(b) * scale


def _med(v):  # type: ignore[no-untyped-def]
    return None if v is None else float(v)


def _reference_values(r: dict, targets: dict[str, float], calendar: bool, days: int) -> dict:
    g = lambda k: r.get(k) or 0  # noqa: E731
    v: dict[str, float | int | None] = {
        "kasus_masuk": g("masuk"), "kasus_ditangani": g("ditangani"), "kasus_selesai": g("selesai"),
        "tingkat_penyelesaian": _div(g("selesai"), g("ditangani")),
        "pertumbuhan_penyelesaian": _div(g("selesai") - g("selesai_prev"), g("selesai_prev")),
        "kasus_selesai_per_peksos": _div(g("selesai"), r.get("fte"), 1.0) if calendar and g("sdm_rows") else None,
        "biaya_per_kasus_selesai": _div(r.get("real"), g("selesai"), 1.0) if calendar and g("budget_rows") else None,
        "ikm": (25.0 * sum(float(r[f"nrr{i}"]) for i in range(1, 10)) / 9.0
                if all(g(f"n{i}") for i in range(1, 10)) else None),
        "rasio_peksos_bersertifikat": _div(r.get("cert"), r.get("fte")) if calendar and g("sdm_rows") else None,
        "pengaduan_per_100_kasus": _div(g("complaints"), g("ditangani")),
        "waktu_respon_median_jam": _med(r.get("resp")),
        "respon_tepat_waktu": _div(g("ontime"), g("masuk")),
        "waktu_asesmen_median_hari": _med(r.get("asse")),
        "pengaduan_selesai_tepat_waktu": _div(g("complaints_ok"), g("complaints")),
        "kepatuhan_sop": _div(g("sop"), g("closed")),
        "rencana_disetujui": _div(g("plan_ok"), g("intervened")),
        "kelengkapan_dokumentasi": _div(g("documented"), g("masuk")),
        "realisasi_anggaran": _div(r.get("real"), r.get("pagu")) if calendar and g("budget_rows") else None,
        "capaian_spm": _div(g("children_spm"), g("children")),
        "hunian_rumah_aman": (_div(r.get("bed_days"), (r.get("beds") or 0) * days)
                              if calendar and g("sarana_rows") else None),
        "waktu_tanggap_rujukan_median_jam": _med(r.get("ref_h")),
        "rujukan_tanpa_respon": _div(g("unanswered"), g("referrals")),
        **{f"kendala_{k}": g(f"kendala_{k}") for k in ("anggaran", "komunikasi", "sarana_prasarana", "sdm")},
        "kasus_terkendala": _div(g("obstructed"), g("ditangani")),
        **{f"durasi_{a}_{b}_median_hari": _med(r.get(f"durasi_{a}_{b}_median_hari")) for a, b in PAIRS},
        **{f"anak_layanan_{s}": g(f"anak_layanan_{s}") for s in SPM},
    }
    boys, girls = _div(g("ok_l"), g("rec_l")), _div(g("ok_p"), g("rec_p"))
    v["rasio_kesetaraan_respon"] = (None if boys is None or girls is None or max(boys, girls) == 0
                                    else min(boys, girls) / max(boys, girls) * 100.0)
    achieved = []
    for ind, t in targets.items():
        direction, value = DIRECTION.get(ind), v.get(ind)
        if direction is None or value is None or ind == "capaian_target":
            continue
        if direction == "up":
            if t != 0:
                achieved.append(value / t * 100.0)
        elif t == 0:
            achieved.append(100.0 if value == 0 else 0.0)
        else:
            achieved.append(max(0.0, (2.0 - value / t) * 100.0))
    v["capaian_target"] = sum(achieved) / len(achieved) if achieved else None
    return v


# -- the engine, in its own process ----------------------------------------------------------------
def _sample_units() -> list[tuple[str, str, int]]:
    """(code, kind, cases): the smallest, median and largest section by cases, and the Dinas (root)
    above the median one: what one person opening the dashboard asks for."""
    from django.db.models import Count

    from kinerja.register.models import Case, Unit

    leaves = set(Unit.objects.filter(children__isnull=True).values_list("pk", flat=True))
    sizes = sorted((n, uid) for uid, n in Case.objects.order_by().values_list("unit_id").annotate(n=Count("pk"))
                   if uid in leaves)
    if not sizes:
        return []
    picks = {"smallest section": sizes[0], "median section": sizes[len(sizes) // 2], "largest section": sizes[-1]}
    by_pk = {u.pk: u for u in Unit.objects.all()}
    out = list({by_pk[uid].code: (by_pk[uid].code, kind, n) for kind, (n, uid) in reversed(picks.items())}.values())
    out.reverse()
    root = by_pk[picks["median section"][1]]
    while root.parent_id is not None:
        root = by_pk[root.parent_id]
    out.append((root.code, "its Dinas (parent)", picks["median section"][0]))
    return out


def phase_engine(data_dir: str, db_url: str, cfg: dict) -> dict:
    os.environ["KINERJA_DATA_DIR"] = data_dir
    if db_url:
        os.environ["KINERJA_DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    os.environ["KINERJA_FIGURE_CACHE"] = "0"  # the engine itself; the cache is timed apart below
    import statistics

    import django

    django.setup()
    from kinerja.indicators.measures import compute_many, compute_periods
    from kinerja.indicators.periods import Period
    from kinerja.indicators.scorecard import scorecard, scorecards
    from kinerja.register.models import Unit

    units = list(Unit.objects.order_by("pk"))
    codes = {u.pk: u.code for u in units}
    year = cfg["year"]
    result: dict = {"periods": [], "one_unit": []}

    # every unit's scorecards first, before anything warmed the pages (cold), then again (warm)
    t0 = time.perf_counter()
    scorecards(units, year)
    result["scorecards_cold"] = time.perf_counter() - t0

    # one unit-year scorecard (the dashboard's default framework): median of several runs per unit
    for code, kind, n in _sample_units():
        scorecard(code, year)  # warm: connection, frameworks, the unit's pages
        runs = []
        for _ in range(cfg["runs"]):
            t0 = time.perf_counter()
            scorecard(code, year)
            runs.append(time.perf_counter() - t0)
        result["one_unit"].append({"code": code, "kind": kind, "cases": n, "median": statistics.median(runs),
                                   "runs": runs})

    # every unit's scorecard for the year: one batch (this period and the previous one)
    t0 = time.perf_counter()
    cards = scorecards(units, year)
    result["scorecards_all"] = {"seconds": time.perf_counter() - t0, "units": len(cards)}

    # every measure of every unit, for the value check against the reference
    for start, end in cfg["periods"]:
        p = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        t0 = time.perf_counter()
        values = compute_many(units, p)
        seconds = time.perf_counter() - t0
        result["periods"].append({"start": start, "end": end, "seconds_all_units": seconds,
                                  "values": {codes[k]: v for k, v in values.items()}})

    # the whole country for ten years: every root unit, every calendar year (a series, as the
    # dashboard's trend asks for one), every measure: one compute_periods call
    roots = [u for u in units if u.parent_id is None]
    country: dict[str, dict] = {}
    t0 = time.perf_counter()
    years = list(range(YEARS[0], YEARS[1] + 1))
    for y, values in zip(years, compute_periods(roots, [Period.year(y) for y in years]), strict=True):
        country[str(y)] = {codes[k]: v for k, v in values.items()}
    result["country"] = {"seconds": time.perf_counter() - t0, "roots": len(roots), "values": country}
    result["cache"] = _time_cache(units, year, result["one_unit"], cfg["runs"])
    return result


def _time_cache(units: list, year: int, sampled: list[dict], runs: int) -> dict:
    """The figure cache: the first view (miss: computed and stored) and the next ones (hits) of the
    largest sampled unit and of every unit, and whether the cached cards equal computed ones."""
    import statistics

    from django.conf import settings
    from django.db import connection

    from kinerja.indicators import cache as figure_cache
    from kinerja.indicators.scorecard import scorecard, scorecards

    if "register_figurecache" not in connection.introspection.table_names():
        return {"skipped": "the database was made without the figure cache's tables"}
    largest = max(sampled, key=lambda one: one["cases"])["code"] if sampled else units[0].code
    settings.KINERJA_FIGURE_CACHE = False
    computed = scorecard(largest, year)
    settings.KINERJA_FIGURE_CACHE = True
    figure_cache.clear()
    out: dict = {"unit": largest}
    t0 = time.perf_counter()
    first = scorecard(largest, year)
    out["unit_miss"] = time.perf_counter() - t0
    hits = []
    for _ in range(runs):
        t0 = time.perf_counter()
        again = scorecard(largest, year)
        hits.append(time.perf_counter() - t0)
    out["unit_hit"] = statistics.median(hits)
    out["equal"] = first == computed == again
    t0 = time.perf_counter()
    scorecards(units, year)
    out["all_miss"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scorecards(units, year)
    out["all_hit"] = time.perf_counter() - t0
    figure_cache.clear()
    return out


def drop_os_cache() -> bool:
    """Drop the OS page cache (root on Linux only); whether it was dropped."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as fh:
            fh.write("3\n")
        return True
    except OSError:
        return False


def phase_import(csv_dir: str, data_dir: str, db_url: str) -> dict:
    os.environ["KINERJA_DATA_DIR"] = data_dir
    if db_url:
        os.environ["KINERJA_DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from kinerja.register.tabular import writing

    t0 = time.perf_counter()
    result = writing.import_path(Path(csv_dir))
    return {"seconds": time.perf_counter() - t0, "ok": bool(result.ok),
            "errors": [str(e) for e in list(getattr(result, "errors", []))[:5]]}


def run_phase(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)  # a phase never reads the terminal
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return {"error": (proc.stderr or proc.stdout).strip()[-3000:] or f"exit code {proc.returncode}"}


# -- the size series -----------------------------------------------------------------------------
SERIES_FIRST_YEARS = (2024, 2023, 2021, 2016)  # histories of 2, 3, 5 and 10 years ending 2025


def series_cases(first: int, year: int, per_year: int) -> int:
    """Cases for one generated section over first..2025 with about per_year of them in `year`
    (the generator's first section grows by 12 % of its first year's volume each year)."""
    weights = [1.0 + 0.12 * k for k in range(YEARS[1] - first + 1)]
    return round(per_year * sum(weights) / weights[year - first])


def phase_series(data_dir: str, db_url: str, cfg: dict) -> dict:
    """One section's scorecard for the year: one warm call, then the median of cfg["runs"]."""
    os.environ["KINERJA_DATA_DIR"] = data_dir
    if db_url:
        os.environ["KINERJA_DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings"
    os.environ["KINERJA_FIGURE_CACHE"] = "0"
    import statistics

    import django

    django.setup()
    from kinerja.indicators.scorecard import scorecard
    from kinerja.register.models import Case, Unit

    unit = Unit.objects.filter(children__isnull=True).order_by("pk").first()
    t0 = time.perf_counter()
    scorecard(unit, cfg["year"])
    first = time.perf_counter() - t0
    runs = []
    for _ in range(cfg["runs"]):
        t0 = time.perf_counter()
        scorecard(unit, cfg["year"])
        runs.append(time.perf_counter() - t0)
    return {"first": first, "median": statistics.median(runs), "cases": Case.objects.count(),
            "in_year": Case.objects.filter(reported_at__year=cfg["year"]).count()}


def size_series(args: argparse.Namespace) -> int:
    """Generate and import one section per history length, then time them alternately."""
    import statistics

    from kinerja import generator

    work = args.keep or Path(tempfile.mkdtemp(prefix="kinerja-size-series-"))
    work.mkdir(parents=True, exist_ok=True)
    y = args.year
    print(f"Kinerja size series: one section, about {args.per_year:,} cases in {y}, histories ending "
          f"{YEARS[1]}; work folder {work}")
    targets: list[tuple[str, int, str, str]] = []  # (backend, first year, data dir, database url)
    for first in SERIES_FIRST_YEARS:
        csv_dir = work / f"csv-{first}"
        if not (csv_dir / "kasus.csv").exists():
            generator.generate(csv_dir, units=1, years=(first, YEARS[1]), cases=series_cases(first, y, args.per_year),
                               seed=args.seed, extra_services=args.extra_services)
        if args.backend in ("sqlite", "both"):
            d = work / f"sqlite-{first}"
            if not (d / "kinerja.sqlite3").exists():
                r = run_phase("import", str(csv_dir), str(d), "")
                if "error" in r or not r.get("ok"):
                    print(f"  import {first}-{YEARS[1]} into SQLite FAILED: {r}")
                    return 1
            targets.append(("sqlite", first, str(d), ""))
        if args.backend in ("postgresql", "both"):
            if not args.pg_url:
                print("  PostgreSQL: no --pg-url or KINERJA_TEST_DATABASE_URL")
                return 1
            name = f"{args.pg_db}_series_{first}"
            url = scratchdb.with_db(args.pg_url, name)
            if not scratchdb.imported(url):
                scratchdb.admin(args.pg_url, f"DROP DATABASE IF EXISTS {name}")
                scratchdb.admin(args.pg_url, f"CREATE DATABASE {name}")
                r = run_phase("import", str(csv_dir), str(work / f"pg-{first}"), url)
                if "error" in r or not r.get("ok"):
                    print(f"  import {first}-{YEARS[1]} into PostgreSQL FAILED: {r}")
                    return 1
                scratchdb.vacuum_analyze(url)
                scratchdb.mark_imported(url)
            targets.append(("postgresql", first, str(work / f"pg-{first}"), url))
    cfg = {"year": y, "runs": args.runs}
    got: dict[tuple[str, int], list[dict]] = {}
    for _ in range(args.rounds):
        for backend, first, data_dir, url in targets:
            r = run_phase("series", data_dir, url, json.dumps(cfg))
            if "error" in r:
                print(f"  {backend} {first}: FAILED {r['error']}")
                return 1
            got.setdefault((backend, first), []).append(r)
    for backend in dict.fromkeys(b for b, *_ in targets):
        print(f"  {backend}: {y} scorecard of the section, median of {args.rounds} alternated rounds "
              f"(each the median of {args.runs} runs); first call of each process beside it")
        rows = {first: got[(b, first)] for b, first, *_ in targets if b == backend}
        for first, rs in rows.items():
            print(f"    {YEARS[1] - first + 1:2d} years, {rs[0]['cases']:7,} cases ({rs[0]['in_year']:,} in {y}): "
                  f"{statistics.median(r['median'] for r in rs) * 1000:6.1f} ms warm, "
                  f"{statistics.median(r['first'] for r in rs) * 1000:6.1f} ms first call")
        med = {first: statistics.median(r["median"] for r in rs) for first, rs in rows.items()}
        if 2021 in med and 2016 in med:
            ratio = med[2016] / med[2021]
            print(f"    twice the history (10 years against 5): {ratio:.2f}x "
                  f"(target <= 1.2x: {'met' if ratio <= 1.2 else 'NOT met'})")
    return 0


# -- comparison ----------------------------------------------------------------------------------
def close(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def compare(engine: dict[str, dict], ref: dict[str, dict]) -> list[str]:
    problems = []
    for unit in sorted(ref):
        if unit not in engine:
            problems.append(f"{unit}: missing from the engine")
            continue
        for mid, want in ref[unit].items():
            got = engine[unit].get(mid, "absent")
            if got == "absent" or not close(got, want):
                problems.append(f"{unit} {mid}: engine {got!r}, reference {want!r}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, help="sections (default one per 2,000 cases: 500 for a million)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--extra-services", type=int, default=4,
                    help="more intervention services per generated case (default 4: about 10 actions per case, "
                         "the national scale of the issue; 0 for the generator's own mix of about 7)")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--runs", type=int, default=7, help="runs of each one-unit scorecard (the median is shown)")
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    ap.add_argument("--pg-url", default=os.environ.get("KINERJA_TEST_DATABASE_URL"))
    ap.add_argument("--csv", type=Path, help="reuse a generated folder instead of generating")
    ap.add_argument("--data-dir", type=Path, help="reuse an imported KINERJA_DATA_DIR (SQLite) instead of importing")
    ap.add_argument("--pg-db", default="kinerja_ind_bench", help="scratch PostgreSQL database name")
    ap.add_argument("--pg-keep", action="store_true",
                    help="keep the PostgreSQL database after the run, and reuse it if it already holds an import")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--drop-os-cache", action="store_true",
                    help="drop the OS page cache before each engine phase (root on Linux; affects the whole machine)")
    ap.add_argument("--size-series", action="store_true",
                    help="time one section's scorecard against its history length at the same yearly volume")
    ap.add_argument("--per-year", type=int, default=2000, help="cases of the size series' section in --year")
    ap.add_argument("--rounds", type=int, default=5, help="alternated rounds of the size series")
    args = ap.parse_args()

    if args.phase:
        name, *rest = args.phase
        if name == "engine":
            print(MARK + json.dumps(phase_engine(rest[0], rest[1], json.loads(rest[2]))))
        elif name == "import":
            print(MARK + json.dumps(phase_import(rest[0], rest[1], rest[2])))
        elif name == "series":
            print(MARK + json.dumps(phase_series(rest[0], rest[1], json.loads(rest[2]))))
        return 0
    if args.size_series:
        return size_series(args)

    work = args.keep or Path(tempfile.mkdtemp(prefix="kinerja-ind-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_dir = args.csv
    y = args.year
    periods = [(f"{y}-01-01", f"{y + 1}-01-01"), (f"{y}-03-01", f"{y}-06-01")]
    print(f"Kinerja indicator benchmark: year {y} and {periods[1][0]}..{periods[1][1]}, work folder {work}")
    if csv_dir is None:
        from kinerja import generator

        csv_dir = work / "csv"
        units = args.units or max(1, args.cases // 2000)
        t0 = time.perf_counter()
        generator.generate(csv_dir, units=units, years=YEARS, cases=args.cases, seed=args.seed,
                           extra_services=args.extra_services)
        print(f"  generate {args.cases:,} cases, {units} sections: {time.perf_counter() - t0:.1f} s")

    # the reference: load once (CSV -> tables), then time each query over the loaded tables
    t0 = time.perf_counter()
    con = open_reference(csv_dir)
    duck_load = time.perf_counter() - t0
    print(f"  DuckDB load (CSV files -> tables): {duck_load:.2f} s")
    t0 = time.perf_counter()
    refs = {periods[0]: reference(con, dt.date(y, 1, 1), dt.date(y + 1, 1, 1))}
    reference(con, dt.date(y - 1, 1, 1), dt.date(y, 1, 1))
    duck_year = time.perf_counter() - t0
    duck_firsts = PREPARE["seconds"]
    print(f"  DuckDB query, every measure of every unit for {y} and for {y - 1} (what the scorecards need): "
          f"{duck_year:.2f} s, of which per-case first times {duck_firsts:.2f} s")
    refs[periods[1]] = reference(con, dt.date.fromisoformat(periods[1][0]), dt.date.fromisoformat(periods[1][1]))
    roots = [u for (u,) in con.execute("SELECT kode_unit FROM unit WHERE induk IS NULL ORDER BY 1").fetchall()]
    t0 = time.perf_counter()
    country_ref = {yy: reference(con, dt.date(yy, 1, 1), dt.date(yy + 1, 1, 1), only=roots)
                   for yy in range(YEARS[0], YEARS[1] + 1)}
    duck_country = time.perf_counter() - t0
    print(f"  DuckDB query, every measure of the {len(roots)} root units, each year {YEARS[0]}-{YEARS[1]}: "
          f"{duck_country:.2f} s")
    con.close()

    targets: list[tuple[str, str, str]] = []  # (label, data dir, database url)
    if args.backend in ("sqlite", "both"):
        if args.data_dir:
            targets.append(("sqlite", str(args.data_dir), ""))
        else:
            d = work / "sqlite-data"
            r = run_phase("import", str(csv_dir), str(d), "")
            if "error" in r or not r.get("ok"):
                print(f"  import into SQLite FAILED: {r}")
                return 1
            print(f"  import into SQLite: {r['seconds']:.1f} s")
            targets.append(("sqlite", str(d), ""))
    scratch = None
    if args.backend in ("postgresql", "both"):
        if not args.pg_url:
            print("  PostgreSQL: no --pg-url or KINERJA_TEST_DATABASE_URL")
            return 1
        scratch = args.pg_db
        url = scratchdb.with_db(args.pg_url, scratch)
        if args.pg_keep and scratchdb.imported(url):
            print(f"  PostgreSQL: reusing the import in database {scratch}")
        else:
            scratchdb.admin(args.pg_url, f"DROP DATABASE IF EXISTS {scratch}")
            scratchdb.admin(args.pg_url, f"CREATE DATABASE {scratch}")
            r = run_phase("import", str(csv_dir), str(work / "pg-data"), url)
            if "error" in r or not r.get("ok"):
                print(f"  import into PostgreSQL FAILED: {r}")
                return 1
            print(f"  import into PostgreSQL: {r['seconds']:.1f} s")
            if args.pg_keep:
                scratchdb.mark_imported(url)
        if args.pg_keep:
            scratch = None  # kept for the next run
        targets.append(("postgresql", str(work / "pg-data"), url))

    if args.backend in ("postgresql", "both") and targets and targets[-1][0] == "postgresql":
        t0 = time.perf_counter()
        scratchdb.vacuum_analyze(targets[-1][2])
        print(f"  PostgreSQL VACUUM ANALYZE after the import (what autovacuum does soon after): "
              f"{time.perf_counter() - t0:.1f} s")

    cfg = {"year": y, "periods": periods, "runs": args.runs}
    failed = False
    summary: list[str] = []
    try:
        for label, data_dir, url in targets:
            dropped = args.drop_os_cache and drop_os_cache()
            r = run_phase("engine", data_dir, url, json.dumps(cfg))
            if "error" in r:
                print(f"  engine on {label} FAILED: {r['error']}")
                failed = True
                continue
            print(f"  engine on {label}:")
            worst = 0.0
            for one in r["one_unit"]:
                worst = max(worst, one["median"])
                print(f"    one unit-year scorecard, {one['kind']} {one['code']} ({one['cases']:,} cases): "
                      f"median {one['median'] * 1000:.1f} ms of {len(one['runs'])}")
            ok1 = worst < 0.1
            print(f"    target one unit-year scorecard < 100 ms: {'met' if ok1 else 'NOT met'} "
                  f"(slowest median {worst * 1000:.1f} ms)")
            sc = r["scorecards_all"]["seconds"]
            ratio, ratio_all = sc / duck_year, sc / (duck_load + duck_year)
            ok2 = ratio <= 3
            cold = r["scorecards_cold"]
            print(f"    every unit's scorecard for {y}, first in the process "
                  f"({'OS page cache dropped' if dropped else 'cold: right after the previous phase'}): "
                  f"{cold:.2f} s = {cold / duck_year:.1f}x DuckDB's query")
            print(f"    every unit's scorecard for {y} ({r['scorecards_all']['units']} units): {sc:.2f} s = "
                  f"{ratio:.1f}x DuckDB's query ({duck_year:.2f} s), {ratio_all:.1f}x its load + query "
                  f"({duck_load + duck_year:.2f} s)")
            print(f"    (against DuckDB's query without its per-case first times, {duck_year - duck_firsts:.2f} s: "
                  f"{sc / (duck_year - duck_firsts):.1f}x)")
            print(f"    target all units one year within 3x DuckDB's query (warm): {'met' if ok2 else 'NOT met'}")
            cache = r["cache"]
            if "skipped" in cache:
                print(f"    figure cache: {cache['skipped']}")
            else:
                print(f"    figure cache, {cache['unit']}: first view {cache['unit_miss'] * 1000:.1f} ms, "
                      f"next views {cache['unit_hit'] * 1000:.1f} ms; every unit: first "
                      f"{cache['all_miss']:.2f} s, next {cache['all_hit']:.2f} s; "
                      f"cached cards equal computed ones: {cache['equal']}")
                failed = failed or not cache["equal"]
            for got in r["periods"]:
                key = (got["start"], got["end"])
                problems = compare(got["values"], refs[key])
                n = sum(len(v) for v in refs[key].values())
                print(f"    every measure of all {len(got['values'])} units {got['start']}..{got['end']}: "
                      f"{got['seconds_all_units']:.2f} s; {n - len(problems):,}/{n:,} values agree")
                for line in problems[:20]:
                    print(f"      {line}")
                failed = failed or bool(problems)
            c = r["country"]
            problems = [f"{yy} {line}" for yy, ref in country_ref.items()
                        for line in compare(c["values"][str(yy)], ref)]
            n = sum(len(v) for ref in country_ref.values() for v in ref.values())
            print(f"    whole country ten years ({c['roots']} root units, each year {YEARS[0]}-{YEARS[1]}): "
                  f"{c['seconds']:.2f} s = {c['seconds'] / duck_country:.1f}x DuckDB's query "
                  f"({duck_country:.2f} s); {n - len(problems):,}/{n:,} values agree")
            for line in problems[:20]:
                print(f"      {line}")
            failed = failed or bool(problems)
            summary.append(f"  {label:<10} one unit-year scorecard {worst * 1000:.1f} ms "
                           f"({'met' if ok1 else 'NOT met'}); all units one year {ratio:.1f}x DuckDB warm, "
                           f"{cold / duck_year:.1f}x cold "
                           f"({'met' if ok2 else 'NOT met'}); country ten years {c['seconds']:.1f} s")
    finally:
        if scratch and args.pg_url:
            scratchdb.admin(args.pg_url, f"DROP DATABASE IF EXISTS {scratch}")
    print("Summary (targets: one unit-year scorecard < 100 ms; all units one year <= 3x DuckDB's query):")
    for line in summary:
        print(line)
    print("values agree" if not failed else "FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
