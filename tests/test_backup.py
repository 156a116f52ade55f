"""Backup and restore round trip (SQLite online backup; pg_dump/pg_restore on PostgreSQL)."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.mark.django_db(transaction=True)
def test_backup_restore_round_trip(tmp_path, units, users):
    from kinerja.register import database, services
    from kinerja.register.models import AuditEntry, Case, Child

    c = factories.case(units["seksi"], worker=users["peksos"],
                       child_obj=factories.child(units["seksi"], name="Dewi Lestari", nik="1471014101100001"))
    services.audit("kasi", "export_identity", "unit:14.71-RESOS-ANAK", "laporan ke pengadilan")
    target = tmp_path / "cadangan.bak"
    database.backup(target)
    assert target.stat().st_size > 0

    Case.objects.all().delete()
    Child.objects.all().delete()
    assert Case.objects.count() == 0

    database.restore(target)
    restored = Case.objects.select_related("child").get()
    assert restored.number == c.number
    assert services.read_identity(restored.child)["name"] == "Dewi Lestari"
    assert AuditEntry.objects.exclude(action__startswith="account_").count() == 1 and services.verify_audit() is None


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, units):
    from kinerja.register import database
    from kinerja.register.models import Unit

    bogus = tmp_path / "bukan.bak"
    bogus.write_bytes(b"hello, this is not a database")
    with pytest.raises(SystemExit):
        database.restore(bogus)
    assert Unit.objects.count() == 4
    with pytest.raises(SystemExit):
        database.restore(tmp_path / "tidak-ada.bak")


def test_migrate_backs_up_sqlite_before_applying(tmp_path, monkeypatch):
    """A SQLite database with pending migrations is copied before it is migrated."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, KINERJA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kinerja.settings")
    env.pop("KINERJA_DATABASE_URL", None)
    run = lambda *a: subprocess.run([sys.executable, "-m", "kinerja", *a], env=env, capture_output=True,  # noqa: E731
                                    text=True, timeout=300)
    r = run("init")
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "backups").exists()  # a new database needs no backup
    # roll the register back one step, as if the code were newer than the database
    subprocess.run([sys.executable, "-m", "django", "migrate", "register", "zero", "--noinput"],
                   env=env, check=True, capture_output=True, timeout=300)
    r = run("audit", "verify")
    assert r.returncode == 0, r.stderr
    backups = list((tmp_path / "backups").glob("sebelum-migrasi-*.sqlite3"))
    assert len(backups) == 1 and backups[0].read_bytes().startswith(b"SQLite format 3")


def test_database_keys_and_backups_are_owner_only(tmp_path):
    """`kinerja init` and `kinerja backup` as an operator runs them: every data file is 0600, the data
    folder 0700, whatever the process umask."""
    import os
    import stat
    import subprocess
    import sys

    data = tmp_path / "data"
    env = dict(os.environ, KINERJA_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="kinerja.settings")
    env.pop("KINERJA_DATABASE_URL", None)
    old = os.umask(0o022)  # the usual umask: files would be 0644 unless made private
    try:
        run = lambda *a: subprocess.run([sys.executable, "-m", "kinerja", *a], env=env,  # noqa: E731
                                        capture_output=True, text=True, timeout=300)
        assert run("init").returncode == 0
        r = run("backup", str(tmp_path / "cadangan" / "kinerja.bak"))
        assert r.returncode == 0, r.stderr
        r = run("rotate-key")  # writes the key file
        assert r.returncode == 0, r.stderr
    finally:
        os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(data) == 0o700
    files = [data / "kinerja.sqlite3", data / "keys.json", data / "secret_key", tmp_path / "cadangan" / "kinerja.bak"]
    files += [p for p in data.glob("kinerja.sqlite3-*")]  # -wal and -shm while they exist
    for path in files:
        assert path.is_file() and mode(path) == 0o600, (path, oct(mode(path)))
    assert (tmp_path / "cadangan" / "kinerja.bak").read_bytes().startswith(b"SQLite format 3")
    assert mode(tmp_path / "cadangan") == 0o700


@pytest.mark.django_db(transaction=True)
def test_a_backup_file_is_0600_on_either_backend(tmp_path, units):
    import os
    import stat

    from kinerja.register import database

    old = os.umask(0o022)
    try:
        target = database.backup(tmp_path / "cadangan.bak")
    finally:
        os.umask(old)
    assert target.stat().st_size > 0 and stat.S_IMODE(target.stat().st_mode) == 0o600
