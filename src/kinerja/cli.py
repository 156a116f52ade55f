"""The `kinerja` command: a CLI over the same services the web app uses.

Each subcommand says whether it needs the database; those that do get Django set up and, on SQLite,
an automatic backup-then-migrate when the code is newer than the database."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]


def setup_django(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
    import django

    django.setup()
    if migrate:
        from kinerja.register import database

        database.ensure_migrated()


# -- commands ------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    setup_django(migrate=False)
    from kinerja.register import database

    database.migrate(backup_first=True)
    from django.conf import settings

    print(f"Kinerja siap / ready: {settings.KINERJA.data_dir}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django(migrate=False)
    from kinerja.register import database

    database.migrate(backup_first=True)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import demo

    demo.load_demo(out=sys.stdout, seed=args.seed)
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import server

    return server.serve(args.host, args.port, workers=args.workers)


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.importing import ImportWorkerError
    from kinerja.register import transfer

    try:
        result = transfer.import_path(Path(args.path), update=args.update)
    except ImportWorkerError as exc:  # the parsing process failed; the transaction was rolled back
        last = str(exc).strip().splitlines()[-1:] or [""]
        print("Impor gagal, tidak ada yang ditulis: proses pembaca berkas berhenti / "
              f"Import failed, nothing written: the file-reading process stopped ({last[0]}). "
              "KINERJA_IMPORT_PARALLEL=0 membaca dalam satu proses / reads in one process.", file=sys.stderr)
        return 1
    out = sys.stdout if result.ok else sys.stderr
    print(result.report(), file=out)
    return 0 if result.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied

    from kinerja.register import transfer

    try:
        summary = transfer.export_path(Path(args.path), identity=args.identity, reason=args.reason,
                                       username=args.user)
    except (PermissionDenied, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(summary)
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from kinerja import generator

    try:
        first, last = (int(y) for y in args.years.split("-"))
    except ValueError:
        print("--years harus berbentuk 2016-2025 / --years must look like 2016-2025", file=sys.stderr)
        return 2
    if args.extra_services < 0:
        print("--extra-services tidak boleh negatif / must not be negative", file=sys.stderr)
        return 2
    stats = generator.generate(Path(args.out_dir), units=args.units, years=(first, last), cases=args.cases,
                               seed=args.seed, extra_services=args.extra_services)
    print(stats)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import accounts

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Kata sandi / password: ")
        if password != getpass.getpass("Ulangi / repeat: "):
            print("Kata sandi tidak sama / passwords differ", file=sys.stderr)
            return 1
    try:
        accounts.add_user(args.username, role=args.role, unit_code=args.unit, password=password,
                          full_name=args.name or "")
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{args.username} ({args.role})")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    setup_django(migrate=False)
    from kinerja.register import database

    database.backup(Path(args.file))
    print(args.file)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    setup_django(migrate=False)
    from kinerja.register import database

    database.restore(Path(args.file))
    print("OK")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import services
    from kinerja.register.models import AuditEntry

    broken = services.verify_audit()
    if broken is None:
        print(f"Rantai audit utuh / audit chain intact: {AuditEntry.objects.count()} entries")
        return 0
    print(f"Rantai audit putus pada entri {broken.seq} / audit chain broken at entry {broken.seq}: {broken.reason}",
          file=sys.stderr)
    return 1


def cmd_check(args: argparse.Namespace) -> int:
    """Django's system checks with --deploy for these settings: what a production server needs
    (HTTPS cookies and HSTS with KINERJA_HTTPS=1, a strong secret key, debug off)."""
    setup_django(migrate=False)
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=True, fail_level=args.fail_level)
    except SystemCheckError as exc:
        print(str(exc), file=sys.stderr)
        print("Pemeriksaan gagal / check failed", file=sys.stderr)
        return 1
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import signin

    if not args.username and not args.address:
        print("Sebutkan nama pengguna atau --address / name a username or --address", file=sys.stderr)
        return 2
    count = signin.unlock(username=args.username, address=args.address)
    print(f"Dibuka / unlocked: {args.username or args.address} ({count} records)")
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import services

    key_id, count = services.rotate_keys()
    print(f"Kunci baru / new key {key_id}: {count} records re-encrypted")
    return 0


# -- parser --------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kinerja",
        description="Kinerja: register kasus, pengukuran kinerja dan bukti evaluasi Seksi Rehabilitasi Sosial Anak. "
        "Settings come from KINERJA_* environment variables (see README).",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Handler, help_text: str, parent: argparse._SubParsersAction | None = None
            ) -> argparse.ArgumentParser:
        sp = (parent or sub).add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(handler=handler)
        return sp

    add("init", cmd_init, "Create the data folder, keys and database (migrated).")
    add("migrate", cmd_migrate, "Apply database migrations (needed on PostgreSQL; SQLite is backed up first).")

    sp = add("demo", cmd_demo, "Load the synthetic Pekanbaru-like sample, create one user per role "
             "(passwords printed once), and serve.")
    sp.add_argument("--no-serve", action="store_true", help="stop after loading")
    sp.add_argument("--seed", type=int, default=2016, help="random seed of the sample (default 2016)")
    _serve_args(sp)

    sp = add("serve", cmd_serve, "Serve the web app with gunicorn (production server).")
    _serve_args(sp)

    sp = add("import", cmd_import, "Import a folder of CSV files or an .xlsx workbook (all or nothing).")
    sp.add_argument("path", help="folder of CSV files, or a workbook ending in .xlsx")
    sp.add_argument("--update", action="store_true", help="replace existing rows by their keys")

    sp = add("export", cmd_export, "Export the register as CSV files or an .xlsx workbook.")
    sp.add_argument("path", help="folder for CSV files, or a workbook path ending in .xlsx")
    sp.add_argument("--identity", action="store_true", help="include identity columns (section head; audited)")
    sp.add_argument("--reason", help="why identity is exported (required with --identity)")
    sp.add_argument("--user", help="username of the section head exporting identity")

    sp = add("generate", cmd_generate, "Write a synthetic dataset in the import format (deterministic from --seed).")
    sp.add_argument("out_dir")
    sp.add_argument("--units", type=int, default=1, help="number of sections (default 1)")
    sp.add_argument("--years", default="2016-2025", help="year range, e.g. 2016-2025")
    sp.add_argument("--cases", type=int, default=500, help="total number of cases")
    sp.add_argument("--seed", type=int, default=1, help="random seed")
    sp.add_argument("--extra-services", type=int, default=0,
                    help="more intervention services per case, for benchmarks (4: about 10 actions per case)")

    sp = add("user", _need_sub, "Manage users.")
    usub = sp.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    sp = add("add", cmd_user_add, "Add a user (password from a prompt or --password-stdin).", usub)
    sp.add_argument("username")
    sp.add_argument("--role", required=True, choices=["pekerja_sosial", "kepala_seksi", "pimpinan", "evaluator", "admin"])
    sp.add_argument("--unit", help="unit code (kode_unit)")
    sp.add_argument("--name", help="full name")
    sp.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    sp = add("backup", cmd_backup, "Back up the database to FILE (SQLite online backup, or pg_dump).")
    sp.add_argument("file")
    sp = add("restore", cmd_restore, "Restore the database from FILE made by `kinerja backup`.")
    sp.add_argument("file")

    sp = add("audit", _need_sub, "Audit log.")
    asub = sp.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    add("verify", cmd_audit_verify, "Check the audit hash chain; report the first broken link.", asub)

    add("rotate-key", cmd_rotate_key, "Make a new encryption key and re-encrypt all identity fields and notes.")

    sp = add("check", cmd_check, "Run Django's deployment checks on these settings; non-zero exit on a problem.")
    sp.add_argument("--fail-level", default="WARNING", choices=["ERROR", "WARNING"],
                    help="lowest level that fails the check (default WARNING)")
    sp = add("unlock", cmd_unlock, "Clear a sign-in lockout (failed attempts) of an account or an address; audited.")
    sp.add_argument("username", nargs="?", help="the locked-out account")
    sp.add_argument("--address", help="the locked-out IP address")

    for register in _extensions():
        register(sub, add)
    return p


def _extensions() -> list[Callable]:
    """Subcommands contributed by other areas (indicators, evidence)."""
    from kinerja.commands import extensions

    return extensions()


def _serve_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument("--workers", type=int, default=2)


def _need_sub(args: argparse.Namespace) -> int:
    return 2


def main(argv: list[str] | None = None) -> int:
    from kinerja.config import ConfigError

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:  # a KINERJA_* setting with a bad value: its message, not a traceback
        print(exc.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
