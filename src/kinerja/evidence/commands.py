"""`kinerja evidence ...`: the evidence workspace from the command line.

Without ``--user`` a command acts as the server operator (who holds the database and the key
file anyway); exports that carry transcripts need ``--user`` and ``--reason`` and are audited.
Every error is printed in Indonesian and English to stderr, exit status 1, nothing written."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from kinerja.clibase import AddCommand, Handler


class _Refused(Exception):
    """A command-line error already worded in both languages."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("; ".join(self.lines))


def _run(body: Callable[[argparse.Namespace], int]) -> Handler:
    """Set Django up, run the command, and turn refusals into bilingual stderr and exit 1."""

    def handler(args: argparse.Namespace) -> int:
        from kinerja.clibase import setup_django

        setup_django()
        from django.core.exceptions import PermissionDenied

        from kinerja.evidence.analysis.records import EvidenceError

        try:
            return body(args)
        except EvidenceError as exc:
            lines = [str(m) for m in exc.messages]
        except PermissionDenied as exc:
            lines = [f"Ditolak / refused: {exc}"]
        except _Refused as exc:
            lines = exc.lines
        for line in lines:
            print(line, file=sys.stderr)
        return 1

    return handler


def _lang() -> str:
    from django.conf import settings

    from kinerja.choices import language

    return language(settings.KINERJA.language)


def _workspace_users() -> list[str]:
    """Usernames of the active staff who may work in the evidence workspace (the valid --user values)."""
    from kinerja.register import permissions
    from kinerja.register.models import Staff

    return list(Staff.objects.filter(role__in=permissions.CAN_SEE_EVIDENCE, is_active=True)
                .order_by("username").values_list("username", flat=True))


def _user_hints(username: str) -> list[str]:
    from kinerja.choices import hint_lines
    from kinerja.register import permissions

    roles = ", ".join(sorted(permissions.CAN_SEE_EVIDENCE))
    lang = _lang()
    who = {"id": f"Yang boleh: pengguna aktif berperan {roles}.",
           "en": f"Allowed: active users with the role {roles}."}[lang]
    return [who, *hint_lines(username, _workspace_users(), lang, always_all=40, all_without_near=40)]


def _actor(username: str | None, *, required: bool = False) -> Any:
    """The user named by --user, checked to hold a workspace role; the operator without it.
    A refusal names the usernames that may be given."""
    from kinerja.evidence.services import OPERATOR
    from kinerja.register import permissions
    from kinerja.register.models import Staff

    if not username:
        if required:
            raise _Refused(["Perintah ini perlu --user (nama pengguna yang mengekspor) / "
                            "this command needs --user (the username of the person exporting)", *_user_hints("")])
        return OPERATOR
    user = Staff.objects.filter(username=username).first()
    if user is None:
        raise _Refused([f"Pengguna tidak ditemukan: {username} / user not found: {username}", *_user_hints(username)])
    if permissions.role_of(user) not in permissions.CAN_SEE_EVIDENCE:
        raise _Refused([f"Pengguna {username} (peran {user.role or '-'}{'' if user.is_active else ', nonaktif'}) tidak "
                        f"boleh bekerja di ruang bukti / user {username} (role {user.role or '-'}"
                        f"{'' if user.is_active else ', inactive'}) may not work in the evidence workspace",
                        *_user_hints("")])
    return user


def _evaluation(actor: Any, key: str | None) -> Any:
    """The evaluation of --evaluasi (code or uid), as ``actor`` may open it; without the option
    the only evaluation ``actor`` may open. A refusal lists the codes that may be given."""
    from kinerja.evidence import access
    from kinerja.evidence.models import Evaluation

    visible = list(access.visible_evaluations(actor).order_by("code").values_list("code", flat=True))
    listing = (f"Evaluasi yang boleh dibuka / evaluations one may open: {', '.join(visible)}" if visible
               else "Belum ada evaluasi yang boleh dibuka / no evaluation one may open (kinerja evidence evaluation-add)")
    if not key:
        if len(visible) == 1:
            return access.get(actor, visible[0])
        raise _Refused(["Perintah ini perlu --evaluasi KODE / this command needs --evaluasi CODE", listing])
    try:
        return access.get(actor, key)
    except Evaluation.DoesNotExist:
        raise _Refused([f"Evaluasi tidak ditemukan: {key} / evaluation not found: {key}", listing]) from None


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _Refused([f"Berkas tidak dapat dibaca: {path} ({exc.strerror}) / cannot read file: {path} "
                        f"({exc.strerror})"]) from exc


def _write(path: str, data: bytes) -> None:
    """Write next to the target, then rename, so a failed write leaves no half file."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        raise _Refused([f"Berkas tidak dapat ditulis: {path} ({exc.strerror}) / cannot write file: {path} "
                        f"({exc.strerror})"]) from exc


def _json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


# --------------------------------------------------------------------------- commands


def _import(args: argparse.Namespace) -> int:
    from kinerja.evidence import services

    actor = _actor(args.user)
    try:
        source_date = date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        raise _Refused([f"Tanggal harus YYYY-MM-DD: {args.date} / the date must be YYYY-MM-DD: {args.date}"]) from exc
    files = [(path, _read(path)) for path in args.files]
    result = services.import_sources(actor, _evaluation(actor, args.evaluasi), files, source_type=args.type, informants=args.informant or [],
                                     source_date=source_date)
    for note in result.notes:
        print(f"! {note}", file=sys.stderr)
    for s in result.sources:
        print(f"{s.uid}  {s.type:<11} {s.length:>7} karakter/characters  {s.title}")
    return 0


def _export_qdpx(args: argparse.Namespace) -> int:
    from kinerja.evidence import exchange

    actor = _actor(args.user, required=True)
    data = exchange.export_qdpx(actor, _evaluation(actor, args.evaluasi), args.reason or "")
    _write(args.file, data)
    print(f"{args.file} ({len(data)} bita/bytes; ekspor dicatat di audit / export audited)")
    return 0


def _import_qdpx(args: argparse.Namespace) -> int:
    from kinerja.evidence import services

    user_map: dict[str, str] = {}
    for item in args.map_user or []:
        qda_name, sep, username = item.partition("=")
        if not sep or not qda_name.strip() or not username.strip():
            raise _Refused([f"--map-user harus berbentuk NAMA_QDA=USERNAME, bukan {item!r} / "
                            f"--map-user must be QDA_NAME=USERNAME, not {item!r}"])
        if user_map.setdefault(qda_name.strip(), username.strip()) != username.strip():
            raise _Refused([f"--map-user memetakan {qda_name.strip()!r} dua kali / "
                            f"--map-user maps {qda_name.strip()!r} twice"])
    actor = _actor(args.user)
    summary = services.import_qdpx(actor, _evaluation(actor, args.evaluasi), _read(args.file),
                                   default_source_type=args.type, user_map=user_map)
    print(summary.report())
    return 0


def _export_qdc(args: argparse.Namespace) -> int:
    from kinerja.evidence import exchange

    actor = _actor(args.user)
    data = exchange.export_qdc(actor, _evaluation(actor, args.evaluasi))
    _write(args.file, data)
    print(f"{args.file} ({len(data)} bita/bytes)")
    return 0


def _import_qdc(args: argparse.Namespace) -> int:
    from kinerja.evidence import services

    actor = _actor(args.user)
    print(services.import_qdc(actor, _evaluation(actor, args.evaluasi), _read(args.file)).report())
    return 0


def _export_segments(args: argparse.Namespace) -> int:
    from kinerja.evidence import exchange

    fmt = "xlsx" if args.file.lower().endswith(".xlsx") else "csv"
    actor = _actor(args.user, required=True)
    data = exchange.export_segments(actor, _evaluation(actor, args.evaluasi), args.reason or "", fmt)
    _write(args.file, data)
    print(f"{args.file} ({fmt}; ekspor dicatat di audit / export audited)")
    return 0


def _codebook(args: argparse.Namespace) -> int:
    from kinerja.evidence import selectors, services

    actor = _actor(args.user)
    evaluation = _evaluation(actor, args.evaluasi)
    if args.load_default:
        services.require_member(actor, evaluation)
        created = services.ensure_default_codebook(evaluation)
        print(f"Kode bawaan ditambahkan / default codes added: {len(created)}", file=sys.stderr)
    rows = selectors.codebook(actor, evaluation)
    if args.format == "json":
        _json(rows)
    else:
        _table(["kode", "tautan / link", "koding", "English"],
               [["  " * r["kedalaman"] + r["nama"], r["tautan"], str(r["koding"]), r["nama_en"]] for r in rows])
    return 0


def _matrix(args: argparse.Namespace) -> int:
    from kinerja.evidence import selectors

    actor = _actor(args.user)
    rows = selectors.matrix(actor, _evaluation(actor, args.evaluasi))
    if args.format == "json":
        _json(rows)
        return 0
    yes = {True: "ya", False: "tidak"}
    _table(
        ["kode", "wawancara", "observasi", "dokumentasi", "informan", "tri. metode", "tri. sumber", "konvergen"],
        [[r["kode"], *(str(r["jenis_sumber"].get(t, 0)) for t in ("wawancara", "observasi", "dokumentasi")),
          str(len(r["informan"])), yes[r["triangulasi_metode"]], yes[r["triangulasi_sumber"]],
          "tidak ada bukti" if r["konvergen"] is None else yes[r["konvergen"]]]
         for r in rows],
    )
    return 0


def _agreement(args: argparse.Namespace) -> int:
    from kinerja.evidence import selectors
    from kinerja.evidence.services import EvidenceInputError

    actor = _actor(args.user)
    evaluation = _evaluation(actor, args.evaluasi)
    coders = [c.strip() for c in args.coders.split(",") if c.strip()] if args.coders else None
    try:
        rows = selectors.agreement(actor, evaluation, args.code, coders=coders)
    except EvidenceInputError as exc:
        codable = [r["nama"] for r in selectors.codebook(actor, evaluation) if r["dapat_dikode"]]
        if args.code is None or args.code in codable:
            raise
        from kinerja.choices import hint_lines

        raise _Refused([*(str(m) for m in exc.messages),
                        *hint_lines(args.code, sorted(codable), _lang(), command="kinerja evidence codebook")]) from None
    if args.format == "json":
        _json(rows)
        return 0
    pairs = sorted({p for r in rows for p in r["kappa"]})
    _table(
        ["kode", "unit", "alpha", "% setuju", *(f"kappa {p}" for p in pairs)],
        [[r["kode"], str(r["unit"]), _fmt(r["alpha"]), _fmt(r["persen_setuju"], 1),
          *(_fmt(r["kappa"].get(p)) for p in pairs)] for r in rows],
    )
    return 0


def _search(args: argparse.Namespace) -> int:
    from kinerja.evidence import selectors

    actor = _actor(args.user)
    hits = selectors.search(actor, _evaluation(actor, args.evaluasi), args.text, match_all=not args.any, limit=args.limit)
    if args.format == "json":
        _json(hits)
        return 0
    if not hits:
        print("Tidak ditemukan / no match", file=sys.stderr)
    for h in hits:
        print(f"{h['judul']}  ({len(h['posisi'])}x, skor/score {h['skor']:.4f})\n    {h['cuplikan']}")
    return 0


def _evaluations(args: argparse.Namespace) -> int:
    from kinerja.evidence import selectors

    rows = [{"kode": e.code, "judul": e.title, "unit": e.unit.code if e.unit else None,
             "mulai": e.period_start.isoformat(), "selesai": e.period_end.isoformat(),
             "anggota": sorted(e.members.values_list("username", flat=True))}
            for e in selectors.evaluations(_actor(args.user))]
    if args.format == "json":
        _json(rows)
    else:
        _table(["kode", "unit", "periode / period", "judul / title", "anggota / members"],
               [[r["kode"], r["unit"] or "-", f"{r['mulai']} – {r['selesai']}", r["judul"], ", ".join(r["anggota"])]
                for r in rows])
    return 0


def _evaluation_add(args: argparse.Namespace) -> int:
    from kinerja.evidence import services
    from kinerja.register.models import Staff, Unit

    actor = _actor(args.user)
    unit = Unit.objects.filter(code=args.unit).first()
    if unit is None:
        raise _Refused([f"Unit tidak ditemukan: {args.unit} / unit not found: {args.unit} (kinerja units)"])
    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError as exc:
        raise _Refused(["Tanggal harus YYYY-MM-DD / dates must be YYYY-MM-DD"]) from exc
    names = [n.strip() for n in (args.member or []) if n.strip()]
    members = list(Staff.objects.filter(username__in=names))
    missing = sorted(set(names) - {m.username for m in members})
    if missing:
        raise _Refused([f"Pengguna tidak ditemukan / users not found: {', '.join(missing)}", *_user_hints(missing[0])])
    evaluation = services.create_evaluation(actor, code=args.code, title=args.title, unit=unit, period_start=start,
                                            period_end=end, members=members)
    print(f"{evaluation.code}  {evaluation.uid}")
    return 0


def register(sub: argparse._SubParsersAction, add: AddCommand) -> None:
    """Add `kinerja evidence ...` (called from kinerja.commands.extensions)."""
    sp = add("evidence", lambda args: 2, "Qualitative evaluation evidence: sources, coding, triangulation, "
             "agreement, REFI-QDA exchange (bukti evaluasi).")
    esub = sp.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    types = ["wawancara", "observasi", "dokumentasi"]

    def user_arg(p: argparse.ArgumentParser, required: bool = False, evaluation: bool = True) -> None:
        p.add_argument("--user", required=required,
                       help="username (evaluator or kepala_seksi); without it: the server operator")
        if evaluation:
            p.add_argument("--evaluasi", metavar="CODE",
                           help="the evaluation (code or uid); may be left out when only one can be opened")

    p = add("evaluations", _run(_evaluations), "List the evaluations one may open (code, unit, period, members).",
            esub)
    p.add_argument("--format", choices=["table", "json"], default="table")
    user_arg(p, evaluation=False)

    p = add("evaluation-add", _run(_evaluation_add), "Start an evaluation of a unit over a period, with the "
            "default codebook; the creator is a member.", esub)
    p.add_argument("code", metavar="CODE", help="short code, e.g. anak-2025 (lowercase letters, digits, dashes)")
    p.add_argument("--title", required=True)
    p.add_argument("--unit", required=True, help="unit code (kinerja units)")
    p.add_argument("--start", required=True, help="first day of the period (YYYY-MM-DD)")
    p.add_argument("--end", required=True, help="day after the period (YYYY-MM-DD, exclusive)")
    p.add_argument("--member", action="append", metavar="USERNAME", help="an evaluator or section head (repeatable)")
    user_arg(p, evaluation=False)

    p = add("import", _run(_import), "Import source files (.txt, .md, .docx, .pdf) of one type: all or none.", esub)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--type", default="wawancara", choices=types, help="source type (default wawancara)")
    p.add_argument("--informant", action="append", metavar="CODE", help="informant pseudonym code (repeatable)")
    p.add_argument("--date", help="date of the interview, observation or document (YYYY-MM-DD)")
    user_arg(p)

    p = add("export-qdpx", _run(_export_qdpx), "Export the workspace as a REFI-QDA project (QDPX); audited.", esub)
    p.add_argument("file", metavar="FILE")
    user_arg(p, required=True)
    p.add_argument("--reason", required=True, help="why the transcripts leave the system (audited)")

    p = add("import-qdpx", _run(_import_qdpx), "Import a REFI-QDA project (QDPX): all or nothing.", esub)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--type", default=None, choices=types,
                   help="type of sources in no source-type set (default: dokumentasi, with a notice to check them)")
    p.add_argument("--map-user", action="append", metavar="QDA_NAME=USERNAME",
                   help="credit the codings of the project's user QDA_NAME to the existing account USERNAME "
                        "(repeatable); unmapped users become workspace coders of their own")
    user_arg(p)

    p = add("export-qdc", _run(_export_qdc), "Export the codebook as a REFI-QDA codebook (QDC).", esub)
    p.add_argument("file", metavar="FILE")
    user_arg(p)

    p = add("import-qdc", _run(_import_qdc), "Import the codes of a REFI-QDA codebook (QDC).", esub)
    p.add_argument("file", metavar="FILE")
    user_arg(p)

    p = add("export-segments", _run(_export_segments),
            "Export coded segments (source, informant role, code, stance, quote) as CSV or XLSX; audited.", esub)
    p.add_argument("file", metavar="FILE", help="ends in .xlsx for a workbook, else CSV")
    user_arg(p, required=True)
    p.add_argument("--reason", required=True, help="why the quotes leave the system (audited)")

    p = add("codebook", _run(_codebook), "Show the codebook; --load-default adds the default codes.", esub)
    p.add_argument("--load-default", action="store_true",
                   help="add Dwiyanto's five dimensions, the inhibiting factors and saran")
    p.add_argument("--format", choices=["table", "json"], default="table")
    user_arg(p)

    p = add("matrix", _run(_matrix), "Triangulation matrix per code (JSON as in evidence.md).", esub)
    p.add_argument("--format", choices=["json", "table"], default="table")
    user_arg(p)

    p = add("agreement", _run(_agreement), "Inter-coder agreement per code: alpha, percent, kappa.", esub)
    p.add_argument("--code", help="only the code with this name")
    p.add_argument("--coders", metavar="A,B", help="only these coders (usernames; default: every coder)")
    p.add_argument("--format", choices=["json", "table"], default="table")
    user_arg(p)

    p = add("search", _run(_search), "Search the sources by Indonesian word stems.", esub)
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--any", action="store_true", help="match any word instead of all")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--format", choices=["table", "json"], default="table")
    user_arg(p)
