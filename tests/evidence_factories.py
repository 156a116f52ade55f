"""Helpers for the evidence tests: small real files (.docx, .pdf, .qdpx) built in memory, the
demo sample as a fixture, and a row count of every evidence table to prove "nothing written"."""

from __future__ import annotations

import io
import zipfile

import pytest


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (Helvetica, one line each); no lines, no text layer."""
    from tests.pdfs import pdf_pages

    if not lines:
        return pdf_pages([b"0 0 m 100 100 l S"])
    ops = ["BT /F1 12 Tf 72 720 Td 14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    return pdf_pages(["\n".join(ops).encode("latin-1")])


def rezip(qdpx: bytes, replace: dict[str, bytes | None]) -> bytes:
    """A copy of a zip with members replaced (bytes) or dropped (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(qdpx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def qde(qdpx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as zf:
        return zf.read("project.qde").decode("utf-8")


def evidence_counts() -> dict[str, int]:
    """Rows of every table an evidence import may write, users included."""
    from kinerja.evidence.models import Code, Coding, Informant, Memo, Source
    from kinerja.register.models import AuditEntry, Staff

    return {
        "code": Code.objects.count(), "coding": Coding.objects.count(), "informant": Informant.objects.count(),
        "memo": Memo.objects.count(), "source": Source.objects.count(),
        "source_informant": Source.informants.through.objects.count(), "staff": Staff.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture(name="sample")
def sample_fixture(units, users):
    """The demo's evidence sample (12 sources, two coders) in the test database, as the evaluation
    ``sampel-anak-2024`` of the child section; the tests' evaluator is a member too."""
    from kinerja.evidence.demo import load_sample

    out = io.StringIO()
    evaluation = load_sample(out)
    assert evaluation is not None
    evaluation.members.add(users["evaluator"])
    return out.getvalue()


@pytest.fixture(name="sev")
def sample_evaluation_fixture(sample):
    """The sample's evaluation."""
    from kinerja.evidence.models import Evaluation

    return Evaluation.objects.get(code="sampel-anak-2024")


@pytest.fixture(name="evaluation")
def evaluation_fixture(units, users):
    """An empty evaluation of the child section (default codebook) with the tests' evaluator as
    a member."""
    return make_evaluation(units, users, code="uji", unit="seksi")


def make_evaluation(units, users, code="lain", unit="other", members=("evaluator",), default_codebook=True):
    """Another evaluation, for tests that keep two apart."""
    import datetime as dt

    from kinerja.evidence import services

    return services.create_evaluation(services.OPERATOR, code=code, title=f"Evaluasi {code}", unit=units[unit],
                                      period_start=dt.date(2024, 1, 1), period_end=dt.date(2025, 1, 1),
                                      members=[users[m] for m in members], default_codebook=default_codebook)
