"""The `kinerja` command: a CLI over the same services the web app uses.

Each subcommand says whether it needs the database; those that do get Django set up and, on SQLite,
an automatic backup-then-migrate when the code is newer than the database."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from kinerja import auditchain
from kinerja.clibase import Handler, setup_django

__all__ = ["Handler", "build_parser", "main", "setup_django"]
ROLES = ("pekerja_sosial", "kepala_seksi", "pimpinan", "evaluator", "admin")


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

    host = f"[{args.host}]" if ":" in args.host else args.host
    demo.load_demo(out=sys.stdout, seed=args.seed, address=f"http://{host}:{args.port}")
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import server

    return server.serve(args.host, args.port, workers=args.workers)


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import accounts
    from kinerja.register.tabular import writing
    from kinerja.register.tabular.reading import ImportWorkerError

    try:
        with accounts.acting_as(accounts.operator()):  # accounts in pegawai.csv are audited as the operator's
            result = writing.import_path(Path(args.path), update=args.update)
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

    from kinerja.register.tabular import export

    try:
        summary = export.export_path(Path(args.path), identity=args.identity, reason=args.reason,
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
                          full_name=args.name or "", actor=accounts.operator())
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{args.username} ({args.role})")
    return 0


def _user_change(change: Callable[..., object]) -> Handler:
    """A `kinerja user` subcommand: the server operator's change of one account, audited as 'operator'."""
    def handler(args: argparse.Namespace) -> int:
        setup_django()
        from kinerja.register import accounts

        try:
            message = change(accounts, accounts.operator(), args)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(message)
        return 0

    return handler


def _set_role(accounts, actor, args):  # type: ignore[no-untyped-def]
    user = accounts.set_role(actor, args.username, args.role)
    return f"{user.username}: peran / role {user.role}"


def _move(accounts, actor, args):  # type: ignore[no-untyped-def]
    user = accounts.move(actor, args.username, args.unit)
    return f"{user.username}: unit {user.unit.code}"


def _reset_password(accounts, actor, args):  # type: ignore[no-untyped-def]
    code, expires = accounts.reset_password(actor, args.username)
    return (f"Kode sekali pakai untuk / one-time code for {args.username}: {code}\n"
            f"Berlaku sampai / valid until {expires.isoformat(timespec='minutes')}. Ditampilkan sekali saja; "
            f"pengguna masuk di /masuk/kode/ lalu memilih kata sandinya sendiri / shown only once; the user "
            f"signs in at /masuk/kode/ and then chooses their own password.")


def _deactivate(accounts, actor, args):  # type: ignore[no-untyped-def]
    user = accounts.set_active(actor, args.username, False)
    return f"{user.username}: nonaktif / deactivated"


def _activate(accounts, actor, args):  # type: ignore[no-untyped-def]
    user = accounts.set_active(actor, args.username, True)
    return f"{user.username}: aktif / active"


def cmd_user_list(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import accounts

    try:
        rows = accounts.list_accounts(role=args.role, unit_code=args.unit)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    header = ("username", "peran/role", "unit", "aktif/active")
    table = [header] + [(r["username"], r["role"], r["unit"] or "-",
                         ("ya/yes" if r["active"] else "tidak/no") + (" *" if r["must_change_password"] else ""))
                        for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if any(r["must_change_password"] for r in rows):
        print("* harus memilih kata sandi baru / must choose a new password")
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

    report = services.audit_report(args.head)
    for line in report.failures:
        print(f"GAGAL / FAILED: {line}", file=sys.stderr)
    for line in report.warnings:
        print(f"PERINGATAN / WARNING: {line}", file=sys.stderr)
    if not report.ok:
        return 1
    keyed = report.count - report.legacy
    legacy = f" ({report.legacy} SHA-256 lama / legacy, {keyed} HMAC)" if report.legacy else ""
    print(f"Rantai audit utuh / audit chain intact: {report.count} entries{legacy}")
    if report.head is not None:
        print(f"Kepala / head: {report.head.token()}")
    for line in report.notes:
        print(line)
    return 1 if args.strict and report.warnings else 0


def _audit_head_arg(text: str) -> auditchain.Head:
    try:
        return auditchain.parse_head(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_audit_head(args: argparse.Namespace) -> int:
    setup_django()
    from kinerja.register import services

    report = services.audit_report()
    if report.chain is not None:
        print(f"GAGAL / FAILED: {report.chain.message()}", file=sys.stderr)
        print("Kepala rantai yang putus tidak dicetak / the head of a broken chain is not printed", file=sys.stderr)
        return 1
    if report.head is None:
        print("Log audit kosong / the audit log is empty")
        return 0
    h = report.head
    print("Kepala rantai audit / audit chain head")
    print(f"  jumlah entri / entries:  {report.count}")
    print(f"  seq terakhir / last seq: {h.seq}")
    print(f"  hash:                    {h.hash}")
    print(f"  waktu / time (UTC):      {h.at}")
    print("Simpan baris berikut di tempat lain; periksa kembali dengan `kinerja audit verify --head ...` / "
          "keep the next line elsewhere; check it later with `kinerja audit verify --head ...`:")
    print(h.token())
    for line in report.failures + report.warnings:
        print(f"PERINGATAN / WARNING: {line}", file=sys.stderr)
    return 0


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from kinerja.register import services

    try:
        written = services.reanchor_audit_checkpoint(args.reason or "")
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Titik periksa / checkpoint {settings.KINERJA.audit_head_file}: {written.head.token()}")
    return 0


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


UNIT_TEXT = {
    "id": {"code": "Kode unit", "name": "Nama", "parent": "Induk", "region": "Kode wilayah", "cases": "Kasus",
           "total": "Kasus termasuk sub-unit", "none": "Belum ada unit. Tambahkan lewat unit.csv: kinerja import"},
    "en": {"code": "Unit code", "name": "Name", "parent": "Parent", "region": "Region code", "cases": "Cases",
           "total": "Cases with sub-units", "none": "No units yet. Add them with unit.csv: kinerja import"},
}


def unit_rows(with_cases: bool = False) -> list[dict[str, object]]:
    """Every unit in tree order (each parent before its children, siblings by code), with its depth;
    with the number of its own cases and of its whole subtree's when asked. The columns are those of
    unit.csv, so the CSV form can be edited and imported back."""
    from django.db.models import Count

    from kinerja.register.models import Case, Unit

    units = {pk: (code, name, parent, region) for pk, code, name, parent, region in
             Unit.objects.values_list("pk", "code", "name", "parent_id", "region_code")}
    children: dict[int | None, list[int]] = {}
    for pk, (_code, _, parent, _) in sorted(units.items(), key=lambda kv: kv[1][0]):
        children.setdefault(parent if parent in units else None, []).append(pk)
    own: dict[int, int] = {}
    if with_cases:
        own = dict(Case.objects.order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    order: list[tuple[int, int]] = []
    seen: set[int] = set()

    def walk(pk: int, depth: int) -> int:
        seen.add(pk)
        order.append((pk, depth))
        total = own.get(pk, 0)
        for child in children.get(pk, []):
            if child not in seen:
                total += walk(child, depth + 1)
        totals[pk] = total
        return total

    totals: dict[int, int] = {}
    for root in children.get(None, []):
        walk(root, 0)
    for pk in sorted(set(units) - seen, key=lambda k: units[k][0]):  # a loop of parents: shown flat
        if pk not in seen:
            walk(pk, 0)
    rows: list[dict[str, object]] = []
    for pk, depth in order:
        code, name, parent, region = units[pk]
        row: dict[str, object] = {"kode_unit": code, "nama": name,
                                  "induk": units[parent][0] if parent in units else "",
                                  "kode_wilayah": region, "kedalaman": depth}
        if with_cases:
            row["kasus"] = own.get(pk, 0)
            row["kasus_total"] = totals[pk]
        rows.append(row)
    return rows


def cmd_units(args: argparse.Namespace) -> int:
    setup_django()
    import csv
    import json

    from django.conf import settings

    lang = "en" if str(settings.KINERJA.language).startswith("en") else "id"
    t = UNIT_TEXT[lang]
    rows = unit_rows(with_cases=args.cases)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    keys = ["kode_unit", "nama", "induk", "kode_wilayah"] + (["kasus", "kasus_total"] if args.cases else [])
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(keys)
        writer.writerows([[row[k] for k in keys] for row in rows])
        return 0
    if not rows:
        print(t["none"], file=sys.stderr)
        return 0
    header = [t["code"], t["name"], t["parent"], t["region"]] + ([t["cases"], t["total"]] if args.cases else [])
    table = [header] + [["  " * int(str(row["kedalaman"])) + str(row["kode_unit"])] + [str(row[k]) for k in keys[1:]]
                        for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for n, cells in enumerate(table):
        print("  ".join(c.rjust(w) if i >= 4 and n else c.ljust(w)
                        for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
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
    sp.add_argument("--role", required=True, help=f"role: {', '.join(ROLES)}")
    sp.add_argument("--unit", help="unit code (kode_unit)")
    sp.add_argument("--name", help="full name")
    sp.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sp = add("set-role", _user_change(_set_role), "Give a user another role (audited as the operator).", usub)
    sp.add_argument("username")
    sp.add_argument("role", help=f"role: {', '.join(ROLES)}")
    sp = add("move", _user_change(_move), "Move a user to another unit (audited as the operator).", usub)
    sp.add_argument("username")
    sp.add_argument("--unit", required=True, help="unit code (kode_unit)")
    add("reset-password", _user_change(_reset_password), "Disable a user's password and print a one-time code "
        "(shown once) with which they sign in and choose a new password.", usub).add_argument("username")
    add("deactivate", _user_change(_deactivate), "Stop a user from signing in (their work keeps their name).",
        usub).add_argument("username")
    add("activate", _user_change(_activate), "Let a deactivated user sign in again.", usub).add_argument("username")
    sp = add("list", cmd_user_list, "List users: username, role, unit, active (never passwords).", usub)
    sp.add_argument("--role", help="only this role")
    sp.add_argument("--unit", help="only this unit code")

    sp = add("backup", cmd_backup, "Back up the database to FILE (SQLite online backup, or pg_dump).")
    sp.add_argument("file")
    sp = add("restore", cmd_restore, "Restore the database from FILE made by `kinerja backup`.")
    sp.add_argument("file")

    sp = add("audit", _need_sub, "Audit log.")
    asub = sp.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    sp = add("verify", cmd_audit_verify, "Check the keyed audit chain, and its head against the checkpoint file "
             "(and a printed head); name the first broken entry.", asub)
    sp.add_argument("--head", type=_audit_head_arg, metavar="COUNT:HASH",
                    help="a head printed earlier by `kinerja audit head`")
    sp.add_argument("--strict", action="store_true", help="fail on warnings too (missing or stale checkpoint)")
    add("head", cmd_audit_head, "Print the head of the audit chain (count, last seq, hash, time) to keep "
        "elsewhere.", asub)
    sp = add("checkpoint", cmd_audit_checkpoint, "Write the checkpoint file from the database's head (the chain "
             "must hold); replacing a checkpoint that disagrees, e.g. after restoring a backup, needs --reason "
             "and is recorded in the chain.", asub)
    sp.add_argument("--reason", help="why a checkpoint that disagrees with the database is replaced")

    add("rotate-key", cmd_rotate_key, "Make a new encryption key and re-encrypt all identity fields and notes.")

    sp = add("units", cmd_units, "List the units as a tree: code, name, parent, region code (the codes that "
             "--unit takes).")
    sp.add_argument("--cases", action="store_true", help="add the number of cases of each unit and its subtree")
    sp.add_argument("--format", choices=["table", "json", "csv"], default="table")
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
