"""Each benchmark command runs end to end at a tiny size, on the backend of this test run, so a
change to the code they drive cannot silently break them. (Figures are not judged here.)"""

from __future__ import annotations

import os
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
        ("evidence_bench.py", ["--sources", "10", "--codings", "100"], "target < 2 s: ok"),
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
