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
    (["measures", "--year", "2020"], "--unit needs a unit code"),
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


def _english(settings):
    settings.KINERJA = dataclasses.replace(settings.KINERJA, language="en")


def test_measures_list_names_every_measure_with_unit_direction_and_level(db, capsys):
    code, out, _ = run(capsys, "measures", "--list")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[4:]}
    assert list(rows) == list(defs.ALL_IDS)
    assert "Tingkat penyelesaian kasus" in rows["tingkat_penyelesaian"] and "naik lebih baik" in rows["tingkat_penyelesaian"]
    assert "turun lebih baik" in rows["biaya_per_kasus_selesai"] and "Rp" in rows["biaya_per_kasus_selesai"]
    assert rows["biaya_per_kasus_selesai"].rstrip().endswith("organisasi")  # no cases behind it: no worker level
    assert rows["durasi_asesmen_rencana_intervensi_median_hari"].rstrip().endswith("proses, individu")
    assert rows["anak_layanan_rujukan"].rstrip().endswith("organisasi, individu, tambahan SPM")


def test_measures_list_in_english_by_option_or_setting(db, capsys, settings):
    code, out, _ = run(capsys, "measures", "--list", "--lang", "en")
    assert code == 0 and "Resolution rate" in out and "higher is better" in out and "organisation, individual" in out
    assert "Tingkat penyelesaian kasus" not in out
    _english(settings)
    code, again, _ = run(capsys, "measures", "--list")
    assert code == 0 and again == out
    code, out, _ = run(capsys, "measures", "--list", "--lang", "id")
    assert "Tingkat penyelesaian kasus" in out


def test_measures_list_json(db, capsys):
    code, out, _ = run(capsys, "measures", "--list", "--format", "json", "--lang", "en")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == list(defs.ALL_IDS)
    by = {r["id"]: r for r in rows}
    assert by["ikm"] == {"id": "ikm", "name": "Community satisfaction index (IKM)",
                         "name_id": "Indeks Kepuasan Masyarakat (IKM)", "name_en": "Community satisfaction index (IKM)",
                         "unit": "index 25-100", "direction": "up", "level": "organisation", "individual": False,
                         "yearly": False, "core": True}
    assert by["durasi_intervensi_terminasi_median_hari"]["level"] == "process"
    assert by["realisasi_anggaran"]["direction"] == "none" and by["realisasi_anggaran"]["yearly"] is True
    assert by["anak_layanan_sandang"]["core"] is False


def test_unknown_unit_names_near_codes_and_how_to_list_them(data, capsys, settings):
    code, _, err = run(capsys, "scorecard", "--unit", "14.71-RESOS-ANK", "--year", "2020")
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "unit tidak dikenal / unknown unit: 14.71-RESOS-ANK"
    assert lines[1].startswith("Mungkin maksud Anda: 14.71-RESOS-ANAK (Seksi Rehabilitasi Sosial Anak)")
    assert "14.72-RESOS-ANAK" in lines[1]
    assert lines[-1] == "Daftar lengkap: kinerja units"
    _english(settings)
    code, _, err = run(capsys, "scorecard", "--unit", "XYZ", "--year", "2020")
    lines = err.splitlines()
    assert code == 2 and lines[0] == "unit tidak dikenal / unknown unit: XYZ"
    assert lines[1] == "Valid choices: 14.71-DINSOS, 14.71-RESOS, 14.71-RESOS-ANAK, 14.72-RESOS-ANAK"
    assert lines[2] == "Full list: kinerja units"


def test_unknown_measure_names_the_valid_ids(data, capsys, settings):
    argv = ["trend", "--unit", "14.71-RESOS-ANAK", "--years", "2019-2020", "--measure"]
    code, _, err = run(capsys, *argv, "foo")
    lines = err.splitlines()
    assert code == 2 and lines[0] == "indikator tidak dikenal / unknown measure: foo"  # no stray quote
    assert lines[1].startswith("Pilihan yang ada: ")
    assert lines[1].removeprefix("Pilihan yang ada: ").split(", ") == list(defs.ALL_IDS)
    assert lines[2] == "Daftar lengkap: kinerja measures --list"
    code, _, err = run(capsys, *argv, "tingkat_penyelesain")
    assert "Mungkin maksud Anda: tingkat_penyelesaian (Tingkat penyelesaian kasus)" in err
    assert "Pilihan yang ada" not in err and "kinerja measures --list" in err
    _english(settings)
    code, _, err = run(capsys, *argv, "respon")
    near = err.splitlines()[1]
    assert near.startswith("Did you mean: ") and "respon_tepat_waktu (Responses on time)" in near
    assert "waktu_respon_median_jam (Median response time)" in near and "Full list: kinerja measures --list" in err


def test_unknown_framework_names_the_frameworks(data, capsys, settings):
    code, _, err = run(capsys, "scorecard", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--framework", "dwiyanto2")
    lines = err.splitlines()
    assert code == 2 and lines[0] == "kerangka penilaian tidak dikenal / unknown framework: dwiyanto2"
    assert lines[1] == "Mungkin maksud Anda: dwiyanto (Kinerja birokrasi publik (Dwiyanto))"
    assert lines[2] == "Pilihan yang ada: dwiyanto, individu, nasucha, sakip, spm"
    assert lines[3] == "Daftar lengkap: kinerja frameworks"
    _english(settings)
    code, _, err = run(capsys, "scorecard", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--framework", "x")
    assert code == 2 and err.splitlines()[1:] == ["Valid choices: dwiyanto, individu, nasucha, sakip, spm",
                                                  "Full list: kinerja frameworks"]


def test_unknown_worker_names_the_units_social_workers(data, capsys, settings):
    """The fixture's section has peksos1 and peksos2 (social workers) and kasi (its head, not listed)."""
    code, _, err = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--year", "2020", "--worker", "siapa")
    assert code == 2 and err.splitlines() == ["pengguna tidak dikenal / unknown user: siapa",
                                              "Pilihan yang ada: peksos1, peksos2"]
    _english(settings)
    code, _, err = run(capsys, "trend", "--unit", "14.71-RESOS", "--years", "2020", "--measure", "ikm",
                       "--worker", "peksos")
    assert code == 2 and err.splitlines()[1:] == ["Did you mean: peksos1, peksos2", "Valid choices: peksos1, peksos2"]
    code, _, err = run(capsys, "measures", "--unit", "14.72-RESOS-ANAK", "--year", "2020", "--worker", "siapa")
    assert code == 2 and err.splitlines()[1] == "Unit 14.72-RESOS-ANAK has no registered social workers."


def test_wrong_period_forms_say_the_expected_form(data, capsys, settings):
    code, _, err = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK")
    assert code == 2 and "Tulis --year TAHUN (mis. --year 2020), atau --from YYYY-MM-DD --to YYYY-MM-DD" in err
    code, _, err = run(capsys, "trend", "--unit", "14.71-RESOS-ANAK", "--years", "2020-2019", "--measure", "ikm")
    assert code == 2 and "--years harus berbentuk 2016-2025" in err and "Tahun awal, tanda hubung, tahun akhir" in err
    _english(settings)
    code, _, err = run(capsys, "measures", "--unit", "14.71-RESOS-ANAK", "--from", "2020-02-01", "--to", "2020-01-01")
    assert code == 2 and "--to must be after --from (2020-02-01 .. 2020-01-01)" in err
    assert "Give --year YEAR (e.g. --year 2020), or --from YYYY-MM-DD --to YYYY-MM-DD" in err
    code, _, err = run(capsys, "trend", "--unit", "14.71-RESOS-ANAK", "--years", "dua ribu", "--measure", "ikm")
    assert code == 2 and "First year, a hyphen, last year" in err


@pytest.mark.parametrize("argv", [
    ["measures", "--unit", "14.71-RESOS-ANAK", "--year", "20x"],
    ["scorecard", "--unit", "14.71-RESOS-ANAK", "--year", "99"],
    ["measures", "--unit", "14.71-RESOS-ANAK", "--from", "1-3-2020", "--to", "2020-04-01"],
])
def test_malformed_year_or_date_is_refused_by_the_parser_with_the_form(data, capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "year must be four digits, e.g. 2020" in err or "date must be YYYY-MM-DD" in err
