"""Reading source text from uploaded .txt, .md, .docx and .pdf bytes."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from kinerja.evidence.analysis.sources import SourceReadError, clean_text, read_source
from tests.pdfs import pdf_pages as _pdf


def _text_stream(text: str) -> bytes:
    return f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")


def test_txt_utf8_with_bom_and_crlf() -> None:
    result = read_source("\ufeffBaris satu\r\nBaris dua\rtiga".encode(), "catatan.TXT")
    assert result.text == "Baris satu\nBaris dua\ntiga"
    assert result.format == "txt"
    assert result.notes == ()


def test_markdown_is_kept_as_written() -> None:
    result = read_source("# Observasi\n\n*Rumah aman* penuh. 😀".encode(), "obs.md")
    assert result.text == "# Observasi\n\n*Rumah aman* penuh. 😀"
    assert result.format == "md"


def test_cp1252_fallback_comes_with_a_note() -> None:
    result = read_source("Kepala Seksi: “anggaran” – cukup".encode("cp1252"), "w.txt")
    assert result.text == "Kepala Seksi: “anggaran” – cukup"
    (note,) = result.notes
    assert "Windows-1252" in note.id and "Windows-1252" in note.en


def test_utf16_with_bom_and_control_characters_dropped() -> None:
    result = read_source("Teks\x00 Unicode\x07".encode("utf-16"), "w.txt")
    assert result.text == "Teks Unicode"


def test_undecodable_and_empty_text_are_refused() -> None:
    with pytest.raises(SourceReadError) as exc:
        read_source(b"\x81\x8d\x8f\x90\x9d", "w.txt")
    assert "UTF-8" in exc.value.messages[0].en
    with pytest.raises(SourceReadError) as exc:
        read_source(b"  \n ", "w.txt")
    assert "no text" in exc.value.messages[0].en


def test_docx_paragraphs_and_tables_joined_with_blank_lines() -> None:
    document = docx.Document()
    document.add_paragraph("Pewawancara: Bagaimana anggaran tahun ini?")
    document.add_paragraph("")
    document.add_paragraph("Informan: Belum cukup.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Kegiatan"
    table.cell(0, 1).text = "Pagu"
    table.cell(1, 0).text = "Rumah aman"
    table.cell(1, 1).text = "50 juta"
    document.add_paragraph("Penutup.")
    buf = io.BytesIO()
    document.save(buf)
    result = read_source(buf.getvalue(), "transkrip.docx")
    assert result.text == (
        "Pewawancara: Bagaimana anggaran tahun ini?\n\nInforman: Belum cukup.\n\n"
        "Kegiatan | Pagu\n\nRumah aman | 50 juta\n\nPenutup."
    )
    assert result.format == "docx"


def test_damaged_docx_and_docx_bomb_are_refused() -> None:
    with pytest.raises(SourceReadError) as exc:
        read_source(b"PK\x03\x04 rusak", "a.docx")
    assert "damaged" in exc.value.messages[0].en
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b" " * 5_000_000)
    with pytest.raises(SourceReadError) as exc:
        read_source(buf.getvalue(), "a.docx", max_bytes=1_000_000)
    assert "too large" in exc.value.messages[0].en


def test_pdf_text_layer_is_extracted_page_by_page() -> None:
    data = _pdf([_text_stream("Laporan kinerja 2023"), _text_stream("Halaman kedua")])
    result = read_source(data, "laporan.PDF")
    assert result.format == "pdf"
    assert result.text == "Laporan kinerja 2023\n\nHalaman kedua"


def test_pdf_without_text_is_refused_clearly() -> None:
    scan = _pdf([b"0 0 m 100 100 l S"])  # a drawing, no text
    with pytest.raises(SourceReadError) as exc:
        read_source(scan, "pindaian.pdf")
    message = exc.value.messages[0]
    assert "OCR" in message.id and "no text layer" in message.en
    with pytest.raises(SourceReadError) as exc:
        read_source(b"%PDF-1.4 bukan pdf", "rusak.pdf")
    assert "PDF" in exc.value.messages[0].en


def test_size_limit_and_unsupported_type() -> None:
    with pytest.raises(SourceReadError) as exc:
        read_source(b"a" * 101, "w.txt", max_bytes=100)
    assert "too large" in exc.value.messages[0].en
    assert read_source(b"a" * 100, "w.txt", max_bytes=100).text == "a" * 100
    with pytest.raises(SourceReadError) as exc:
        read_source(b"x", "rekaman.mp3")
    assert ".mp3" in exc.value.messages[0].en


def test_clean_text_only_normalises() -> None:
    assert clean_text("\ufeffa\r\nb\tc\x0bd") == "a\nb\tcd"
