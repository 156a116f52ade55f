"""Reading and checking the import format (import-format.md), without Django.

Readers stream rows one at a time (a CSV folder or an XLSX workbook opened read-only), so an import
of a million cases never holds a table in memory. Value parsers turn cells into Python values (times
without an offset are WIB and come back as aware UTC datetimes). Row-level checks produce RowError
objects naming file, line, column, value and rule; their text exists in Indonesian and English
(message tables here, no gettext catalogue needed). Rules that need the database (references,
duplicates, report times) live in kinerja.register.transfer and use the same RowError and messages.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kinerja import identity, tables, vocab
from kinerja.tables import Column, Table

# Asia/Jakarta has kept UTC+7 without daylight saving since 1964; a fixed offset is exact for the
# register's dates and much cheaper than a zoneinfo lookup per cell.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
UTC = dt.UTC

# -- messages ---------------------------------------------------------------------------------------
# rule -> (Indonesian, English); str.format parameters come from RowError.params.
MESSAGES: dict[str, tuple[str, str]] = {
    # file and header
    "no_tables": ("tidak ada tabel yang dikenal (unit.csv, kasus.csv, ...)",
                  "no known table found (unit.csv, kasus.csv, ...)"),
    "unknown_table": ("tabel tidak dikenal; nama yang sah: {names}", "unknown table; valid names: {names}"),
    "unreadable": ("berkas tidak dapat dibaca: {detail}", "file cannot be read: {detail}"),
    "not_utf8": ("berkas bukan UTF-8", "file is not UTF-8"),
    "empty_file": ("berkas kosong, baris judul tidak ada", "empty file, no header row"),
    "unknown_column": ("kolom tidak dikenal", "unknown column"),
    "missing_column": ("kolom wajib tidak ada", "required column missing"),
    "duplicate_column": ("kolom muncul dua kali", "column appears twice"),
    "unnamed_column": ("ada nilai di kolom tanpa nama", "value in a column without a name"),
    # cells
    "required": ("wajib diisi", "is required"),
    "date": ("bukan tanggal YYYY-MM-DD", "not a date YYYY-MM-DD"),
    "time": ("bukan waktu ISO 8601 (mis. 2018-03-05T14:30)", "not an ISO 8601 time (e.g. 2018-03-05T14:30)"),
    "bool": ("bukan ya/tidak (atau true/false, 1/0)", "not ya/tidak (or true/false, 1/0)"),
    "money": ("bukan jumlah rupiah bulat (angka saja, pemisah ribuan '.' boleh)",
              "not a whole rupiah amount (digits only, '.' thousands separator allowed)"),
    "integer": ("bukan bilangan bulat", "not a whole number"),
    "decimal": ("bukan angka dengan paling banyak 2 desimal", "not a number with at most 2 decimals"),
    "number": ("bukan angka", "not a number"),
    "code": ("bukan kode {vocab} yang sah{choices}", "not a valid {vocab} code{choices}"),
    "too_long": ("terlalu panjang (paling banyak {max} karakter)", "too long (at most {max} characters)"),
    "range": ("harus antara {min} dan {max}", "must be between {min} and {max}"),
    "negative": ("tidak boleh negatif (harus >= 0)", "must not be negative (>= 0)"),
    "nik_digits": ("NIK harus 16 angka", "NIK must be 16 digits"),
    "nik_date": ("bagian tanggal lahir NIK tidak sah (tanggal, atau tanggal + 40 untuk perempuan)",
                 "the NIK's birth-date part is invalid (day, or day + 40 for women)"),
    # rows
    "closure_pair": ("ditutup_pada dan alasan_penutupan harus diisi keduanya atau tidak sama sekali",
                     "ditutup_pada and alasan_penutupan must both be given or both be empty"),
    "closure_before_report": ("penutupan sebelum waktu laporan kasus ({reported})",
                              "closure before the case's report time ({reported})"),
    "approval_needs_approver": ("disetujui_pada diisi tetapi disetujui_oleh kosong",
                                "disetujui_pada is given but disetujui_oleh is empty"),
    "service_stage": ("layanan hanya untuk tahap intervensi, reintegrasi atau bimbingan_lanjut (tahap: {stage})",
                      "layanan only on stages intervensi, reintegrasi or bimbingan_lanjut (stage: {stage})"),
    "certified_exceeds": ("peksos_bersertifikat melebihi peksos ({total})",
                          "peksos_bersertifikat exceeds peksos ({total})"),
    "ack_before_sent": ("diterima sebelum dikirim ({sent})", "acknowledged before it was sent ({sent})"),
    "resolved_before_received": ("diselesaikan sebelum diterima ({received})",
                                 "resolved before it was received ({received})"),
    # references (checked against this import and the database)
    "unit_unknown": ("kode_unit tidak ada (di impor ini maupun di basis data)",
                     "unit code does not exist (in this import or the database)"),
    "user_unknown": ("username tidak ada (di impor ini maupun di basis data)",
                     "username does not exist (in this import or the database)"),
    "case_unknown": ("kasus {unit}/{number} tidak ada (di impor ini maupun di basis data)",
                     "case {unit}/{number} does not exist (in this import or the database)"),
    "duplicate_in_file": ("kunci {key} sudah muncul sebelumnya di impor ini{where}",
                          "key {key} already appears earlier in this import{where}"),
    "exists": ("kunci {key} sudah ada di basis data (gunakan --update untuk mengganti)",
               "key {key} already exists in the database (use --update to replace)"),
    "unit_cycle": ("induk membentuk lingkaran", "parent forms a cycle"),
    "username": ("username hanya boleh berisi huruf, angka dan @ . + - _",
                 "a username may only hold letters, digits and @ . + - _"),
    "child_inconsistent": ("anak {child} sudah tercatat dengan {field} berbeda ({other})",
                           "child {child} is already recorded with a different {field} ({other})"),
    "before_report": ("sebelum waktu laporan kasus ({reported})", "before the case's report time ({reported})"),
    "database": ("ditolak basis data: {detail}", "rejected by the database: {detail}"),
}

# Other user-facing text of imports and exports: key -> (Indonesian, English).
TEXTS: dict[str, tuple[str, str]] = {
    "column": ("kolom", "column"),
    "value": ("nilai", "value"),
    "line_of": (" (baris {line})", " (line {line})"),
    "import_ok": ("Impor berhasil ({mode}): {counts}", "Import succeeded ({mode}): {counts}"),
    "import_failed": ("Impor dibatalkan, tidak ada yang ditulis: {n} kesalahan.",
                      "Import cancelled, nothing was written: {n} errors."),
    "more_errors": ("... dan {n} kesalahan lain", "... and {n} more errors"),
    "mode_insert": ("tambah", "insert"),
    "mode_update": ("perbarui", "update"),
    "nothing": ("tidak ada baris", "no rows"),
    "export_done": ("Diekspor ke {path}: {counts}", "Exported to {path}: {counts}"),
    "export_identity": (" (dengan identitas; tercatat di audit)", " (with identity; audited)"),
    "export_scope": ("; kasus hanya dari unit {unit} dan turunannya", "; cases only of unit {unit} and below"),
    "identity_role": ("Ekspor identitas hanya untuk kepala seksi yang aktif.",
                      "Only an active section head (kepala seksi) may export identity."),
    "identity_reason": ("Sebutkan alasan ekspor identitas (--reason).",
                        "State the reason for exporting identity (--reason)."),
    "too_many_rows": ("Tabel {table} punya {n} baris, lebih dari batas lembar Excel ({max}); ekspor sebagai CSV.",
                      "Table {table} has {n} rows, more than an Excel sheet holds ({max}); export as CSV."),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if (lang or "id").startswith("en") else pair[0]


def text(key: str, lang: str, **params: Any) -> str:
    return _pick(TEXTS[key], lang).format(**params)


def rule_text(rule: str, lang: str, **params: Any) -> str:
    return _pick(MESSAGES[rule], lang).format(**params)


@dataclass(slots=True)
class RowError:
    """One broken rule: where (file, line, column), what (value) and which rule, with its parameters."""

    file: str
    line: int
    column: str | None
    value: str | None
    rule: str
    params: dict[str, Any] = field(default_factory=dict)

    def rule_message(self, lang: str = "id") -> str:
        return rule_text(self.rule, lang, **self.params)

    def message(self, lang: str = "id") -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.column is not None:
            what = f"{text('column', lang)} '{self.column}'"
            if self.value is not None:
                what += f" {text('value', lang)} '{self.value}'"
            parts.append(what)
        return ": ".join(parts + [self.rule_message(lang)])

    __str__ = message


class ErrorLog:
    """All errors of one import: the first `cap` are kept, the rest only counted (memory stays flat)."""

    def __init__(self, cap: int = 1000) -> None:
        self.cap = cap
        self.errors: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.errors) < self.cap:
            self.errors.append(error)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    @property
    def more(self) -> int:
        return self.count - len(self.errors)


HIDDEN = "***"


def shown_value(column: Column | None, raw: Any) -> str | None:
    """The value as an error shows it; identity values (name, NIK, notes) never reach a message."""
    if raw is None:
        return None
    if column is not None and column.identity:
        return HIDDEN
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    return str(raw)


# -- value parsers ------------------------------------------------------------------------------
class Bad(Exception):
    """A cell that breaks a rule; args are the rule and its message parameters."""

    def __init__(self, rule: str, **params: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.params = params


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")
_MONEY_RE = re.compile(r"-?(\d+|\d{1,3}(\.\d{3})+)")
_INT_RE = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"ya", "true", "1"})
_FALSE = frozenset({"tidak", "false", "0"})


def _integral(value: float) -> int | None:
    return int(value) if value == value and value not in (float("inf"), float("-inf")) and value == int(value) \
        else None


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):  # Excel date cells arrive as midnight datetimes
        if raw.time() != dt.time(0):
            raise Bad("date")
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str) or not _DATE_RE.fullmatch(raw):
        raise Bad("date")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Bad("date") from None


_SEVEN_HOURS = dt.timedelta(hours=7)


def parse_time(raw: Any) -> dt.datetime:
    """An aware UTC datetime; a time without an offset (and every Excel time) is WIB."""
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        # the common shape is checked by position (cheaper than the regex, which handles the rest)
        if not isinstance(raw, str) or not (
                len(raw) in (16, 19) and raw[4] == "-" and raw[7] == "-" and raw[10] in "T " and raw[13] == ":"
                and (len(raw) == 16 or raw[16] == ":")) and not _TIME_RE.fullmatch(raw):
            raise Bad("time")
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise Bad("time") from None
    try:
        if value.tzinfo is None:
            return (value - _SEVEN_HOURS).replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except OverflowError:  # year 1 minus seven hours
        raise Bad("time") from None


def format_time(value: dt.datetime | None) -> str:
    """The export form of a time: WIB, ISO 8601 without offset (what parse_time reads back)."""
    if value is None:
        return ""
    return value.astimezone(WIB).replace(tzinfo=None).isoformat()


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        if raw in (0, 1):
            return bool(raw)
        raise Bad("bool")
    low = str(raw).lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise Bad("bool")


def parse_money(raw: Any) -> int:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = _integral(float(raw)) if isinstance(raw, float) else raw
        if value is None:
            raise Bad("money")
    else:
        if not isinstance(raw, str) or not _MONEY_RE.fullmatch(raw):
            raise Bad("money")
        value = int(raw.replace(".", ""))
    if value < 0:
        raise Bad("negative")
    if value > 10**15:
        raise Bad("range", min=0, max=10**15)
    return value


def parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Bad("integer")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        value = _integral(raw)
        if value is None:
            raise Bad("integer")
        return value
    if not isinstance(raw, str) or not _INT_RE.fullmatch(raw):
        raise Bad("integer")
    return int(raw)


def _decimal_text(raw: Any) -> str:
    if isinstance(raw, bool):
        raise Bad("number")
    if isinstance(raw, int | float):
        return repr(raw)
    s = str(raw)
    if "," in s and "." not in s:  # Indonesian decimal comma: 2,5
        s = s.replace(",", ".")
    return s


def parse_decimal(raw: Any) -> Decimal:
    try:
        value = Decimal(_decimal_text(raw))
    except (InvalidOperation, Bad):
        raise Bad("decimal") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise Bad("decimal")
    return value


def parse_number(raw: Any) -> float:
    try:
        value = float(_decimal_text(raw))
    except (ValueError, Bad):
        raise Bad("number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Bad("number")
    return value


def parse_nik(raw: Any) -> str:
    nik = str(parse_int(raw)).zfill(16) if isinstance(raw, int | float) and not isinstance(raw, bool) \
        else str(raw).replace(" ", "")
    problem = identity.nik_problem(nik)
    if problem == "16 digits":
        raise Bad("nik_digits")
    if problem:
        raise Bad("nik_date")
    return nik


def _text_of(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "ya" if raw else "tidak"
    if isinstance(raw, float):
        value = _integral(raw)
        return str(value) if value is not None else repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    return str(raw)


def _parser(column: Column) -> Callable[[Any], Any]:
    """The function that turns a non-empty cell of this column into its value (or raises Bad)."""
    kind = column.kind
    if kind == tables.TEXT:
        limit = column.max_length

        def parse_text(raw: Any) -> str:
            value = _text_of(raw)
            if limit is not None and len(value) > limit:
                raise Bad("too_long", max=limit)
            return value

        return parse_text
    if kind == tables.CODE:
        assert column.vocab is not None
        voc = vocab.ALL[column.vocab]
        codes = frozenset(voc.codes)
        choices = f" ({', '.join(voc.codes)})" if len(voc.codes) <= 8 else ""

        def parse_code(raw: Any) -> str:
            value = _text_of(raw)
            if value not in codes:
                raise Bad("code", vocab=voc.name, choices=choices)
            return value

        return parse_code
    if kind in (tables.INT, tables.DECIMAL, tables.NUMBER):
        base = {tables.INT: parse_int, tables.DECIMAL: parse_decimal, tables.NUMBER: parse_number}[kind]
        low, high = column.minimum, column.maximum
        if low is None and high is None:
            return base

        def parse_ranged(raw: Any) -> Any:
            value: Any = base(raw)
            if (low is not None and value < low) or (high is not None and value > high):
                if low == 0 and value < 0:
                    raise Bad("negative")
                raise Bad("range", min=_num(low), max=_num(high))
            return value

        return parse_ranged
    return {
        tables.DATE: parse_date, tables.TIME: parse_time, tables.BOOL: parse_bool,
        tables.MONEY: parse_money, tables.NIK: parse_nik,
    }[kind]


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if value == int(value) else str(value)


def parse_value(column: Column, raw: Any) -> Any:
    """One cell, as the importer reads it: None when empty; raises Bad when it breaks a rule."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column.required:
            raise Bad("required")
        return None
    return _parser(column)(raw.strip() if isinstance(raw, str) else raw)


# -- sources: a folder of CSV files or one workbook -----------------------------------------------
class Source(ABC):
    """Tables found at a path, each read as (header, rows) where rows yields (line, cells)."""

    @abstractmethod
    def tables(self) -> list[str]: ...

    @abstractmethod
    def unknown(self) -> list[str]: ...

    @abstractmethod
    def label(self, table: str) -> str: ...

    @abstractmethod
    def rows(self, table: str, errors: ErrorLog) -> tuple[list[Any] | None, Iterator[tuple[int, list[Any]]]]: ...

    def close(self) -> None:  # noqa: B027 - optional hook: a CSV folder holds nothing open
        """Release open files (a workbook); a CSV folder has none."""

    def path_of(self, table: str) -> Path | None:
        """The file of one table when it has its own (a CSV folder); None for a workbook's sheet."""
        return None


def open_source(path: Path) -> Source:
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return XlsxSource(path)
    return CsvFolder(path)


def _blank(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


class CsvFolder(Source):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, Path] = {}
        self.others: list[str] = []
        if not folder.is_dir():
            raise FileNotFoundError(folder)
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.suffix.lower() == ".csv":
                name = p.stem.lower()
                if name in tables.BY_NAME:
                    self.files[name] = p
                else:
                    self.others.append(p.name)

    def tables(self) -> list[str]:
        return list(self.files)

    def unknown(self) -> list[str]:
        return self.others

    def label(self, table: str) -> str:
        return self.files[table].name if table in self.files else f"{table}.csv"

    def path_of(self, table: str) -> Path | None:
        return self.files.get(table)

    def rows(self, table: str, errors: ErrorLog) -> tuple[list[Any] | None, Iterator[tuple[int, list[Any]]]]:
        path = self.files[table]
        label = self.label(table)
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                first = fh.readline()
        except UnicodeDecodeError:
            errors.add(RowError(label, 1, None, None, "not_utf8"))
            return None, iter(())
        if not first.strip():
            errors.add(RowError(label, 1, None, None, "empty_file"))
            return None, iter(())
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        return header, self._iter(path, label, delimiter, errors)

    @staticmethod
    def _iter(path: Path, label: str, delimiter: str, errors: ErrorLog) -> Iterator[tuple[int, list[Any]]]:
        line = 1
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh, delimiter=delimiter)
                next(reader, None)
                prev = reader.line_num
                for cells in reader:
                    line = prev + 1
                    prev = reader.line_num
                    if any(cells):  # skips the empty rows spreadsheets leave behind
                        yield line, cells
        except UnicodeDecodeError:
            errors.add(RowError(label, line + 1, None, None, "not_utf8"))
        except csv.Error as exc:
            errors.add(RowError(label, line + 1, None, None, "unreadable", {"detail": str(exc)}))


class XlsxSource(Source):
    """One sheet per table (sheet name = file name without .csv), read with openpyxl read-only."""

    def __init__(self, path: Path) -> None:
        import openpyxl

        self.path = path
        self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        self.sheets: dict[str, str] = {}
        self.others: list[str] = []
        for name in self.book.sheetnames:
            key = name.strip().lower().removesuffix(".csv")
            if key in tables.BY_NAME:
                self.sheets[key] = name
            else:
                self.others.append(name)

    def tables(self) -> list[str]:
        return list(self.sheets)

    def unknown(self) -> list[str]:
        return [f"{self.path.name}[{n}]" for n in self.others]

    def label(self, table: str) -> str:
        return f"{self.path.name}[{self.sheets.get(table, table)}]"

    def rows(self, table: str, errors: ErrorLog) -> tuple[list[Any] | None, Iterator[tuple[int, list[Any]]]]:
        sheet = self.book[self.sheets[table]]
        it = sheet.iter_rows(values_only=True)
        first = next(it, None)
        if first is None or _blank(first):
            errors.add(RowError(self.label(table), 1, None, None, "empty_file"))
            return None, iter(())
        header = [("" if c is None else str(c)) for c in first]
        while header and not header[-1].strip():
            header.pop()

        def gen() -> Iterator[tuple[int, list[Any]]]:
            for line, row in enumerate(it, start=2):
                if not _blank(row):
                    yield line, list(row)

        return header, gen()

    def close(self) -> None:
        self.book.close()


# -- rows -----------------------------------------------------------------------------------------
class TableReader:
    """Checks a table's header once, then turns each row's cells into a dict of parsed values.

    `values` holds every column of the header (None when empty); a column missing from the file is
    absent from the dict, so an update can leave what the file does not mention untouched."""

    def __init__(self, table: Table, header: list[Any], label: str, errors: ErrorLog, lang: str = "id") -> None:
        self.table, self.label, self.errors, self.lang = table, label, errors, lang
        self.ok = True
        # (cell index, column, required, mode, argument, parser): mode 0 is text (argument: maximum
        # length) and 1 a code (argument: the codes), checked inline for text cells; 2 calls the parser
        self.slots: list[tuple[int, str, bool, int, Any, Callable[[Any], Any]]] = []
        self.unnamed: list[int] = []
        seen: set[str] = set()
        for i, raw in enumerate(header):
            name = str(raw).strip() if raw is not None else ""
            if not name:
                self.unnamed.append(i)
                continue
            column = table.column_map.get(name)
            if column is None:
                errors.add(RowError(label, 1, name, None, "unknown_column"))
                self.ok = False
            elif name in seen:
                errors.add(RowError(label, 1, name, None, "duplicate_column"))
                self.ok = False
            else:
                seen.add(name)
                arg: Any
                if column.kind == tables.TEXT:
                    mode, arg = 0, column.max_length or 10**9
                elif column.kind == tables.CODE:
                    mode, arg = 1, frozenset(vocab.ALL[column.vocab or ""].codes)
                elif column.kind == tables.MONEY:
                    mode, arg = 3, None
                else:
                    mode, arg = 2, None
                self.slots.append((i, name, column.required, mode, arg, _parser(column)))
        for name in table.required:
            if name not in seen:
                errors.add(RowError(label, 1, name, None, "missing_column"))
                self.ok = False
        self.present = frozenset(seen)
        self.width = len(header)

    def parse(self, line: int, cells: list[Any]) -> tuple[dict[str, Any], bool]:
        """(values, ok): ok is False when a cell broke a rule (each one logged)."""
        values: dict[str, Any] = {}
        ok = True
        n = len(cells)
        if n < self.width:
            cells = list(cells) + [None] * (self.width - n)
        for i, name, required, mode, arg, parse in self.slots:  # the hot loop of an import: kept lean
            raw = cells[i]
            if raw.__class__ is str:
                raw = raw.strip()
                if not raw:
                    raw = None
                elif mode == 0:
                    if len(raw) <= arg:
                        values[name] = raw
                        continue
                elif mode == 1:
                    if raw in arg:
                        values[name] = raw
                        continue
                elif mode == 3 and raw.isdigit() and len(raw) <= 15:  # plain rupiah
                    values[name] = int(raw)
                    continue
            if raw is None:
                values[name] = None
                if required:
                    self.errors.add(RowError(self.label, line, name, "", "required"))
                    ok = False
                continue
            try:
                values[name] = parse(raw)
            except Bad as bad:
                values[name] = None
                self.errors.add(RowError(self.label, line, name, shown_value(self.table.column_map[name], raw),
                                         bad.rule, bad.params))
                ok = False
        if n > self.width and not _blank(cells[self.width:]):
            self.errors.add(RowError(self.label, line, "", None, "unnamed_column"))
            ok = False
        for i in self.unnamed:
            if i < n and not _blank([cells[i]]):
                self.errors.add(RowError(self.label, line, "", shown_value(None, cells[i]), "unnamed_column"))
                ok = False
                break
        return values, ok

    def check(self, line: int, values: dict[str, Any]) -> bool:
        """Rules between columns of one row; returns False (errors logged) when one is broken."""
        check = _ROW_CHECKS.get(self.table.name)
        if check is None:
            return True
        problems = check(values)
        for column, rule, params in problems:
            raw = values.get(column)
            shown = format_time(raw) if isinstance(raw, dt.datetime) else ("" if raw is None else str(raw))
            self.errors.add(RowError(self.label, line, column, shown, rule, params))
        return not problems


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


_ROW_CHECKS: dict[str, Callable[[dict[str, Any]], list[Problem]]] = {
    "kasus": _check_kasus,
    "tindakan": _check_tindakan,
    "rujukan": _check_rujukan,
    "pengaduan": _check_pengaduan,
    "sdm": _check_sdm,
}


Row = tuple[int, dict[str, Any], bool]  # (line, values, ok)
Prepare = Callable[[TableReader, list[Row]], None]
PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # a CSV table this large is parsed in a second process


def read_batches(source: Source, table: Table, errors: ErrorLog, lang: str = "id", size: int = 2000,
                 prepare: Prepare | None = None, parallel: bool = False
                 ) -> tuple[TableReader | None, Iterator[list[Row]]]:
    """The checked reader of one table and its rows in batches of `size`, each batch passed through
    `prepare` (per-row work that needs no database, such as encryption) before it is yielded.

    With `parallel`, a large table of a CSV folder is read, parsed, checked and prepared in a forked
    second process while the caller writes the previous batch: on two cores an import then takes
    about as long as its writes instead of its writes plus its parsing. Batches, rows and errors are
    the same either way and arrive in the same order (tests compare both paths)."""
    reader, rows = read_table(source, table, errors, lang)
    if reader is None or not reader.ok:
        return reader, iter(())
    path = source.path_of(table.name)
    if parallel and path is not None and _can_fork() and path.stat().st_size >= PARALLEL_MIN_BYTES:
        return reader, _forked_batches(source, table, errors, lang, size, prepare)
    return reader, _local_batches(reader, rows, size, prepare)


def _can_fork() -> bool:
    """fork is what makes the hand-over cheap; macOS has it but warns against it (system libraries
    are not fork-safe there), Windows lacks it: both parse in one process."""
    import multiprocessing
    import sys

    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


def _local_batches(reader: TableReader, rows: Iterator[Row], size: int, prepare: Prepare | None
                   ) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            if prepare is not None:
                prepare(reader, batch)
            yield batch
            batch = []
    if batch:
        if prepare is not None:
            prepare(reader, batch)
        yield batch


class ImportWorkerError(RuntimeError):
    """The second process of a parallel import failed (its traceback is the message)."""


def _forked_batches(source: Source, table: Table, errors: ErrorLog, lang: str, size: int,
                    prepare: Prepare | None) -> Iterator[list[Row]]:
    """Batches made by a forked child (fork: the child inherits the loaded settings and keys, and
    needs nothing pickled to start). The pipe holds about one batch, so the child stays at most a
    batch or two ahead and memory stays flat. The child touches no database connection."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_produce, args=(send, source, table, lang, size, prepare, errors.cap), daemon=True)
    proc.start()
    send.close()
    try:
        while True:
            try:
                kind, batch, new_errors, uncounted = receive.recv()
            except EOFError:
                raise ImportWorkerError(f"{table.file}: the parsing process ended early") from None
            if kind == "error":
                raise ImportWorkerError(batch)
            for error in new_errors:
                errors.add(error)
            errors.count += uncounted
            if batch:
                yield batch
            if kind == "done":
                break
    finally:
        receive.close()
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _produce(send: Any, source: Source, table: Table, lang: str, size: int, prepare: Prepare | None,
             cap: int) -> None:
    """The child's side of _forked_batches: read and parse from the start of the file (the header was
    checked by the parent), send ("batch", rows, errors, uncounted) messages, then "done"."""
    import traceback

    try:
        log = ErrorLog(cap)
        header, rows_in = source.rows(table.name, log)
        reader = TableReader(table, header or [], source.label(table.name), log, lang)
        log.errors, log.count = [], 0  # header errors are the parent's to report
        shipped = 0

        def ship(kind: str, batch: list[Row]) -> None:
            nonlocal shipped
            if batch and prepare is not None:
                prepare(reader, batch)
            new, uncounted = log.errors, log.count - len(log.errors)
            shipped += len(new)
            log.errors, log.count, log.cap = [], 0, max(0, cap - shipped)
            send.send((kind, batch, new, uncounted))

        batch: list[Row] = []
        for line, cells in rows_in:
            values, ok = reader.parse(line, cells)
            if ok:
                ok = reader.check(line, values)
            batch.append((line, values, ok))
            if len(batch) >= size:
                ship("batch", batch)
                batch = []
        ship("done", batch)
    except BaseException:  # noqa: BLE001 - everything goes back to the parent, which raises it
        with contextlib.suppress(OSError):  # the parent may have stopped listening
            send.send(("error", traceback.format_exc(), [], 0))
    finally:
        send.close()


def read_table(source: Source, table: Table, errors: ErrorLog, lang: str = "id"
               ) -> tuple[TableReader | None, Iterator[tuple[int, dict[str, Any], bool]]]:
    """The checked reader of one table and its rows as (line, values, ok); no rows when the header
    is broken (its errors are logged)."""
    header, rows = source.rows(table.name, errors)
    if header is None:
        return None, iter(())
    reader = TableReader(table, header, source.label(table.name), errors, lang)
    if not reader.ok:
        return reader, iter(())

    def gen() -> Iterator[tuple[int, dict[str, Any], bool]]:
        for line, cells in rows:
            values, ok = reader.parse(line, cells)
            if ok:
                ok = reader.check(line, values)
            yield line, values, ok

    return reader, gen()
