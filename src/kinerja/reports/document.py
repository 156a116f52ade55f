"""The document model every report is built into and every renderer reads: sections holding
paragraphs, tables, charts, quotes and lists. Values stay native (numbers unrounded, suppressed
cells as their marks "<5" / "*"); each cell says how people read it (`kind`), so HTML and PDF
format it through kinerja.numbers and XLSX writes the number with a matching number format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from kinerja import numbers

KINDS = ("text", "count", "decimal", "percent", "money")


@dataclass
class Cell:
    value: Any
    kind: str = "text"  # one of KINDS, or "change:<kind>" for a signed change
    blank_if_none: bool = False  # an empty cell (no target set) rather than "not available"
    shown: str = ""  # the text people read, set by the HTML renderer

    def text(self, lang: str) -> str:
        if self.value is None and self.blank_if_none:
            return ""
        if self.kind == "text":
            return numbers.format_number(self.value, lang) if self.value is None else str(self.value)
        if self.kind.startswith("change:"):
            return signed(self.value, self.kind.split(":", 1)[1], lang)
        return numbers.format_number(self.value, lang, self.kind)

    @property
    def numeric(self) -> bool:
        return self.kind != "text"

    @property
    def base_kind(self) -> str:
        return self.kind.split(":", 1)[1] if self.kind.startswith("change:") else self.kind


def signed(value: Any, kind: str, lang: str) -> str:
    """A change as people read it: "+3" / "-1,50"; marks and null as format_number shows them."""
    text = numbers.format_number(value, lang, kind)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return "+" + text
    return text


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    block: ClassVar[str] = "table"
    id: str  # a short name, unique in the document: the XLSX sheet and the CSV file are named after it
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total: list[Cell] | None = None  # the totals row, shown last and bold
    note: str = ""
    chart: Chart | None = None  # a chart drawn from this table (XLSX draws it natively)
    style: str = ""  # a CSS class of the table ("measures": a wide first column)

    def header(self) -> list[str]:
        return [c.label for c in self.columns]


@dataclass
class Chart:
    """A Vega-Lite spec (HTML/PDF render it to SVG) and what XLSX needs to draw it natively:
    `kind` line/bar/column, categories from the table's first column, one series per listed column."""

    block: ClassVar[str] = "chart"
    title: str
    spec: dict[str, Any]
    kind: str = "line"
    series: list[int] = field(default_factory=list)  # column indexes of the table, for XLSX
    svg: str = ""  # filled by the renderer


@dataclass
class Paragraph:
    block: ClassVar[str] = "paragraph"
    text: str
    style: str = ""  # "lead", "note", "verdict"


@dataclass
class Quote:
    block: ClassVar[str] = "quote"
    text: str
    who: str  # informant role (and code) as the report may show it
    stance: str  # label of the stance
    stance_code: str
    source: str = ""


@dataclass
class BulletList:
    block: ClassVar[str] = "list"
    items: list[str]
    ordered: bool = False


@dataclass
class Figures:
    """Key figures shown large (the summary's overall score)."""

    block: ClassVar[str] = "figures"
    items: list[tuple[str, str]]  # (label, formatted value)


Block = Paragraph | Table | Chart | Quote | BulletList | Figures


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    page_break: bool = True  # starts on a new page in the PDF

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block


@dataclass
class Document:
    kind: str  # "rekap" | "kinerja"
    title: str
    subtitle: str
    unit_code: str
    unit_name: str
    period: str  # "2016-2018" or "2020": for the running header and file name
    lang: str
    publik: bool
    cover: list[tuple[str, str]] = field(default_factory=list)  # label, value lines of the cover
    sections: list[Section] = field(default_factory=list)
    synthetic: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # machine figures the report was built from

    def walk(self) -> Iterator[Section]:
        def go(ss: list[Section]) -> Iterator[Section]:
            for s in ss:
                yield s
                yield from go(s.children)

        yield from go(self.sections)

    def tables(self) -> list[Table]:
        return [b for s in self.walk() for b in s.blocks if isinstance(b, Table)]

    def filename(self, ext: str) -> str:
        unit = "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in self.unit_code)
        suffix = "-publik" if self.publik else ""
        return f"{self.kind}-{unit}-{self.period}{suffix}.{ext}" if ext else f"{self.kind}-{unit}-{self.period}{suffix}"
