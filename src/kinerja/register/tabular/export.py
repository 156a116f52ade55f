"""Export of the register in the office's table format (docs/import-format.md).

`export_path` writes every table in the same format the import reads, streaming, one consistent
snapshot of the database. Identity columns only for an audited identity export by an active section
head, limited to the cases of that head's unit and the units below it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Model

from kinerja.register import keyring, permissions, services
from kinerja.register.models import (
    Action,
    BudgetLine,
    Case,
    Complaint,
    Facility,
    Referral,
    Staff,
    Staffing,
    SurveyResponse,
    Target,
    Unit,
)
from kinerja.register.selectors import descendant_unit_ids
from kinerja.register.tabular import tables
from kinerja.register.tabular.messages import text
from kinerja.register.tabular.values import format_time
from kinerja.register.tabular.writing import language

XLSX_MAX_ROWS = 1_048_576


def _cell(value: Any) -> Any:
    """A value as the format writes it (text for CSV; numbers stay numbers for XLSX)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _CsvOut:
    def __init__(self, folder: Path, private: bool) -> None:
        self.folder, self.private = folder, private
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, header: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> int:
        path = self.folder / f"{name}.csv"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if self.private else 0o644)
        n = 0
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for row in rows:
                w.writerow(["" if c is None else (format(c, "f") if isinstance(c, Decimal) else c)
                            for c in map(_cell, row)])
                n += 1
        return n

    def close(self) -> None:
        pass


class _XlsxOut:
    def __init__(self, path: Path, private: bool) -> None:
        import xlsxwriter

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.private = path, private
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                                    "strings_to_formulas": False, "strings_to_urls": False})

    def write(self, name: str, header: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> int:
        sheet = self.book.add_worksheet(name)
        for col, title in enumerate(header):
            sheet.write_string(0, col, title)
        n = 0
        for r, row in enumerate(rows, start=1):
            for col, raw in enumerate(row):
                value = _cell(raw)
                if value is None:
                    continue
                if isinstance(value, int | float | Decimal):
                    sheet.write_number(r, col, float(value) if isinstance(value, Decimal) else value)
                else:
                    sheet.write_string(r, col, str(value))
            n = r
        return n

    def close(self) -> None:
        self.book.close()
        if self.private:
            os.chmod(self.path, 0o600)


def export_path(path: Path, identity: bool = False, reason: str | None = None, username: str | None = None) -> str:
    """Write every table (a CSV folder, or a workbook when the path ends in .xlsx) and return a summary.

    identity=True adds nama_anak, nik and catatan: only for an active section head (PermissionDenied
    otherwise), with a reason (ValueError otherwise), for the cases of that head's unit and the units
    below it; the export is audited once, before anything is decrypted."""
    lang = language(None)
    path = Path(path)
    scope: list[int] | None = None
    if identity:
        user = Staff.objects.filter(username=username, is_active=True).first() if username else None
        if user is None or user.role not in permissions.CAN_EXPORT_IDENTITY or user.unit_id is None:
            raise PermissionDenied(text("identity_role", lang))
        if not reason or not reason.strip():
            raise ValueError(text("identity_reason", lang))
        scope = descendant_unit_ids(user.unit_id)
    xlsx = path.suffix.lower() == ".xlsx"
    if xlsx:
        _check_sheet_sizes(scope, lang)
    if identity:
        assert user is not None and reason is not None
        services.audit(user.username, "export_identity", f"export:{path.name}", reason.strip(),
                       {"format": "xlsx" if xlsx else "csv", "unit": user.unit.code if user.unit else ""})
    out: _CsvOut | _XlsxOut = _XlsxOut(path, identity) if xlsx else _CsvOut(path, identity)
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
                with connection.cursor() as c:  # one consistent snapshot for every table
                    c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table in tables.ORDER:
                header = table.export_columns(identity)
                counts[table.name] = out.write(table.name, header, _EXPORTERS[table.name](identity, scope))
    finally:
        out.close()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    done = text("export_done", lang, path=path, counts=summary)
    if identity:
        done += text("export_identity", lang)
        if scope is not None:
            done += text("export_scope", lang, unit=user.unit.code)  # type: ignore[union-attr]
    return done


def _check_sheet_sizes(scope: list[int] | None, lang: str) -> None:
    sizes = {
        "kasus": _cases(scope).count(),
        "tindakan": Action.objects.filter(**_case_scope(scope)).count(),
        "rujukan": Referral.objects.filter(**_case_scope(scope)).count(),
    }
    for name, n in sizes.items():
        if n + 1 > XLSX_MAX_ROWS:
            raise ValueError(text("too_many_rows", lang, table=name, n=n, max=XLSX_MAX_ROWS - 1))


def _cases(scope: list[int] | None) -> Any:
    return Case.objects.filter(unit_id__in=scope) if scope is not None else Case.objects.all()


def _case_scope(scope: list[int] | None) -> dict[str, Any]:
    return {"case__unit_id__in": scope} if scope is not None else {}


def _unit_codes() -> dict[int, str]:
    return dict(Unit.objects.values_list("id", "code"))


def _usernames() -> dict[int, str]:
    return dict(Staff.objects.values_list("id", "username"))


def _export_unit(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
    codes = _unit_codes()
    for code, name, parent_id, region in Unit.objects.order_by("code").values_list("code", "name", "parent_id",
                                                                                   "region_code"):
        yield code, name, codes.get(parent_id) if parent_id else None, region


def _export_pegawai(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
    codes = _unit_codes()
    qs = Staff.objects.exclude(unit=None).exclude(role="").order_by("username")
    for username, full_name, unit_id, role in qs.values_list("username", "full_name", "unit_id", "role"):
        yield username, full_name or username, codes[unit_id], role


def _export_kasus(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
    """Cases with the child as known at each report (usia, kecamatan, disabilitas of the case); the
    birth date only in an identity export, as a quasi-identifier."""
    codes, users = _unit_codes(), _usernames()
    cols = ["unit_id", "number", "child__child_key", "child__sex", "child__birth_date", "age_at_report",
            "disability", "kecamatan", "category", "referral_source", "risk", "reported_at",
            "worker_id", "consent", "closed_at", "closure_reason", "child__uid", "child__name_enc", "child__nik_enc"]
    qs = _cases(scope).order_by("unit_id", "reported_at", "number").values_list(*cols)
    for (unit_id, number, key, sex, born, age, disability, kecamatan, category, source, risk, reported, worker,
         consent, closed, reason, uid, name_enc, nik_enc) in qs.iterator(chunk_size=2000):
        person: tuple[Any, ...] = ()
        if identity:
            person = (keyring.decrypt_child_field(uid, "name", name_enc),
                      keyring.decrypt_child_field(uid, "nik", nik_enc), sex, born)
        else:
            person = (sex,)
        yield (codes[unit_id], number, key, *person, age, disability, kecamatan or None, category, source, risk,
               reported, users.get(worker), consent, closed, reason or None)


def _export_tindakan(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
    codes, users = _unit_codes(), _usernames()
    cols = ["case__unit_id", "case__number", "stage", "service", "time", "staff_id", "cost", "approved_by_id",
            "approved_at", "obstacle", "uid", "notes_enc"]
    qs = Action.objects.filter(**_case_scope(scope)).order_by("id").values_list(*cols)
    for unit_id, number, stage, service, time, staff, cost, approver, approved, obstacle, uid, notes in qs.iterator(
            chunk_size=2000):
        row = (codes[unit_id], number, stage, service or None, time, users.get(staff), cost, users.get(approver),
               approved, obstacle or None)
        yield (*row, keyring.decrypt_action_notes(uid, notes)) if identity else row


def _export_rujukan(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
    codes = _unit_codes()
    qs = Referral.objects.filter(**_case_scope(scope)).order_by("id").values_list(
        "case__unit_id", "case__number", "partner", "sent_at", "acknowledged_at", "result")
    for unit_id, number, partner, sent, ack, result in qs.iterator(chunk_size=2000):
        yield codes[unit_id], number, partner, sent, ack, result or None


def _export_survei(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
    codes = _unit_codes()
    qs = SurveyResponse.objects.order_by("id").values_list("unit_id", "date", "respondent_type",
                                                           *tables.SKM_COLUMNS)
    for unit_id, date, respondent, *scores in qs.iterator(chunk_size=2000):
        yield codes[unit_id], date, respondent or None, *scores


def _export_pengaduan(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
    codes = _unit_codes()
    qs = Complaint.objects.order_by("id").values_list("unit_id", "received_at", "resolved_at", "channel", "topic")
    for unit_id, received, resolved, channel, topic in qs.iterator(chunk_size=2000):
        yield codes[unit_id], received, resolved, channel or None, topic or None


def _simple(model: type[Model], fields: tuple[str, ...]) -> Callable[[bool, list[int] | None], Iterator[tuple]]:
    def rows(identity: bool, scope: list[int] | None) -> Iterator[tuple[Any, ...]]:
        codes = _unit_codes()
        for unit_id, *rest in model.objects.order_by("unit_id", "year", "id").values_list("unit_id", *fields):
            yield codes[unit_id], *rest
    return rows


_EXPORTERS: dict[str, Callable[[bool, list[int] | None], Iterator[tuple[Any, ...]]]] = {
    "unit": _export_unit,
    "pegawai": _export_pegawai,
    "kasus": _export_kasus,
    "tindakan": _export_tindakan,
    "rujukan": _export_rujukan,
    "survei": _export_survei,
    "pengaduan": _export_pengaduan,
    "anggaran": _simple(BudgetLine, ("year", "activity", "allocation", "realisation")),
    "sdm": _simple(Staffing, ("year", "social_workers", "certified")),
    "sarana": _simple(Facility, ("year", "safe_house_beds", "bed_days", "vehicles")),
    "target": _simple(Target, ("year", "indicator", "value", "worker__username")),
}
