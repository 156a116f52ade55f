"""Import of the register from the office's table format (docs/import-format.md) into the database.

Import (`import_path`) is all or nothing: every table is read in dependency order (unit, pegawai,
kasus, tindakan, rujukan, survei, pengaduan, anggaran, sdm, sarana, target) inside one transaction;
valid rows are written batch by batch so later tables can refer to them, every broken rule is
collected, and if there is any error the transaction is rolled back so nothing stays written.

Memory stays flat in the number of cases: rows are streamed in batches, references are resolved per
batch with set-based queries (units and usernames are few and kept in dicts; case keys are looked
up per batch), and what must be remembered across batches (which existing rows an update has already
replaced, new children's pseudonyms) lives in temporary database tables. Rows created by this import
are told apart from older rows by their id: ids above the highest id at the start are new.

Children: one Child per (unit, kode_anak); a child who comes back is a further case row. Its name,
NIK, sex and birth date must not contradict the child's record (rules.child_conflicts: an empty cell
never does, a column missing from the file is neither compared nor changed), and what a row states
that the record lacks is added. Age, kecamatan and disability are the case's, as at that report (an
age from the birth date when no usia is given); the child's current values are then those of its
latest case that states them (_end_kasus). A new child's pseudonym is
`A-<year of first report, WIB>-<sequence>`, counted per unit and year in order of first report; it
is generated, never derived from identity. Names and NIKs are encrypted (services.set_identity),
notes per action (keyring.encrypt_action_notes) before the rows are inserted.

Update mode (`update=True`, `kinerja import --update`) replaces rows by their keys, never
duplicating them:
- unit by kode_unit, pegawai by username (an existing password is kept; new users get an unusable
  one and are given a password later), kasus by (kode_unit, nomor_kasus), a child by
  (kode_unit, kode_anak), anggaran by (unit, tahun, kegiatan), sdm and sarana by (unit, tahun),
  target by (unit, tahun, indikator);
- tables without a natural key are replaced per group: all tindakan and all rujukan of a case that
  appears in the file, all survei of a unit and date, all pengaduan of a unit and received time are
  deleted and the file's rows inserted. Cases that do not appear keep their rows. When tindakan.csv
  has no catatan column (a default export), the notes of a replaced action carry over to the new row
  with the same case, stage and time, so an edit of a pseudonymised export never erases notes.
Without update mode a key that already exists (or appears twice in the files) is an error; rows of
tables without a natural key are added.

Speed (a first import of 100,000 cases with seven actions each is the yardstick): the big tables are
written with plain executemany (SQLite) or COPY (PostgreSQL) instead of bulk_create, whose per-value
preparation alone would take minutes; on SQLite an import uses a larger (bounded) page cache, and
new rows get time-ordered uids so the unique index on uid grows at its end. No model full_clean runs
per row: the rules are checked here, and the database's own constraints back them up (a refused
batch becomes an error). Large CSV tables are read, parsed, checked and prepared (uids, encryption)
in a forked second process (reading.read_batches, KINERJA_IMPORT_PARALLEL) while this process
resolves references and writes: 27 s -> 23 s for 100,000 cases on two cores, the writes being the
larger half. Tried and dropped: reading in a second thread (the work is bound by the GIL; the
hand-over made it slower) and rebuilding plain indexes after the load (no measurable gain).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time as _time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max, Min, Model, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from kinerja.register import accounts, dataversion, keyring, services
from kinerja.register.models import (
    Action,
    BudgetLine,
    Case,
    Child,
    Complaint,
    Facility,
    Referral,
    Staff,
    Staffing,
    SurveyResponse,
    Target,
    Unit,
)
from kinerja.register.tabular import reading, rules, tables
from kinerja.register.tabular.messages import HIDDEN, ErrorLog, RowError, shown_value, text
from kinerja.register.tabular.values import WIB, format_time

BATCH = 2000
ERROR_CAP = 1000
FAILED_KEYS_CAP = 200_000  # case keys of rejected rows, so their actions are not reported again
_USERNAME = re.compile(r"[\w.@+-]+")
_PSEUDONYM = re.compile(r"A-(\d{4})-(\d+)")

Row = reading.Row


def language(lang: str | None) -> str:
    """The user's language: the argument, else settings.KINERJA.language ('id' or 'en')."""
    if lang:
        return lang
    config = getattr(settings, "KINERJA", None)
    return getattr(config, "language", "id") or "id"


# -- result ---------------------------------------------------------------------------------------
@dataclass
class ImportResult:
    ok: bool
    errors: list[RowError]
    counts: dict[str, int] = field(default_factory=dict)
    more: int = 0  # errors beyond the stored list
    update: bool = False
    lang: str = "id"
    notices: list[RowError] = field(default_factory=list)  # not errors: how a file was read

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more

    def report(self, lang: str | None = None) -> str:
        """Every stored error as `file:line: column 'x' value 'y': rule`, or the counts written."""
        lang = lang or self.lang
        notes = [f"{text('notice', lang)}: {n.message(lang)}" for n in self.notices]
        if self.ok:
            mode = text("mode_update" if self.update else "mode_insert", lang)
            counts = ", ".join(f"{k} {v}" for k, v in self.counts.items()) or text("nothing", lang)
            return "\n".join([*notes, text("import_ok", lang, mode=mode, counts=counts)])
        lines = [*notes, text("import_failed", lang, n=self.error_count)]
        lines += [e.message(lang) for e in self.errors]
        if self.more:
            lines.append(text("more_errors", lang, n=self.more))
        return "\n".join(lines)


class _Rollback(Exception):
    pass


# -- import ---------------------------------------------------------------------------------------
def import_path(path: Path, update: bool = False, lang: str | None = None) -> ImportResult:
    """Import a folder of CSV files or an .xlsx workbook; all or nothing (see the module docstring)."""
    lang = language(lang)
    path = Path(path)
    errors = ErrorLog(ERROR_CAP)
    counts: dict[str, int] = {}
    try:
        source = reading.open_source(path)
    except Exception as exc:  # not a folder, not a workbook: one error, nothing to roll back
        errors.add(RowError(path.name or str(path), 0, None, None, "unreadable",
                            {"detail": exc.__class__.__name__}))
        return ImportResult(False, errors.errors, {}, errors.more, update, lang)
    try:
        names = ", ".join(t.file for t in tables.ORDER)
        for name in source.unknown():
            errors.add(RowError(name, 0, None, None, "unknown_table", {"names": names}))
        present = set(source.tables())
        if not present:
            errors.add(RowError(path.name, 0, None, None, "no_tables"))
        parallel = _parallel()
        if parallel:
            keyring.keyring()  # loaded (or created) before the parsing process forks, which inherits it
        with contextlib.suppress(_Rollback), _large_cache(), transaction.atomic():
            importer = _Importer(errors, update, lang)
            for table in tables.ORDER:
                if table.name not in present:
                    continue
                reader, batches = reading.read_batches(source, table, errors, lang, BATCH, _PREPARE.get(table.name),
                                                         parallel)
                if reader is None or not reader.ok:
                    importer.skipped.add(table.name)
                    continue
                counts[table.name] = importer.run(table, reader, batches)
                if table.name == "kasus":
                    counts["anak"] = importer.children_created
            importer.finish()
            # once per import: the units written, and the tree when the unit table was read
            dataversion.advance(importer.touched)
            if "unit" in counts:
                dataversion.advance_tree()
            if source.dates is not None:
                source.dates.finish(errors)  # a workbook's slash dates, over all its sheets
            if errors:
                raise _Rollback
    finally:
        source.close()
    ok = not errors
    return ImportResult(ok, sorted(errors.errors, key=_error_order), counts if ok else {}, errors.more, update, lang,
                        list(source.notices))


_TABLE_POSITION = {t.name: i for i, t in enumerate(tables.ORDER)}
_LABEL_TABLE = re.compile(r"(?:\[(\w+)\]$)|(?:^(\w+)\.csv$)|(?:^(\w+) \()")


def _error_order(error: RowError) -> tuple[int, str, int]:
    """Errors by table in import order, then line: parent units and the update-mode checks of kept
    rows are reported after the rows they concern, and a report reads best in file order."""
    m = _LABEL_TABLE.search(error.file)
    name = next((g for g in m.groups() if g), "") if m else ""
    return _TABLE_POSITION.get(name.lower(), -1 if not error.line else len(_TABLE_POSITION)), error.file, error.line


SQLITE_IMPORT_CACHE_KIB = 64 * 1024  # page cache of an import on SQLite (a fixed bound, not per case)


SQLITE_SORT_CACHE_KIB = 8 * 1024  # page cache while sorting all new children (see _end_kasus)


def _large_cache() -> contextlib.AbstractContextManager[None]:
    """SQLite: a bigger page cache while importing (bounded, so memory stays flat). With the default
    2 MB the indexes of a large import no longer fit and every insert pays for page spills."""
    return _sqlite_cache(SQLITE_IMPORT_CACHE_KIB)


@contextlib.contextmanager
def _sqlite_cache(kib: int) -> Iterator[None]:
    """SQLite's page cache set to `kib` KiB for a while. SQLite's sorter may hold as much memory as
    the page cache besides it, so a big sort runs under a small cache to keep the peak flat."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as c:
        c.execute("PRAGMA cache_size")
        before = c.fetchone()[0]
        c.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute(f"PRAGMA cache_size = {int(before)}")


_SEEN = "kinerja_import_seen"
_PSEUDO = "kinerja_import_pseudonym"
KIND_CASE, KIND_CHILD, KIND_ACTION_CASE, KIND_REFERRAL_CASE, KIND_CHILD_CASES = 1, 2, 3, 4, 5


class _Scratch:
    """Temporary tables of one import: what must be remembered across batches, kept out of memory.

    Created inside the import's transaction, so a rollback removes them; dropped before commit."""

    def __init__(self) -> None:
        with connection.cursor() as c:
            for name in (_SEEN, _PSEUDO):
                c.execute(f"DROP TABLE IF EXISTS {name}")
            c.execute(f"CREATE TEMPORARY TABLE {_SEEN} (kind integer NOT NULL, a bigint NOT NULL, "
                      f"PRIMARY KEY (kind, a))")
            c.execute(f"CREATE TEMPORARY TABLE {_PSEUDO} (id bigint PRIMARY KEY, p varchar(32) NOT NULL)")

    def add(self, kind: int, ids: Iterable[int]) -> None:
        rows = [(kind, i) for i in set(ids)]
        if rows:
            with connection.cursor() as c:
                c.executemany(f"INSERT INTO {_SEEN} (kind, a) VALUES (%s, %s) ON CONFLICT DO NOTHING", rows)

    def has(self, kind: int, ids: Iterable[int]) -> set[int]:
        ids = list(set(ids))
        found: set[int] = set()
        with connection.cursor() as c:
            for i in range(0, len(ids), 900):
                part = ids[i:i + 900]
                marks = ", ".join(["%s"] * len(part))
                c.execute(f"SELECT a FROM {_SEEN} WHERE kind = %s AND a IN ({marks})", [kind, *part])
                found.update(r[0] for r in c.fetchall())
        return found

    def put_pseudonyms(self, rows: list[tuple[int, str]]) -> None:
        with connection.cursor() as c:
            c.executemany(f"INSERT INTO {_PSEUDO} (id, p) VALUES (%s, %s)", rows)

    def apply_pseudonyms(self) -> None:
        table = Child._meta.db_table
        with connection.cursor() as c:
            c.execute(f"UPDATE {table} SET pseudonym = (SELECT p FROM {_PSEUDO} WHERE {_PSEUDO}.id = {table}.id) "
                      f"WHERE id IN (SELECT id FROM {_PSEUDO})")
            c.execute(f"DELETE FROM {_PSEUDO}")

    def delete_replaced(self, model: type[Model], kind: int, start: int) -> int:
        """Delete the rows that existed before this import of the cases the file replaced."""
        with connection.cursor() as c:
            c.execute(f"DELETE FROM {model._meta.db_table} WHERE id <= %s AND case_id IN "
                      f"(SELECT a FROM {_SEEN} WHERE kind = %s)", [start, kind])
            return max(c.rowcount, 0)

    def drop(self) -> None:
        with connection.cursor() as c:
            for name in (_SEEN, _PSEUDO):
                c.execute(f"DROP TABLE IF EXISTS {name}")


class _FastInsert:
    """INSERT of many rows given as tuples, for the big tables (children, cases, actions, referrals).

    bulk_create spends about 10 µs of Python per value preparing it; at seven actions per case that
    alone would take minutes for 100,000 cases. Here each column gets one cheap converter to what the
    backend stores (as Django would: SQLite keeps naive UTC text times and hex UUIDs), and PostgreSQL
    receives the rows through COPY. Only fields without database-side logic are written this way."""

    def __init__(self, model: type[Model], fields: list[str], update: bool = False) -> None:
        meta = model._meta
        self.columns = [meta.get_field(f).column for f in fields]
        self.table = meta.db_table
        self.postgres = connection.vendor == "postgresql"
        self.convert: list[Callable[[Any], Any] | None] = [
            None if self.postgres else _sqlite_converter(meta.get_field(f)) for f in fields]
        self.update = update  # rows are then the fields' values followed by the id (bulk_update is far slower)

    def __call__(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as c:
            if self.update:
                self._convert(rows)
                sets = ", ".join(f"{connection.ops.quote_name(col)} = %s" for col in self.columns)
                c.executemany(f"UPDATE {connection.ops.quote_name(self.table)} SET {sets} WHERE id = %s", rows)
                return
            if self.postgres:
                with c.cursor.copy(f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            self._convert(rows)
            marks = ", ".join(["%s"] * len(self.columns))
            c.executemany(f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})", rows)

    def _convert(self, rows: list[list[Any]]) -> None:
        for i, f in enumerate(self.convert):  # column by column, in place (rows are lists)
            if f is not None:
                for row in rows:
                    value = row[i]
                    if value is not None:
                        row[i] = f(value)


def _sqlite_converter(f: Any) -> Callable[[Any], Any] | None:
    from django.db import models

    if isinstance(f, models.DateTimeField):
        tz = connection.timezone
        # str() of the naive time in the connection's zone (UTC), as Django's SQLite backend stores it
        return lambda v: str(v.replace(tzinfo=None) if v.tzinfo is tz else v.astimezone(tz).replace(tzinfo=None))
    if isinstance(f, models.DateField):
        return lambda v: v.isoformat()
    if isinstance(f, models.UUIDField):
        return lambda v: v.replace("-", "") if v.__class__ is str else v.hex
    return None


def _uuid7_texts(n: int) -> list[str]:
    """n time-ordered (version 7) UUIDs in canonical text form: millisecond time, a 12-bit counter,
    62 random bits.

    Rows created together get neighbouring uids, so the unique index on uid grows at its end instead
    of taking random page writes (with version 4 they cost about a quarter of the insert time)."""
    ms = f"{_time.time_ns() // 1_000_000:012x}"
    head = f"{ms[:8]}-{ms[8:]}-7"
    rand = os.urandom(8 * n).hex()
    out = []
    for i in range(n):
        r = rand[16 * i:16 * i + 16]
        out.append(f"{head}{i & 0xFFF:03x}-{'89ab'[int(r[0], 16) & 3]}{r[1:4]}-{r[4:16]}")
    return out


class _NewChild:
    """A child created by this import, before it is inserted: a plain object (a model instance costs
    more than the rest of the row), with the attributes services.set_identity writes."""

    __slots__ = ("pk", "uid", "unit_id", "child_key", "pseudonym", "initials", "sex", "birth_date", "age_at_report",
                 "disability", "kecamatan", "name_enc", "nik_enc", "nik_index", "_plain_name")

    def __init__(self, unit_id: int, child_key: str) -> None:
        self.pk: int | None = None
        self.uid = _uuid7_texts(1)[0]
        self.unit_id, self.child_key = unit_id, child_key
        self.pseudonym = "~" + self.uid[-31:]  # unique placeholder until _end_kasus numbers it
        self.initials, self.sex, self.kecamatan, self.nik_index = "-", "", "", ""
        self.birth_date = self.age_at_report = self.name_enc = self.nik_enc = None
        self.disability = False
        self._plain_name: str | None = None


def _by_unit_keys(model: type[Model], column: str, keys: Iterable[tuple[int, str]], *extra: str
                  ) -> Iterator[tuple[Any, ...]]:
    """Rows (id, unit_id, key, *extra) of `model` whose (unit_id, column) is among keys."""
    by_unit: dict[int, set[str]] = defaultdict(set)
    for unit_id, key in keys:
        by_unit[unit_id].add(key)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(["id", "unit_id", column, *extra])
    with connection.cursor() as c:
        for unit_id, values in by_unit.items():
            values_list = list(values)
            for i in range(0, len(values_list), 5000):
                part = values_list[i:i + 5000]
                c.execute(f"SELECT {cols} FROM {table} WHERE unit_id = %s AND {column} IN "
                          f"({', '.join(['%s'] * len(part))})", [unit_id, *part])
                yield from c.fetchall()


def _db_time(value: Any) -> dt.datetime:
    """A datetime column read with plain SQL: aware on PostgreSQL, naive UTC text on SQLite."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


_BAD = object()  # a reference that does not resolve (its error is already logged)
_UID, _NOTES, _CHILD = "_uid", "_notes", "_child"  # prepared values (column names never start with _)


class _Importer:
    def __init__(self, errors: ErrorLog, update: bool, lang: str) -> None:
        self.errors, self.update, self.lang = errors, update, lang
        self.units: dict[str, int] = dict(Unit.objects.values_list("code", "id"))
        self.touched: set[int] = set()  # units whose records the file wrote (their data version advances)
        self.users: dict[str, int] = dict(Staff.objects.values_list("username", "id"))
        self.start: dict[type[Model], int] = {
            m: m.objects.aggregate(m=Max("id"))["m"] or 0
            for m in (Case, Child, Action, Referral, SurveyResponse, Complaint)
        }
        self.skipped: set[str] = set()
        self.failed_units: set[str] = set()
        self.failed_users: set[str] = set()
        self.failed_cases: set[tuple[str, str]] = set()
        self.children_created = 0
        self.scratch = _Scratch()
        # small tables (units, users, budget lines, ...) remember their keys in memory
        self.keys_in_file: dict[str, dict[tuple[Any, ...], int]] = defaultdict(dict)
        self.unit_parents: list[tuple[str, int, str | None]] = []
        self.units_in_file: set[str] = set()
        self.users_in_file: set[str] = set()
        self.notes_column = True
        self.insert_children = _FastInsert(Child, _CHILD_INSERT)
        self.insert_cases = _FastInsert(Case, _CASE_INSERT)
        self.update_cases: dict[tuple[str, ...], _FastInsert] = {}
        self.update_children = _FastInsert(Child, _CHILD_FIELDS, update=True)
        self.insert_actions = _FastInsert(Action, _ACTION_INSERT)
        self.insert_referrals = _FastInsert(Referral, ["case", "partner", "sent_at", "acknowledged_at", "result", "unit"])
        self.insert_surveys = _FastInsert(SurveyResponse, ["unit", "date", "respondent_type", *tables.SKM_COLUMNS])
        self.insert_complaints = _FastInsert(Complaint, ["unit", "received_at", "resolved_at", "channel", "topic"])

    # -- plumbing -----------------------------------------------------------------------------
    def err(self, reader: reading.TableReader, line: int, column: str | None, value: Any, rule: str,
            **params: Any) -> None:
        col = reader.table.column_map.get(column or "")
        shown = format_time(value) if isinstance(value, dt.datetime) else shown_value(col, value)
        self.errors.add(RowError(reader.label, line, column, shown, rule, params))

    def run(self, table: tables.Table, reader: reading.TableReader, batches: Iterator[list[Row]]) -> int:
        handler: Callable[[reading.TableReader, list[Row]], int] = getattr(self, f"_{table.name}")
        written = 0
        try:
            for batch in batches:
                written += self._batch(handler, reader, batch)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:  # stops a parsing process at once if a batch raised
                close()
        end = getattr(self, f"_end_{table.name}", None)
        if end is not None:
            end(reader)
        return written

    def _batch(self, handler: Callable[[reading.TableReader, list[Row]], int],
               reader: reading.TableReader, batch: list[Row]) -> int:
        """One batch in a savepoint: a row the database refuses (a rule this importer missed) becomes
        an error for the batch instead of breaking the transaction."""
        try:
            with transaction.atomic():
                return handler(reader, batch)
        except DatabaseError as exc:
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
            self.errors.add(RowError(reader.label, batch[0][0], None, None, "database",
                                     {"detail": f"{detail} (<= {batch[-1][0]})"}))
            return 0

    def unit_of(self, reader: reading.TableReader, line: int, v: dict[str, Any], column: str = "kode_unit"
                ) -> Any:
        code = v.get(column)
        if code is None:
            return None
        uid = self.units.get(code)
        if uid is None:
            if code not in self.failed_units and "unit" not in self.skipped:
                self.err(reader, line, column, code, "unit_unknown")
            return _BAD
        self.touched.add(uid)
        return uid

    def user_of(self, reader: reading.TableReader, line: int, v: dict[str, Any], column: str) -> Any:
        name = v.get(column)
        if name is None:
            return None
        uid = self.users.get(name)
        if uid is None:
            if name not in self.failed_users and "pegawai" not in self.skipped:
                self.err(reader, line, column, name, "user_unknown")
            return _BAD
        return uid

    def fail_case(self, v: dict[str, Any]) -> None:
        if len(self.failed_cases) < FAILED_KEYS_CAP:
            self.failed_cases.add((v.get("kode_unit"), v.get("nomor_kasus")))  # type: ignore[arg-type]

    def cases_by_key(self, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, dt.datetime]]:
        """(unit id, case number) -> (case id, reported_at) for a batch: one plain query per unit (the
        ORM's per-parameter preparation of a 2,000-item IN list costs more than the query)."""
        return {(u, n): (i, _db_time(r)) for i, u, n, r in _by_unit_keys(Case, "number", keys, "reported_at")}

    # -- unit -----------------------------------------------------------------------------------
    def _unit(self, reader: reading.TableReader, batch: list[Row]) -> int:
        create: list[Unit] = []
        change: list[Unit] = []
        for line, v, ok in batch:
            code = v.get("kode_unit")
            if not ok:
                if code:
                    self.failed_units.add(code)
                continue
            if code in self.units_in_file:
                self.err(reader, line, "kode_unit", code, "duplicate_in_file", key=code, where="")
                continue
            self.units_in_file.add(code)
            unit = Unit(code=code, name=v["nama"], region_code=v.get("kode_wilayah") or "", parent=None)
            if code in self.units:
                if not self.update:
                    self.err(reader, line, "kode_unit", code, "exists", key=code)
                    continue
                unit.pk = self.units[code]
                change.append(unit)
            else:
                create.append(unit)
            self.unit_parents.append((code, line, v.get("induk")))
        Unit.objects.bulk_create(create)
        for unit in create:
            self.units[unit.code] = unit.pk
        if change:
            Unit.objects.bulk_update(change, ["name", "region_code", "parent"])
        return len(create) + len(change)

    def _end_unit(self, reader: reading.TableReader) -> None:
        """Parents are set once every unit of the file exists, so a file may list them in any order."""
        parents: dict[int, int | None] = dict(Unit.objects.values_list("id", "parent_id"))
        change = []
        for code, line, parent_code in self.unit_parents:
            if parent_code is None:
                continue
            pid = self.units.get(parent_code)
            if pid is None:
                if parent_code not in self.failed_units:
                    self.err(reader, line, "induk", parent_code, "unit_unknown")
                continue
            parents[self.units[code]] = pid
            change.append((code, line, parent_code, pid))
        for code, line, parent_code, pid in change:
            node, steps = pid, 0
            while node is not None and steps <= len(parents):
                if node == self.units[code]:
                    self.err(reader, line, "induk", parent_code, "unit_cycle")
                    break
                node, steps = parents.get(node), steps + 1
        Unit.objects.bulk_update([Unit(pk=self.units[code], parent_id=pid) for code, _, _, pid in change],
                                 ["parent"], batch_size=BATCH)
        self.unit_parents = []

    # -- pegawai --------------------------------------------------------------------------------
    def _pegawai(self, reader: reading.TableReader, batch: list[Row]) -> int:
        create: list[Staff] = []
        change: list[Staff] = []
        for line, v, ok in batch:
            name = v.get("username")
            if name is not None and not _USERNAME.fullmatch(name):
                self.err(reader, line, "username", name, "username")
                ok = False
            unit_id = self.unit_of(reader, line, v)
            if not ok or unit_id is _BAD:
                if name:
                    self.failed_users.add(name)
                continue
            if name in self.users_in_file:
                self.err(reader, line, "username", name, "duplicate_in_file", key=name, where="")
                continue
            self.users_in_file.add(name)
            if name in self.users:
                if not self.update:
                    self.err(reader, line, "username", name, "exists", key=name)
                    continue
                change.append(Staff(pk=self.users[name], full_name=v["nama"], unit_id=unit_id, role=v["peran"]))
            else:
                create.append(Staff(username=name, full_name=v["nama"], unit_id=unit_id, role=v["peran"],
                                    password=make_password(None)))
        # bulk writes skip the account signals, so the audit chain is written here
        before = accounts.states_by_username([u.username for u in Staff.objects.filter(pk__in=[c.pk for c in change])])
        Staff.objects.bulk_create(create)
        for user in create:
            self.users[user.username] = user.pk
        if change:
            Staff.objects.bulk_update(change, ["full_name", "unit", "role"])
        accounts.audit_import(accounts.current_actor(), [u.username for u in create], before)
        return len(create) + len(change)

    # -- kasus ----------------------------------------------------------------------------------
    def _kasus(self, reader: reading.TableReader, batch: list[Row]) -> int:
        present = reader.present
        rows = []
        for line, v, ok in batch:
            unit_id = self.unit_of(reader, line, v)
            worker_id = self.user_of(reader, line, v, "peksos")
            if not ok or unit_id is _BAD or worker_id is _BAD:
                self.fail_case(v)
                continue
            rows.append((line, v, unit_id, worker_id))
        if not rows:
            return 0
        existing = self.cases_by_key((u, v["nomor_kasus"]) for _, v, u, _ in rows)
        child_ids = [i for i, _, _ in _by_unit_keys(Child, "child_key", ((u, v["kode_anak"]) for _, v, u, _ in rows))]
        children: dict[tuple[int, str], Child] = {
            (c.unit_id, c.child_key): c for c in Child.objects.filter(id__in=child_ids)} if child_ids else {}
        seen_cases: set[int] = set()
        seen_children: set[int] = set()
        if self.update:
            seen_cases = self.scratch.has(KIND_CASE, [i for i, _ in existing.values()])
            seen_children = self.scratch.has(KIND_CHILD, [c.pk for c in children.values()])
        start_case, start_child = self.start[Case], self.start[Child]
        in_batch: dict[tuple[int, str], int] = {}
        batch_children: dict[tuple[int, str], Child] = {}
        new_children: list[_NewChild] = []
        replaced: dict[int, Child] = {}  # children of the database (or of an earlier batch) changed here
        new_cases: list[list[Any]] = []
        changed: list[tuple[int, list[Any]]] = []
        for line, v, unit_id, worker_id in rows:
            number = v["nomor_kasus"]
            key = (unit_id, number)
            shown_key = f"{v['kode_unit']}/{number}"
            if key in in_batch:
                self.err(reader, line, "nomor_kasus", number, "duplicate_in_file", key=shown_key,
                         where=text("line_of", self.lang, line=in_batch[key]))
                continue
            case_id = None
            found = existing.get(key)
            if found is not None:
                if found[0] > start_case or found[0] in seen_cases:
                    self.err(reader, line, "nomor_kasus", number, "duplicate_in_file", key=shown_key, where="")
                    continue
                if not self.update:
                    self.err(reader, line, "nomor_kasus", number, "exists", key=shown_key)
                    self.fail_case(v)
                    continue
                case_id = found[0]
            ckey = (unit_id, v["kode_anak"])
            child = batch_children.get(ckey)
            if child is None:
                child = children.get(ckey)
                if child is None:
                    child = v[_CHILD]  # made, identity encrypted, by _prepare_kasus
                    child.unit_id = unit_id
                    new_children.append(child)
                elif self.update and child.pk <= start_child and child.pk not in seen_children:
                    _apply_child(child, v, present)  # the file's first row of a known child corrects it
                    replaced[child.pk] = child
                elif not self._same_child(reader, line, child, v, present, replaced):
                    self.fail_case(v)
                    continue
                batch_children[ckey] = child
            elif not self._same_child(reader, line, child, v, present, replaced):
                self.fail_case(v)
                continue
            in_batch[key] = line
            reported = v["dilaporkan_pada"]
            fields = [unit_id, number, child, v["kategori"], v["sumber_rujukan"], v["tingkat_risiko"],
                      reported, worker_id, bool(v.get("persetujuan")), v.get("ditutup_pada"),
                      v.get("alasan_penutupan") or "",
                      rules.age_at_report(v.get("usia"), child.birth_date, reported),
                      v.get("kecamatan") or "", v.get("disabilitas")]
            if case_id:
                changed.append((case_id, fields))
            else:
                new_cases.append(fields)
        self.insert_children([[getattr(c, f) for f in _CHILD_INSERT] for c in new_children])
        if new_children:
            ids = {(u, k): i for i, u, k in _by_unit_keys(Child, "child_key", ((c.unit_id, c.child_key)
                                                                              for c in new_children))}
            for c in new_children:
                c.pk = ids[(c.unit_id, c.child_key)]
        self.children_created += len(new_children)
        if replaced:
            self.update_children([[getattr(c, f) for f in _CHILD_FIELDS] + [c.pk] for c in replaced.values()])
            if self.update:
                self.scratch.add(KIND_CHILD, list(replaced))
        # known children that got a case: their current values are taken from their latest case
        self.scratch.add(KIND_CHILD_CASES, [c.pk for c in batch_children.values() if c.pk and c.pk <= start_child])
        for fields in new_cases:
            fields[2] = fields[2].pk
        self.insert_cases(new_cases)
        if changed:
            # a report column the file lacks keeps the case's value (an age: unless a birth date gives it)
            kept = {i for i, (field, columns) in enumerate(_CASE_REPORT_FIELDS, start=len(_CASE_INSERT) - 3)
                    if not present & columns}
            names = tuple(f for i, f in enumerate(_CASE_INSERT) if i >= 2 and i not in kept)
            if names not in self.update_cases:
                self.update_cases[names] = _FastInsert(Case, list(names), update=True)
            self.update_cases[names]([[f[2].pk, *(x for i, x in enumerate(f) if i >= 3 and i not in kept), pk]
                                      for pk, f in changed])
            self.scratch.add(KIND_CASE, [pk for pk, _ in changed])
        return len(new_cases) + len(changed)

    def _same_child(self, reader: reading.TableReader, line: int, child: Child | _NewChild, v: dict[str, Any],
                    present: frozenset[str], changed: dict[int, Child]) -> bool:
        """A further case row of a known child: its name, NIK, sex and birth date must not contradict
        the record (rules.child_conflicts); what it states that the record lacks is added to it."""
        recorded: dict[str, Any] = {"jenis_kelamin": child.sex, "tanggal_lahir": child.birth_date,
                                    "nik": child.nik_index or None}
        given: dict[str, Any] = {c: v.get(c) for c in ("jenis_kelamin", "tanggal_lahir") if c in present}
        if "nik" in present:
            given["nik"] = keyring.nik_index(v["nik"]) if v.get("nik") else None
        if "nama_anak" in present and v.get("nama_anak"):
            stored_name = getattr(child, "_plain_name", _BAD)
            if stored_name is _BAD:
                stored_name = keyring.decrypt_child_field(child.uid, "name", child.name_enc)
                child._plain_name = stored_name  # type: ignore[attr-defined]
            recorded["nama_anak"], given["nama_anak"] = stored_name, v["nama_anak"]
        conflicts = rules.child_conflicts(recorded, given)
        for column in conflicts:
            other = HIDDEN if reader.table.column_map[column].identity else _shown(recorded[column])
            self.err(reader, line, column, v.get(column), "child_inconsistent", child=child.child_key, field=column,
                     other=other)
        if conflicts:
            return False
        added = rules.child_additions(recorded, given)
        if not added:
            return True
        if "tanggal_lahir" in added:
            child.birth_date = added["tanggal_lahir"]
        identity_values = {}
        if "nama_anak" in added:
            identity_values["name"] = child._plain_name = v["nama_anak"]  # type: ignore[union-attr]
        if "nik" in added:
            identity_values["nik"] = v["nik"]
        if identity_values:
            services.set_identity(child, **identity_values)  # type: ignore[arg-type]
        if child.pk:  # already in the database: written with the batch; a new one is inserted as it is now
            changed[child.pk] = child  # type: ignore[assignment]
        return True

    def _end_kasus(self, reader: reading.TableReader) -> None:
        """Pseudonyms of the new children, numbered per unit and WIB year of first report, in order of
        first report (then kode_anak), continuing each unit's existing numbers; and the current age,
        kecamatan and disability of every child that got a case, from its latest case that states them."""
        start = self.start[Child]
        self._current_values(start)
        if not Child.objects.filter(id__gt=start).exists():
            return
        counters: dict[tuple[int, int], int] = {}
        for unit_id, pseudonym in Child.objects.filter(id__lte=start).values_list("unit_id", "pseudonym").iterator(
                chunk_size=5000):
            m = _PSEUDONYM.fullmatch(pseudonym)
            if m:
                k = (unit_id, int(m.group(1)))
                counters[k] = max(counters.get(k, 0), int(m.group(2)))
        rows = (Child.objects.filter(id__gt=start).annotate(first=Min("kasus__reported_at"))
                .order_by("unit_id", "first", "child_key", "id").values_list("id", "unit_id", "first"))
        buf: list[tuple[int, str]] = []
        with _sqlite_cache(SQLITE_SORT_CACHE_KIB):  # sorting a million children used 50 MB more
            self._number_children(rows, counters, buf)
        if buf:
            self.scratch.put_pseudonyms(buf)
        self.scratch.apply_pseudonyms()

    def _current_values(self, start: int) -> None:
        """Each child that got a case here takes age, kecamatan and disability from its latest case
        that states them (domain.md); one UPDATE with a subquery per value, on both backends."""
        def latest(field: str, **exclude: Any) -> Subquery:
            return Subquery(Case.objects.filter(child_id=OuterRef("pk")).exclude(**exclude)
                            .order_by("-reported_at", "-id").values(field)[:1])

        touched = Q(id__gt=start) | Q(id__in=RawSQL(f"SELECT a FROM {_SEEN} WHERE kind = %s", (KIND_CHILD_CASES,)))
        Child.objects.filter(touched).update(
            age_at_report=Coalesce(latest("age_at_report", age_at_report=None), F("age_at_report")),
            kecamatan=Coalesce(latest("kecamatan", kecamatan=""), F("kecamatan")),
            disability=Coalesce(latest("disability", disability=None), F("disability")))

    def _number_children(self, rows: Any, counters: dict[tuple[int, int], int], buf: list[tuple[int, str]]) -> None:
        for child_id, unit_id, first in rows.iterator(chunk_size=5000):
            if first is None:  # a child whose case a database error dropped; the import fails anyway
                continue
            year = first.astimezone(WIB).year
            n = counters.get((unit_id, year), 0) + 1
            counters[(unit_id, year)] = n
            buf.append((child_id, f"A-{year}-{n:04d}"))
            if len(buf) >= 5000:
                self.scratch.put_pseudonyms(buf)
                buf.clear()

    # -- tindakan -------------------------------------------------------------------------------
    def _case_rows(self, reader: reading.TableReader, batch: list[Row], users: tuple[str, ...]
                   ) -> list[tuple[int, dict[str, Any], int, list[Any], dt.datetime, int]]:
        """Rows whose unit, users and case resolve, with (line, values, case id, user ids, reported_at,
        unit id)."""
        rows = []
        units, known_users = self.units, self.users
        for line, v, ok in batch:
            unit_id = units.get(v["kode_unit"]) if ok else None  # the common case, without a call
            if unit_id is None:
                unit_id = self.unit_of(reader, line, v)
            else:
                self.touched.add(unit_id)
            ids = []
            for c in users:
                name = v.get(c)
                uid = known_users.get(name) if name is not None else None
                if uid is None and name is not None:
                    uid = self.user_of(reader, line, v, c)  # logs the unknown username
                ids.append(uid)
            if ok and unit_id is not _BAD and _BAD not in ids:
                rows.append((line, v, unit_id, ids))
        cases = self.cases_by_key((u, v["nomor_kasus"]) for _, v, u, _ in rows)
        out = []
        for line, v, unit_id, ids in rows:
            found = cases.get((unit_id, v["nomor_kasus"]))
            if found is None:
                if "kasus" not in self.skipped and (v["kode_unit"], v["nomor_kasus"]) not in self.failed_cases:
                    self.err(reader, line, "nomor_kasus", v["nomor_kasus"], "case_unknown", unit=v["kode_unit"],
                             number=v["nomor_kasus"])
                continue
            out.append((line, v, found[0], ids, found[1], unit_id))
        return out

    def _tindakan(self, reader: reading.TableReader, batch: list[Row]) -> int:
        self.notes_column = "catatan" in reader.present
        actions: list[list[Any]] = []
        for line, v, case_id, ids, reported, unit_id in self._case_rows(reader, batch, ("petugas", "disetujui_oleh")):
            when = v["waktu"]
            if when < reported:
                self.err(reader, line, "waktu", when, "before_report", reported=format_time(reported))
                continue
            actions.append([v[_UID], case_id, v["tahap"], v.get("layanan") or "", when, ids[0], v.get("biaya"),
                            ids[1], v.get("disetujui_pada"), v.get("kendala") or "", v[_NOTES], unit_id])
        if self.update and actions:
            case_ids = {a[_A_CASE] for a in actions}
            self.scratch.add(KIND_ACTION_CASE, case_ids)
            if not self.notes_column:
                self._carry_notes(actions, case_ids)
        self.insert_actions(actions)
        return len(actions)

    def _carry_notes(self, actions: list[list[Any]], case_ids: set[int]) -> None:
        """Notes of replaced actions move to the new action with the same case, stage and time."""
        old: dict[tuple[int, str, dt.datetime], list[tuple[uuid.UUID, bytes]]] = defaultdict(list)
        for case_id, stage, time, uid, blob in (
                Action.objects.filter(case_id__in=case_ids, id__lte=self.start[Action], notes_enc__isnull=False)
                .order_by("id").values_list("case_id", "stage", "time", "uid", "notes_enc")):
            old[(case_id, stage, time)].append((uid, bytes(blob)))
        for a in actions:
            match = old.get((a[_A_CASE], a[_A_STAGE], a[_A_TIME]))
            if match:
                uid, blob = match.pop(0)
                a[_A_NOTES] = keyring.encrypt_action_notes(a[_A_UID], keyring.decrypt_action_notes(uid, blob))

    def _end_tindakan(self, reader: reading.TableReader) -> None:
        if self.update:
            self.scratch.delete_replaced(Action, KIND_ACTION_CASE, self.start[Action])
        # the derived stage times of every case that got actions (in update mode, exactly the cases
        # whose actions were replaced): the bulk insert and delete send no signals
        services.refresh_stage_times(Case.objects.filter(
            pk__in=Action.objects.filter(id__gt=self.start[Action]).values("case_id")))

    # -- rujukan --------------------------------------------------------------------------------
    def _rujukan(self, reader: reading.TableReader, batch: list[Row]) -> int:
        referrals: list[list[Any]] = []
        for line, v, case_id, _, reported, unit_id in self._case_rows(reader, batch, ()):
            sent, ack = v["dikirim_pada"], v.get("diterima_pada")
            bad = False
            if sent < reported:
                self.err(reader, line, "dikirim_pada", sent, "before_report", reported=format_time(reported))
                bad = True
            if ack is not None and ack < reported:
                self.err(reader, line, "diterima_pada", ack, "before_report", reported=format_time(reported))
                bad = True
            if not bad:
                referrals.append([case_id, v["mitra"], sent, ack, v.get("hasil") or "", unit_id])
        if self.update and referrals:
            self.scratch.add(KIND_REFERRAL_CASE, {r[0] for r in referrals})
        self.insert_referrals(referrals)
        return len(referrals)

    def _end_rujukan(self, reader: reading.TableReader) -> None:
        if self.update:
            self.scratch.delete_replaced(Referral, KIND_REFERRAL_CASE, self.start[Referral])

    # -- survei, pengaduan ------------------------------------------------------------------------
    def _grouped_replace(self, model: type[Model], field_name: str, keys: Iterable[tuple[int, Any]]) -> None:
        """Update mode: delete the rows that existed before this import in the groups the file gives."""
        by_unit: dict[int, set[Any]] = defaultdict(set)
        for unit_id, value in keys:
            by_unit[unit_id].add(value)
        for unit_id, values in by_unit.items():
            model.objects.filter(id__lte=self.start[model], unit_id=unit_id,
                                 **{f"{field_name}__in": list(values)}).delete()

    def _survei(self, reader: reading.TableReader, batch: list[Row]) -> int:
        rows: list[list[Any]] = []
        for line, v, ok in batch:
            unit_id = self.unit_of(reader, line, v)
            if ok and unit_id is not _BAD:
                rows.append([unit_id, v["tanggal"], v.get("jenis_responden") or "",
                             *[v.get(u) for u in tables.SKM_COLUMNS]])
        if self.update:
            self._grouped_replace(SurveyResponse, "date", ((r[0], r[1]) for r in rows))
        self.insert_surveys(rows)
        return len(rows)

    def _pengaduan(self, reader: reading.TableReader, batch: list[Row]) -> int:
        rows: list[list[Any]] = []
        for line, v, ok in batch:
            unit_id = self.unit_of(reader, line, v)
            if ok and unit_id is not _BAD:
                rows.append([unit_id, v["diterima_pada"], v.get("diselesaikan_pada"), v.get("kanal") or "",
                             v.get("pokok") or ""])
        if self.update:
            self._grouped_replace(Complaint, "received_at", ((r[0], r[1]) for r in rows))
        self.insert_complaints(rows)
        return len(rows)

    # -- keyed reference tables ---------------------------------------------------------------------
    def _keyed(self, reader: reading.TableReader, batch: list[Row], model: type[Model],
               key_fields: tuple[str, ...], make: Callable[[int, dict[str, Any]], dict[str, Any]]) -> int:
        """Tables with a natural key (unit, tahun[, kegiatan | indikator]); they are small, so the
        keys seen in the file are remembered in memory."""
        seen = self.keys_in_file[reader.table.name]
        rows = []
        for line, v, ok in batch:
            unit_id = self.unit_of(reader, line, v)
            if ok and unit_id is not _BAD:
                values = make(unit_id, v)
                rows.append((line, tuple(values[f] for f in key_fields), values))
        units = {r[1][0] for r in rows}
        years = {r[1][1] for r in rows}
        existing = {tuple(k[:-1]): k[-1] for k in model.objects.filter(unit_id__in=units, year__in=years)
                    .values_list(*key_fields, "id")}
        create, change = [], []
        key_columns = reader.table.key
        codes = {uid: code for code, uid in self.units.items() if uid in units}
        for line, key, values in rows:
            shown = "/".join(str(k) for k in (codes.get(key[0], key[0]), *key[1:]))
            if key in seen:
                self.err(reader, line, key_columns[-1], str(key[-1]), "duplicate_in_file", key=shown,
                         where=text("line_of", self.lang, line=seen[key]))
                continue
            seen[key] = line
            if key in existing:
                if not self.update:
                    self.err(reader, line, key_columns[-1], str(key[-1]), "exists", key=shown)
                    continue
                change.append(model(pk=existing[key], **values))
            else:
                create.append(model(**values))
        model.objects.bulk_create(create)
        if change:
            model.objects.bulk_update(change, _UPDATABLE[model])
        return len(create) + len(change)

    def _anggaran(self, reader: reading.TableReader, batch: list[Row]) -> int:
        return self._keyed(reader, batch, BudgetLine, ("unit_id", "year", "activity"), lambda u, v: {
            "unit_id": u, "year": v["tahun"], "activity": v["kegiatan"], "allocation": v["pagu"],
            "realisation": v["realisasi"]})

    def _sdm(self, reader: reading.TableReader, batch: list[Row]) -> int:
        return self._keyed(reader, batch, Staffing, ("unit_id", "year"), lambda u, v: {
            "unit_id": u, "year": v["tahun"], "social_workers": v["peksos"],
            "certified": v["peksos_bersertifikat"]})

    def _sarana(self, reader: reading.TableReader, batch: list[Row]) -> int:
        return self._keyed(reader, batch, Facility, ("unit_id", "year"), lambda u, v: {
            "unit_id": u, "year": v["tahun"], "safe_house_beds": v["kapasitas_rumah_aman"],
            "bed_days": v["hari_rawat"], "vehicles": v.get("kendaraan")})

    def _target(self, reader: reading.TableReader, batch: list[Row]) -> int:
        """A unit's target, or with `username` one social worker's own: that user must be a
        pekerja_sosial of the row's unit."""
        workers: dict[int, Any] = {}
        for line, v, ok in batch:
            if ok and v.get("username") is not None:
                workers[line] = self.user_of(reader, line, v, "username")
        known = {pk: (role, unit) for pk, role, unit in Staff.objects.filter(
            pk__in=[w for w in workers.values() if w is not _BAD]).values_list("pk", "role", "unit_id")}
        checked: list[Row] = []
        for line, v, ok in batch:
            wid = workers.get(line)
            if ok and wid is not None:
                unit_id = self.units.get(v.get("kode_unit"))
                if wid is _BAD:
                    ok = False
                elif known.get(wid) != ("pekerja_sosial", unit_id):
                    self.err(reader, line, "username", v["username"], "target_worker")
                    ok = False
            checked.append((line, {**v, "_worker": wid}, ok))
        return self._keyed(reader, checked, Target, ("unit_id", "year", "worker_id", "indicator"), lambda u, v: {
            "unit_id": u, "year": v["tahun"], "worker_id": v["_worker"], "indicator": v["indikator"],
            "value": v["target"]})

    # -- end ------------------------------------------------------------------------------------
    def finish(self) -> None:
        """Update mode may move a case's report time after actions or referrals the file did not
        replace; those are reported against the database rows."""
        if self.update:
            checks = (
                (Action, "tindakan", "waktu", "time"),
                (Referral, "rujukan", "dikirim_pada", "sent_at"),
                (Referral, "rujukan", "diterima_pada", "acknowledged_at"),
            )
            for model, name, column, attr in checks:
                rows = (model.objects.filter(id__lte=self.start[model], **{f"{attr}__lt": F("case__reported_at")})
                        .values_list("case__unit__code", "case__number", attr, "case__reported_at")[:ERROR_CAP])
                for unit_code, number, when, reported in rows:
                    self.errors.add(RowError(f"{name} ({unit_code}/{number})", 0, column, format_time(when),
                                             "before_report", {"reported": format_time(reported)}))
        self.scratch.drop()


_CHILD_MAP = (  # (kasus column, Child attribute): a new child starts with its first row's values
    ("jenis_kelamin", "sex"),
    ("tanggal_lahir", "birth_date"),
    ("usia", "age_at_report"),
    ("disabilitas", "disability"),
    ("kecamatan", "kecamatan"),
)
_CHILD_INSERT = ["uid", "unit_id", "child_key", "pseudonym", "initials", "sex", "birth_date", "age_at_report",
                 "disability", "kecamatan", "name_enc", "nik_enc", "nik_index"]
_CASE_INSERT = ["unit_id", "number", "child_id", "category", "referral_source", "risk", "reported_at", "worker_id",
                "consent", "closed_at", "closure_reason", "age_at_report", "kecamatan", "disability"]
_CASE_REPORT_FIELDS = (  # the last three of _CASE_INSERT, and the kasus columns that give each
    ("age_at_report", frozenset({"usia", "tanggal_lahir"})),
    ("kecamatan", frozenset({"kecamatan"})),
    ("disability", frozenset({"disabilitas"})),
)
_ACTION_INSERT = ["uid", "case", "stage", "service", "time", "staff", "cost", "approved_by", "approved_at", "obstacle",
                  "notes_enc", "unit"]
_A_UID, _A_CASE, _A_STAGE, _A_TIME, _A_NOTES = 0, 1, 2, 4, 10
_CHILD_FIELDS = ["sex", "birth_date", "age_at_report", "disability", "kecamatan", "name_enc", "nik_enc", "nik_index",
                 "initials"]
_UPDATABLE: dict[type[Model], list[str]] = {
    BudgetLine: ["allocation", "realisation"],
    Staffing: ["social_workers", "certified"],
    Facility: ["safe_house_beds", "bed_days", "vehicles"],
    Target: ["value"],
}


# -- per-row work without the database (run in the parsing process of a parallel import) ---------
def _prepare_kasus(reader: reading.TableReader, batch: list[Row]) -> None:
    """The child each row would create if it is new, identity encrypted; _kasus then only decides
    which of them are new."""
    present = reader.present
    for _, v, ok in batch:
        if ok:
            child = _NewChild(0, v["kode_anak"])
            _apply_child(child, v, present)
            v[_CHILD] = child


def _prepare_tindakan(reader: reading.TableReader, batch: list[Row]) -> None:
    """Each action's uid and its encrypted note, for the whole batch at once."""
    encrypt = keyring.encrypt_action_notes
    for (_, v, _), uid in zip(batch, _uuid7_texts(len(batch)), strict=True):
        v[_UID] = uid
        note = v.get("catatan")
        v[_NOTES] = encrypt(uid, note) if note else None


_PREPARE: dict[str, reading.Prepare] = {"kasus": _prepare_kasus, "tindakan": _prepare_tindakan}


def _parallel() -> bool:
    """Parse large tables in a second process: KINERJA_IMPORT_PARALLEL (auto: when there are 2+ cores)."""
    config = getattr(settings, "KINERJA", None)
    return bool(getattr(config, "import_parallel", False))


def _apply_child(child: Child | _NewChild, v: dict[str, Any], present: frozenset[str]) -> None:
    """Set the child columns the row states (an empty cell or an absent column leaves the value alone)."""
    for column, attr in _CHILD_MAP:
        value = v.get(column)
        if value is not None and value != "":
            setattr(child, attr, value)
    idv = {}
    if v.get("nama_anak"):
        idv["name"] = v["nama_anak"]
        child._plain_name = v["nama_anak"]  # type: ignore[union-attr]
    if v.get("nik"):
        idv["nik"] = v["nik"]
    if idv:
        services.set_identity(child, **idv)  # type: ignore[arg-type]


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(value)


