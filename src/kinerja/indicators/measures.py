"""The indicator engine: every measure of indicators.md, computed in the database.

Design (why it looks like this):
- Each family of measures is one aggregate ORM query (about twenty in all, whatever the number of
  cases or units), grouped by the case's own unit. Portable ORM throughout; the one choice by
  backend is how "the case has an action in P" is asked (_has_action_in_p), for speed only.
- Every measure is a ratio of additive parts (counts, sums, distinct children of one unit), so a
  unit's figure is the sum of its subtree's groups. `compute_many` therefore serves any number of
  units, nested or not, from the same fixed set of queries: that is how all sections of a national
  roll-out are computed for a year.
- Adjacent periods (a scorecard's year and the year before, a trend's years) are computed together
  by `compute_periods`: a family whose records fall in one period only is one query over the joint
  span, grouped by period; the handled cases (whose sets overlap between periods) are read once with
  a FILTER per period; only the plan and the SPM services, which list overlapping sets of cases,
  are asked per period.
- first(c, stage) of the timed stages and the case plan's first approval are read from the case
  itself: the register derives them from the actions on every write (Case.FIRST_FIELDS,
  register.services.refresh_stage_times), so no family joins a case's actions. The covering index
  action_case_cover (case, stage, time, service, obstacle, approved_at) answers a case's in-period
  obstacle and service lookups without reading action rows. One unit's actions and referrals of a
  period are read through the unit copied onto them (the (unit, time) indexes).
- Medians need the values: per case only the few times they are built from are fetched (first
  times per stage, report, sent and acknowledged), never whole cases. The counts over those same
  rows (on-time responses, SOP compliance, unanswered referrals) are made from that one fetch
  rather than by a second query that would look up the same first times again; every other count
  and share stays in SQL. The fetch skips Django's per-value converters (_run), which at national
  scale cost more than the queries. SLA and complaint deadlines are compared as exact durations
  (microseconds).
- Period bounds are WIB dates turned into UTC datetimes (periods.py), so the stored UTC times are
  compared directly and the (unit, reported_at) / (unit, closed_at) indexes apply.
- The ORM builds each query once per shape (_Statement): building and compiling twenty queries
  cost more than running them for a section, and their SQL does not depend on which units,
  worker or categories are asked for, only on how many.
"""

from __future__ import annotations

import copy
import datetime as dt
import statistics
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import NotSupportedError, connections
from django.db.models import (
    BigIntegerField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models import Value as SqlValue

from kinerja import vocab
from kinerja.indicators import cache as figure_cache
from kinerja.indicators import definitions as defs
from kinerja.indicators.achievement import achievement
from kinerja.indicators.periods import Period
from kinerja.register.models import (
    Action,
    BudgetLine,
    Case,
    Complaint,
    Facility,
    Referral,
    Staff,
    Staffing,
    SurveyResponse,
    Target,
    Unit,
)

Value = float | int | None
SKM = [f"u{i}" for i in range(1, 10)]
FIRST_STAGES = tuple(Case.FIRST_FIELDS)  # the timed stages, in procedure order
# PostgreSQL: the widest scope (in units) for which "the case has an action in P" is an IN over the
# scope's actions of P; wider scopes probe per case (see _Engine._has_action_in_p)
IN_MAX_UNITS = 10


@dataclass(frozen=True)
class Options:
    """Configurable thresholds of indicators.md (defaults from KINERJA_* settings)."""

    sla_high_hours: float = 24.0
    sla_other_hours: float = 72.0
    complaint_days: float = 14.0

    @classmethod
    def from_settings(cls, **overrides: float | None) -> Options:
        cfg = getattr(settings, "KINERJA", None)
        base = cls(
            sla_high_hours=float(getattr(cfg, "sla_high_hours", 24.0)),
            sla_other_hours=float(getattr(cfg, "sla_other_hours", 72.0)),
            complaint_days=float(getattr(cfg, "complaint_days", 14.0)),
        )
        given = {k: float(v) for k, v in overrides.items() if v is not None}
        return cls(**{**base.__dict__, **given})


# -- helpers --------------------------------------------------------------------------------------
def _duration(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def _in_period(field_name: str, p: Period) -> Q:
    return Q(**{f"{field_name}__gte": p.start_utc, f"{field_name}__lt": p.end_utc})


def _handled(p: Period, prefix: str = "") -> Q:
    """handled(P): reported before end, and open or closed on or after start."""
    return Q(**{f"{prefix}reported_at__lt": p.end_utc}) & (
        Q(**{f"{prefix}closed_at__isnull": True}) | Q(**{f"{prefix}closed_at__gte": p.start_utc})
    )


def _actions_of_case(**filters: Any) -> Exists:
    return Exists(Action.objects.filter(case_id=OuterRef("pk"), **filters))


# -- compiled statements ---------------------------------------------------------------------------
# Building and compiling a family's ORM query costs more Python than running it costs for most
# sections (about 20 ms of a scorecard on an empty register). The SQL depends only on the query's
# shape (the family, how many units, whether a worker or a category filter is set, the periods and
# options), not on which units, worker or categories: each shape is compiled once with stand-ins
# (marks) for those values, and later calls put their own values in the marks' places. CHECK_STATEMENTS
# (set by the tests) compiles every statement afresh as well and refuses any difference.
_MARK_UNIT = -1_900_000_000  # the k-th unit id's mark is _MARK_UNIT - k: no id is negative
_MARK_WORKER = -1_800_000_000
_MARK_KATEGORI = "~tanda-kategori-{}~"
STATEMENTS_MAX = 4096
CHECK_STATEMENTS = False
_statements: OrderedDict[tuple[Any, ...], _Statement] = OrderedDict()
_statements_lock = threading.Lock()


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, Any], ...]  # (position in params, mark)
    names: tuple[str, ...]  # the columns, in SELECT order


def _compile(qs: QuerySet[Any], marks: Iterable[Any] = (), names: Sequence[str] | None = None) -> _Statement:
    """The SQL of a values() queryset, or of qs.values_list(*names) (the names must put model fields
    before annotations, in annotation order: the order of the SELECT; this is checked)."""
    if names is not None:
        qs = qs.values_list(*names)
    q = qs.query
    # the SELECT's order: values() keeps the order it was given, annotations named in it included
    columns = tuple(q.selected) if q.selected else (*q.values_select, *q.annotation_select)
    if names is not None and list(columns) != list(names):
        raise AssertionError(f"columns {names} are not in SELECT order")
    sql, params = q.get_compiler(qs.db).as_sql()
    wanted = set(marks)
    slots = tuple((i, v) for i, v in enumerate(params)
                  if type(v) in (int, str) and v in wanted)
    if "~tanda-kategori-" in sql:
        raise AssertionError("a mark was written into the SQL rather than passed as a parameter")
    return _Statement(sql, tuple(params), slots, columns)


def _params(st: _Statement, values: dict[Any, Any]) -> list[Any]:
    """The statement's parameters with its marks replaced by values."""
    params = list(st.params)
    for i, mark in st.slots:
        params[i] = values[mark]
    return params


def _run(st: _Statement, db: str, values: dict[Any, Any]) -> list[tuple[Any, ...]]:
    """Rows of a statement, its marks replaced by values, straight from the cursor (without Django's
    per-value converters, which cost more than the query for the per-case rows the medians need:
    select times through _Instant)."""
    with connections[db].cursor() as cur:
        cur.execute(st.sql, _params(st, values))
        return cur.fetchall()


class _Instant(Func):
    """A time as the engine reads it: on PostgreSQL whole microseconds since 1970 (UTC), which psycopg
    reads in C (its timestamptz loader under Django is pure Python and cost more than the query;
    EXTRACT(EPOCH ...) is numeric from PostgreSQL 14, exact to the microsecond); on SQLite the stored
    text, 'YYYY-MM-DD HH:MM:SS' in UTC with '.ffffff' when there are microseconds (computing the
    integer there cost more than parsing it in Python). Within a backend the values compare as the
    times do: a shorter SQLite text is a prefix of the longer. _micros() turns either into integers."""

    arity = 1
    output_field = BigIntegerField()

    def as_sql(self, compiler: Any, connection: Any, function: str | None = None, template: str | None = None,
               arg_joiner: str | None = None, **extra_context: Any) -> Any:
        # Kinerja supports SQLite and PostgreSQL; another database gets this refusal, never wrong figures
        raise NotSupportedError(f"_Instant: no SQL for {connection.vendor}")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # a cast, or the driver would parse the column's declared datetime with Django's Python parser
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS text)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS bigint)",
                              **extra)


_EPOCH = dt.datetime(1970, 1, 1)
_ONE_US = dt.timedelta(microseconds=1)


def _from_text(v: str | None) -> int | None:
    return None if v is None else (dt.datetime.fromisoformat(v) - _EPOCH) // _ONE_US


def _same(v: int | None) -> int | None:
    return v


def _micros(vendor: str) -> Callable[[Any], Any]:
    """What turns an _Instant value of this backend into microseconds since 1970 (int), or None
    (typed Any: the callers subtract values of non-null columns, or after a None check)."""
    return _from_text if vendor == "sqlite" else _same


def _us(delta: dt.timedelta) -> int:
    """A duration in whole microseconds (as timedelta holds it)."""
    return delta // _ONE_US


def _hours(us: int) -> float:
    """Microseconds as hours, the float timedelta.total_seconds() / 3600 gives (the same two roundings)."""
    return us / 10**6 / 3600.0


def _days(us: int) -> float:
    return us / 10**6 / 86400.0


def _num(v: Any) -> float:
    return float(v) if v is not None else 0.0


def _ratio(num: float | int | None, den: float | int | None, scale: float = 100.0) -> float | None:
    """A ratio whose denominator is 0 or null is null, never 0."""
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den) * scale


def median(values: Sequence[float]) -> float | None:
    """Median; of an even count the mean of the two middle values; of none, null."""
    if not values:
        return None
    return float(statistics.median(values))


# -- the per-unit accumulator --------------------------------------------------------------------
@dataclass
class _Parts:
    """Additive parts of the measures for one group of units."""

    n: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    lists: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, other: _Parts) -> None:
        for k, v in other.n.items():
            self.n[k] += v
        for k, vs in other.lists.items():
            self.lists[k].extend(vs)


class _Engine:
    """Runs the family queries for a set of leaf groups (case unit ids) and one or more adjacent
    periods, then rolls up per unit and period.

    Several periods (a scorecard's year and the year before; a trend's years) share one query per
    family wherever a record falls in one period only (a case is reported once and closed once, an
    action or referral has one time): the query reads their joint span and groups by which period
    the time falls in (_bucket). The cases handled in P overlap between periods and are read once
    with a FILTER per period; cases with an intervensi action in P and children served in P, also
    overlapping, run once per period."""

    def __init__(self, roots: list[int], periods: Sequence[Period], worker: int | None, opts: Options,
                 tree: _UnitTree | None = None, kategori: Sequence[str] | None = None) -> None:
        if not periods or any(a.end != b.start for a, b in zip(periods, periods[1:], strict=False)):
            raise ValueError("the engine's periods must be adjacent, oldest first")
        self.periods = list(periods)
        self.span = Period(periods[0].start, periods[-1].end)
        self.worker = worker
        self.kategori = list(kategori) if kategori else None
        self.opts = opts
        self.tree = tree or _UnitTree.load()
        self.roots = roots
        self.subtrees = {r: self.tree.descendants(r) for r in roots}
        wanted = set().union(*self.subtrees.values()) if roots else set()
        self.unit_ids: list[int] | None = None if wanted >= self.tree.all_ids else sorted(wanted)
        self.parts: list[dict[int, _Parts]] = [defaultdict(_Parts) for _ in self.periods]
        self.done: set[str] = set()
        self.needed: set[str] = set(defs.ALL_IDS)  # the measures asked for (compute_many narrows it)
        self.db = Case.objects.db
        self.us = _micros(connections[self.db].vendor)  # an _Instant's value -> microseconds
        # what a statement's SQL depends on besides its family (see _Statement), and the marks' values
        self.shape = (connections[self.db].vendor, None if self.unit_ids is None else len(self.unit_ids),
                      worker is None, None if self.kategori is None else len(self.kategori),
                      tuple((p.start, p.end) for p in self.periods), opts)
        marked = self._marked()
        self.marks: dict[Any, Any] = {
            **dict(zip(marked.unit_ids or [], self.unit_ids or [], strict=True)),
            **({marked.worker: worker} if worker is not None else {}),
            **dict(zip(marked.kategori or [], self.kategori or [], strict=True)),
        }

    def _marked(self) -> _Engine:
        """This engine with marks for its unit ids, worker and categories (see _Statement)."""
        e = copy.copy(self)
        e.unit_ids = None if self.unit_ids is None else [_MARK_UNIT - k for k in range(len(self.unit_ids))]
        e.worker = None if self.worker is None else _MARK_WORKER
        e.kategori = None if self.kategori is None else [_MARK_KATEGORI.format(k) for k in range(len(self.kategori))]
        return e

    def _rows(self, key: tuple[Any, ...], build: Callable[[_Engine], QuerySet[Any]],
              names: Sequence[str] | None = None) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """Columns and rows of the query build(engine) makes, compiled once per shape: build must take
        every unit id, worker and category from the engine it is given, never from this one."""
        shape = (key, self.shape)
        with _statements_lock:
            st = _statements.get(shape)
            if st is not None:
                _statements.move_to_end(shape)
        if st is None:
            st = _compile(build(self._marked()), self.marks, names)
            with _statements_lock:
                _statements[shape] = st
                while len(_statements) > STATEMENTS_MAX:
                    _statements.popitem(last=False)
        if CHECK_STATEMENTS:
            fresh = _compile(build(self), (), names)
            params = _params(st, self.marks)
            if (fresh.sql, list(fresh.params)) != (st.sql, params):
                raise AssertionError(f"statement {key} differs from its fresh compile:\n{st.sql}\n{params}\n"
                                     f"{fresh.sql}\n{list(fresh.params)}")
        return st.names, _run(st, self.db, self.marks)

    def _dicts(self, key: tuple[Any, ...], build: Callable[[_Engine], QuerySet[Any]]) -> list[dict[str, Any]]:
        names, rows = self._rows(key, build)
        return [dict(zip(names, row, strict=True)) for row in rows]

    # querysets restricted to the units (and worker)
    def cases(self) -> QuerySet[Case]:
        qs = Case.objects.order_by()
        if self.unit_ids is not None:
            qs = qs.filter(unit_id__in=self.unit_ids)
        if self.worker is not None:
            qs = qs.filter(worker_id=self.worker)
        if self.kategori is not None:
            qs = qs.filter(category__in=self.kategori)
        return qs

    def via_case(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Actions or referrals of the units (through the unit copied onto each row: one index range
        per unit and period, where going through the cases meant one probe per case)."""
        qs = qs.order_by()
        if self.unit_ids is not None:
            qs = qs.filter(unit_id__in=self.unit_ids)
        if self.worker is not None:
            qs = qs.filter(case__worker_id=self.worker)
        if self.kategori is not None:
            qs = qs.filter(case__category__in=self.kategori)
        return qs

    def by_unit(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs.order_by() if self.unit_ids is None else qs.filter(unit_id__in=self.unit_ids).order_by()

    @staticmethod
    def _bucket(field_name: str, periods: Sequence[Period], dates: bool = False) -> Any:
        """Which of the adjacent periods a row's field falls in (0 = the oldest), for rows already
        filtered to their span: one CASE over the periods' starts, or a constant for one period."""
        if len(periods) == 1:
            return SqlValue(0, output_field=IntegerField())
        whens = [When(**{f"{field_name}__gte": p.start if dates else p.start_utc}, then=SqlValue(k))
                 for k, p in reversed(list(enumerate(periods))) if k > 0]
        return SqlCase(*whens, default=SqlValue(0), output_field=IntegerField())

    def put(self, k: int, unit_id: int, key: str, value: Any) -> None:
        self.parts[k][unit_id].n[key] += _num(value)

    def put_row(self, k: int, row: dict[str, Any], unit_key: str = "unit_id") -> None:
        uid = row.pop(unit_key)
        row.pop("b", None)
        for key, v in row.items():
            self.put(k, uid, key, v)

    # -- families ---------------------------------------------------------------------------------
    # Each builds its queries in a function of an engine `e` (this one, or its marked copy: see
    # _rows), taking every unit id, worker and category from `e`.
    def fam_cases(self) -> None:
        """Cases handled in P and their subsets. The handled sets of adjacent periods overlap (a case
        open across New Year is handled in both), so the query reads the cases handled in any of the
        periods once and counts each period's with its own FILTER."""
        def build(e: _Engine) -> QuerySet[Any]:
            several = len(e.periods) > 1
            aggs: dict[str, Any] = {}
            for k, p in enumerate(e.periods):
                h = _handled(p) if several else Q()  # one period: the WHERE is already handled(P)
                rec, clo = _in_period("reported_at", p), _in_period("closed_at", p)
                aggs |= {
                    f"handled_{k}": Count("pk", filter=h) if several else Count("pk"),
                    f"received_{k}": Count("pk", filter=h & rec),
                    f"resolved_{k}": Count("pk", filter=h & clo & Q(closure_reason__in=vocab.RESOLVED_REASONS)),
                    f"documented_{k}": Count("pk", filter=h & rec & Q(consent=True, first_asesmen__isnull=False)),
                    f"obstructed_{k}": Count("pk", filter=h & e._has_action_in_p(p, obstacle__gt="")),
                    f"children_{k}": Count("child_id", distinct=True, filter=h) if several
                    else Count("child_id", distinct=True),
                    f"children_spm_{k}": Count("child_id", distinct=True,
                                               filter=h & e._has_action_in_p(p, service__in=vocab.SPM_SERVICES)),
                }
            return e.cases().filter(_handled(e.span)).values("unit_id").annotate(**aggs)

        for row in self._dicts(("cases",), build):
            uid = row.pop("unit_id")
            for key, v in row.items():
                name, period = key.rsplit("_", 1)
                self.put(int(period), uid, name, v)

    def _has_action_in_p(self, p: Period, **filters: Any) -> Q:
        """The case has an action in P matching filters: an IN over the units' actions of P (one read
        of the unit and time index, hashed), or on PostgreSQL for a wide scope an EXISTS probe per
        case. PostgreSQL re-scans an IN per case when it is too large to hash in work_mem (minutes
        for every unit), so there the IN is kept to a few units' actions (for the largest section's
        handled cases 15 -> 9 ms a period); SQLite reads an IN once into a temporary index at any
        size (75 -> 58 ms for that section's scorecard)."""
        in_p = {"time__gte": p.start_utc, "time__lt": p.end_utc, **filters}
        if connections[self.db].vendor == "sqlite" or (
                self.unit_ids is not None and len(self.unit_ids) <= IN_MAX_UNITS):
            return Q(pk__in=self.via_case(Action.objects.all()).filter(**in_p).values("case_id"))
        return Q(_actions_of_case(**in_p))

    def fam_prev(self) -> None:
        """Cases resolved in each period's P_prev: one query over their span when those are adjacent
        too (always for years and equal windows), else one per period."""
        prevs = [p.previous() for p in self.periods]
        adjacent = all(a.end == b.start for a, b in zip(prevs, prevs[1:], strict=False))
        groups = [(list(range(len(prevs))), prevs)] if adjacent else [([k], [p]) for k, p in enumerate(prevs)]
        for g, (ks, ps) in enumerate(groups):
            def build(e: _Engine, ps: list[Period] = ps) -> QuerySet[Any]:
                return e.cases().filter(
                    _in_period("closed_at", Period(ps[0].start, ps[-1].end)), closure_reason__in=vocab.RESOLVED_REASONS
                ).annotate(b=e._bucket("closed_at", ps)).values("unit_id", "b").annotate(resolved_prev=Count("pk"))

            for row in self._dicts(("prev", g), build):
                self.put_row(ks[row["b"]], row)

    def fam_response(self) -> None:
        """received(P), one row per case: on-time first response by the child's sex, and the delays
        to first response (hours) and first assessment (days) for the medians.

        One fetch serves the counts and the medians: the medians need the per-case times anyway.
        The SLA is compared exactly (timedelta, microseconds) and the delays are subtracted in
        Python: SQLite has no interval type, and Django's per-row SQL function for it costs more
        than the fetch."""
        o = self.opts
        sla = {True: _us(dt.timedelta(hours=o.sla_high_hours)), False: _us(dt.timedelta(hours=o.sla_other_hours))}
        # the child's sex (a join per case) only for the equity ratio, its one use
        by_sex = "rasio_kesetaraan_respon" in self.needed

        def build(e: _Engine) -> QuerySet[Any]:
            return e.cases().filter(_in_period("reported_at", e.span)).annotate(
                b=e._bucket("reported_at", e.periods), reported=_Instant("reported_at"),
                f_pa=_Instant("first_pendekatan_awal"), f_as=_Instant("first_asesmen"))

        _, rows = self._rows(("response", by_sex), build, (
            "unit_id", *(("child__sex",) if by_sex else ()), "risk", "b", "reported", "f_pa", "f_as"))
        sex = None
        us = self.us
        for row in rows:
            if by_sex:
                uid, sex, risk, b, reported, f_pa, f_as = row
            else:
                uid, risk, b, reported, f_pa, f_as = row
            reported, f_pa, f_as = us(reported), us(f_pa), us(f_as)
            parts = self.parts[b][uid]
            n, lists = parts.n, parts.lists
            s = "l" if sex == "L" else "p"
            if by_sex:
                n[f"received_{s}"] += 1
            if f_pa is not None:
                took = f_pa - reported
                lists["response_h"].append(_hours(took))
                if took <= sla[risk == "tinggi"]:
                    if by_sex:
                        n[f"on_time_{s}"] += 1
                    n["on_time"] += 1
            if f_as is not None:
                lists["assessment_d"].append(_days(f_as - reported))

    def fam_closed(self) -> None:
        """closed(P), one row per case with its five first times: kepatuhan_sop (stages in order and
        an approved case plan) and the stage-to-stage delays (days) for the durasi_* medians."""
        firsts = {f"f_{i}": _Instant(Case.FIRST_FIELDS[stage]) for i, stage in enumerate(FIRST_STAGES)}

        def build(e: _Engine) -> QuerySet[Any]:
            return e.cases().filter(_in_period("closed_at", e.span)).annotate(
                b=e._bucket("closed_at", e.periods), **firsts, approved=_Instant("plan_approved_at"))

        _, rows = self._rows(("closed",), build, ("unit_id", "b", *firsts, "approved"))
        pairs = [(FIRST_STAGES.index(a), FIRST_STAGES.index(b), defs.durasi_id(a, b)) for a, b in defs.STAGE_PAIRS]
        # the order check compares the values as read (see _Instant); durations are turned into
        # microseconds only when a durasi_* measure is wanted
        durations = any(key in self.needed for _, _, key in pairs)
        for uid, b, *row in rows:
            times, approved = row[:-1], row[-1]
            parts = self.parts[b][uid]
            parts.n["closed"] += 1
            if approved is not None and None not in times and all(
                    times[i] <= times[i + 1] for i in range(len(times) - 1)):
                parts.n["sop"] += 1
            if durations:
                micros = [self.us(v) for v in times]
                for i, j, key in pairs:
                    ti, tj = micros[i], micros[j]
                    if ti is not None and tj is not None:
                        parts.lists[key].append(_days(tj - ti))

    def fam_plan(self) -> None:
        """rencana_disetujui: cases with an intervensi action in P; plan approved by first intervensi
        (the earliest approval of a rencana_intervensi action at or before the first intervensi).
        One row per case, both times read from the case (derived from its actions). A case may act
        in several periods, so one query per period."""
        for k, p in enumerate(self.periods):
            def build(e: _Engine, p: Period = p) -> QuerySet[Any]:
                in_p = {"stage": "intervensi", "time__gte": p.start_utc, "time__lt": p.end_utc}
                # the period's intervensi actions of the units (the unit, time index; the time index for all)
                chosen = Q(pk__in=e.via_case(Action.objects.all()).filter(**in_p).values("case_id"))
                # the cases by their ids alone (their unit is the action's): PostgreSQL then probes the
                # thousand or so cases instead of hashing all the unit's cases (12 -> 9 ms)
                cases = Case.objects.order_by() if e.worker is None else Case.objects.filter(worker_id=e.worker)
                if e.kategori is not None:
                    cases = cases.filter(category__in=e.kategori)
                return cases.filter(chosen).annotate(f_int=_Instant("first_intervensi"),
                                                     f_app=_Instant("plan_approved_at"))

            _, rows = self._rows(("plan", k), build, ("unit_id", "f_int", "f_app"))
            for uid, f_int, f_app in rows:
                n = self.parts[k][uid].n
                n["intervened"] += 1
                if f_app is not None and f_app <= f_int:
                    n["plan_ok"] += 1

    def fam_obstacles(self) -> None:
        def build(e: _Engine) -> QuerySet[Any]:
            return (
                # obstacle > '' as the partial index action_unit_obstacle says it (SQLite uses a partial
                # index only for a query that names its condition)
                e.via_case(Action.objects.all()).filter(_in_period("time", e.span), obstacle__gt="",
                                                        obstacle__in=defs.OBSTACLES)
                .annotate(b=e._bucket("time", e.periods))
                .values("unit_id", "b", "obstacle").annotate(n=Count("*"))  # COUNT(*): the index alone answers
            )

        for row in self._dicts(("obstacles",), build):
            self.put(row["b"], row["unit_id"], f"kendala_{row['obstacle']}", row["n"])

    def fam_spm_services(self) -> None:
        """Distinct children of handled(P) with an action of each SPM service in P (per period: a
        child may be served in several)."""
        for k, p in enumerate(self.periods):
            def build(e: _Engine, p: Period = p) -> QuerySet[Any]:
                return (
                    e.via_case(Action.objects.all())
                    .filter(_in_period("time", p), _handled(p, "case__"), service__in=vocab.SPM_SERVICES)
                    .values("unit_id", "service").annotate(n=Count("case__child_id", distinct=True))
                )

            for row in self._dicts(("spm_services", k), build):
                self.put(k, row["unit_id"], defs.spm_count_id(row["service"]), row["n"])

    def fam_referrals(self) -> None:
        """Referrals sent in P, one row each: the counts and the acknowledgement delays (hours) for
        the median come from the same fetch."""
        def build(e: _Engine) -> QuerySet[Any]:
            return e.via_case(Referral.objects.all()).filter(_in_period("sent_at", e.span)).annotate(
                b=e._bucket("sent_at", e.periods), sent=_Instant("sent_at"), ack=_Instant("acknowledged_at"))

        _, rows = self._rows(("referrals",), build, ("unit_id", "result", "b", "sent", "ack"))
        for uid, result, b, sent, ack in rows:
            parts = self.parts[b][uid]
            parts.n["referrals"] += 1
            if ack is None or result == "tanpa_respon":
                parts.n["unanswered"] += 1
            if ack is not None:
                parts.lists["referral_h"].append(_hours(self.us(ack) - self.us(sent)))

    def fam_complaints(self) -> None:
        limit = dt.timedelta(days=self.opts.complaint_days)

        def build(e: _Engine) -> QuerySet[Any]:
            return (
                e.by_unit(Complaint.objects.all()).filter(_in_period("received_at", e.span))
                .alias(took=_duration("resolved_at", "received_at"))
                .annotate(b=e._bucket("received_at", e.periods))
                .values("unit_id", "b").annotate(
                    complaints=Count("pk"),
                    complaints_on_time=Count("pk", filter=Q(resolved_at__isnull=False, took__lte=limit)),
                )
            )

        for row in self._dicts(("complaints",), build):
            self.put_row(row["b"], row)

    def fam_survey(self) -> None:
        def build(e: _Engine) -> QuerySet[Any]:
            aggs: dict[str, Any] = {}
            for u in SKM:
                aggs[f"sum_{u}"] = Sum(u)
                aggs[f"cnt_{u}"] = Count(u)
            return (
                e.by_unit(SurveyResponse.objects.all())
                .filter(date__gte=e.span.start, date__lt=e.span.end)
                .annotate(b=e._bucket("date", e.periods, dates=True))
                .values("unit_id", "b").annotate(**aggs)
            )

        for row in self._dicts(("survey",), build):
            self.put_row(row["b"], row)

    def _yearly(self, model: Any, **aggs: Any) -> None:
        """Records of year(P), for the periods that are calendar years, in one query (through the ORM:
        its converters turn the sums of decimal FTE into the decimals they are)."""
        years = {p.calendar_year: k for k, p in enumerate(self.periods) if p.calendar_year is not None}
        if not years:
            return
        rows = self.by_unit(model.objects.all()).filter(year__in=list(years)).values("unit_id", "year").annotate(**aggs)
        for row in rows:
            self.put_row(years[row.pop("year")], row)

    def fam_budget(self) -> None:
        self._yearly(BudgetLine, budget_rows=Count("pk"), realisation=Sum("realisation"),
                     allocation=Sum("allocation"))

    def fam_staffing(self) -> None:
        self._yearly(Staffing, staffing_rows=Count("pk"), fte=Sum("social_workers"), certified=Sum("certified"))

    def fam_facilities(self) -> None:
        self._yearly(Facility, facility_rows=Count("pk"), beds=Sum("safe_house_beds"), bed_days=Sum("bed_days"))

    def run(self, families: Iterable[str]) -> None:
        for name in families:
            if name not in self.done:
                getattr(self, f"fam_{name}")()
                self.done.add(name)

    def rolled_up(self, root: int, k: int = 0) -> _Parts:
        total = _Parts()
        parts = self.parts[k]
        for uid in self.subtrees[root]:
            if uid in parts:
                total.add(parts[uid])
        return total


def unit_tree() -> _UnitTree:
    """The unit hierarchy, read once, for passing to several compute_many calls."""
    return _UnitTree.load()


@dataclass
class _UnitTree:
    children: dict[int | None, list[int]]
    all_ids: set[int]

    @classmethod
    def load(cls) -> _UnitTree:
        children: dict[int | None, list[int]] = {}
        ids: set[int] = set()
        for pk, parent in Unit.objects.values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
            ids.add(pk)
        return cls(children, ids)

    def descendants(self, root: int) -> set[int]:
        out, stack = set(), [root]
        while stack:
            u = stack.pop()
            if u in out:
                continue
            out.add(u)
            stack.extend(self.children.get(u, []))
        return out


# -- which families each measure needs ----------------------------------------------------------
_NEEDS: dict[str, tuple[str, ...]] = {
    "kasus_masuk": ("cases",),
    "kasus_ditangani": ("cases",),
    "kasus_selesai": ("cases",),
    "tingkat_penyelesaian": ("cases",),
    "pertumbuhan_penyelesaian": ("cases", "prev"),
    "kasus_selesai_per_peksos": ("cases", "staffing"),
    "biaya_per_kasus_selesai": ("cases", "budget"),
    "ikm": ("survey",),
    "rasio_peksos_bersertifikat": ("staffing",),
    "pengaduan_per_100_kasus": ("cases", "complaints"),
    "waktu_respon_median_jam": ("response",),
    "respon_tepat_waktu": ("cases", "response"),
    "waktu_asesmen_median_hari": ("response",),
    "pengaduan_selesai_tepat_waktu": ("complaints",),
    "kepatuhan_sop": ("closed",),
    "rencana_disetujui": ("plan",),
    "kelengkapan_dokumentasi": ("cases",),
    "realisasi_anggaran": ("budget",),
    "capaian_spm": ("cases",),
    "capaian_target": (),  # needs whatever its targets name; resolved in compute_many
    "hunian_rumah_aman": ("facilities",),
    "waktu_tanggap_rujukan_median_jam": ("referrals",),
    "rujukan_tanpa_respon": ("referrals",),
    **{f"kendala_{k}": ("obstacles",) for k in defs.OBSTACLES},
    "kasus_terkendala": ("cases",),
    "rasio_kesetaraan_respon": ("response",),
    **{defs.durasi_id(a, b): ("closed",) for a, b in defs.STAGE_PAIRS},
    **{defs.spm_count_id(s): ("spm_services",) for s in vocab.SPM_SERVICES},
}
assert set(_NEEDS) == set(defs.ALL_IDS), set(defs.ALL_IDS) ^ set(_NEEDS)


def _finish(parts: _Parts, period: Period, individual: bool, wanted: Iterable[str]) -> dict[str, Value]:
    """Turn additive parts into measure values (capaian_target is added by the caller)."""
    n, lists = parts.n, parts.lists
    year = period.calendar_year
    out: dict[str, Value] = {}

    def count(key: str) -> int:
        return int(n.get(key, 0))

    def yearly(rows_key: str) -> bool:
        return year is not None and not individual and count(rows_key) > 0

    resolved, handled, received = count("resolved"), count("handled"), count("received")
    calc: dict[str, Callable[[], Value]] = {
        "kasus_masuk": lambda: received,
        "kasus_ditangani": lambda: handled,
        "kasus_selesai": lambda: resolved,
        "tingkat_penyelesaian": lambda: _ratio(resolved, handled),
        "pertumbuhan_penyelesaian": lambda: _ratio(resolved - count("resolved_prev"), count("resolved_prev")),
        "kasus_selesai_per_peksos": lambda: _ratio(resolved, n["fte"], 1.0) if yearly("staffing_rows") else None,
        "biaya_per_kasus_selesai": lambda: (
            _ratio(count("realisation"), resolved, 1.0) if yearly("budget_rows") else None),
        "ikm": lambda: None if individual else _ikm(n),
        "rasio_peksos_bersertifikat": lambda: _ratio(n["certified"], n["fte"]) if yearly("staffing_rows") else None,
        "pengaduan_per_100_kasus": lambda: None if individual else _ratio(count("complaints"), handled),
        "waktu_respon_median_jam": lambda: median(lists["response_h"]),
        "respon_tepat_waktu": lambda: _ratio(count("on_time"), received),
        "waktu_asesmen_median_hari": lambda: median(lists["assessment_d"]),
        "pengaduan_selesai_tepat_waktu": lambda: (
            None if individual else _ratio(count("complaints_on_time"), count("complaints"))),
        "kepatuhan_sop": lambda: _ratio(count("sop"), count("closed")),
        "rencana_disetujui": lambda: _ratio(count("plan_ok"), count("intervened")),
        "kelengkapan_dokumentasi": lambda: _ratio(count("documented"), received),
        "realisasi_anggaran": lambda: (
            _ratio(count("realisation"), count("allocation")) if yearly("budget_rows") else None),
        "capaian_spm": lambda: _ratio(count("children_spm"), count("children")),
        "hunian_rumah_aman": lambda: (
            _ratio(count("bed_days"), count("beds") * period.days) if yearly("facility_rows") else None),
        "waktu_tanggap_rujukan_median_jam": lambda: median(lists["referral_h"]),
        "rujukan_tanpa_respon": lambda: _ratio(count("unanswered"), count("referrals")),
        **{f"kendala_{k}": (lambda k=k: count(f"kendala_{k}")) for k in defs.OBSTACLES},  # type: ignore[misc]
        "kasus_terkendala": lambda: _ratio(count("obstructed"), handled),
        "rasio_kesetaraan_respon": lambda: _equity(n),
        **{d: (lambda d=d: median(lists[d])) for d in (defs.durasi_id(a, b) for a, b in defs.STAGE_PAIRS)},  # type: ignore[misc]
        **{m: (lambda m=m: count(m)) for m in (defs.spm_count_id(s) for s in vocab.SPM_SERVICES)},  # type: ignore[misc]
    }
    for mid in wanted:
        if mid in calc:
            out[mid] = calc[mid]()
    return out


def _ikm(n: dict[str, float]) -> float | None:
    """IKM = 25 x (sum of NRR_1..NRR_9) / 9, NRR_i the mean of element i's scores; null unless
    every element has at least one score."""
    nrr = []
    for u in SKM:
        cnt = n.get(f"cnt_{u}", 0)
        if not cnt:
            return None
        nrr.append(n[f"sum_{u}"] / cnt)
    return 25.0 * sum(nrr) / 9.0


def _equity(n: dict[str, float]) -> float | None:
    """min / max (x100) of respon_tepat_waktu of boys and of girls; null if either has no case or max is 0."""
    boys, girls = _ratio(n.get("on_time_l", 0), n.get("received_l", 0)), _ratio(
        n.get("on_time_p", 0), n.get("received_p", 0))
    if boys is None or girls is None:
        return None
    high = max(boys, girls)
    return None if high == 0 else min(boys, girls) / high * 100.0


# -- public API ---------------------------------------------------------------------------------
def _unit_id(unit: Unit | int | str) -> int:
    if isinstance(unit, Unit):
        return unit.pk
    if isinstance(unit, int):
        return unit
    return Unit.objects.values_list("pk", flat=True).get(code=unit)


def _worker_id(worker: Staff | int | str | None) -> int | None:
    if worker is None or isinstance(worker, int):
        return worker
    if isinstance(worker, Staff):
        return worker.pk
    return Staff.objects.values_list("pk", flat=True).get(username=worker)


def _as_period(start: dt.date | Period, end: dt.date | None) -> Period:
    if isinstance(start, Period):
        return start
    if end is None:
        raise TypeError("give a Period, or start and end dates")
    return Period(start, end)


def compute_many(
    units: Iterable[Unit | int | str],
    start: dt.date | Period,
    end: dt.date | None = None,
    worker: Staff | int | str | None = None,
    *,
    measures: Iterable[str] | None = None,
    sla_high_hours: float | None = None,
    sla_other_hours: float | None = None,
    complaint_days: float | None = None,
    tree: _UnitTree | None = None,
    kategori: Iterable[str] | None = None,
) -> dict[int, dict[str, Value]]:
    """Measures of several units (each with its descendants) for one period, keyed by unit id.

    The number of queries does not depend on the number of units or cases. `measures` limits the
    work to the families those measures need (e.g. for a trend); by default every measure of
    definitions.py is computed, the spec's core ones and the extra SPM counts. `tree` (unit_tree())
    lets several calls in one request share one read of the unit tree. `kategori` restricts the
    case measures to cases of those categories (see compute_periods)."""
    return compute_periods(units, [_as_period(start, end)], worker, measures=measures, tree=tree,
                           sla_high_hours=sla_high_hours, sla_other_hours=sla_other_hours,
                           complaint_days=complaint_days, kategori=kategori)[0]


def compute_periods(
    units: Iterable[Unit | int | str],
    periods: Sequence[Period],
    worker: Staff | int | str | None = None,
    *,
    measures: Iterable[str] | None = None,
    sla_high_hours: float | None = None,
    sla_other_hours: float | None = None,
    complaint_days: float | None = None,
    tree: _UnitTree | None = None,
    given_targets: dict[tuple[int, int], dict[str, float]] | None = None,
    kategori: Iterable[str] | None = None,
    cached: bool = True,
) -> list[dict[int, dict[str, Value]]]:
    """compute_many() for several periods at once, one result per period in the order given.

    Periods that follow one another (a year and the year before, a run of years) are computed by one
    engine, which reads each period-disjoint family once over their joint span: a scorecard needs
    its period and the previous one, and this halves its queries. Periods that overlap are refused.
    `given_targets` (unit_targets() of these units and the periods' years) spares reading them again
    for a caller that has them already, as the scorecard does for its target column.

    `kategori` (the category filter of indicators.md): the case measures over the cases of those
    categories and their actions and referrals; every measure built on records not tied to a case is
    null, as at the individual level. Without it (None or empty) nothing changes.

    Figures are kept in the figure cache (indicators.cache) by unit, period and data version: a
    unit-period whose records did not change since its figures were computed is not computed again. A
    miss computes the measures asked for (not every measure: a trend of one measure costs what it
    did) and adds them to the unit-period's entry. `cached=False` computes afresh and stores
    nothing."""
    periods = list(periods)
    _check_apart(periods)
    roots = list(dict.fromkeys(_unit_id(u) for u in units))
    wid = _worker_id(worker)
    wanted = list(defs.ALL_IDS) if measures is None else list(dict.fromkeys(measures))
    for mid in wanted:
        defs.get(mid)
    opts = Options.from_settings(sla_high_hours=sla_high_hours, sla_other_hours=sla_other_hours,
                                 complaint_days=complaint_days)
    kat = _kategori(kategori)
    tree = tree or _UnitTree.load()
    if not (cached and figure_cache.enabled()) or not roots or not periods:
        return _compute_periods(roots, periods, wid, wanted, opts, tree, given_targets, kat)

    # the versions are read before any record: figures computed from newer records than these are
    # stored under a key no later reader asks for (see indicators.cache)
    version = figure_cache.versions(roots, tree.descendants, periods)
    variant = {"worker": wid, "kategori": kat, "opts": [opts.sla_high_hours, opts.sla_other_hours,
                                                        opts.complaint_days]}
    keys = {(r, i): figure_cache.key("values", r, p.start, p.end, variant)
            for r in roots for i, p in enumerate(periods)}
    found = figure_cache.get_many({k: version[ri] for ri, k in keys.items()})
    # an entry holds the measures computed so far at its version; the missing ones are computed
    # for the unit-periods that miss any, and merged in (one engine run for all of them)
    stale_pairs = [ri for ri, k in keys.items() if any(m not in found.get(k, {}) for m in wanted)]
    if stale_pairs:
        # the stale units times the stale periods: a write of today leaves a trend's closed years
        # alone, so only the recent periods are computed again
        stale = [r for r in roots if any(ri[0] == r for ri in stale_pairs)]
        idx = sorted({i for _, i in stale_pairs})
        missing = {m for ri in stale_pairs for m in wanted if m not in found.get(keys[ri], {})}
        fresh = _compute_periods(stale, [periods[i] for i in idx], wid, sorted(missing), opts, tree,
                                 given_targets, kat)
        figure_cache.STATS["computed"] += len(stale_pairs)
        store = {}
        for j, i in enumerate(idx):
            for r in stale:
                k = keys[(r, i)]
                found[k] = {**found.get(k, {}), **fresh[j][r]}
                store[k] = (version[(r, i)], found[k])
        figure_cache.put_many(store)
    return [{r: {m: found[keys[(r, i)]][m] for m in wanted} for r in roots} for i in range(len(periods))]


def _check_apart(periods: Sequence[Period]) -> None:
    order = sorted(range(len(periods)), key=lambda i: periods[i].start)
    for a, b in zip(order, order[1:], strict=False):
        if periods[a].end > periods[b].start:
            raise ValueError(f"periods {periods[a]} and {periods[b]} overlap")


def _compute_periods(
    roots: list[int],
    periods: list[Period],
    wid: int | None,
    wanted: list[str],
    opts: Options,
    tree: _UnitTree,
    given_targets: dict[tuple[int, int], dict[str, float]] | None,
    kat: list[str] | None,
) -> list[dict[int, dict[str, Value]]]:
    """compute_periods without the cache: the engine runs."""
    order = sorted(range(len(periods)), key=lambda i: periods[i].start)
    # the individual level and the category filter both leave only the case-based measures
    individual = wid is not None or kat is not None

    # the unit's own targets for year(P) of each period (capaian_target), read in one query
    targets: list[dict[int, dict[str, float]]] = [{r: {} for r in roots} for _ in periods]
    if "capaian_target" in wanted and not individual:
        rows = unit_targets(roots, {p.calendar_year for p in periods if p.calendar_year is not None}) \
            if given_targets is None else given_targets
        for i, p in enumerate(periods):
            year = p.calendar_year
            for r in roots:
                mine = rows.get((r, year), {}) if year is not None else {}
                targets[i][r] = {m: v for m, v in mine.items() if m != "capaian_target"}

    # runs of adjacent periods, each one engine
    runs: list[list[int]] = []
    for i in order:
        if runs and periods[runs[-1][-1]].end == periods[i].start:
            runs[-1].append(i)
        else:
            runs.append([i])
    results: list[dict[int, dict[str, Value]]] = [{} for _ in periods]
    for run in runs:
        targeted = {m for i in run for t in targets[i].values() for m in t}
        needed = [m for m in dict.fromkeys([*wanted, *targeted]) if m != "capaian_target"]
        engine = _Engine(roots, [periods[i] for i in run], wid, opts, tree, kat)
        engine.needed = set(needed)
        # at the individual level, records not tied to a case are not read at all (their measures are null)
        engine.run(dict.fromkeys(
            f for m in needed if not (individual and not defs.MEASURES[m].case_based) for f in _NEEDS[m]))
        for k, i in enumerate(run):
            for root in roots:
                values = _finish(engine.rolled_up(root, k), periods[i], individual, needed)
                if "capaian_target" in wanted:
                    values["capaian_target"] = _target_achievement(values, targets[i][root])
                results[i][root] = {m: values[m] for m in wanted}
    return results


def _kategori(kategori: Iterable[str] | None) -> list[str] | None:
    """The category filter as a sorted list of known codes, or None for every category."""
    if kategori is None:
        return None
    codes = sorted(set(kategori))
    if not codes:
        return None
    unknown = [k for k in codes if k not in vocab.KATEGORI]
    if unknown:
        raise ValueError(f"kategori tidak dikenal / unknown category: {', '.join(unknown)}")
    return codes


def kategori_codes(kategori: Iterable[str] | None) -> list[str] | None:
    """The category filter as callers pass it on (sorted known codes, or None); ValueError names an
    unknown code."""
    return _kategori(kategori)


def unit_targets(unit_ids: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int], dict[str, float]]:
    """The targets set for each unit itself (not its descendants), by (unit id, year), of the measures
    that exist: one query. The scorecard shows them; capaian_target is computed from them."""
    ids, ys = list(unit_ids), list(years)
    out: dict[tuple[int, int], dict[str, float]] = {}
    if not ids or not ys:
        return out
    for uid, year, indicator, value in Target.objects.filter(unit_id__in=ids, year__in=ys, worker__isnull=True).values_list(
            "unit_id", "year", "indicator", "value"):
        if indicator in defs.MEASURES:
            out.setdefault((uid, year), {})[indicator] = value
    return out


def _target_achievement(values: dict[str, Value], targets: dict[str, float]) -> float | None:
    """capaian_target: mean of the non-null achievements of the unit's own targets for year(P)."""
    got = [
        a for m, t in targets.items()
        if (a := achievement(values.get(m), t, defs.MEASURES[m].direction)) is not None
    ]
    return sum(got) / len(got) if got else None


def compute(
    unit: Unit | int | str,
    start: dt.date | Period,
    end: dt.date | None = None,
    worker: Staff | int | str | None = None,
    **options: Any,
) -> dict[str, Value]:
    """Every measure of indicators.md for one unit (with its descendants) and period [start, end) of
    WIB dates; with `worker`, the individual level (cases assigned to that social worker)."""
    uid = _unit_id(unit)
    return compute_many([uid], start, end, worker, **options)[uid]


def machine_output(unit: Unit, period: Period, values: dict[str, Value],
                   kategori: Iterable[str] | None = None) -> dict[str, Any]:
    """The spec's machine output: the core measure ids plus "unit", "mulai" and "selesai"; with a
    category filter, "kategori" lists its codes."""
    out: dict[str, Any] = {"unit": unit.code, "mulai": period.start.isoformat(), "selesai": period.end.isoformat()}
    kat = _kategori(kategori)
    if kat is not None:
        out["kategori"] = kat
    for mid in defs.CORE_IDS:
        out[mid] = values.get(mid)
    return out


# families whose parts the publication gate reads to suppress figures (every one a measure uses)
BASIS_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(f for fams in _NEEDS.values() for f in fams))


def compute_basis(
    units: Iterable[Unit | int | str],
    periods: Sequence[Period],
    worker: Staff | int | str | None = None,
    *,
    families: Iterable[str] = BASIS_FAMILIES,
    tree: _UnitTree | None = None,
    kategori: Iterable[str] | None = None,
    cached: bool = True,
) -> list[dict[int, dict[str, float]]]:
    """The additive parts the measures are made of (numerators, denominators: "received",
    "on_time", "handled", "obstructed", ...; and "n_<list>" for the number of values behind each
    median), per unit (with its descendants) and adjacent period, oldest first; a part that is 0 is
    left out.

    The publication gate needs them to suppress a rate whose numerator or denominator minus
    numerator is small, or a median over few values; the measures themselves are computed by
    compute_periods and are not touched here. `families` limits the queries (see _NEEDS).

    Kept in the figure cache like the measures (kind "basis", the families read part of the key,
    the same data version): the public edition's gate reads every whole period of the unit's tree,
    which cost seconds a report for a large section. `cached=False` computes afresh and stores
    nothing."""
    roots = list(dict.fromkeys(_unit_id(u) for u in units))
    periods = list(periods)
    wid, kat = _worker_id(worker), _kategori(kategori)
    fams = tuple(dict.fromkeys(families))
    tree = tree or _UnitTree.load()
    opts = Options.from_settings()
    if not (cached and figure_cache.enabled()) or not roots or not periods:
        return _compute_basis(roots, periods, wid, fams, tree, kat, opts)

    version = figure_cache.versions(roots, tree.descendants, periods)  # before any record (see cache)
    variant = {"worker": wid, "kategori": kat, "families": sorted(fams),
               "opts": [opts.sla_high_hours, opts.sla_other_hours, opts.complaint_days]}
    keys = {(r, i): figure_cache.key("basis", r, p.start, p.end, variant)
            for r in roots for i, p in enumerate(periods)}
    found = figure_cache.get_many({k: version[ri] for ri, k in keys.items()})
    stale_idx = sorted({i for (_, i), k in keys.items() if k not in found})
    if stale_idx:
        stale = [r for r in roots if any(keys[(r, i)] not in found for i in stale_idx)]
        runs: list[list[int]] = []  # the stale periods in runs of adjacent ones, one engine each
        for i in stale_idx:
            if runs and periods[runs[-1][-1]].end == periods[i].start:
                runs[-1].append(i)
            else:
                runs.append([i])
        store = {}
        for run in runs:
            fresh = _compute_basis(stale, [periods[i] for i in run], wid, fams, tree, kat, opts)
            for j, i in enumerate(run):
                for r in stale:
                    k = keys[(r, i)]
                    found[k] = fresh[j][r]
                    store[k] = (version[(r, i)], fresh[j][r])
        figure_cache.STATS["computed"] += len(store)
        figure_cache.put_many(store)
    return [{r: found[keys[(r, i)]] for r in roots} for i in range(len(periods))]


def _compute_basis(roots: list[int], periods: list[Period], wid: int | None, families: tuple[str, ...],
                   tree: _UnitTree, kat: list[str] | None, opts: Options) -> list[dict[int, dict[str, float]]]:
    """compute_basis without the cache: the engine runs."""
    engine = _Engine(roots, periods, wid, opts, tree, kat)
    engine.run(families)
    out: list[dict[int, dict[str, float]]] = []
    for k in range(len(engine.periods)):
        per_unit: dict[int, dict[str, float]] = {}
        for root in roots:
            parts = engine.rolled_up(root, k)
            # zero parts left out: a row then depends on its unit and period alone, not on which
            # periods were computed together (a missing part is 0 to the gate)
            row = {key: v for key, v in parts.n.items() if v}
            row.update({f"n_{key}": float(len(vs)) for key, vs in parts.lists.items() if vs})
            per_unit[root] = row
        out.append(per_unit)
    return out
