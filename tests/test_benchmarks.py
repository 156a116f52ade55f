"""Each benchmark command runs end to end at a tiny size, on the backend of this test run, so a
change to the code they drive cannot silently break them. Figures are not judged here: a slow or
busy machine misses a timing target, and that is a printed figure (MISSED / NOT met), never a
failure of this test; what is judged is that every phase ran and the results are right."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
BACKEND = os.environ.get("KINERJA_TEST_BACKEND", "sqlite")


@pytest.mark.parametrize(
    "script,args,expect",
    [
        ("import_bench.py", ["--cases", "300", "--no-flat"], f"import {BACKEND} 300"),
        ("indicators_bench.py", ["--cases", "300"], "values agree"),
        ("evidence_bench.py", ["--sources", "10", "--codings", "100"], "matrix + agreement"),
        ("report_bench.py", ["--cases", "300", "--runs", "1"], "report bench done"),
    ],
)
def test_benchmark_runs(script, args, expect, tmp_path):
    env = dict(os.environ, KINERJA_DATA_DIR=str(tmp_path))
    env.pop("KINERJA_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, str(BENCH / script), *args, "--backend", BACKEND],
                          env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert expect in out and "FAILED" not in out and "Traceback" not in out, out[-3000:]
    if script == "report_bench.py":  # every format of the evaluation report was made, whatever it took
        assert re.search(r"kinerja public pdf : +\d+\.\d+ s .*target < 5 s: (ok|MISSED)", out), out
        assert len(re.findall(r"kinerja (internal|public) (html|pdf |xlsx): +\d+\.\d+ s", out)) == 6, out
    if script == "evidence_bench.py":  # the work was done and found something, whatever it took
        assert re.search(r"target < 2 s: (ok|MISSED)", out) and re.search(r"target < 200 ms: (ok|MISSED)", out), out
        assert int(re.search(r"\(builds index\).*?(\d+) hits", out).group(1)) > 0, out
        assert re.search(r"10 sources, 100 codings, \d+ codes, median alpha \d", out), out


def test_evidence_bench_reports_a_missed_target_without_failing(tmp_path):
    """Targets scaled down to nothing are all missed: still exit status 0 and the figures printed;
    only --strict turns a miss into exit status 1."""
    code = (f"import sys; sys.path.insert(0, {str(BENCH)!r}); import evidence_bench as b; "
            "b.MATRIX_AGREEMENT_TARGET_S = 0.0; b.SEARCH_TARGET_S = 0.0; sys.exit(b.main(sys.argv[1:]))")
    env = dict(os.environ, KINERJA_DATA_DIR=str(tmp_path))
    env.pop("KINERJA_DATABASE_URL", None)
    args = ["--sources", "4", "--codings", "20", "--backend", "sqlite"]
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "target < 0 s: MISSED" in out and "target < 0 ms: MISSED" in out, out[-3000:]
    strict = subprocess.run([sys.executable, "-c", code, *args, "--strict"], env=env, capture_output=True, text=True,
                            timeout=600)
    assert strict.returncode == 1 and "MISSED" in strict.stdout, (strict.stdout + strict.stderr)[-3000:]


def test_scorecard_ab_alternates_two_engines_on_a_kept_dataset(tmp_path):
    """scorecard_ab.py times this engine against another checkout's; here the other is this same
    source tree, over the SQLite dataset indicators_bench.py --keep leaves."""
    env = dict(os.environ)
    env.pop("KINERJA_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, str(BENCH / "indicators_bench.py"), "--cases", "300", "--backend", "sqlite",
                           "--keep", str(tmp_path), "--runs", "1"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    unit = proc.stdout.split(" section ", 1)[1].split(" ", 1)[0]  # one section at this size
    src = Path(__file__).resolve().parent.parent / "src"
    proc = subprocess.run([sys.executable, str(BENCH / "scorecard_ab.py"), "--unit", unit, "--rounds", "2",
                           "--other-src", str(src), "--data-dir", str(tmp_path / "sqlite-data")],
                          env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert out.count("other / this") == 3 and f"{unit} 2024: this engine median" in out, out


def test_web_load_signs_in_and_gets_pages_through(tmp_path):
    """The load driver on a tiny generated dataset, on this run's backend: every user signs in and
    requests get answered; the timings it prints are not judged."""
    env = dict(os.environ)
    env.pop("KINERJA_DATABASE_URL", None)
    args = ["--data-dir", str(tmp_path / "data"), "--generate", "300", "--users", "2", "--seconds", "6",
            "--think", "0.1", "--workers", "2"]
    scratch = None
    if BACKEND == "postgresql":
        sys.path.insert(0, str(BENCH))
        import scratchdb

        server = os.environ["KINERJA_TEST_DATABASE_URL"]
        scratch = server.rsplit("/", 1)[-1] + "_webload"
        scratchdb.admin(server, f'DROP DATABASE IF EXISTS "{scratch}"')
        scratchdb.admin(server, f'CREATE DATABASE "{scratch}"')
        args += ["--database-url", scratchdb.with_db(server, scratch)]
    try:
        proc = subprocess.run([sys.executable, str(BENCH / "web_load.py"), *args], env=env, capture_output=True,
                              text=True, timeout=600)
    finally:
        if scratch:
            scratchdb.admin(server, f'DROP DATABASE IF EXISTS "{scratch}"')
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "Traceback" not in out, out[-3000:]
    done = re.search(r"web load done: (\d+) signed in, (\d+) ok, (\d+) errors", out)
    assert done and int(done.group(1)) == 2 and int(done.group(2)) > 2, out[-3000:]
    assert re.search(r"sign in \(POST\) +2 +2 ", out), out[-3000:]
    assert re.search(r"\d+\.\d requests/s", out), out
