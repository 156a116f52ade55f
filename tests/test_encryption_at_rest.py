"""Identity imported through import_path is encrypted at rest: no child's name, NIK or note text can
be found in the raw database (SQLite file and WAL, a PostgreSQL dump)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from kinerja.register.tabular import writing
from tests.test_import import base_data, write_data

S = "99.01-RESOS-ANAK"
NAMES = ["Siti Hajar Binti Rahmat", "Budi Santoso", "Nurul Aini Zahra"]
NIKS = ["1471014101100001", "1471025506120003"]
NOTES = ["Anak ditemukan mengemis di pasar pagi", "Dijangkau di lampu merah", "Ayah tiri memukul dengan sapu lidi"]


def dataset(folder: Path) -> Path:
    data = base_data()
    data["kasus"].append({**data["kasus"][1], "nomor_kasus": "K-004", "kode_anak": "A4", "nama_anak": NAMES[2],
                          "nik": NIKS[1], "jenis_kelamin": "P", "usia": "11"})
    data["tindakan"].append({"kode_unit": S, "nomor_kasus": "K-004", "tahap": "asesmen",
                             "waktu": "2018-02-02T10:00", "catatan": NOTES[2]})
    return write_data(folder, data)


def forms(secret: str) -> list[bytes]:
    """The ways a plaintext could show in raw bytes: UTF-8, UTF-16 and the hex a dump writes for bytea."""
    raw = secret.encode()
    return [raw, secret.encode("utf-16-le"), raw.hex().encode(), raw.hex().upper().encode()]


def assert_no_identity(blob: bytes) -> None:
    assert b"K-004" in blob and S.encode() in blob  # the scan sees the imported rows themselves
    for secret in NAMES + NIKS + NOTES:
        for form in forms(secret):
            assert form not in blob, f"identity found at rest: {secret[:4]}..."


@pytest.mark.django_db(transaction=True)
def test_identity_imported_is_not_in_the_test_database(tmp_path):
    result = writing.import_path(dataset(tmp_path / "in"), lang="en")
    assert result.ok, result.report()
    if connection.vendor == "sqlite":
        blob = b""
        name = connection.settings_dict["NAME"]
        if not connection.is_in_memory_db():
            for suffix in ("", "-wal"):
                if Path(f"{name}{suffix}").exists():
                    blob += Path(f"{name}{suffix}").read_bytes()
        # every page of the database (an in-memory test database has no file): the backup API copies
        # them as they are, free pages included; the SQL dump renders every value, blobs as hex
        connection.ensure_connection()
        copy = tmp_path / "copy.sqlite3"
        target = sqlite3.connect(copy)
        connection.connection.backup(target)
        target.close()
        blob += copy.read_bytes()
        blob += "\n".join(connection.connection.iterdump()).encode()
    else:
        blob = pg_dump()
    assert_no_identity(blob)


def pg_dump() -> bytes:
    s = connection.settings_dict
    cmd = ["/usr/bin/pg_dump", "--no-owner", "-d", s["NAME"]]
    if s.get("HOST"):
        cmd += ["-h", s["HOST"]]
    if s.get("PORT"):
        cmd += ["-p", str(s["PORT"])]
    if s.get("USER"):
        cmd += ["-U", s["USER"]]
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    out = subprocess.run(cmd, capture_output=True, env=env, check=True, timeout=120).stdout
    assert b"COPY public.register_child" in out
    return out


_SCRIPT = textwrap.dedent("""
    import os, shutil, sys
    from pathlib import Path
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    call_command("migrate", verbosity=0)
    from kinerja.register.tabular import writing
    result = writing.import_path(Path(sys.argv[1]), lang="en")
    assert result.ok, result.report()
    db = Path(connection.settings_dict["NAME"])
    snap = Path(sys.argv[2])
    snap.mkdir()
    for suffix in ("", "-wal"):  # copied while the connection is open, so the WAL still exists
        src = Path(f"{db}{suffix}")
        if src.exists():
            shutil.copy(src, snap / src.name)
    print(db)
""")


def test_sqlite_file_and_wal_of_a_real_import_hold_no_identity(tmp_path):
    """A real SQLite database file (the production setup: WAL journal), written by a separate process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINERJA_")}
    env.update(DJANGO_SETTINGS_MODULE="kinerja.settings", KINERJA_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(dataset(tmp_path / "in")), str(tmp_path / "snap")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    db = Path(done.stdout.strip().splitlines()[-1])
    snapped = sorted(p.name for p in (tmp_path / "snap").iterdir())
    assert snapped == ["kinerja.sqlite3", "kinerja.sqlite3-wal"]
    blob = b"".join(p.read_bytes() for p in (tmp_path / "snap").iterdir())
    blob += b"".join(Path(f"{db}{s}").read_bytes() for s in ("", "-wal") if Path(f"{db}{s}").exists())
    assert_no_identity(blob)
