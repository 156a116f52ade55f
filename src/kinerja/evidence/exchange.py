"""Exports of the evidence workspace (REFI-QDA project and codebook, coded segments). They read
through the selectors and check and audit through the services, so they live above both: the
services never import the selectors."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext_lazy as _

from kinerja.evidence import selectors, services
from kinerja.evidence.analysis import refiqda
from kinerja.evidence.models import Evaluation
from kinerja.register.services import audit

Actor = services.Actor


def export_qdpx(actor: Actor, evaluation: Evaluation, reason: str) -> bytes:
    """One evaluation as a REFI-QDA project (QDPX), audited with the reason."""
    user = services.require_exporter(actor)
    services.require_member(user, evaluation)
    reason = services.require_reason(reason)
    project = selectors.workspace_project(evaluation, memos=True)
    try:
        data = refiqda.write_qdpx(project)
    except refiqda.RefiQdaError as exc:
        raise services.EvidenceInputError(exc.messages) from exc
    audit(user.username, "ekspor_bukti_qdpx", f"bukti:{evaluation.code}", reason,
          {"sumber": len(project.sources), "koding": len(project.codings), "memo": len(project.memos)})
    return data


def export_qdc(actor: Actor, evaluation: Evaluation) -> bytes:
    """The evaluation's codebook as a QDC file. Codes hold no personal data, so this is not audited."""
    services.require_member(actor, evaluation)
    codes = selectors.workspace_project(evaluation, texts=False).codes
    try:
        return refiqda.write_qdc(codes)
    except refiqda.RefiQdaError as exc:
        raise services.EvidenceInputError(exc.messages) from exc


SEGMENT_COLUMNS = ("sumber", "jenis_sumber", "tanggal", "informan", "peran_informan", "kode", "sikap", "pengkode",
                   "mulai", "selesai", "kutipan")


def export_segments(actor: Actor, evaluation: Evaluation, reason: str, fmt: str = "csv") -> bytes:
    """Coded segments (source, informant role, code, stance, quote) as CSV or XLSX, audited:
    quotes are transcript text."""
    user = services.require_exporter(actor)
    services.require_member(user, evaluation)
    reason = services.require_reason(reason)
    if fmt not in ("csv", "xlsx"):
        raise services.refuse(_("Unknown format %(fmt)s; use csv or xlsx."), fmt=fmt)
    rows = selectors.coded_segments(evaluation)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(SEGMENT_COLUMNS)
        writer.writerows(rows)
        data = buf.getvalue().encode("utf-8")
    else:
        import xlsxwriter

        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("segmen")
        sheet.write_row(0, 0, SEGMENT_COLUMNS)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
        book.close()
        data = out.getvalue()
    audit(user.username, "ekspor_bukti_segmen", f"bukti:{evaluation.code}:segmen", reason, {"format": fmt, "baris": len(rows)})
    return data
