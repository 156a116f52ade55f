"""Database housekeeping: migrations, backup and restore, on SQLite and PostgreSQL.

SQLite databases are backed up before an automatic migration (as Taguette does); PostgreSQL is
shared by many users, so migrating it is an explicit `kinerja migrate`."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from kinerja.config import private_dir, private_file


class DatabaseError(RuntimeError):
    pass


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def _has_tables() -> bool:
    return bool(connection.introspection.table_names())


def migrate(backup_first: bool = True) -> Path | None:
    """Apply pending migrations; on SQLite with existing data, back the file up first."""
    saved = None
    if backup_first and is_sqlite() and _has_tables() and pending_migrations():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        saved = settings.KINERJA.data_dir / "backups" / f"sebelum-migrasi-{stamp}.sqlite3"
        backup(saved)
        print(f"Cadangan sebelum migrasi / backup before migrating: {saved}", file=sys.stderr)
    call_command("migrate", interactive=False, verbosity=0)
    return saved


def ensure_migrated() -> None:
    if not pending_migrations():
        return
    if is_sqlite():
        migrate(backup_first=True)
        return
    raise SystemExit(
        "Basis data PostgreSQL perlu dimigrasi: jalankan `kinerja migrate`.\n"
        "The PostgreSQL database needs migrating: run `kinerja migrate`."
    )


def backup(target: Path) -> Path:
    """SQLite: the online backup API (consistent while the app runs). PostgreSQL: pg_dump -Fc.
    The encryption keys are NOT in the backup: keep the key file safe separately.
    The file is owner-only (0600) from its creation: it holds the encrypted register and the
    pseudonyms in the clear."""
    target = Path(target)
    if not target.parent.exists():
        private_dir(target.parent)
    private_file(target)  # created 0600 before SQLite or pg_dump writes into it (both keep the mode)
    if is_sqlite():
        _sqlite_copy(_sqlite_path(), str(target))
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _pg_dbname()])
    private_file(target)
    print(
        f"Catatan: berkas kunci {settings.KINERJA.key_file} tidak termasuk dalam cadangan; simpan terpisah.\n"
        f"Note: the key file {settings.KINERJA.key_file} is not in the backup; keep it safe separately.",
        file=sys.stderr,
    )
    return target


def restore(source: Path) -> None:
    """Replace the current database with a backup made by `backup` on the same kind of database."""
    source = Path(source)
    if not source.is_file():
        raise SystemExit(f"Berkas tidak ditemukan / file not found: {source}")
    head = source.read_bytes()[:16]
    connections.close_all()
    if is_sqlite():
        if not head.startswith(b"SQLite format 3"):
            raise SystemExit("Bukan cadangan SQLite Kinerja / not a Kinerja SQLite backup")
        _sqlite_copy(str(source), _sqlite_path())
    else:
        if not head.startswith(b"PGDMP"):
            raise SystemExit("Bukan cadangan pg_dump / not a pg_dump custom-format backup")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _pg_dbname(), str(source)])


def _sqlite_copy(source: str, target: str) -> None:
    """SQLite's online backup API: a consistent copy even while the app writes (WAL included)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_path() -> str:
    return str(connection.settings_dict["NAME"])


def _pg_dbname() -> str:
    """A libpq connection string for the current database (password passed via PGPASSWORD)."""
    s = connection.settings_dict
    parts = [f"dbname={s['NAME']}"]
    if s.get("HOST"):
        parts.append(f"host={s['HOST']}")
    if s.get("PORT"):
        parts.append(f"port={s['PORT']}")
    if s.get("USER"):
        parts.append(f"user={s['USER']}")
    return " ".join(parts)


def _run(cmd: list[str]) -> None:
    exe = shutil.which(cmd[0])
    if exe is None:
        raise SystemExit(f"{cmd[0]} tidak ditemukan / not found: install the PostgreSQL client tools")
    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(connection.settings_dict["PASSWORD"])
    proc = subprocess.run([exe, *cmd[1:]], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise DatabaseError(proc.stderr.strip() or f"{cmd[0]} failed")
