"""Computed figures of a unit and period, kept while their records are unchanged.

Figures of a closed period change only when their records do, yet every performance page asked
for ten years of them again. compute_periods (measures.py) therefore keeps each unit-period's raw
measure values here, keyed by the unit-period's data version (register.dataversion: the tree's
counter and the sum of the counters over the unit's subtree and the period's years), and computes
only the unit-periods whose version moved since: a write of today leaves closed years alone.

Why this design:
- The store is a database table (register.FigureCache), not a process-local dict or a cache
  server: every worker process shares it with no further service to run, and an entry written in
  a transaction that rolls back disappears with the records it was computed from.
- Entries hold raw figures, the measures of the unit-period computed so far (a miss computes the
  measures asked for and adds them), independent of who asks: the
  publication gate is applied by the callers after the cache, never cached per role. The variant
  part of the key is what changes raw figures: the worker (individual level), the category
  filter and the configurable thresholds.
- A stale entry is never served: the version is read before the records, so figures computed
  from records newer than the version read are stored under an older key that no later reader
  asks for. Old entries are overwritten in place (one row per unit, period and variant).
Set KINERJA_FIGURE_CACHE=0 to compute every figure afresh (e.g. for a register written behind
the ORM's back)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections, transaction

from kinerja.register import dataversion
from kinerja.register.models import FigureCache

# hits and misses of this process, per unit-period (the benchmark and the tests read them)
STATS: Counter[str] = Counter()
# whether stores wait for SQLite's write lock: not in a page's process, in the keeper's (indicators.keeper)
WAIT_FOR_LOCK = False


def enabled() -> bool:
    return bool(getattr(settings, "KINERJA_FIGURE_CACHE", True))


def period_years(period: Any) -> list[int]:
    """The years whose records a unit-period's figures are made from: the period's own and its
    previous period's (the cases resolved then are among its figures)."""
    first = period.previous().start
    last = period.end - dt.timedelta(days=1)
    return list(range(first.year, last.year + 1))


def versions(roots: Iterable[int], descendants: Any, periods: Sequence[Any] | None = None) -> dict[Any, str]:
    """The data version of each unit (periods None: over every year, keyed by unit) or of each
    unit and period (keyed by (unit, index of the period)): the tree's counter and the sum of the
    counters over the unit's subtree and the years the period reads (register.dataversion). One
    query: the subtrees' counters, or every counter for a wide scope."""
    roots = list(roots)
    subtrees = {r: descendants(r) for r in roots}
    scopes: set[int] = set().union(*subtrees.values()) if subtrees else set()
    counts = dataversion.counters(scopes if len(scopes) <= 500 else None)
    tree = dataversion.total(counts, [dataversion.TREE])
    if periods is None:
        return {r: f"{tree}.{dataversion.total(counts, subtrees[r])}" for r in roots}
    years = [period_years(p) for p in periods]
    return {(r, i): f"{tree}.{dataversion.total(counts, subtrees[r], ys)}"
            for r in roots for i, ys in enumerate(years)}


def key(kind: str, unit: int, start: Any, end: Any, variant: Mapping[str, Any]) -> str:
    raw = json.dumps([kind, unit, str(start), str(end), variant], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def get_many(wanted: Mapping[str, str]) -> dict[str, Any]:
    """The stored figures of these keys whose version is the one given (key -> version)."""
    found: dict[str, Any] = {}
    keys = list(wanted)
    for i in range(0, len(keys), 500):
        for k, version, data in FigureCache.objects.filter(key__in=keys[i:i + 500]).values_list(
                "key", "version", "data"):
            if version == wanted[k]:
                found[k] = json.loads(data)
    STATS["hit"] += len(found)
    STATS["miss"] += len(wanted) - len(found)
    return found


def put_many(entries: Mapping[str, tuple[str, Any]]) -> bool:
    """Store figures (key -> (version, figures)), replacing older versions of the same keys; whether
    they were stored. Best effort: a page never waits for the cache. On SQLite, where one writer
    at a time holds the whole database (an import may hold it for minutes), the figures are not
    stored when the write lock is not free at once."""
    if not entries:
        return True
    rows = [FigureCache(key=k, version=v, data=json.dumps(d, separators=(",", ":"))) for k, (v, d) in entries.items()]
    conn = connections[FigureCache.objects.db]
    # inside a write, its lock is held already
    sqlite = conn.vendor == "sqlite" and not conn.in_atomic_block and not WAIT_FOR_LOCK
    try:
        if sqlite:
            with conn.cursor() as cur:
                cur.execute("PRAGMA busy_timeout")
                waited = cur.fetchone()[0]
                cur.execute("PRAGMA busy_timeout = 0")
        try:
            with transaction.atomic(using=conn.alias):
                FigureCache.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=["key"],
                                                update_fields=["version", "data"])
        finally:
            if sqlite:
                with conn.cursor() as cur:
                    cur.execute(f"PRAGMA busy_timeout = {int(waited)}")
    except OperationalError:
        STATS["not_stored"] += len(rows)
        return False
    return True


def remembered(kind: str, unit: int, descendants: Any, compute: Callable[[], Any],
               variant: Mapping[str, Any] | None = None) -> Any:
    """A JSON value made from the records of `unit` and its descendants (e.g. the years that have
    cases), computed once per data version like the figures."""
    if not enabled():
        return compute()
    version = versions([unit], descendants)[unit]
    k = key(kind, unit, "", "", variant or {})
    found = get_many({k: version})
    if k in found:
        return found[k]
    value = compute()
    put_many({k: (version, value)})
    return value


def clear() -> int:
    """Remove every stored figure (they are recomputed on demand); the number removed."""
    return int(FigureCache.objects.all().delete()[0])
