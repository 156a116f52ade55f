"""The `kinerja` command: every subcommand listed with help; user management."""

from __future__ import annotations

import io

import pytest

from kinerja.cli import build_parser, main

EXPECTED = {"init", "migrate", "demo", "serve", "import", "export", "generate", "user", "backup", "restore",
            "audit", "rotate-key"}


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
