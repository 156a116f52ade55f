"""Keeps the figure cache warm, so that a performance page finds its figures computed.

The figure cache (indicators.cache) spares a page the engine once its figures were computed, but
the first view after an import or a write still waits for them: at national scale a section's
page with ten years of trend takes a second to compute, and a case page queued behind it waits
too. The keeper computes them before anyone asks:

- warm(): every unit's figures of every year with cases (the default variant every page opens
  on: no worker, no category, the configured thresholds), computing only what the cache lacks.
- keep(): warm(), then watch the data versions (register.dataversion). When counters move, the
  units whose counters moved and their ancestors are computed again for the years that moved and
  the year after (a year's figures read the year before), so the next view is a hit again.

It changes no figure and decides nothing about who sees what: it only fills the cache that
compute_periods reads, under the versions compute_periods itself reads, so a figure it stores is
exactly what a page would have computed (and a write in between makes it a key nobody asks for).
`kinerja serve` runs `kinerja figures keep` as a low-priority process of its own beside the web
workers (KINERJA_FIGURE_KEEPER=0 turns that off); `kinerja figures warm` runs warm() once, e.g.
after a large import."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from kinerja.indicators import cache as figure_cache
from kinerja.indicators.measures import compute_periods, unit_tree
from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR, Period
from kinerja.register import dataversion
from kinerja.register.models import Case, DataVersion

Counters = dict[int, dict[int, int]]


def years_with_cases() -> list[int]:
    """From the first year with a case to this year (WIB), within the years a page may show."""
    span = Case.objects.aggregate(first=Min("reported_at"), last=Max("reported_at"))
    if span["first"] is None:
        return []
    wib = dt.timedelta(hours=7)
    first = (span["first"] + wib).year
    last = max((span["last"] + wib).year, timezone.localdate().year)
    return list(range(max(first, FIRST_YEAR), min(last, LAST_YEAR) + 1))


def warm(unit_ids: Iterable[int] | None = None, years: Iterable[int] | None = None,
         out: TextIO | None = None) -> int:
    """Compute the figures the cache lacks for these units (default: every unit) and years
    (default: years_with_cases()); how many unit-periods were computed."""
    if not figure_cache.enabled():
        return 0
    tree = unit_tree()
    ids = sorted(set(unit_ids) if unit_ids is not None else tree.all_ids)
    ys = sorted(set(years) if years is not None else years_with_cases())
    if not ids or not ys:
        return 0
    before = figure_cache.STATS["computed"]
    started = time.perf_counter()
    for y in reversed(ys):  # the newest first (the year pages open on); one year a store
        compute_periods(ids, [Period.year(y)], tree=tree)
    done = figure_cache.STATS["computed"] - before
    if out is not None:
        print(f"figures: units {len(ids)}, years {ys[0]}-{ys[-1]}, unit-years computed {done} "
              f"({time.perf_counter() - started:.1f} s)", file=out, flush=True)
    return done


def stamp() -> tuple[int, int]:
    """A cheap sign of any advance: counters only grow and rows are only added."""
    row = DataVersion.objects.aggregate(s=Sum("version"), n=Count("id"))
    return int(row["s"] or 0), int(row["n"] or 0)


def moved(before: Counters, after: Counters, all_years: list[int]) -> tuple[set[int], set[int]]:
    """The units (with their ancestors) and years whose figures the advances between two readings
    of the counters made stale."""
    tree = unit_tree()
    changed = [(scope, year) for scope, years in after.items() for year, v in years.items()
               if before.get(scope, {}).get(year) != v]
    if not changed:
        return set(), set()
    if any(scope == dataversion.TREE for scope, _ in changed):
        return set(tree.all_ids), set(all_years)
    parent = {c: p for p, cs in tree.children.items() for c in cs}
    units: set[int] = set()
    years: set[int] = set()
    for scope, year in changed:
        u: int | None = scope
        while u is not None and u not in units:
            units.add(u)
            u = parent.get(u)
        years |= set(all_years) if year == dataversion.ALL else {year, year + 1}
    return units & set(tree.all_ids), years & set(all_years)


def keep(stop: Callable[[], bool], poll: float = 2.0, out: TextIO | None = None) -> None:
    """warm(), then keep the figures of every unit-year warm after each write until stop(). The
    stores wait for SQLite's write lock (a page's never do: indicators.cache.put_many)."""
    figure_cache.WAIT_FOR_LOCK = True
    mark = stamp()  # read before the counters: an advance in between is seen again, not lost
    seen = dataversion.counters()
    warm(out=out)
    while not stop():
        time.sleep(poll)
        now = stamp()
        if now == mark:
            continue
        counts = dataversion.counters()
        units, years = moved(seen, counts, years_with_cases())
        not_stored = figure_cache.STATS["not_stored"]
        if units and years:
            warm(units, years, out=out)
        if figure_cache.STATS["not_stored"] == not_stored:
            seen, mark = counts, now  # else (the database was busy) the same again next time
