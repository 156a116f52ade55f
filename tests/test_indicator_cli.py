"""`kinerja measures | scorecard | trend | frameworks` through the real argument parser."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from kinerja import cli
from kinerja.indicators import definitions as defs
from tests.indicator_factories import H, act, case, wib

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(units, users):
    """Seksi 2020: 4 cases reported 1 Mar, responded after 1 h; 1 resolved in May; 2 of them peksos1's."""
    from kinerja.register.models import Target

    u = units["seksi"]
    t = wib(2020, 3, 1)
    for i in range(4):
        c = case(u, t, closed=wib(2020, 5, 1) if i == 0 else None, worker=users["peksos"] if i < 2 else None)
        act(c, "pendekatan_awal", t + H)
    Target.objects.create(unit=u, year=2020, indicator="tingkat_penyelesaian", value=50)  # 25 / 50 -> 50 %
    return u


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_measures_json_is_the_machine_output(data, capsys):
    code, out, _ = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--format", "json")
    assert code == 0
    got = json.loads(out)
    assert list(got) == ["unit", "mulai", "selesai", *defs.CORE_IDS]
    assert (got["unit"], got["mulai"], got["selesai"]) == ("14.71-RESOS-ANAK", "2020-01-01", "2021-01-01")
    assert got["kasus_masuk"] == 4 and got["kasus_selesai"] == 1
    assert got["tingkat_penyelesaian"] == 25.0
    assert got["waktu_respon_median_jam"] == 1.0
    assert got["ikm"] is None and got["capaian_target"] == 50.0


def test_measures_for_a_date_range_and_a_worker(data, capsys):
    code, out, _ = run(capsys, "measures", "--unit", "14.71-RESOS", "--from", "2020-03-01", "--to", "2020-03-02",
                       "--worker", "peksos1", "--format", "json")
    got = json.loads(out)
    assert code == 0 and (got["mulai"], got["selesai"]) == ("2020-03-01", "2020-03-02")
    assert got["kasus_masuk"] == 2 and got["kasus_selesai"] == 0 and got["ikm"] is None


def test_measures_table_in_indonesian(data, capsys):
    code, out, _ = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020")
    assert code == 0
    assert "Periode 2020" in out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert "25,00" in lines["Tingkat penyelesaian kasus"] and "%" in lines["Tingkat penyelesaian kasus"]
    assert lines["Kasus masuk"].split()[-2:] == ["4", "kasus"]
    assert "tidak tersedia" in lines["Indeks Kepuasan Masyarakat (IKM)"]


def test_measures_table_in_english(data, capsys, settings):
    settings.KINERJA = dataclasses.replace(settings.KINERJA, language="en")
    code, out, _ = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020")
    assert code == 0
    assert "Resolution rate" in out and "25.00" in out and "not available" in out


def test_measures_csv(data, capsys):
    code, out, _ = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["id", "Indikator", "Nilai", "Satuan"]
    by_id = {r[0]: r for r in rows[1:]}
    assert set(by_id) == set(defs.CORE_IDS)
    assert float(by_id["tingkat_penyelesaian"][2]) == 25.0 and by_id["ikm"][2] == ""


def test_scorecard_json_and_table(data, capsys):
    code, out, _ = run(capsys, "scorecard", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--format", "json")
    card = json.loads(out)
    assert code == 0 and card["framework"] == "dwiyanto"
    prod = card["dimensions"][0]
    tp = prod["measures"][0]
    assert (tp["id"], tp["value"], tp["target"], tp["achievement"], tp["rating"]) == (
        "tingkat_penyelesaian", 25.0, 50.0, 50.0, "sangat_kurang")
    assert prod["score"] == 50.0
    code, out, _ = run(capsys, "scorecard", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--framework", "nasucha")
    assert code == 0
    assert "Kinerja organisasi publik (Nasucha)" in out and "Efektivitas · skor 50,00 · Sangat Kurang" in out
    assert "Tidak dinilai" in out


def test_trend_and_frameworks(data, capsys):
    code, out, _ = run(capsys, "trend", "--unit", "14.71-RESOS-ANAK", "--years", "2019-2020",
                       "--measure", "kasus_masuk", "--format", "json")
    got = json.loads(out)
    assert code == 0 and [(p["year"], p["value"]) for p in got["series"]] == [(2019, 0), (2020, 4)]
    code, out, _ = run(capsys, "trend", "--unit", "14.71-RESOS-ANAK", "--years", "2019-2020",
                       "--measure", "tingkat_penyelesaian")
    assert code == 0 and "2019" in out and "tidak tersedia" in out and "25,00" in out
    code, out, _ = run(capsys, "frameworks")
    assert code == 0 and all(f in out for f in ("dwiyanto *", "nasucha", "spm", "sakip"))
    code, out, _ = run(capsys, "frameworks", "--format", "json")
    assert {f["id"] for f in json.loads(out)} >= {"dwiyanto", "nasucha", "spm", "sakip"}


@pytest.mark.parametrize("argv, message", [
    (["measures", "--unit", "TIDAK-ADA", "--year", "2020"], "unknown unit"),
    (["measures", "--unit", "14.71-RESOS-ANAK"], "period"),
    (["measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--from", "2020-01-01", "--to", "2020-02-01"],
     "period"),
    (["measures", "--unit", "14.71-RESOS-ANAK", "--from", "2020-02-01", "--to", "2020-01-01"], "must be after"),
    (["measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--worker", "siapa"], "unknown user"),
    (["scorecard", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--framework", "x"], "unknown framework"),
    (["trend", "--unit", "14.71-RESOS-ANAK", "--years", "2020-2019", "--measure", "ikm"], "years must look like"),
    (["trend", "--unit", "14.71-RESOS-ANAK", "--years", "2020", "--measure", "ikm_lama"], "unknown measure"),
])
def test_errors_are_reported_not_raised(data, capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_measures_public_form_suppresses_small_counts(data, capsys):
    code, out, _ = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--format", "json",
                       "--publik")
    got = json.loads(out)
    assert code == 0 and got["kasus_masuk"] == "<5" and got["tingkat_penyelesaian"] == "*"
    code, out, _ = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--publik")
    assert code == 0 and "<5" in out
