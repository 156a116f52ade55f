"""Reading the format: a folder of CSV files or one XLSX workbook, streamed row by row and checked.

Plain Python. Readers stream rows one at a time (a CSV folder or an XLSX workbook opened read-only),
so an import of a million cases never holds a table in memory. A CSV file is UTF-8 (a BOM is
accepted); one that is not is read as Windows-1252 only when every byte of it maps there, with a
notice, and otherwise refused naming its first bad line. Headers match ignoring case and surrounding
spaces, with the nearest known name suggested for an unknown one. A TableReader checks a table's header
once and turns each row's cells into parsed values (kinerja.register.tabular.values), logging every
broken rule as a RowError (kinerja.register.tabular.messages); read_batches hands the rows on in
batches, parsed in a forked second process for a large CSV table.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import difflib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kinerja import vocab
from kinerja.register.tabular import tables
from kinerja.register.tabular.messages import ErrorLog, RowError, shown_value
from kinerja.register.tabular.rules import ROW_CHECKS
from kinerja.register.tabular.tables import Table
from kinerja.register.tabular.values import Bad, format_time, parser, slash_order


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

    notices: list[RowError]  # what the reader did that the user should know (a file read as Windows-1252)
    dates: SlashDates | None = None  # a workbook's slash dates, checked across its sheets at the end


def open_source(path: Path) -> Source:
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return XlsxSource(path)
    return CsvFolder(path)


def _blank(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _encoding(path: Path) -> tuple[str | None, int]:
    """("utf-8-sig", 0) for a UTF-8 file; ("cp1252", 0) when it is not UTF-8 but every byte maps in
    Windows-1252 (the only other encoding an office's Excel writes a CSV in); (None, line) with the
    first line that is not UTF-8 otherwise. One pass in 1 MiB chunks, so memory stays flat."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = lines + chunk.count(b"\n", 0, exc.start)
                break
            lines += chunk.count(b"\n")
        else:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return _cp1252_or(path, lines)
            return "utf-8-sig", 0
    return _cp1252_or(path, bad)


def _cp1252_or(path: Path, bad_line: int) -> tuple[str | None, int]:
    decoder = codecs.getincrementaldecoder("cp1252")()
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return None, bad_line
    return "cp1252", 0


class CsvFolder(Source):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notices = []
        self.encodings: dict[str, str] = {}
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
        encoding = self.encodings.get(table)
        if encoding is None:  # decided once (a forked parsing process inherits it)
            found, bad_line = _encoding(path)
            if found is None:
                errors.add(RowError(label, bad_line, None, None, "not_utf8"))
                return None, iter(())
            encoding = self.encodings[table] = found
            if found == "cp1252":
                self.notices.append(RowError(label, 0, None, None, "cp1252"))
        with open(path, encoding=encoding, newline="") as fh:
            first = fh.readline()
        if not first.strip():
            errors.add(RowError(label, 1, None, None, "empty_file"))
            return None, iter(())
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        return header, self._iter(path, label, delimiter, errors, encoding)

    @staticmethod
    def _iter(path: Path, label: str, delimiter: str, errors: ErrorLog, encoding: str
              ) -> Iterator[tuple[int, list[Any]]]:
        line = 1
        try:
            with open(path, encoding=encoding, newline="") as fh:
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
        self.notices = []
        self.dates = SlashDates()
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
class SlashDates:
    """The slash dates of one file: where the first one valid only as month/day is, and (up to a
    bound) those that read both ways. A file with a month/day-only date was written in that order,
    so each date that reads both ways is a guess and, in finish(), an error: they were read as
    day/month and the import fails, so nothing read wrongly is kept. A CSV table is a file; a
    workbook is one file for all its sheets (one program wrote them in one locale)."""

    def __init__(self) -> None:
        self.month_day: tuple[str, int, str] | None = None
        self.both_ways: list[tuple[str, int, str, str]] = []
        self.more = 0

    def both(self, label: str, line: int, column: str, raw: str) -> None:
        if len(self.both_ways) < BOTH_WAYS_KEPT:
            self.both_ways.append((label, line, column, raw))
        else:
            self.more += 1

    def finish(self, errors: ErrorLog) -> None:
        if self.month_day is None:
            return
        file, line, column = self.month_day
        for label, at, name, raw in self.both_ways:
            errors.add(RowError(label, at, name, raw, "date_ambiguous", {"file": file, "line": line, "column": column}))
        errors.count += self.more  # counted, not listed
        self.both_ways, self.more = [], 0


class TableReader:
    """Checks a table's header once, then turns each row's cells into a dict of parsed values.

    `values` holds every column of the header (None when empty); a column missing from the file is
    absent from the dict, so an update can leave what the file does not mention untouched."""

    def __init__(self, table: Table, header: list[Any], label: str, errors: ErrorLog, lang: str = "id",
                 dates: SlashDates | None = None) -> None:
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
            column = table.column_map.get(name.lower())
            if column is None:
                near = difflib.get_close_matches(name.lower(), table.names, n=1, cutoff=0.6)
                if near:
                    errors.add(RowError(label, 1, name, None, "unknown_column_near", {"near": near[0]}))
                else:
                    errors.add(RowError(label, 1, name, None, "unknown_column", {"names": ", ".join(table.names)}))
                self.ok = False
                continue
            name = column.name
            if name in seen:
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
                elif column.kind in (tables.DATE, tables.TIME):
                    mode, arg = 4, None
                else:
                    mode, arg = 2, None
                self.slots.append((i, name, column.required, mode, arg, parser(column)))
        for name in table.required:
            if name not in seen:
                errors.add(RowError(label, 1, name, None, "missing_column"))
                self.ok = False
        self.present = frozenset(seen)
        self.width = len(header)
        # slash dates of this file (of the whole workbook when `dates` is the source's)
        self.dates = dates if dates is not None else SlashDates()
        self.own_dates = dates is None

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
                if bad.rule == "date_month_day" and self.dates.month_day is None:
                    self.dates.month_day = (self.label, line, name)
                continue
            if mode == 4 and raw.__class__ is str and "/" in raw and slash_order(raw) == "both":
                self.dates.both(self.label, line, name, raw)
        if n > self.width and not _blank(cells[self.width:]):
            self.errors.add(RowError(self.label, line, "", None, "unnamed_column"))
            ok = False
        for i in self.unnamed:
            if i < n and not _blank([cells[i]]):
                self.errors.add(RowError(self.label, line, "", shown_value(None, cells[i]), "unnamed_column"))
                ok = False
                break
        return values, ok

    def finish(self) -> None:
        """After the last row: the slash-date check of a file of its own (a CSV table)."""
        if self.own_dates:
            self.dates.finish(self.errors)

    def check(self, line: int, values: dict[str, Any]) -> bool:
        """Rules between columns of one row; returns False (errors logged) when one is broken."""
        check = ROW_CHECKS.get(self.table.name)
        if check is None:
            return True
        problems = check(values)
        for column, rule, params in problems:
            raw = values.get(column)
            shown = format_time(raw) if isinstance(raw, dt.datetime) else ("" if raw is None else str(raw))
            self.errors.add(RowError(self.label, line, column, shown, rule, params))
        return not problems


Problem = tuple[str, str, dict[str, Any]]


Row = tuple[int, dict[str, Any], bool]  # (line, values, ok)
Prepare = Callable[[TableReader, list[Row]], None]
BOTH_WAYS_KEPT = 10_000  # slash dates that read both ways remembered per file (the rest only counted)
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
        reader.finish()
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
    reader = TableReader(table, header, source.label(table.name), errors, lang, source.dates)
    if not reader.ok:
        return reader, iter(())

    def gen() -> Iterator[tuple[int, dict[str, Any], bool]]:
        for line, cells in rows:
            values, ok = reader.parse(line, cells)
            if ok:
                ok = reader.check(line, values)
            yield line, values, ok
        reader.finish()

    return reader, gen()
