"""The `kinerja` command: every subcommand listed with help; user management."""

from __future__ import annotations

import io
import json

import pytest

from kinerja.cli import build_parser, main

EXPECTED = {"init", "migrate", "demo", "serve", "import", "export", "generate", "user", "backup", "restore",
            "audit", "rotate-key", "units"}


def test_help_lists_every_command_with_text():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = set(sub.choices)
    assert EXPECTED <= names
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert all(helps.get(n) for n in names), helps
    text = parser.format_help()
    for name in EXPECTED:
        assert name in text


def test_user_add_with_password_stdin(units, monkeypatch, capsys):
    from kinerja.register.models import Staff

    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-panjang-1\n"))
    assert main(["user", "add", "siti", "--role", "pekerja_sosial", "--unit", "14.71-RESOS-ANAK",
                 "--password-stdin"]) == 0
    user = Staff.objects.get(username="siti")
    assert user.role == "pekerja_sosial" and user.unit.code == "14.71-RESOS-ANAK"
    assert user.check_password("kata-sandi-panjang-1")
    assert user.password.startswith("md5$") or user.password.startswith("argon2")


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (["--role", "pekerja_sosial", "--unit", "TIDAK-ADA"], "kata-sandi-panjang-1\n", "Unit tidak ditemukan"),
        (["--role", "pekerja_sosial"], "kata-sandi-panjang-1\n", "perlu --unit"),
        (["--role", "kepala_seksi", "--unit", "14.71-RESOS-ANAK"], "pendek\n", "short"),
    ],
)
def test_user_add_rejects_bad_input_and_writes_nothing(units, monkeypatch, capsys, args, stdin, message):
    from kinerja.register.models import Staff

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["user", "add", "budi", *args, "--password-stdin"]) == 1
    err = capsys.readouterr().err
    assert message.lower() in err.lower() or "pendek" in err.lower()
    assert not Staff.objects.filter(username="budi").exists()


def test_production_settings_use_argon2():
    from kinerja import settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_import_reports_a_failed_parsing_process_in_both_languages(db, tmp_path, monkeypatch, settings, capsys):
    """A parsing process that dies fails the import with a message, not a traceback, and writes nothing."""
    import dataclasses

    from kinerja import generator
    from kinerja.register.models import Case, Unit
    from kinerja.register.tabular import reading, writing

    generator.generate(tmp_path / "data", units=1, years=(2019, 2020), cases=30, seed=3)
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 0)
    settings.KINERJA = dataclasses.replace(settings.KINERJA, import_parallel=True)

    def broken(reader, batch):
        raise RuntimeError("kunci tidak terbaca")

    monkeypatch.setitem(writing._PREPARE, "tindakan", broken)
    assert main(["import", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert "tidak ada yang ditulis" in err and "nothing written" in err and "kunci tidak terbaca" in err
    assert "Traceback" not in err
    assert not Case.objects.exists() and not Unit.objects.exists()


def _english(settings):
    import dataclasses

    settings.KINERJA = dataclasses.replace(settings.KINERJA, language="en")


def test_units_lists_the_tree_with_parents_and_region_codes(units, capsys, settings):
    assert main(["units"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("  ")[0] == "Kode unit" and "Induk" in lines[0] and "Kode wilayah" in lines[0]
    body = [line.split("  ") for line in lines[2:]]
    assert [line[:len(line) - len(line.lstrip())] + line.split()[0] for line in lines[2:]] == [
        "14.71-DINSOS", "  14.71-RESOS", "    14.71-RESOS-ANAK", "14.72-RESOS-ANAK"]
    assert "Seksi Rehabilitasi Sosial Anak" in lines[4] and "14.71-RESOS " in lines[4].split("Anak", 1)[1]
    assert len(body) == 4
    _english(settings)
    assert main(["units"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.split()[:2] == ["Unit", "code"] and "Parent" in header and "Region code" in header


def test_units_json_and_csv_with_case_counts(units, capsys):
    import csv

    from tests.indicator_factories import case, wib

    for _ in range(3):
        case(units["seksi"], wib(2020, 3, 1))
    case(units["bidang"], wib(2020, 3, 1))
    assert main(["units", "--format", "json", "--cases"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["kode_unit"], r["induk"], r["kedalaman"], r["kasus"], r["kasus_total"]) for r in rows] == [
        ("14.71-DINSOS", "", 0, 0, 4), ("14.71-RESOS", "14.71-DINSOS", 1, 1, 4),
        ("14.71-RESOS-ANAK", "14.71-RESOS", 2, 3, 3), ("14.72-RESOS-ANAK", "", 0, 0, 0)]
    assert rows[0]["nama"] == "Dinas Sosial Kota Pekanbaru" and rows[3]["kode_wilayah"] == "14.72"
    assert main(["units", "--format", "csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["kode_unit", "nama", "induk", "kode_wilayah"]  # the columns of unit.csv
    assert table[3] == ["14.71-RESOS-ANAK", "Seksi Rehabilitasi Sosial Anak", "14.71-RESOS", "14.71"]


def test_units_on_an_empty_register_says_how_to_add_them(db, capsys):
    assert main(["units"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "kinerja import" in err and "unit.csv" in err


def test_evidence_user_errors_name_the_usernames_that_may_work_there(users, capsys, settings):
    assert main(["evidence", "matrix", "--user", "penelit"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Pengguna tidak ditemukan: penelit / user not found: penelit"
    assert lines[1] == "Yang boleh: pengguna aktif berperan evaluator, kepala_seksi."
    assert lines[2] == "Mungkin maksud Anda: peneliti"
    assert lines[3] == "Pilihan yang ada: kasi, kasi_lain, peneliti"
    _english(settings)
    assert main(["evidence", "matrix", "--user", "peksos1"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert "may not work in the evidence workspace" in lines[0]
    assert lines[1:] == ["Allowed: active users with the role evaluator, kepala_seksi.",
                         "Valid choices: kasi, kasi_lain, peneliti"]


def test_evidence_unknown_code_names_near_codes(users, capsys, settings):
    import datetime as dt

    from kinerja.evidence import services

    evaluation = services.create_evaluation(services.OPERATOR, code="uji", title="Uji", unit=users["kasi"].unit,
                                            period_start=dt.date(2024, 1, 1), period_end=dt.date(2025, 1, 1),
                                            default_codebook=False)
    for name in ("anggaran", "komunikasi", "sdm"):
        services.add_code(services.OPERATOR, evaluation, name)
    assert main(["evidence", "agreement", "--code", "anggarn"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Kode tidak dikenal: anggarn / Unknown code: anggarn"
    assert lines[1:] == ["Mungkin maksud Anda: anggaran", "Pilihan yang ada: anggaran, komunikasi, sdm",
                         "Daftar lengkap: kinerja evidence codebook"]
    _english(settings)
    assert main(["evidence", "agreement", "--code", "xyz"]) == 1
    assert capsys.readouterr().err.splitlines()[1:] == ["Valid choices: anggaran, komunikasi, sdm",
                                                        "Full list: kinerja evidence codebook"]


@pytest.mark.django_db
def test_demo_loads_the_sample_and_opens_every_feature_to_its_accounts(capsys):
    """`kinerja demo --no-serve`: one account per role whose printed password signs in, the sample
    marked synthetic, and the demo's evaluator a member of the sample evaluation (so a newcomer
    signed in as the evaluator sees the evidence workspace with data)."""
    import re

    from django.contrib.auth import authenticate

    from kinerja.cli import main
    from kinerja.evidence import access
    from kinerja.evidence.models import Evaluation
    from kinerja.register.models import Case, Staff

    assert main(["demo", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "SINTETIS" in out and Case.objects.count() > 500
    creds = dict(re.findall(r"^\s+(\w+)\s+(\S+)\s+\S+$", out, re.M))
    assert set(creds) == {"kepala_seksi", "pekerja_sosial", "pimpinan", "evaluator", "admin"}
    for line in re.findall(r"^\s+\w+\s+(\S+)\s+(\S+)$", out, re.M):
        assert authenticate(username=line[0], password=line[1]) is not None
    evaluator = Staff.objects.get(username=creds["evaluator"])
    assert access.can_open(evaluator, Evaluation.objects.get(code="sampel-anak-2024"))
