"""Rules between the columns of one row (closure pairs, approvals, services by stage, ...).

Plain Python. A check returns the problems of a row as (column, rule, parameters); the reader logs
them as RowErrors. Rules that need the database (references, duplicates, report times) are checked
by the writer (kinerja.register.tabular.writing) with the same messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinerja import vocab
from kinerja.register.tabular.values import format_time

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
