"""Making a report: one entry for the command line and the web page, so both pass the same gate
and write the same files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kinerja.indicators import gate
from kinerja.reports import document as doc
from kinerja.reports import render
from kinerja.reports.evaluation import build_kinerja
from kinerja.reports.rekap import build_rekap

KINDS = {"rekap": ("html", "pdf", "xlsx", "csv"), "kinerja": ("html", "pdf", "xlsx")}
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "application/zip"}
Progress = Callable[[str], None]
# The steps the builders announce through `progress`, in order, and "render" for the file itself:
# the command line's bar and the web page's progress count the same steps.
STEPS = {"rekap": ("cases", "tables", "received", "responded", "resolved", "render"),
         "kinerja": ("scorecard", "trends", "evidence", "method", "recommendations", "appendix", "render")}


def _synthetic() -> bool:
    from kinerja.register.context_processors import SYNTHETIC_MARK
    from kinerja.register.models import Unit

    return Unit.objects.filter(name__icontains=SYNTHETIC_MARK).exists()


def build(kind: str, unit: Any, *, audience: gate.Audience, lang: str, years: Sequence[int] = (),
          year: int | None = None, framework: str | None = None, kategori: Sequence[str] | None = None,
          evidence: Any | None = None, texts: bool = True, catatan: str = "",
          progress: Progress | None = None) -> doc.Document:
    """The document of a report. `kategori` and `evidence` (an evaluation's Project) are passed to
    the builders; None means every category and the whole evidence workspace."""
    if kind == "rekap":
        d = build_rekap(unit, years, audience=audience, lang=lang, kategori=kategori, progress=progress)
    elif kind == "kinerja":
        if year is None:
            raise ValueError("year")
        d = build_kinerja(unit, year, audience=audience, lang=lang, framework=framework, kategori=kategori,
                          evidence=evidence, texts=texts, catatan=catatan, progress=progress)
    else:
        raise ValueError(f"unknown report {kind!r}")
    d.synthetic = _synthetic()
    return d


def make(kind: str, unit: Any, fmt: str, *, progress: Progress | None = None,
         **options: Any) -> tuple[bytes, str]:
    """The web download: the report built (`options` as for `build`) and rendered as one file
    (csv as a zip), with the file's name. "render" is announced before the file is made."""
    d = build(kind, unit, progress=progress, **options)
    if progress is not None:
        progress("render")
    if fmt == "csv":
        return zip_csv(d), d.filename("zip")
    return render.render(d, fmt), d.filename(fmt)


def zip_csv(d: doc.Document) -> bytes:
    """The recap's CSV files in one zip (the web download)."""
    import io
    import tempfile
    import zipfile

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in render.csv_files(d, Path(tmp)):
            zf.write(path, f"{d.filename('')}/{path.name}")
    return buf.getvalue()


def write(d: doc.Document, fmt: str, output: Path | None) -> Path:
    """Write the report to `output` (a folder for csv); by default a file named after the report,
    unit and period in the current folder. Returns the path written."""
    if fmt == "csv":
        folder = output or Path.cwd() / d.filename("")
        render.csv_files(d, folder)
        return folder
    path = output or Path.cwd() / d.filename(fmt)
    data = render.render(d, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
