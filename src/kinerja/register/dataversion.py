"""The data version: counters per unit and year that every write which can change a figure
advances, so that computed figures (kinerja.indicators.cache) are kept exactly as long as their
records are, and a write today leaves the figures of closed years alone.

- A write advances the counters of the unit its record belongs to (a case, action or referral
  moved to another unit: both units), for the years whose figures it can change (years_of_case,
  year_of). A unit's figures include its descendants, so the key of a unit-period is the sum of
  the counters over the unit's subtree and the years the period reads (its own and the previous
  period's: a scorecard shows the cases resolved the period before): a write to one section
  invalidates that section and its ancestors, for those years, and nothing else.
- Which years a write touches: an action, referral, complaint or survey its own time's year; a
  yearly row (budget, staffing, facilities, target) its year; a case every year from its report
  to its closure (or now while open), because it is among the handled cases of each of them, and
  the years of its actions and referrals, which its category, worker or unit filter. An action
  that changes a case's derived first times (register.services.refresh_stage_times) also touches
  the years that read them (register.signals): the first response and assessment in the report's
  year, all of them in the closure's year, the first intervensi and the plan's approval in the
  years of the case's intervensi actions. Recording today's work on an old open case therefore
  leaves its earlier years alone unless it is the case's first response or assessment.
- Year ALL (0) stands for every year: the import, moving cases, a child's sex and anything not
  listed above advance it, and every period's key includes it.
- Scope 0 is the unit tree: creating, moving or deleting a unit changes which records every
  ancestor sums up, and advances it.
- The advance runs in the write's own transaction: a reader that sees the new counter sees the
  new records, and one that read the old counter stores its figures under the old key, which no
  later reader asks for. Counters only grow, so a sum that moved never comes back.
Writes that bypass the ORM's signals (QuerySet.update, bulk and raw SQL writes, the import) call
advance() themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Max, Min
from django.utils import timezone

TREE = 0  # the scope of the unit tree itself
ALL = 0  # the year that stands for every year
WIB = dt.timedelta(hours=7)  # periods are calendar dates in WIB (indicators.periods)


def year_of(value: dt.datetime | dt.date | None) -> set[int]:
    """The calendar year(s) of a record's time: its WIB year (and its UTC year, should the two
    differ on New Year's Eve, so that no reading of the time is missed)."""
    if value is None:
        return set()
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC) if value.tzinfo else value
        return {utc.year, (utc + WIB).year}
    return {value.year}


def years_between(first: int, last: int) -> set[int]:
    return set(range(first, last + 1))


def years_of_case(case_ids: Iterable[int], extra: Iterable[dt.datetime | None] = ()) -> set[int] | None:
    """Every year whose figures the cases take part in: from the earliest of their reports, actions
    and referrals (and `extra`, e.g. the times a case had before this save) to the latest of their
    closures, actions and referrals, or now for a case still open. None (every year) when a case
    has no time at all."""
    from kinerja.register.models import Action, Case, Referral

    ids = [i for i in case_ids if i is not None]
    times: list[dt.datetime] = [t for t in extra if t is not None]
    if ids:
        row = Case.objects.filter(pk__in=ids).aggregate(r0=Min("reported_at"), r1=Max("reported_at"),
                                                          c1=Max("closed_at"))
        times += [t for t in row.values() if t is not None]
        if Case.objects.filter(pk__in=ids, closed_at__isnull=True).exists():
            times.append(timezone.now())
        for model, field in ((Action, "time"), (Referral, "sent_at")):
            span = model.objects.filter(case_id__in=ids).aggregate(a=Min(field), b=Max(field))
            times += [t for t in span.values() if t is not None]
    if not times:
        return None
    years = set().union(*(year_of(t) for t in times))
    return years_between(min(years), max(years))


def advance(unit_ids: Iterable[int | None], years: Iterable[int] | None = None) -> None:
    """Advance the counters of these units (None ignored) for these years (None: every year, the
    ALL counter): two queries at most, three when a counter is new."""
    from kinerja.register.models import DataVersion

    ids = sorted({int(u) for u in unit_ids if u is not None})
    ys = [ALL] if years is None else sorted({int(y) for y in years})
    if not ids or not ys:
        return
    done = DataVersion.objects.filter(scope__in=ids, year__in=ys).update(version=F("version") + 1)
    if done < len(ids) * len(ys):
        # first write of a unit-year: its row is made at 0 (a concurrent maker's row is kept), then advanced
        have = set(DataVersion.objects.filter(scope__in=ids, year__in=ys).values_list("scope", "year"))
        new = [(i, y) for i in ids for y in ys if (i, y) not in have]
        DataVersion.objects.bulk_create([DataVersion(scope=i, year=y, version=0) for i, y in new],
                                        ignore_conflicts=True)
        for i, y in new:
            DataVersion.objects.filter(scope=i, year=y).update(version=F("version") + 1)


def advance_tree() -> None:
    """The unit tree changed (a unit made, moved or removed): every unit's figures are stale."""
    advance([TREE])


def counters(scopes: Iterable[int] | None = None) -> dict[int, dict[int, int]]:
    """The counters by scope, then year (one query): of these scopes and the tree, or of all."""
    from kinerja.register.models import DataVersion

    rows = DataVersion.objects.all()
    if scopes is not None:
        rows = rows.filter(scope__in={TREE, *scopes})
    out: dict[int, dict[int, int]] = {}
    for scope, year, version in rows.values_list("scope", "year", "version"):
        out.setdefault(scope, {})[year] = version
    return out


def total(counts: dict[int, dict[int, int]], scopes: Iterable[int], years: Any = None) -> int:
    """The sum of the counters of these scopes for these years and ALL (years None: every year)."""
    out = 0
    for s in scopes:
        mine = counts.get(s)
        if not mine:
            continue
        if years is None:
            out += sum(mine.values())
        else:
            out += mine.get(ALL, 0) + sum(mine.get(y, 0) for y in years)
    return out
