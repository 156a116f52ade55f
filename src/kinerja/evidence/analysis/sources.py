"""Read the plain text of an uploaded source (.txt, .md, .docx, .pdf) from bytes.

Codings point into this text by code-point offset, so the text is fixed once here, before any
coding exists: line breaks become ``\\n``, a BOM and control characters are dropped. Nothing is
changed afterwards, so offsets never shift.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from .records import EvidenceError, Message

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SUPPORTED = (".txt", ".md", ".docx", ".pdf")

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SourceReadError(EvidenceError):
    """The file could not be turned into source text; ``messages`` says why."""


@dataclass(frozen=True)
class SourceText:
    text: str
    format: str  # "txt", "md", "docx" or "pdf"
    notes: tuple[Message, ...] = ()  # things the user should check, e.g. a guessed encoding


def clean_text(text: str) -> str:
    """Normalise line breaks to ``\\n`` and drop a leading BOM and control characters (they
    cannot go into REFI-QDA XML and only confuse offsets)."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


def decode_text(data: bytes) -> tuple[str, tuple[Message, ...]]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252,
    which is what older Indonesian office PCs save; the guess is reported as a note."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), ()
        except UnicodeDecodeError as exc:
            raise SourceReadError([_bad_encoding(exc)]) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), ()
        except UnicodeDecodeError as exc:
            raise SourceReadError([_bad_encoding(exc)]) from exc
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SourceReadError([_bad_encoding(exc)]) from exc
    note = Message(
        "Berkas bukan UTF-8; dibaca sebagai Windows-1252. Periksa huruf beraksen.",
        "The file is not UTF-8; it was read as Windows-1252. Check accented letters.",
    )
    return text, (note,)


def _bad_encoding(exc: UnicodeDecodeError) -> Message:
    return Message(
        f"Teks tidak dapat dibaca (pengodean tidak dikenal, bita ke-{exc.start}). Simpan ulang sebagai UTF-8.",
        f"The text cannot be read (unknown encoding, byte {exc.start}). Save it again as UTF-8.",
    )


def _check_zip(data: bytes, max_bytes: int) -> None:
    """Refuse a .docx whose parts would inflate past ``max_bytes`` (a zip bomb) before
    python-docx unpacks it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise SourceReadError(
            [Message("Berkas .docx rusak atau bukan dokumen Word.", "The .docx file is damaged or not a Word document.")]
        ) from exc
    if total > max_bytes:
        raise SourceReadError([_too_big(total, max_bytes)])


def _too_big(size: int, max_bytes: int) -> Message:
    return Message(
        f"Berkas terlalu besar: {size} bita, batasnya {max_bytes} bita.",
        f"The file is too large: {size} bytes, the limit is {max_bytes} bytes.",
    )


def _read_docx(data: bytes, max_bytes: int) -> str:
    """Paragraphs and table rows in document order, separated by blank lines so each becomes
    one agreement unit; empty paragraphs are skipped."""
    _check_zip(data, max_bytes)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a bad package
        raise SourceReadError(
            [Message("Berkas .docx rusak atau bukan dokumen Word.", "The .docx file is damaged or not a Word document.")]
        ) from exc
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:  # merged cells repeat; keep each once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text.strip())
                line = " | ".join(c for c in cells if c)
                if line:
                    blocks.append(line)
        else:
            text = block.text.strip()
            if text:
                blocks.append(text)
    return "\n\n".join(blocks)


def _read_pdf(data: bytes) -> str:
    """The PDF's text layer, pages separated by blank lines. A scan without text is refused
    rather than stored empty, because nothing in it could be coded."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceReadError(
                [Message("PDF terkunci kata sandi.", "The PDF is password-protected.")]
            )
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except SourceReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceReadError(
            [Message("Berkas PDF rusak atau tidak dapat dibaca.", "The PDF file is damaged or cannot be read.")]
        ) from exc
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise SourceReadError(
            [
                Message(
                    "PDF tidak memiliki lapisan teks (mungkin hasil pindaian). Jalankan OCR lalu unggah lagi.",
                    "The PDF has no text layer (probably a scan). Run OCR and upload it again.",
                )
            ]
        )
    return text


def read_source(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Plain text of an uploaded file, chosen by the file name's extension.

    Raises :class:`SourceReadError` for an unsupported type, a file over ``max_bytes`` (also the
    limit on a .docx's unpacked size), an undecodable text, a damaged file or a PDF without text."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUPPORTED:
        raise SourceReadError(
            [
                Message(
                    f"Jenis berkas {suffix or filename!r} tidak didukung; gunakan {', '.join(SUPPORTED)}.",
                    f"File type {suffix or filename!r} is not supported; use {', '.join(SUPPORTED)}.",
                )
            ]
        )
    if len(data) > max_bytes:
        raise SourceReadError([_too_big(len(data), max_bytes)])
    notes: tuple[Message, ...] = ()
    if suffix in (".txt", ".md"):
        raw, notes = decode_text(data)
    elif suffix == ".docx":
        raw = _read_docx(data, max_bytes)
    else:
        raw = _read_pdf(data)
    text = clean_text(raw)
    if not text.strip():
        raise SourceReadError([Message("Berkas tidak berisi teks.", "The file contains no text.")])
    return SourceText(text=text, format=suffix[1:], notes=notes)
