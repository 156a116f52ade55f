"""The data version: a counter per unit that every write which can change a figure advances, so
that computed figures (kinerja.indicators.cache) are kept exactly as long as their records are.

- A write advances the counter of the unit its record belongs to (a case, action or referral
  moved to another unit: both units). A unit's figures include its descendants, so their key is
  the sum of the counters over its subtree: a write to one section invalidates that section and
  its ancestors and nothing else, and touches only its own row (writes of different sections
  never wait on one row).
- Scope 0 is the unit tree: creating, moving or deleting a unit changes which records every
  ancestor sums up, and advances it.
- The advance runs in the write's own transaction: a reader that sees the new counter sees the
  new records, and one that read the old counter stores its figures under the old key, which no
  later reader asks for.
Writes that bypass the ORM's signals (QuerySet.update, bulk and raw SQL writes, the import) call
advance() themselves."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

TREE = 0  # the scope of the unit tree itself


def advance(unit_ids: Iterable[int | None]) -> None:
    """Advance the counters of these units (None ignored): two queries at most."""
    from kinerja.register.models import DataVersion

    ids = sorted({int(u) for u in unit_ids if u is not None})
    if not ids:
        return
    done = DataVersion.objects.filter(scope__in=ids).update(version=F("version") + 1)
    if done < len(ids):
        # first write of a unit: its row is made at 0 (a concurrent maker's row is kept), then advanced
        have = set(DataVersion.objects.filter(scope__in=ids).values_list("scope", flat=True))
        new = [i for i in ids if i not in have]
        DataVersion.objects.bulk_create([DataVersion(scope=i, version=0) for i in new], ignore_conflicts=True)
        DataVersion.objects.filter(scope__in=new).update(version=F("version") + 1)


def advance_tree() -> None:
    """The unit tree changed (a unit made, moved or removed): every unit's figures are stale."""
    advance([TREE])


def counters() -> dict[int, int]:
    """Every counter, by scope (one query: one row per unit that was ever written)."""
    from kinerja.register.models import DataVersion

    return dict(DataVersion.objects.values_list("scope", "version"))
