"""A framework's scorecard for one unit (optionally one social worker) and period, and trends.

Targets are the Target rows of the unit itself (not its descendants) for year(P). A worker's
targets (indicators.md, "Targets of one worker"): their own target where one is set; otherwise a
count target (cases, actions) is the unit's target divided by the unit's social-worker FTE of that
year, and any other target is the unit's own. Each row says which kind it got (`target_kind`).
With a category filter the card has no targets: they are set for every category together. Achievement and ratings follow
indicators.md; a framework may override a measure's direction and the rating scale.

Inhibiting factors are ranked by how much they weighed this period: a factor's share is the
number of actions in P that recorded its obstacle (kendala_<obstacle>) over the number of actions
in P that recorded any of the framework's factors' obstacles, x 100. Higher share first; ties, and
factors without a share (no obstacle code, or no obstacle action at all), keep the framework's
order, those without a share last."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import get_language

from kinerja.indicators import definitions as defs
from kinerja.indicators import frameworks
from kinerja.indicators.achievement import NOT_RATED, achievement, ikm_band, weighted_mean
from kinerja.indicators.frameworks import Framework
from kinerja.indicators.measures import Value, compute_periods, kategori_codes, unit_targets, unit_tree
from kinerja.indicators.periods import Period
from kinerja.register.models import Staff, Staffing, Target, Unit

# where a worker's target comes from
OWN, FTE_SHARE, UNIT = "individu", "bagian_fte", "unit"
COUNT_UNITS = (defs.CASES, defs.ACTIONS)


def _lang(lang: str | None) -> str:
    return lang or (get_language() or "id")


def _unit(unit: Unit | int | str) -> Unit:
    if isinstance(unit, Unit):
        return unit
    if isinstance(unit, int):
        return Unit.objects.get(pk=unit)
    return Unit.objects.get(code=unit)


def _worker(worker: Staff | int | str | None) -> Staff | None:
    if worker is None or isinstance(worker, Staff):
        return worker
    if isinstance(worker, int):
        return Staff.objects.get(pk=worker)
    return Staff.objects.get(username=worker)


def _change(now: Value, before: Value) -> float | None:
    if now is None or before is None:
        return None
    return float(now) - float(before)


def scorecard(
    unit: Unit | int | str,
    period: Period | int,
    framework: str | Framework | None = None,
    worker: Staff | int | str | None = None,
    lang: str | None = None,
    kategori: list[str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The framework's dimensions with each measure's value, unit, direction, target, achievement,
    rating, previous period's value and change; dimension and overall scores; inhibiting factors.
    JSON-ready (numbers unrounded)."""
    u = _unit(unit)
    return scorecards([u], period, framework, worker, lang, kategori=kategori, **options)[u.pk]


def scorecards(
    units: list[Unit] | list[int] | list[str],
    period: Period | int,
    framework: str | Framework | None = None,
    worker: Staff | int | str | None = None,
    lang: str | None = None,
    kategori: list[str] | None = None,
    **options: Any,
) -> dict[int, dict[str, Any]]:
    """scorecard() of several units for one period, keyed by unit id. The measures of all of them
    come from one compute_periods call (this period and the previous one), so the cost does not grow
    with one query set per unit: this is how every section of a national roll-out gets its card."""
    lang = _lang(lang)
    us = [_unit(u) for u in units]
    w = _worker(worker)
    p = Period.year(period) if isinstance(period, int) else period
    prev = p.previous()
    fw = framework if isinstance(framework, Framework) else frameworks.get(framework)
    # the targets of this year (the card's target column) and the previous one (its capaian_target), read once
    known = unit_targets([u.pk for u in us], [y for y in (prev.calendar_year, p.calendar_year) if y is not None])
    year = p.calendar_year
    kat = kategori_codes(kategori)
    tree = unit_tree()
    targets = {u.pk: known.get((u.pk, year), {}) if year is not None and kat is None else {} for u in us}
    kinds: dict[int, dict[str, str]] = {u.pk: {} for u in us}
    if w is not None and year is not None and kat is None:
        for u in us:
            mine = worker_targets(u, w, year, targets[u.pk], tree)
            targets[u.pk] = {m: v for m, (v, _) in mine.items() if v is not None}
            kinds[u.pk] = {m: kind for m, (_, kind) in mine.items()}

    dims_of: dict[int, list[tuple[Any, tuple[str, ...]]]] = {}
    wanted_all: dict[str, None] = {}
    for u in us:
        dims = []
        for d in fw.dimensions:
            ids = tuple(m for m in defs.ALL_IDS if m in targets[u.pk]) if d.targeted else d.measures
            dims.append((d, ids))
        dims_of[u.pk] = dims
        wanted_all.update(dict.fromkeys([m for _, ids in dims for m in ids] + fw.measure_ids()))
    wanted = list(wanted_all)
    unit_ids = [u.pk for u in us]
    before_all, now_all = (compute_periods(unit_ids, [prev, p], worker=w, measures=wanted, tree=tree,
                                           given_targets=known, kategori=kat, **options)
                           if wanted else ({}, {}))
    cards = {u.pk: _card(u, w, p, prev, fw, lang, targets[u.pk], dims_of[u.pk], now_all.get(u.pk, {}),
                         before_all.get(u.pk, {}), kinds[u.pk] if w is not None else None) for u in us}
    if kat is not None:
        for card in cards.values():
            card["kategori"] = kat
    return cards


def worker_targets(unit: Unit, worker: Staff, year: int, of_unit: dict[str, float],
                   tree: Any = None) -> dict[str, tuple[float | None, str]]:
    """measure -> (target, kind) of one worker for a year: their own (OWN); else a count target as
    the unit's over the social-worker FTE of the unit (with its descendants) that year (FTE_SHARE;
    null without staffing rows); else the unit's (UNIT)."""
    own = dict(Target.objects.filter(unit=unit, year=year, worker=worker).values_list("indicator", "value"))
    ids = (tree or unit_tree()).descendants(unit.pk)
    fte = sum(float(v or 0) for v in Staffing.objects.filter(unit_id__in=ids, year=year)
              .values_list("social_workers", flat=True))
    out: dict[str, tuple[float | None, str]] = {}
    for mid in defs.ALL_IDS:
        if mid in own:
            out[mid] = (own[mid], OWN)
        elif mid in of_unit:
            if defs.MEASURES[mid].unit in COUNT_UNITS:
                out[mid] = (of_unit[mid] / fte if fte > 0 else None, FTE_SHARE)
            else:
                out[mid] = (of_unit[mid], UNIT)
    return out


def _card(u: Unit, w: Staff | None, p: Period, prev: Period, fw: Framework, lang: str, targets: dict[str, float],
          dims: list[tuple[Any, tuple[str, ...]]], now: dict[str, Value], before: dict[str, Value],
          kinds: dict[str, str] | None = None) -> dict[str, Any]:
    def measure_row(mid: str, weight: float | None = None) -> dict[str, Any]:
        m = defs.get(mid)
        direction = fw.direction(mid)
        target = targets.get(mid)
        ach = achievement(now[mid], target, direction)
        band = fw.scale.rate(ach)
        row: dict[str, Any] = {
            "id": mid, "name": m.name(lang), "value": now[mid], "unit": m.unit_label(lang),
            "direction": direction, "target": target, "achievement": ach,
            "rating": band.code, "rating_label": band.label(lang),
            "previous": before[mid], "change": _change(now[mid], before[mid]),
        }
        if kinds is not None:
            row["target_kind"] = kinds.get(mid)
        if weight is not None:
            row["weight"] = weight
        if mid == "ikm":
            ikm = ikm_band(now[mid])
            row["quality_band"] = None if ikm is NOT_RATED else ikm.code
        return row

    dim_out = []
    for d, ids in dims:
        rows = [measure_row(mid, d.weight_of(mid)) for mid in ids]
        score = weighted_mean([(r["achievement"], r["weight"]) for r in rows])
        band = fw.scale.rate(score)
        dim_out.append({
            "id": d.id, "name": d.name(lang), "weight": d.weight, "score": score,
            "rating": band.code, "rating_label": band.label(lang), "measures": rows,
        })
    overall = weighted_mean([(d["score"], d["weight"]) for d in dim_out])
    overall_band = fw.scale.rate(overall)

    return {
        "framework": fw.id, "framework_name": fw.name(lang),
        "unit": u.code, "unit_name": u.name, "worker": w.username if w else None,
        "mulai": p.start.isoformat(), "selesai": p.end.isoformat(),
        "previous": {"mulai": prev.start.isoformat(), "selesai": prev.end.isoformat()},
        "dimensions": dim_out,
        "score": overall, "rating": overall_band.code, "rating_label": overall_band.label(lang),
        "inhibitors": _inhibitors(fw, now, measure_row, lang),
    }


def _inhibitors(fw: Framework, now: dict[str, Value], measure_row: Any, lang: str) -> list[dict[str, Any]]:
    counts = {
        i.id: (int(now.get(f"kendala_{i.obstacle}") or 0) if i.obstacle in defs.OBSTACLES else None)
        for i in fw.inhibitors
    }
    total = sum(c for c in counts.values() if c)
    ranked: list[tuple[float | None, int, dict[str, Any]]] = []
    for order, i in enumerate(fw.inhibitors):
        n = counts[i.id]
        share = (n / total * 100.0) if (n is not None and total) else None
        ranked.append((share, order, {
            "id": i.id, "name": i.name(lang), "obstacle": i.obstacle, "actions": n, "share": share,
            "measures": [measure_row(mid) for mid in i.measures],
        }))
    ranked.sort(key=lambda r: (r[0] is None, -(r[0] or 0.0), r[1]))
    return [{**row, "rank": rank} for rank, (_, _, row) in enumerate(ranked, 1)]


def trend(
    unit: Unit | int | str,
    years: list[int] | range,
    measure: str,
    worker: Staff | int | str | None = None,
    kategori: list[str] | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """A measure's calendar-year series: [{"year", "mulai", "selesai", "value"}], oldest first."""
    defs.get(measure)
    u = _unit(unit)
    periods = [Period.year(y) for y in sorted(set(years))]
    values = compute_periods([u.pk], periods, worker=worker, measures=[measure], kategori=kategori, **options)
    return [{"year": p.start.year, "mulai": p.start.isoformat(), "selesai": p.end.isoformat(),
             "value": v[u.pk][measure]} for p, v in zip(periods, values, strict=True)]


def period_of(year: int | None = None, start: dt.date | None = None, end: dt.date | None = None) -> Period:
    """A calendar year, or [start, end) of WIB dates; exactly one of the two must be given."""
    if year is not None and (start is None and end is None):
        return Period.year(year)
    if year is None and start is not None and end is not None:
        return Period(start, end)
    raise ValueError("give either a year, or both a start and an end date")
