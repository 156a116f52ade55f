"""Import of the office's tables (docs/import-format.md): every rule, all errors listed, all or nothing,
CSV dialects, XLSX, messages in both languages, update mode."""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from kinerja.register import keyring
from kinerja.register.tabular import messages, reading, rules, tables, values, writing

UTC = dt.UTC


@pytest.fixture(autouse=True, params=["serial", "parallel"])
def import_mode(request, monkeypatch, settings):
    """Every test here runs twice: tables parsed in this process, and every CSV table parsed in the
    forked second process a large import uses (the size threshold lowered to zero)."""
    parallel = request.param == "parallel"
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 0)
    settings.KINERJA = dataclasses.replace(settings.KINERJA, import_parallel=parallel)
    return request.param


# -- a small valid dataset, as table name -> rows (column -> cell text) ------------------------------
def base_data() -> dict[str, list[dict[str, str]]]:
    seksi = "99.01-RESOS-ANAK"
    return {
        "unit": [
            {"kode_unit": seksi, "nama": "Seksi Anak Kota Contoh", "induk": "99.01-DINSOS", "kode_wilayah": "99.01"},
            {"kode_unit": "99.01-DINSOS", "nama": "Dinas Sosial Kota Contoh", "kode_wilayah": "99.01"},
        ],
        "pegawai": [
            {"username": "pk_a", "nama": "Pekerja Sosial A", "kode_unit": seksi, "peran": "pekerja_sosial"},
            {"username": "pk_b", "nama": "Pekerja Sosial B", "kode_unit": seksi, "peran": "pekerja_sosial"},
            {"username": "ks_a", "nama": "Kepala Seksi A", "kode_unit": seksi, "peran": "kepala_seksi"},
        ],
        "kasus": [
            {"kode_unit": seksi, "nomor_kasus": "K-001", "kode_anak": "A1", "nama_anak": "Siti Hajar Binti Rahmat",
             "nik": "1471014101100001", "jenis_kelamin": "P", "tanggal_lahir": "2010-01-01", "disabilitas": "tidak",
             "kecamatan": "Tampan", "kategori": "eksploitasi_ekonomi", "sumber_rujukan": "kepolisian",
             "tingkat_risiko": "tinggi", "dilaporkan_pada": "2018-03-05T14:30", "peksos": "pk_a",
             "persetujuan": "ya", "ditutup_pada": "2018-09-01T10:00", "alasan_penutupan": "reunifikasi_keluarga"},
            {"kode_unit": seksi, "nomor_kasus": "K-002", "kode_anak": "A2", "nama_anak": "Budi Santoso",
             "jenis_kelamin": "L", "usia": "12", "disabilitas": "ya", "kecamatan": "Sail",
             "kategori": "anak_jalanan", "sumber_rujukan": "penjangkauan", "tingkat_risiko": "sedang",
             "dilaporkan_pada": "2018-02-01T08:00:00", "peksos": "pk_b", "persetujuan": "tidak"},
            {"kode_unit": seksi, "nomor_kasus": "K-003", "kode_anak": "A1", "nama_anak": "Siti Hajar Binti Rahmat",
             "nik": "1471014101100001", "jenis_kelamin": "P", "tanggal_lahir": "2010-01-01", "disabilitas": "tidak",
             "kecamatan": "Tampan", "kategori": "kekerasan", "sumber_rujukan": "sekolah", "tingkat_risiko": "rendah",
             "dilaporkan_pada": "2019-05-05T09:15", "peksos": "pk_a"},
        ],
        "tindakan": [
            {"kode_unit": seksi, "nomor_kasus": "K-001", "tahap": "pendekatan_awal", "waktu": "2018-03-05T15:00",
             "petugas": "pk_a", "catatan": "Anak ditemukan mengemis di pasar pagi"},
            {"kode_unit": seksi, "nomor_kasus": "K-001", "tahap": "asesmen", "waktu": "2018-03-06T09:00",
             "petugas": "pk_a", "biaya": "0"},
            {"kode_unit": seksi, "nomor_kasus": "K-001", "tahap": "rencana_intervensi", "waktu": "2018-03-07T10:00",
             "petugas": "pk_a", "disetujui_oleh": "ks_a", "disetujui_pada": "2018-03-07T12:00"},
            {"kode_unit": seksi, "nomor_kasus": "K-001", "tahap": "intervensi", "layanan": "permakanan",
             "waktu": "2018-03-10T10:00", "petugas": "pk_a", "biaya": "150000", "kendala": "anggaran"},
            {"kode_unit": seksi, "nomor_kasus": "K-002", "tahap": "pendekatan_awal", "waktu": "2018-02-01T09:00",
             "petugas": "pk_b", "catatan": "Dijangkau di lampu merah"},
        ],
        "rujukan": [
            {"kode_unit": seksi, "nomor_kasus": "K-001", "mitra": "uptd_ppa", "dikirim_pada": "2018-03-08T10:00",
             "diterima_pada": "2018-03-09T10:00", "hasil": "diterima"},
        ],
        "survei": [
            {"kode_unit": seksi, "tanggal": "2018-06-01", "jenis_responden": "keluarga",
             **{f"u{i}": str(v) for i, v in enumerate([3, 4, 3, 4, 3, 3, 4, 4, 2], start=1)}},
        ],
        "pengaduan": [
            {"kode_unit": seksi, "diterima_pada": "2018-04-01T10:00", "diselesaikan_pada": "2018-04-05T10:00",
             "kanal": "whatsapp", "pokok": "Layanan lambat"},
        ],
        "anggaran": [
            {"kode_unit": seksi, "tahun": "2018", "kegiatan": "Penjangkauan anak", "pagu": "100000000",
             "realisasi": "85000000"},
        ],
        "sdm": [{"kode_unit": seksi, "tahun": "2018", "peksos": "4.5", "peksos_bersertifikat": "2"}],
        "sarana": [{"kode_unit": seksi, "tahun": "2018", "kapasitas_rumah_aman": "10", "hari_rawat": "1200",
                    "kendaraan": "2"}],
        "target": [{"kode_unit": seksi, "tahun": "2018", "indikator": "respon_24_jam", "target": "90.5"}],
    }


def write_data(folder: Path, data: dict[str, list[dict[str, str]]], delimiter: str = ",", bom: bool = False,
               headers: dict[str, list[str]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in data.items():
        header = (headers or {}).get(name) or list(tables.BY_NAME[name].names)
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
            w = csv.writer(fh, delimiter=delimiter)
            w.writerow(header)
            for row in rows:
                w.writerow([row.get(c, "") for c in header])
    return folder


def counts() -> dict[str, int]:
    from kinerja.register import models as m

    return {model.__name__: model.objects.count() for model in (
        m.Unit, m.Staff, m.Child, m.Case, m.Action, m.Referral, m.SurveyResponse, m.Complaint, m.BudgetLine,
        m.Staffing, m.Facility, m.Target)}


def run(tmp_path: Path, data: dict, update: bool = False, lang: str = "en", **kw) -> writing.ImportResult:
    """Write the tables to a fresh folder (the first one is tmp_path/in) and import it."""
    n = len(list(tmp_path.glob("in*")))
    folder = tmp_path / ("in" if n == 0 else f"in{n}")
    return writing.import_path(write_data(folder, data, **kw), update=update, lang=lang)


def find(result: writing.ImportResult, rule: str) -> list[messages.RowError]:
    return [e for e in result.errors if e.rule == rule]


# -- a valid import ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_valid_import_writes_every_table_with_converted_values(tmp_path):
    from kinerja.register.models import Action, Case, Child, Referral, Staff, Staffing, Target, Unit

    result = run(tmp_path, base_data())
    assert result.ok, result.report()
    assert counts() == {"Unit": 2, "Staff": 3, "Child": 2, "Case": 3, "Action": 5, "Referral": 1,
                        "SurveyResponse": 1, "Complaint": 1, "BudgetLine": 1, "Staffing": 1, "Facility": 1,
                        "Target": 1}
    assert result.counts["kasus"] == 3 and result.counts["anak"] == 2 and result.counts["tindakan"] == 5
    seksi = Unit.objects.get(code="99.01-RESOS-ANAK")
    assert seksi.parent.code == "99.01-DINSOS"  # a parent listed after its child is found
    case = Case.objects.get(number="K-001")
    assert case.reported_at == dt.datetime(2018, 3, 5, 7, 30, tzinfo=UTC)  # 14:30 WIB
    assert case.closed_at == dt.datetime(2018, 9, 1, 3, 0, tzinfo=UTC)
    assert case.consent is True and case.worker.username == "pk_a" and case.closure_reason == "reunifikasi_keluarga"
    # one child for two case rows; pseudonyms in order of first report (A2 reported in February)
    siti = Child.objects.get(child_key="A1")
    assert Case.objects.filter(child=siti).count() == 2
    assert Child.objects.get(child_key="A2").pseudonym == "A-2018-0001"
    assert siti.pseudonym == "A-2018-0002"
    assert siti.initials == "SHB" and siti.birth_date == dt.date(2010, 1, 1) and siti.sex == "P"
    assert siti.nik_index == keyring.nik_index("1471014101100001")
    assert b"Siti" not in bytes(siti.name_enc)
    from kinerja.register import services

    assert services.read_identity(siti)["name"] == "Siti Hajar Binti Rahmat"
    assert services.read_identity(siti)["nik"] == "1471014101100001"
    budi = Child.objects.get(child_key="A2")
    assert budi.age_at_report == 12 and budi.disability is True and budi.birth_date is None
    first = Action.objects.get(case=case, stage="pendekatan_awal")
    assert keyring.decrypt_action_notes(first.uid, first.notes_enc) == "Anak ditemukan mengemis di pasar pagi"
    plan = Action.objects.get(stage="rencana_intervensi")
    assert plan.approved_by.username == "ks_a" and plan.approved_at == dt.datetime(2018, 3, 7, 5, 0, tzinfo=UTC)
    service = Action.objects.get(stage="intervensi")
    assert (service.service, service.cost, service.obstacle) == ("permakanan", 150000, "anggaran")
    assert Referral.objects.get().acknowledged_at == dt.datetime(2018, 3, 9, 3, 0, tzinfo=UTC)
    assert Staffing.objects.get().social_workers == Decimal("4.5")
    assert Target.objects.get().value == 90.5
    new_user = Staff.objects.get(username="pk_a")
    assert not new_user.has_usable_password() and new_user.role == "pekerja_sosial" and new_user.unit == seksi
    assert "kasus 3" in result.report()


# -- one bad input per rule ---------------------------------------------------------------------------
def _set(table: str, index: int, **values: str):
    def change(data):
        data[table][index].update(values)
    return change


def _add(table: str, row: dict[str, str]):
    def change(data):
        data[table].append(row)
    return change


def _copy_row(table: str, index: int, **values: str):
    def change(data):
        data[table].append({**data[table][index], **values})
    return change


S = "99.01-RESOS-ANAK"
# (id, change, file, line, column, value, rule)
RULES = [
    ("vocab code", _set("kasus", 0, kategori="penculikan"), "kasus.csv", 2, "kategori", "penculikan", "code"),
    ("sex code", _set("kasus", 1, jenis_kelamin="X"), "kasus.csv", 3, "jenis_kelamin", "X", "code"),
    ("stage code", _set("tindakan", 1, tahap="rapat"), "tindakan.csv", 3, "tahap", "rapat", "code"),
    ("partner code", _set("rujukan", 0, mitra="dukun"), "rujukan.csv", 2, "mitra", "dukun", "code"),
    ("role is a code", _set("pegawai", 0, peran="superuser"), "pegawai.csv", 2, "peran", "superuser", "code"),
    ("unit exists", _set("kasus", 1, kode_unit="00.00-TIDAK-ADA"), "kasus.csv", 3, "kode_unit", "00.00-TIDAK-ADA",
     "unit_unknown"),
    ("parent unit exists", _set("unit", 0, induk="00.00-TIDAK-ADA"), "unit.csv", 2, "induk", "00.00-TIDAK-ADA",
     "unit_unknown"),
    ("units form a tree", _set("unit", 1, induk=S), "unit.csv", 2, "induk", "99.01-DINSOS", "unit_cycle"),
    ("user exists", _set("kasus", 1, peksos="hantu"), "kasus.csv", 3, "peksos", "hantu", "user_unknown"),
    ("approver exists", _set("tindakan", 2, disetujui_oleh="hantu"), "tindakan.csv", 4, "disetujui_oleh", "hantu",
     "user_unknown"),
    ("case exists", _set("tindakan", 4, nomor_kasus="K-999"), "tindakan.csv", 6, "nomor_kasus", "K-999",
     "case_unknown"),
    ("referral case exists", _set("rujukan", 0, nomor_kasus="K-998"), "rujukan.csv", 2, "nomor_kasus", "K-998",
     "case_unknown"),
    ("case number unique per unit", _copy_row("kasus", 1, kode_anak="A9"), "kasus.csv", 5, "nomor_kasus", "K-002",
     "duplicate_in_file"),
    ("closure needs reason", _set("kasus", 0, alasan_penutupan=""), "kasus.csv", 2, "alasan_penutupan", "",
     "closure_pair"),
    ("reason needs closure", _set("kasus", 1, alasan_penutupan="meninggal"), "kasus.csv", 3, "ditutup_pada", "",
     "closure_pair"),
    ("closure not before report", _set("kasus", 0, ditutup_pada="2018-03-01T10:00"), "kasus.csv", 2,
     "ditutup_pada", "2018-03-01T10:00:00", "closure_before_report"),
    ("action not before report", _set("tindakan", 1, waktu="2018-03-05T14:29"), "tindakan.csv", 3, "waktu",
     "2018-03-05T14:29:00", "before_report"),
    ("referral not sent before report", _set("rujukan", 0, dikirim_pada="2018-03-04T10:00"), "rujukan.csv", 2,
     "dikirim_pada", "2018-03-04T10:00:00", "before_report"),
    ("acknowledgement not before report", _set("rujukan", 0, dikirim_pada="2018-03-05T13:00",
                                               diterima_pada="2018-03-05T14:00"), "rujukan.csv", 2,
     "diterima_pada", "2018-03-05T14:00:00", "before_report"),
    ("approval has approver", _set("tindakan", 2, disetujui_oleh=""), "tindakan.csv", 4, "disetujui_pada",
     "2018-03-07T12:00:00", "approval_needs_approver"),
    ("service only on service stages", _set("tindakan", 1, layanan="permakanan"), "tindakan.csv", 3, "layanan",
     "permakanan", "service_stage"),
    ("service code", _set("tindakan", 3, layanan="pijat"), "tindakan.csv", 5, "layanan", "pijat", "code"),
    ("score 1..4", _set("survei", 0, u3="5"), "survei.csv", 2, "u3", "5", "range"),
    ("score at least 1", _set("survei", 0, u9="0"), "survei.csv", 2, "u9", "0", "range"),
    ("pagu >= 0", _set("anggaran", 0, pagu="-5000"), "anggaran.csv", 2, "pagu", "-5000", "negative"),
    ("realisasi >= 0", _set("anggaran", 0, realisasi="-1"), "anggaran.csv", 2, "realisasi", "-1", "negative"),
    ("biaya >= 0", _set("tindakan", 3, biaya="-150000"), "tindakan.csv", 5, "biaya", "-150000", "negative"),
    ("certified <= peksos", _set("sdm", 0, peksos_bersertifikat="5"), "sdm.csv", 2, "peksos_bersertifikat", "5",
     "certified_exceeds"),
    ("nik 16 digits", _set("kasus", 0, nik="147101410110000"), "kasus.csv", 2, "nik", messages.HIDDEN,
     "nik_digits"),
    ("nik date part", _set("kasus", 0, nik="1471013202100001"), "kasus.csv", 2, "nik", messages.HIDDEN,
     "nik_date"),
    ("child consistent", _set("kasus", 2, jenis_kelamin="L"), "kasus.csv", 4, "jenis_kelamin", "L",
     "child_inconsistent"),
    ("child birth date consistent", _set("kasus", 2, tanggal_lahir="2011-01-01"), "kasus.csv", 4, "tanggal_lahir",
     "2011-01-01", "child_inconsistent"),
    ("child name consistent", _set("kasus", 2, nama_anak="Siti Lain"), "kasus.csv", 4, "nama_anak",
     messages.HIDDEN, "child_inconsistent"),
    ("date format", _set("kasus", 0, tanggal_lahir="31/02/2010"), "kasus.csv", 2, "tanggal_lahir", "31/02/2010",
     "date"),
    ("time format", _set("kasus", 1, dilaporkan_pada="kemarin"), "kasus.csv", 3, "dilaporkan_pada", "kemarin",
     "time"),
    ("boolean", _set("kasus", 1, persetujuan="mungkin"), "kasus.csv", 3, "persetujuan", "mungkin", "bool"),
    ("money digits", _set("tindakan", 3, biaya="Rp 150rb"), "tindakan.csv", 5, "biaya", "Rp 150rb", "money"),
    ("required cell", _set("kasus", 1, kategori=""), "kasus.csv", 3, "kategori", "", "required"),
    ("year", _set("sarana", 0, tahun="dua ribu"), "sarana.csv", 2, "tahun", "dua ribu", "integer"),
    ("username characters", _set("pegawai", 1, username="pk b"), "pegawai.csv", 3, "username", "pk b", "username"),
    ("duplicate budget line", _copy_row("anggaran", 0), "anggaran.csv", 3, "kegiatan", "Penjangkauan anak",
     "duplicate_in_file"),
    ("complaint resolved after received", _set("pengaduan", 0, diselesaikan_pada="2018-03-01T10:00"),
     "pengaduan.csv", 2, "diselesaikan_pada", "2018-03-01T10:00:00", "resolved_before_received"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("change,file,line,column,value,rule", [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_is_an_error_naming_file_line_column_value_and_rule(tmp_path, change, file, line, column, value,
                                                                         rule):
    before = counts()
    data = base_data()
    change(data)
    result = run(tmp_path, data)
    assert not result.ok
    matching = [e for e in result.errors if e.rule == rule and e.column == column]
    assert matching, result.report()
    error = matching[0]
    assert (error.file, error.line, error.column, error.value) == (file, line, column, value), result.report()
    message = error.message("en")
    assert message.startswith(f"{file}:{line}: column '{column}'") and f"value '{value}'" in message
    assert error.rule_message("en") in message
    assert counts() == before  # nothing written


@pytest.mark.django_db
def test_header_errors_unknown_and_missing_columns_and_unknown_files(tmp_path):
    data = base_data()
    folder = write_data(tmp_path / "in", data, headers={
        "kasus": [c for c in tables.KASUS.names if c != "kategori"],
        "sdm": [*tables.SDM.names, "catatan_lain"],
    })
    (folder / "tindakkan.csv").write_text("kode_unit\n", encoding="utf-8")
    before = counts()
    result = writing.import_path(folder, lang="en")
    assert not result.ok
    missing = find(result, "missing_column")[0]
    assert (missing.file, missing.line, missing.column) == ("kasus.csv", 1, "kategori")
    unknown = find(result, "unknown_column")[0]
    assert (unknown.file, unknown.line, unknown.column) == ("sdm.csv", 1, "catatan_lain")
    assert find(result, "unknown_table")[0].file == "tindakkan.csv"
    # a table whose header is broken is skipped, and rows referring to its cases are not re-reported
    assert not find(result, "case_unknown")
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_every_error_is_listed_and_nothing_is_written(tmp_path):
    from kinerja.register.models import AuditEntry

    data = base_data()
    data["kasus"][0]["kategori"] = "salah"
    data["kasus"][1]["tingkat_risiko"] = "ekstrem"
    data["kasus"][1]["persetujuan"] = "barangkali"  # a second error on the same row
    data["tindakan"][3]["biaya"] = "-1"
    data["tindakan"][4]["tahap"] = "rapat"
    data["survei"][0]["u1"] = "9"
    before = counts()
    audits = AuditEntry.objects.count()
    result = run(tmp_path, data, lang="id")
    assert not result.ok
    where = sorted((e.file, e.line, e.column) for e in result.errors)
    assert where == [
        ("kasus.csv", 2, "kategori"), ("kasus.csv", 3, "persetujuan"), ("kasus.csv", 3, "tingkat_risiko"),
        ("survei.csv", 2, "u1"), ("tindakan.csv", 5, "biaya"), ("tindakan.csv", 6, "tahap"),
    ], result.report()
    # rows of the rejected cases are not reported a second time as unknown cases
    assert not find(result, "case_unknown")
    report = result.report()
    assert report.startswith("Impor dibatalkan, tidak ada yang ditulis: 6 kesalahan.")
    assert "kasus.csv:2: kolom 'kategori' nilai 'salah': bukan kode kategori yang sah" in report
    assert len(report.splitlines()) == 7
    assert counts() == before and AuditEntry.objects.count() == audits


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses_is_an_error_and_the_import_goes_on(tmp_path, monkeypatch):
    """The database constraints back up the importer's rules: with the certified <= peksos rule
    switched off, the database refuses the row; that becomes an error and nothing is written."""
    monkeypatch.setitem(rules.ROW_CHECKS, "sdm", lambda values: [])
    data = base_data()
    data["sdm"][0]["peksos_bersertifikat"] = "5"
    data["survei"][0]["u1"] = "9"  # a later table is still checked
    before = counts()
    result = run(tmp_path, data)
    assert [(e.file, e.rule) for e in result.errors] == [("survei.csv", "range"), ("sdm.csv", "database")]
    assert result.errors[1].line == 2 and "staffing_certified_within_total" in result.errors[1].message("en")
    assert counts() == before


@pytest.mark.django_db
def test_error_list_is_capped_but_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "ERROR_CAP", 3)
    data = base_data()
    for row in data["tindakan"]:
        row["tahap"] = "rapat"
    result = run(tmp_path, data)
    assert len(result.errors) == 3 and result.more == 2 and result.error_count == 5
    assert result.report().splitlines()[-1] == "... and 2 more errors"


@pytest.mark.django_db
def test_identity_values_never_appear_in_error_messages(tmp_path):
    data = base_data()
    data["kasus"][0]["nik"] = "1471013202100001"  # invalid date part
    data["kasus"][2]["nama_anak"] = "Siti Yang Lain"
    data["kasus"][2]["nik"] = "1471013202100001"
    result = run(tmp_path, data)
    report = result.report("en") + result.report("id")
    for secret in ("1471013202100001", "Siti Yang Lain", "Siti Hajar"):
        assert secret not in report


# -- dialects and formats --------------------------------------------------------------------------
@pytest.mark.django_db
def test_csv_with_semicolons_bom_and_indonesian_thousands(tmp_path):
    from kinerja.register.models import Action, BudgetLine, Staffing

    data = base_data()
    data["tindakan"][3]["biaya"] = "1.500.000"
    data["anggaran"][0]["pagu"] = "100.000.000"
    data["sdm"][0]["peksos"] = "4,5"  # decimal comma
    result = run(tmp_path, data, delimiter=";", bom=True)
    assert result.ok, result.report()
    assert Action.objects.get(stage="intervensi").cost == 1_500_000
    assert BudgetLine.objects.get().allocation == 100_000_000
    assert Staffing.objects.get().social_workers == Decimal("4.5")
    assert (tmp_path / "in" / "kasus.csv").read_bytes().startswith(b"\xef\xbb\xbfkode_unit;")


def test_value_parsers_accept_the_documented_forms():
    assert values.parse_bool("Ya") is True and values.parse_bool("0") is False
    assert values.parse_bool("TRUE") is True and values.parse_bool(False) is False
    assert values.parse_time("2018-03-05T14:30") == dt.datetime(2018, 3, 5, 7, 30, tzinfo=UTC)
    assert values.parse_time("2018-03-05 14:30:15") == dt.datetime(2018, 3, 5, 7, 30, 15, tzinfo=UTC)
    assert values.parse_time("2018-03-05T14:30:15.250000") == dt.datetime(2018, 3, 5, 7, 30, 15, 250000,
                                                                             tzinfo=UTC)
    assert values.parse_time("2018-03-05T14:30+08:00") == dt.datetime(2018, 3, 5, 6, 30, tzinfo=UTC)
    assert values.parse_time(dt.datetime(2018, 3, 5, 14, 30)) == dt.datetime(2018, 3, 5, 7, 30, tzinfo=UTC)
    when = dt.datetime(2020, 12, 31, 20, 0, 1, 5, tzinfo=UTC)
    assert values.format_time(when) == "2021-01-01T03:00:01.000005"
    assert values.parse_time(values.format_time(when)) == when
    assert values.parse_money("1.500.000") == 1_500_000 and values.parse_money(2500.0) == 2500
    for bad, parser in [("2018-03-05", values.parse_time), ("1,500", values.parse_money),
                        ("1.50", values.parse_money), ("2018-3-5", values.parse_date),
                        ("ok", values.parse_bool), (2.5, values.parse_money),
                        ("0001-01-01T03:00", values.parse_time), ("2018-02-30", values.parse_date)]:
        with pytest.raises(values.Bad):
            parser(bad)
    assert values.parse_nik("1471 0141 0110 0001") == "1471014101100001"


@pytest.mark.django_db
def test_xlsx_workbook_with_excel_typed_cells(tmp_path):
    import openpyxl

    from kinerja.register.models import Action, Case, Child, SurveyResponse

    data = base_data()
    book = openpyxl.Workbook()
    book.remove(book.active)
    typed = {
        "dilaporkan_pada": lambda s: dt.datetime.fromisoformat(s),  # Excel date-time cells
        "ditutup_pada": lambda s: dt.datetime.fromisoformat(s),
        "waktu": lambda s: dt.datetime.fromisoformat(s),
        "tanggal_lahir": lambda s: dt.datetime.fromisoformat(s),  # a date cell arrives as midnight
        "tanggal": lambda s: dt.datetime.fromisoformat(s),
        "usia": int, "biaya": float, "pagu": int, "realisasi": int, "tahun": int, "peksos": float,
        "peksos_bersertifikat": int, "target": float, "disabilitas": lambda s: s == "ya",
        **{f"u{i}": int for i in range(1, 10)},
    }
    for name, rows in data.items():
        sheet = book.create_sheet(name)
        header = list(tables.BY_NAME[name].names)
        sheet.append(header)
        for row in rows:
            sheet.append([(typed[c](row[c]) if c in typed and (name, c) != ("kasus", "peksos") else row[c])
                          if row.get(c) else None for c in header])
    book["kasus"].append([None] * 5)  # an empty row Excel leaves behind
    path = tmp_path / "kantor.xlsx"
    book.save(path)
    result = writing.import_path(path, lang="en")
    assert result.ok, result.report()
    assert Case.objects.get(number="K-001").reported_at == dt.datetime(2018, 3, 5, 7, 30, tzinfo=UTC)
    assert Child.objects.get(child_key="A1").birth_date == dt.date(2010, 1, 1)
    assert Child.objects.get(child_key="A2").disability is True
    assert Action.objects.get(stage="intervensi").cost == 150000
    assert SurveyResponse.objects.get().u2 == 4

    # errors in a workbook name the sheet and the Excel row
    sheet = book["kasus"]
    sheet.cell(row=3, column=list(tables.KASUS.names).index("kategori") + 1, value="salah")
    bad = tmp_path / "salah.xlsx"
    book.save(bad)
    before = counts()
    result = writing.import_path(bad, update=True, lang="en")
    error = find(result, "code")[0]
    assert (error.file, error.line, error.column, error.value) == ("salah.xlsx[kasus]", 3, "kategori", "salah")
    assert counts() == before


@pytest.mark.django_db
def test_unreadable_path_is_one_error(tmp_path):
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"not a zip")
    result = writing.import_path(bad)
    assert not result.ok and result.errors[0].rule == "unreadable"
    empty = tmp_path / "kosong"
    empty.mkdir()
    assert writing.import_path(empty).errors[0].rule == "no_tables"


# -- languages --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_messages_in_indonesian_and_english(tmp_path, settings):
    data = base_data()
    data["survei"][0]["u4"] = "7"
    result_en = run(tmp_path, data, lang="en")
    assert result_en.report().startswith("Import cancelled, nothing was written: 1 errors.")
    assert "survei.csv:2: column 'u4' value '7': must be between 1 and 4" in result_en.report()
    result_id = writing.import_path(tmp_path / "in", lang="id")
    assert "survei.csv:2: kolom 'u4' nilai '7': harus antara 1 dan 4" in result_id.report()
    # without a lang argument the user's language comes from settings (KINERJA_LANGUAGE)
    assert writing.import_path(tmp_path / "in").lang == settings.KINERJA.language == "id"
    for indonesian, english in messages.MESSAGES.values():
        assert indonesian and english and indonesian != english


# -- update mode and duplicates -------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_importing_the_same_files_twice_without_update_fails_for_duplicates(tmp_path):
    assert run(tmp_path, base_data()).ok
    before = counts()
    result = run(tmp_path, base_data())
    assert not result.ok
    case_errors = [e for e in find(result, "exists") if e.file == "kasus.csv"]
    assert [(e.line, e.column, e.value) for e in case_errors] == [(2, "nomor_kasus", "K-001"),
                                                                   (3, "nomor_kasus", "K-002"),
                                                                   (4, "nomor_kasus", "K-003")]
    assert "--update" in case_errors[0].message("en")
    assert counts() == before


@pytest.mark.django_db
def test_update_replaces_rows_by_their_keys_without_duplicating(tmp_path):
    from kinerja.register.models import Action, BudgetLine, Case, Child, Referral, Staff, SurveyResponse, Unit

    assert run(tmp_path, base_data()).ok
    user = Staff.objects.get(username="pk_a")
    user.set_password("kata-sandi-rahasia")
    user.save()
    siti = Child.objects.get(child_key="A1")
    before = counts()

    data = base_data()
    data["unit"][0]["nama"] = "Seksi Rehabilitasi Sosial Anak"
    data["pegawai"][0]["peran"] = "kepala_seksi"
    for row in data["kasus"]:
        if row["kode_anak"] == "A1":
            row["kecamatan"] = "Marpoyan Damai"
    data["kasus"][1]["kategori"] = "kekerasan"
    # K-001's actions become two; K-002 keeps its action (no row for it in the file)
    data["tindakan"] = [
        {"kode_unit": S, "nomor_kasus": "K-001", "tahap": "pendekatan_awal", "waktu": "2018-03-05T16:00",
         "petugas": "pk_a", "catatan": "Catatan baru"},
        {"kode_unit": S, "nomor_kasus": "K-001", "tahap": "asesmen", "waktu": "2018-03-06T10:00", "petugas": "pk_a"},
    ]
    data["rujukan"][0]["hasil"] = "ditolak"
    data["survei"][0]["u1"] = "1"
    data["anggaran"][0]["realisasi"] = "90000000"
    result = run(tmp_path, data, update=True)
    assert result.ok, result.report()
    after = counts()
    assert after == {**before, "Action": 3}  # 5 - 4 replaced + 2 new; everything else replaced in place
    assert Unit.objects.get(code=S).name == "Seksi Rehabilitasi Sosial Anak"
    user.refresh_from_db()
    assert user.role == "kepala_seksi" and user.check_password("kata-sandi-rahasia")  # password kept
    assert Case.objects.get(number="K-002").category == "kekerasan"
    siti.refresh_from_db()
    assert siti.kecamatan == "Marpoyan Damai" and siti.pseudonym == "A-2018-0002"  # same child, same pseudonym
    k1 = Action.objects.filter(case__number="K-001").order_by("time")
    assert [a.stage for a in k1] == ["pendekatan_awal", "asesmen"]
    assert keyring.decrypt_action_notes(k1[0].uid, k1[0].notes_enc) == "Catatan baru"
    assert Action.objects.filter(case__number="K-002").count() == 1
    assert Referral.objects.get().result == "ditolak"
    assert SurveyResponse.objects.get().u1 == 1
    assert BudgetLine.objects.get().realisation == 90_000_000

    # the same update again changes nothing
    assert run(tmp_path, data, update=True).ok
    assert counts() == after


@pytest.mark.django_db
def test_update_rejects_a_key_twice_in_the_file_and_children_must_agree(tmp_path):
    assert run(tmp_path, base_data()).ok
    before = counts()
    data = base_data()
    data["kasus"].append(dict(data["kasus"][0]))
    data["kasus"][2]["jenis_kelamin"] = "L"  # the first row of A1 replaced it with P; this one disagrees
    result = run(tmp_path, data, update=True)
    assert [(e.line, e.rule) for e in result.errors] == [(4, "child_inconsistent"), (5, "duplicate_in_file")]
    assert counts() == before


@pytest.mark.django_db
def test_update_keeps_notes_when_the_file_has_no_catatan_column(tmp_path):
    from kinerja.register.models import Action, Child

    assert run(tmp_path, base_data()).ok
    data = {"kasus": base_data()["kasus"], "tindakan": base_data()["tindakan"]}
    for rows in data.values():
        for row in rows:
            row.pop("catatan", None)
            row.pop("nama_anak", None)
            row.pop("nik", None)
    headers = {"kasus": list(tables.KASUS.export_columns(False)),
               "tindakan": list(tables.TINDAKAN.export_columns(False))}
    result = run(tmp_path, data, update=True, headers=headers)
    assert result.ok, result.report()
    first = Action.objects.get(case__number="K-001", stage="pendekatan_awal")
    assert keyring.decrypt_action_notes(first.uid, first.notes_enc) == "Anak ditemukan mengemis di pasar pagi"
    from kinerja.register import services

    assert services.read_identity(Child.objects.get(child_key="A1"))["name"] == "Siti Hajar Binti Rahmat"


@pytest.mark.django_db
def test_update_reports_kept_actions_that_a_later_report_time_would_precede(tmp_path):
    assert run(tmp_path, base_data()).ok
    before = counts()
    data = {"kasus": copy.deepcopy(base_data()["kasus"])}
    data["kasus"][1]["dilaporkan_pada"] = "2018-02-02T08:00"  # after K-002's kept action (2018-02-01T09:00)
    result = run(tmp_path, data, update=True)
    assert not result.ok
    error = find(result, "before_report")[0]
    assert (error.file, error.column, error.value) == ("tindakan (99.01-RESOS-ANAK/K-002)", "waktu",
                                                      "2018-02-01T09:00:00")
    assert counts() == before


@pytest.mark.django_db
def test_new_children_continue_the_units_numbering(tmp_path):
    from kinerja.register.models import Child

    assert run(tmp_path, base_data()).ok
    data = {"kasus": [{**base_data()["kasus"][1], "nomor_kasus": "K-010", "kode_anak": "A10",
                       "dilaporkan_pada": "2018-12-31T23:00"},  # 2018 in WIB, 2018-12-31T16:00 UTC
                      {**base_data()["kasus"][1], "nomor_kasus": "K-011", "kode_anak": "A11",
                       "dilaporkan_pada": "2019-01-01T06:00"}]}  # 2019 in WIB, still 2018 in UTC
    assert run(tmp_path, data).ok
    assert Child.objects.get(child_key="A10").pseudonym == "A-2018-0003"
    assert Child.objects.get(child_key="A11").pseudonym == "A-2019-0001"


@pytest.mark.django_db
def test_a_case_row_may_add_a_case_to_a_child_already_in_the_database(tmp_path):
    from kinerja.register.models import Case, Child

    assert run(tmp_path, base_data()).ok
    row = {**base_data()["kasus"][1], "nomor_kasus": "K-020", "dilaporkan_pada": "2020-01-01T10:00"}
    assert run(tmp_path, {"kasus": [row]}).ok
    assert Case.objects.get(number="K-020").child == Child.objects.get(child_key="A2")
    older = {**row, "nomor_kasus": "K-021", "usia": "14", "dilaporkan_pada": "2021-06-01T10:00"}
    assert run(tmp_path, {"kasus": [older]}).ok  # the age is the case's, as at its report
    assert Case.objects.get(number="K-021").age_at_report == 14
    bad = {**row, "nomor_kasus": "K-022", "jenis_kelamin": "P"}
    result = run(tmp_path, {"kasus": [bad]})
    assert [(e.column, e.rule, e.params["other"]) for e in result.errors] == [
        ("jenis_kelamin", "child_inconsistent", "L")]


# -- the parsing process of a large import -----------------------------------------------------------
@pytest.mark.django_db
def test_large_tables_are_parsed_in_a_second_process_only_when_parallel(tmp_path, monkeypatch, import_mode):
    """The parallel mode really forks (one child per CSV table, its rows prepared there: the action
    notes are encrypted in the child), and the serial mode never does."""
    import os

    forks: list[str] = []
    original = reading._forked_batches

    def spy(source, table, *args):
        forks.append(table.name)
        return original(source, table, *args)

    monkeypatch.setattr(reading, "_forked_batches", spy)
    encrypting: list[int] = []
    prepare = writing._PREPARE["tindakan"]

    def marked(reader, batch):
        prepare(reader, batch)
        encrypting.append(os.getpid())
        for _, v, _ in batch:
            v["kendala"] = v["kendala"] or ("sdm" if os.getpid() != parent else None)

    parent = os.getpid()
    monkeypatch.setitem(writing._PREPARE, "tindakan", marked)
    result = run(tmp_path, base_data())
    assert result.ok, result.report()
    from kinerja.register.models import Action

    actions = base_data()["tindakan"]
    with_obstacle = Action.objects.exclude(obstacle="").count()
    if import_mode == "parallel":
        assert forks == [t.name for t in tables.ORDER if t.name in base_data()]
        assert with_obstacle == len(actions)  # the empty ones were filled in the child
    else:
        assert forks == [] and encrypting == [parent]
        assert with_obstacle == sum(1 for a in actions if a.get("kendala")) < len(actions)


@pytest.mark.django_db(transaction=True)
def test_a_failing_parsing_process_fails_the_import_and_writes_nothing(tmp_path, monkeypatch, import_mode):
    def broken(reader, batch):
        raise ValueError("kunci rusak")

    monkeypatch.setitem(writing._PREPARE, "tindakan", broken)
    with pytest.raises((ValueError, reading.ImportWorkerError), match="kunci rusak"):
        run(tmp_path, base_data())
    assert set(counts().values()) == {0}


# -- a child across cases -----------------------------------------------------------------------------
def returning_children() -> dict[str, list[dict[str, str]]]:
    """A register of several years: A1 comes back twice (moved kecamatan, a disability recognised
    later, blank identity cells, her name in capitals), A2 comes back with an age only."""
    data = base_data()
    data["kasus"][2].update(kecamatan="Marpoyan Damai", disabilitas="ya", nik="", nama_anak="SITI  HAJAR BINTI RAHMAT",
                            tanggal_lahir="")
    data["kasus"].append({"kode_unit": S, "nomor_kasus": "K-004", "kode_anak": "A1", "jenis_kelamin": "P",
                          "kategori": "anak_jalanan", "sumber_rujukan": "penjangkauan", "tingkat_risiko": "sedang",
                          "dilaporkan_pada": "2021-07-01T08:00"})
    data["kasus"].append({"kode_unit": S, "nomor_kasus": "K-005", "kode_anak": "A2", "jenis_kelamin": "L",
                          "usia": "15", "nik": "3171010101070002", "kecamatan": "Sukajadi", "kategori": "kekerasan",
                          "sumber_rujukan": "sekolah", "tingkat_risiko": "rendah",
                          "dilaporkan_pada": "2021-02-01T08:00"})
    return data


def case_facts() -> dict[str, tuple]:
    from kinerja.register.models import Case

    return {c.number: (c.child.child_key, c.age_at_report, c.kecamatan, c.disability)
            for c in Case.objects.select_related("child")}


@pytest.mark.django_db(transaction=True)
def test_children_who_come_back_import_with_their_report_values_and_round_trip(tmp_path):
    from kinerja.register import services
    from kinerja.register.models import Child
    from kinerja.register.tabular import export

    result = run(tmp_path, returning_children())
    assert result.ok, result.report()
    expected = {
        "K-001": ("A1", 8, "Tampan", False),  # age from the birth date at the WIB report date
        "K-002": ("A2", 12, "Sail", True),
        "K-003": ("A1", 9, "Marpoyan Damai", True),  # moved, disability recognised later
        "K-004": ("A1", 11, "", None),  # blank cells: no value, and no conflict
        "K-005": ("A2", 15, "Sukajadi", None),
    }
    assert case_facts() == expected
    siti, budi = Child.objects.get(child_key="A1"), Child.objects.get(child_key="A2")
    # identity from the record, current values from the latest case that states them
    assert (siti.birth_date, siti.age_at_report, siti.kecamatan, siti.disability) == (
        dt.date(2010, 1, 1), 11, "Marpoyan Damai", True)
    assert services.read_identity(siti)["name"] == "Siti Hajar Binti Rahmat"
    assert services.read_identity(siti)["nik"] == "1471014101100001"
    assert (budi.age_at_report, budi.kecamatan, budi.disability) == (15, "Sukajadi", True)
    assert services.read_identity(budi)["nik"] == "3171010101070002"  # a later case adds what was missing
    assert Child.objects.count() == 2

    out = tmp_path / "ekspor"
    export.export_path(out)
    with open(out / "kasus.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert "tanggal_lahir" not in rows[0] and [r["usia"] for r in rows] == ["12", "8", "9", "15", "11"]
    from tests.test_export import empty_database

    empty_database()
    result = writing.import_path(out, lang="en")
    assert result.ok, result.report()
    assert case_facts() == expected
    siti = Child.objects.get(child_key="A1")
    assert (siti.birth_date, siti.age_at_report, siti.kecamatan, siti.disability) == (None, 11, "Marpoyan Damai",
                                                                                       True)


@pytest.mark.django_db
def test_another_child_under_the_same_code_is_still_an_error(tmp_path):
    data = returning_children()
    data["kasus"][3]["nik"] = "1471014101100009"
    data["kasus"][4]["tanggal_lahir"] = "2006-05-05"
    data["kasus"][4]["jenis_kelamin"] = "P"
    before = counts()
    result = run(tmp_path, data)
    assert [(e.line, e.column, e.rule) for e in result.errors] == [
        (5, "nik", "child_inconsistent"), (6, "jenis_kelamin", "child_inconsistent")]
    assert messages.HIDDEN in result.errors[0].message("en") and "1471" not in result.report()
    assert counts() == before


def test_the_child_rule_is_a_plain_function():
    recorded = {"jenis_kelamin": "P", "tanggal_lahir": dt.date(2010, 1, 1), "nama_anak": "Siti Hajar", "nik": None}
    assert rules.child_conflicts(recorded, {"jenis_kelamin": "P", "nama_anak": " siti  HAJAR ", "tanggal_lahir": None,
                                            "nik": "1471014101100001"}) == []
    assert rules.child_conflicts(recorded, {"tanggal_lahir": dt.date(2010, 1, 2), "nama_anak": "Siti Lain"}) == [
        "tanggal_lahir", "nama_anak"]
    assert rules.child_additions(recorded, {"nik": "1471014101100001", "nama_anak": "X"}) == {
        "nik": "1471014101100001"}
    reported = dt.datetime(2018, 12, 31, 18, 0, tzinfo=UTC)  # 1 January 2019 in WIB
    assert rules.age_at_report(None, dt.date(2010, 1, 1), reported) == 9
    assert rules.age_at_report(7, dt.date(2010, 1, 1), reported) == 7
    assert rules.age_at_report(None, None, reported) is None


# -- sheets as offices write them ---------------------------------------------------------------------
@pytest.mark.django_db
def test_headers_in_any_case_and_near_misses_suggested(tmp_path):
    from kinerja.register.models import Case

    data = base_data()
    spelled = {"kasus": lambda c: f" {c.title()} ", "tindakan": str.upper}
    headers = {name: [spell(c) for c in tables.BY_NAME[name].names] for name, spell in spelled.items()}
    for name, spell in spelled.items():
        data[name] = [{spell(c): v for c, v in row.items()} for row in data[name]]
    result = run(tmp_path, data, headers=headers)
    assert result.ok, result.report()
    assert Case.objects.get(number="K-002").category == "anak_jalanan"
    assert Case.objects.count() == 3
    headers["rujukan"] = [("Dikirim_Pd" if c == "dikirim_pada" else c) for c in tables.RUJUKAN.names]
    data["rujukan"][0]["Dikirim_Pd"] = "2018-03-08T10:00"
    result = run(tmp_path, data, headers=headers)
    near = find(result, "unknown_column_near")
    assert [(e.file, e.column, e.params["near"]) for e in near] == [("rujukan.csv", "Dikirim_Pd", "dikirim_pada")]
    assert "did you mean 'dikirim_pada'?" in near[0].message("en")
    assert "maksudnya 'dikirim_pada'?" in near[0].message("id")


@pytest.mark.django_db
def test_money_with_rp_thousands_dots_and_a_zero_tail(tmp_path):
    from kinerja.register.models import Action, BudgetLine

    data = base_data()
    data["anggaran"][0].update(pagu="Rp 1.500.000", realisasi="1.500.000,00")
    data["tindakan"][3]["biaya"] = "Rp150.000,-"
    result = run(tmp_path, data)
    assert result.ok, result.report()
    line = BudgetLine.objects.get()
    assert (line.allocation, line.realisation) == (1_500_000, 1_500_000)
    assert Action.objects.get(stage="intervensi").cost == 150_000
    for good, value in [("Rp 1.500.000", 1_500_000), ("1.500.000,00", 1_500_000), ("rp. 2500", 2500),
                        ("2.500,0", 2500)]:
        assert values.parse_money(good) == value
    for bad in ["1,50", "Rp 1.500.00", "1.500,25", "Rp", "-Rp -5"]:
        with pytest.raises(values.Bad):
            values.parse_money(bad)
    with pytest.raises(values.Bad, match="negative"):
        values.parse_money("-Rp 5.000")


@pytest.mark.django_db
def test_a_windows_1252_file_is_read_with_a_notice(tmp_path):
    from kinerja.register.models import Complaint

    data = base_data()
    data["pengaduan"][0]["pokok"] = "Layanan lambat – \u201cterlalu lama\u201d"
    folder = write_data(tmp_path / "in", data)
    text_ = (folder / "pengaduan.csv").read_text(encoding="utf-8")
    (folder / "pengaduan.csv").write_bytes(text_.encode("cp1252"))
    result = writing.import_path(folder, lang="en")
    assert result.ok, result.report()
    assert Complaint.objects.get().topic == "Layanan lambat – \u201cterlalu lama\u201d"
    assert [(n.file, n.rule) for n in result.notices] == [("pengaduan.csv", "cp1252")]
    assert result.report().startswith("Note: pengaduan.csv: the file is not UTF-8; read as Windows-1252")


@pytest.mark.django_db
def test_a_file_neither_utf8_nor_windows_1252_names_its_line_and_the_remedy(tmp_path):
    data = base_data()
    folder = write_data(tmp_path / "in", data)
    lines = (folder / "kasus.csv").read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Budi", b"B\x81di")  # 0x81 is neither UTF-8 here nor Windows-1252
    (folder / "kasus.csv").write_bytes(b"\n".join(lines))
    before = counts()
    result = writing.import_path(folder, lang="en")
    assert [(e.file, e.line, e.rule) for e in result.errors] == [("kasus.csv", 3, "not_utf8")]
    assert 'save it again as "CSV UTF-8' in result.errors[0].message("en")
    assert 'simpan ulang sebagai "CSV UTF-8' in result.errors[0].message("id")
    assert counts() == before


@pytest.mark.django_db
def test_indonesian_slash_dates_and_times(tmp_path):
    from kinerja.register.models import Case, Child, SurveyResponse

    data = base_data()
    data["kasus"][0].update(tanggal_lahir="01/01/2010", dilaporkan_pada="05/03/2018 14:30")
    data["kasus"][2].update(tanggal_lahir="1/1/2010")
    data["survei"][0]["tanggal"] = "01/06/2018"
    result = run(tmp_path, data)
    assert result.ok, result.report()
    assert Case.objects.get(number="K-001").reported_at == dt.datetime(2018, 3, 5, 7, 30, tzinfo=UTC)
    assert Child.objects.get(child_key="A1").birth_date == dt.date(2010, 1, 1)
    assert SurveyResponse.objects.get().date == dt.date(2018, 6, 1)
    assert values.parse_time("25/12/2018 08:05:09") == dt.datetime(2018, 12, 25, 1, 5, 9, tzinfo=UTC)
    for bad in ["32/01/2018", "05/03/18", "05/03/2018 25:00"]:
        with pytest.raises(values.Bad):
            (values.parse_time if " " in bad else values.parse_date)(bad)


@pytest.mark.django_db
def test_a_month_day_file_is_refused_where_a_date_reads_both_ways(tmp_path):
    """A US-locale sheet: 01/13/2018 exists only as month/day, so 05/03/2018 in the same file is a
    guess either way and an error, not a silent swap."""
    data = base_data()
    data["kasus"][0].update(dilaporkan_pada="05/03/2018 14:30", ditutup_pada="01/09/2018 10:00")
    data["kasus"][1].update(dilaporkan_pada="01/13/2018 08:00")
    before = counts()
    result = run(tmp_path, data)
    assert [(e.line, e.column, e.rule) for e in result.errors if e.file == "kasus.csv"] == [
        (2, "dilaporkan_pada", "date_ambiguous"), (2, "ditutup_pada", "date_ambiguous"),
        (3, "dilaporkan_pada", "date_month_day")]
    ambiguous = result.errors[0]
    assert ambiguous.params == {"file": "kasus.csv", "line": 3, "column": "dilaporkan_pada"}
    assert "month/day order (kasus.csv line 3, column dilaporkan_pada)" in ambiguous.message("en")
    assert counts() == before
    # without a month/day-only date the same cells are Indonesian dates
    data["kasus"][1]["dilaporkan_pada"] = "13/01/2018 08:00"
    result = run(tmp_path, data)
    assert result.ok, result.report()
    from kinerja.register.models import Case

    assert Case.objects.get(number="K-001").closed_at == dt.datetime(2018, 9, 1, 3, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_xlsx_date_cells_are_dates_and_identifiers_must_be_text(tmp_path):
    import openpyxl

    from kinerja.register.models import Case, Child

    def workbook(nik_cell, key_cell="A1") -> Path:
        book = openpyxl.Workbook()
        book.remove(book.active)
        data = base_data()
        for name in ("unit", "pegawai", "kasus"):
            sheet = book.create_sheet(name.upper())
            header = list(tables.BY_NAME[name].names)
            sheet.append([h.title() for h in header])
            for row in data[name]:
                sheet.append([row.get(c) or None for c in header])
        sheet = book["KASUS"]
        cols = list(tables.KASUS.names)
        sheet.cell(row=2, column=cols.index("tanggal_lahir") + 1, value=dt.date(2010, 1, 1))
        sheet.cell(row=2, column=cols.index("dilaporkan_pada") + 1, value=dt.datetime(2018, 3, 5, 14, 30))
        sheet.cell(row=2, column=cols.index("nik") + 1, value=nik_cell)
        sheet.cell(row=2, column=cols.index("kode_anak") + 1, value=key_cell)
        path = tmp_path / f"kantor{len(list(tmp_path.iterdir()))}.xlsx"
        book.save(path)
        return path

    result = writing.import_path(workbook("1471014101100001"), lang="en")
    assert result.ok, result.report()
    assert Case.objects.get(number="K-001").reported_at == dt.datetime(2018, 3, 5, 7, 30, tzinfo=UTC)
    assert Child.objects.get(child_key="A1").birth_date == dt.date(2010, 1, 1)
    Case.objects.all().delete()
    Child.objects.all().delete()
    before = counts()
    # 1471020611004862 as a number cell: a spreadsheet keeps 15 digits, so it reads ...4860
    result = writing.import_path(workbook(1471020611004860, key_cell=17), update=True, lang="en")
    assert [(e.line, e.column, e.value, e.rule) for e in result.errors] == [
        (2, "kode_anak", "17", "identifier_number"), (2, "nik", messages.HIDDEN, "identifier_number")]
    assert "format the column as Text" in result.errors[1].message("en")
    assert "format kolom sebagai Teks" in result.errors[1].message("id")
    assert counts() == before
    for exponent in ["1.47102E+15", "1,47102E+15"]:
        with pytest.raises(values.Bad, match="identifier_number"):
            values.parse_nik(exponent)


# -- the example in the documentation -----------------------------------------------------------------
CONTOH = Path(__file__).resolve().parent.parent / "docs" / "contoh"


@pytest.mark.django_db(transaction=True)
def test_the_documented_example_imports_cleanly_as_csv_and_as_xlsx(tmp_path):
    import importlib.util

    import openpyxl

    from kinerja.register.models import Case, Child
    from tests.test_export import empty_database, snapshot

    result = writing.import_path(CONTOH, lang="en")
    assert result.ok, result.report()
    assert not result.notices
    assert result.counts["kasus"] == 4 and result.counts["anak"] == 3
    assert [c.kecamatan for c in Case.objects.filter(child__child_key="C-01").order_by("reported_at")] == [
        "Kecamatan Utara", "Kecamatan Timur"]
    assert Child.objects.get(child_key="C-01").disability is True
    from_csv = snapshot()
    empty_database()
    result = writing.import_path(CONTOH / "contoh.xlsx", lang="en")
    assert result.ok, result.report()
    assert snapshot() == from_csv

    # the committed workbook is what buat_xlsx.py makes of the CSV files
    spec = importlib.util.spec_from_file_location("buat_xlsx", CONTOH / "buat_xlsx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.main(CONTOH, tmp_path / "baru.xlsx")
    books = [openpyxl.load_workbook(p, read_only=True) for p in (CONTOH / "contoh.xlsx", fresh)]
    assert books[0].sheetnames == books[1].sheetnames
    for name in books[0].sheetnames:
        assert list(books[0][name].iter_rows(values_only=True)) == list(books[1][name].iter_rows(values_only=True))
    for book in books:
        book.close()


def test_the_format_document_lists_every_table_column_and_code():
    import re

    from kinerja import vocab

    doc = (CONTOH.parent / "import-format.md").read_text(encoding="utf-8")
    for table in tables.ORDER:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{table.file}` |"))
        cell = re.sub(r"\([^)]*\)", "", row.split("|")[2]).replace("u1 .. u9", ", ".join(tables.SKM_COLUMNS))
        assert [w.strip(" *") for w in cell.split(",")] == list(table.names), table.name
        assert set(re.findall(r"\*\*(\w+)\*\*", row)) == set(table.required), table.name
    for name in ("peran", "kategori", "sumber_rujukan", "tingkat_risiko", "tahap", "layanan", "alasan_penutupan",
                 "kendala", "mitra", "hasil", "jenis_responden", "kanal"):
        row = next(line for line in doc.splitlines() if line.startswith(f"| {name} |"))
        assert re.findall(r"`(\w+)`", row) == list(vocab.ALL[name].codes), name


@pytest.mark.django_db
def test_a_workbook_is_one_file_for_the_order_of_its_slash_dates(tmp_path):
    """A US-locale workbook with text dates: every date of kasus reads both ways, and only an
    action's date on another sheet shows the month/day order; the cases are refused all the same."""
    import openpyxl

    data = base_data()
    data["kasus"][0].update(dilaporkan_pada="03/05/2018 14:30", ditutup_pada="09/01/2018 10:00")
    data["kasus"][1].update(dilaporkan_pada="02/01/2018 08:00")
    data["kasus"][2].update(dilaporkan_pada="05/05/2019 09:15")
    data["tindakan"][0]["waktu"] = "03/05/2018 15:00"
    data["tindakan"][3]["waktu"] = "03/10/2018 10:00"
    data["tindakan"][1]["waktu"] = "03/16/2018 09:00"  # valid only as month/day
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in data.items():
        sheet = book.create_sheet(name)
        header = list(tables.BY_NAME[name].names)
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(c) or None for c in header])
    path = tmp_path / "us.xlsx"
    book.save(path)
    before = counts()
    result = writing.import_path(path, lang="en")
    assert not result.ok
    ambiguous = [(e.file, e.line, e.column) for e in result.errors if e.rule == "date_ambiguous"]
    assert ambiguous == [("us.xlsx[kasus]", 2, "dilaporkan_pada"), ("us.xlsx[kasus]", 2, "ditutup_pada"),
                         ("us.xlsx[kasus]", 3, "dilaporkan_pada"), ("us.xlsx[tindakan]", 2, "waktu"),
                         ("us.xlsx[tindakan]", 5, "waktu")]
    assert find(result, "date_month_day")[0].line == 3
    assert "(us.xlsx[tindakan] line 3, column waktu)" in find(result, "date_ambiguous")[0].message("en")
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_report_fields_of_existing_cases_from_their_child(tmp_path):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    assert run(tmp_path, base_data()).ok
    executor = MigrationExecutor(connection)
    executor.migrate([("register", "0004_case_stage_times")])
    old = MigrationExecutor(connection).loader.project_state([("register", "0004_case_stage_times")]).apps
    Child = old.get_model("register", "Child")
    Child.objects.filter(child_key="A1").update(kecamatan="Tampan", disability=True, age_at_report=None)
    Child.objects.filter(child_key="A2").update(age_at_report=12)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from kinerja.register.models import Case

    got = {c.number: (c.age_at_report, c.kecamatan, c.disability) for c in Case.objects.all()}
    assert got == {"K-001": (8, "Tampan", True), "K-002": (12, "Sail", True), "K-003": (9, "Tampan", True)}
