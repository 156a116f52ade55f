"""Rules between the columns of one row (closure pairs, approvals, services by stage, ...), and the
rule of one child across its cases.

Plain Python. A check returns the problems of a row as (column, rule, parameters); the reader logs
them as RowErrors. Rules that need the database (references, duplicates, report times) are checked
by the writer (kinerja.register.tabular.writing) with the same messages. child_conflicts and
child_additions serve any place that registers a case for a known child (an import, a web form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from kinerja import identity, vocab
from kinerja.register.tabular.tables import CHILD_COLUMNS
from kinerja.register.tabular.values import WIB, format_time

Problem = tuple[str, str, dict[str, Any]]


def _check_kasus(v: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    closed, reason = v.get("ditutup_pada"), v.get("alasan_penutupan")
    if (closed is None) != (reason is None):
        out.append(("ditutup_pada" if closed is None else "alasan_penutupan", "closure_pair", {}))
    reported = v.get("dilaporkan_pada")
    if closed is not None and reported is not None and closed < reported:
        out.append(("ditutup_pada", "closure_before_report", {"reported": format_time(reported)}))
    return out


def _check_tindakan(v: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    if v.get("disetujui_pada") is not None and v.get("disetujui_oleh") is None:
        out.append(("disetujui_pada", "approval_needs_approver", {}))
    stage = v.get("tahap")
    if v.get("layanan") is not None and stage is not None and stage not in vocab.STAGES_WITH_SERVICE:
        out.append(("layanan", "service_stage", {"stage": stage}))
    return out


def _check_rujukan(v: dict[str, Any]) -> list[Problem]:
    sent, ack = v.get("dikirim_pada"), v.get("diterima_pada")
    if sent is not None and ack is not None and ack < sent:
        return [("diterima_pada", "ack_before_sent", {"sent": format_time(sent)})]
    return []


def _check_pengaduan(v: dict[str, Any]) -> list[Problem]:
    received, resolved = v.get("diterima_pada"), v.get("diselesaikan_pada")
    if received is not None and resolved is not None and resolved < received:
        return [("diselesaikan_pada", "resolved_before_received", {"received": format_time(received)})]
    return []


def _check_sdm(v: dict[str, Any]) -> list[Problem]:
    total, certified = v.get("peksos"), v.get("peksos_bersertifikat")
    if total is not None and certified is not None and certified > total:
        return [("peksos_bersertifikat", "certified_exceeds", {"total": str(total)})]
    return []


ROW_CHECKS: dict[str, Callable[[dict[str, Any]], list[Problem]]] = {
    "kasus": _check_kasus,
    "tindakan": _check_tindakan,
    "rujukan": _check_rujukan,
    "pengaduan": _check_pengaduan,
    "sdm": _check_sdm,
}


# -- one child across its cases -------------------------------------------------------------------
def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _name_key(name: str) -> str:
    """Names compare ignoring case and spacing: `SITI  HAJAR` is `Siti Hajar`."""
    return " ".join(name.split()).casefold()


def child_conflicts(recorded: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """The child columns (jenis_kelamin, tanggal_lahir, nama_anak, nik) in which a new case of a known
    child contradicts its record: a differing value there is likely another child.

    Both sides are keyed by kasus.csv column; an empty value on either side never conflicts, and a
    column missing from `given` is not compared. A caller that holds NIKs only as blind indexes
    passes indexes on both sides."""
    out = []
    for column in CHILD_COLUMNS:
        a, b = recorded.get(column), given.get(column)
        if _empty(a) or _empty(b):
            continue
        if column == "nama_anak":
            a, b = _name_key(str(a)), _name_key(str(b))
        if a != b:
            out.append(column)
    return out


def child_additions(recorded: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """What a new case adds to its child's record: the child columns it states that the record lacks
    (call after child_conflicts found none)."""
    return {c: given[c] for c in CHILD_COLUMNS if _empty(recorded.get(c)) and not _empty(given.get(c))}


def age_at_report(usia: int | None, birth_date: dt.date | None, reported: dt.datetime) -> int | None:
    """A case's age of the child: the stated `usia`, else the age from the birth date on the report's
    WIB date (so every case carries the age an analysis needs without the birth date)."""
    if usia is not None:
        return usia
    if birth_date is None:
        return None
    return identity.age_on(birth_date, None, None, reported.astimezone(WIB).date())
