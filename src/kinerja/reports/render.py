"""Renderers of the document model: HTML (Django templates, self-contained CSS), PDF (WeasyPrint,
with the shipped font, page numbers, table of contents and running headers), XLSX (xlsxwriter: a
sheet per table, native numbers with number formats and native charts) and CSV (one file per
table). Figures reach people through kinerja.numbers in HTML and PDF; XLSX and CSV keep the numbers
native (unrounded) and hidden cells as their marks."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kinerja.reports import document as doc
from kinerja.reports import fonts, specs
from kinerja.reports.texts import t

HERE = Path(__file__).resolve().parent
FORMATS = ("html", "pdf", "xlsx", "csv")
Progress = Callable[[str], None]


def _engine() -> Any:
    from django.template import Engine

    return Engine(dirs=[str(HERE / "templates")], autoescape=True)


def _charts(d: doc.Document) -> None:
    """Every chart of the document as an SVG data URI (vl-convert, no browser)."""
    for s in d.walk():
        for b in s.blocks:
            chart = b if isinstance(b, doc.Chart) else (b.chart if isinstance(b, doc.Table) else None)
            if chart is not None and not chart.svg:
                svg = specs.to_svg(chart.spec)
                chart.svg = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _texts(d: doc.Document) -> None:
    for table in d.tables():
        for row in [*table.rows, *([table.total] if table.total else [])]:
            for cell in row:
                cell.shown = cell.text(d.lang)


def _font_faces() -> str:
    faces = [(fonts.REGULAR, "normal", "normal"), (fonts.BOLD, "bold", "normal"), (fonts.OBLIQUE, "normal", "italic")]
    return "\n".join(f'@font-face {{ font-family: "{fonts.FAMILY}"; src: url("{path.as_uri()}"); '
                     f"font-weight: {weight}; font-style: {style}; }}" for path, weight, style in faces)


def html(d: doc.Document, *, for_print: bool = False) -> str:
    from django.template import Context

    _charts(d)
    _texts(d)
    css = (HERE / "report.css").read_text(encoding="utf-8")
    if for_print:
        css = _font_faces() + "\n" + css + "\n" + (HERE / "print.css").read_text(encoding="utf-8")
    lang = d.lang
    context = {
        "d": d, "css": css, "contents_label": t(lang, "contents"), "period_label": t(lang, "period"),
        "publik_label": {"id": "Versi publik", "en": "Public edition"}["en" if lang.startswith("en") else "id"],
        "synthetic_label": t(lang, "synthetic"), "made_label": t(lang, "made"),
        "made": dt.date.today().isoformat(),
    }
    return str(_engine().get_template("kinerja/reports/document.html").render(Context(context)))


def pdf(d: doc.Document) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html(d, for_print=True), base_url=str(HERE)).write_pdf())


# -- XLSX ----------------------------------------------------------------------------------------

NUMBER_FORMATS = {"count": "#,##0", "decimal": "#,##0.00", "percent": '0.00" %"', "money": '"Rp "#,##0',
                  "change:count": "+#,##0;-#,##0;0", "change:decimal": "+#,##0.00;-#,##0.00;0.00",
                  "change:money": '+"Rp "#,##0;-"Rp "#,##0;0', "change:percent": '+0.00" %";-0.00" %";0.00" %"'}


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "tabel"
    out, n = base, 2
    while out.lower() in used:
        suffix = f"_{n}"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(out.lower())
    return out


def xlsx(d: doc.Document) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 13, "font_color": "#0b6e4f"})
    head = wb.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1, "text_wrap": True, "valign": "top"})
    mark = wb.add_format({"align": "right"})
    formats = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
    formats_bold = {k: wb.add_format({"num_format": v, "bold": True, "top": 1}) for k, v in NUMBER_FORMATS.items()}
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    used: set[str] = set()

    cover = wb.add_worksheet(_sheet_name({"id": "sampul", "en": "cover"}["en" if d.lang.startswith("en") else "id"],
                                         used))
    cover.set_column(0, 0, 24)
    cover.set_column(1, 1, 70)
    cover.write(0, 0, d.title, title)
    for r, (label, value) in enumerate(d.cover, 2):
        cover.write(r, 0, label, bold)
        cover.write(r, 1, value)
    r = len(d.cover) + 3
    for s in d.walk():
        for b in s.blocks:
            if isinstance(b, doc.Paragraph) and b.style != "h3":
                cover.write(r, 1, b.text, wrap)
                r += 1
    if d.kind == "kinerja" and "scorecard" in d.data:
        _scorecard_sheet(wb, d, used, head, bold)

    for table in d.tables():
        ws = wb.add_worksheet(_sheet_name(table.id, used))
        ws.write(0, 0, table.title, title)
        for c, col in enumerate(table.columns):
            ws.write(2, c, col.label, head)
            ws.set_column(c, c, 34 if c == 0 else (16 if col.kind != "text" else 22))
        rows = [*table.rows, *([table.total] if table.total else [])]
        for r, row in enumerate(rows, 3):
            is_total = table.total is not None and r == len(rows) + 2
            for c, cell in enumerate(row):
                _write(ws, r, c, cell, (formats_bold if is_total else formats), bold if is_total else None, mark)
        ws.freeze_panes(3, 1)
        if table.chart is not None and table.chart.series and table.rows:
            _chart(wb, ws, table, len(rows) + 4)
    wb.close()
    return buf.getvalue()


def _write(ws: Any, r: int, c: int, cell: doc.Cell, formats: dict[str, Any], bold: Any, mark: Any) -> None:
    v = cell.value
    if cell.kind != "text" and isinstance(v, int | float) and not isinstance(v, bool):
        ws.write_number(r, c, v, formats.get(cell.kind, formats["decimal"]))
    elif v is None:
        ws.write_blank(r, c, None, bold)
    elif cell.kind != "text":
        ws.write_string(r, c, str(v), mark)  # a suppression mark
    else:
        ws.write_string(r, c, str(v), bold) if bold is not None else ws.write_string(r, c, str(v))


def _chart(wb: Any, ws: Any, table: doc.Table, row: int) -> None:
    chart_def = table.chart
    assert chart_def is not None
    kind = {"line": "line", "column": "column", "bar": "bar"}.get(chart_def.kind, "line")
    first, last = 3, 3 + len(table.rows) - 1
    name = ws.get_name()
    if table.id.endswith("_category"):
        # categories are the years (columns), one series per category row
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        for r in range(first, last + 1):
            chart.add_series({"name": [name, r, 0], "categories": [name, 2, 1, 2, len(chart_def.series)],
                              "values": [name, r, 1, r, len(chart_def.series)]})
    else:
        chart = wb.add_chart({"type": kind})
        for c in chart_def.series:
            chart.add_series({"name": [name, 2, c], "categories": [name, first, 0, last, 0],
                              "values": [name, first, c, last, c], **({"marker": {"type": "circle"}}
                                                                      if kind == "line" else {})})
    chart.set_title({"name": chart_def.title})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 300})
    ws.insert_chart(row, 0, chart)


SCORECARD_COLUMNS = ("dimensi", "id", "name", "value", "unit", "direction", "target", "achievement", "rating",
                     "rating_label", "previous", "change")


def _scorecard_sheet(wb: Any, d: doc.Document, used: set[str], head: Any, bold: Any) -> None:
    """The scorecard as its JSON has it, one measure a row: the machine figures beside the tables."""
    card = d.data["scorecard"]
    ws = wb.add_worksheet(_sheet_name("kartu_kinerja", used))
    for c, key in enumerate(SCORECARD_COLUMNS):
        ws.write(0, c, key, head)
    r = 1
    for dim in card["dimensions"]:
        for m in dim["measures"]:
            for c, key in enumerate(SCORECARD_COLUMNS):
                v = dim["id"] if key == "dimensi" else m.get(key)
                if v is None:
                    continue
                ws.write(r, c, v)
            r += 1
    ws.write(r + 1, 0, "score", bold)
    if card["score"] is not None:
        ws.write(r + 1, 1, card["score"])
    ws.write(r + 1, 2, card["rating"])


# -- CSV -----------------------------------------------------------------------------------------


def csv_files(d: doc.Document, folder: Path) -> list[Path]:
    """One CSV file per table (UTF-8 with BOM, so spreadsheet programs read it right); numbers native."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for table in d.tables():
        path = folder / f"{table.id}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([c.key for c in table.columns])
            for row in [*table.rows, *([table.total] if table.total else [])]:
                w.writerow(["" if cell.value is None else (repr(cell.value) if isinstance(cell.value, float)
                                                            else cell.value) for cell in row])
        out.append(path)
    return out


def render(d: doc.Document, fmt: str) -> bytes:
    """One file's bytes (not csv, which is a folder)."""
    if fmt == "html":
        return html(d).encode("utf-8")
    if fmt == "pdf":
        return pdf(d)
    if fmt == "xlsx":
        return xlsx(d)
    raise ValueError(f"unknown format {fmt!r}")
