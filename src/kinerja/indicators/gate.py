"""The publication gate: every aggregate that leaves the register (API, page, chart data, CSV, CLI,
reports) passes through `publish_figures`, which applies the audience's rules (domain.md, indicators.md):

- which measures it may see: the process level (durasi_*) only for section heads and a social
  worker's own level;
- which periods: an audience that gets suppressed figures gets whole periods only (a calendar
  year, half-year, quarter or month), never an arbitrary window, and never the individual level;
- suppression: a count from 1 to k-1 is shown as "<k"; a rate or share whose numerator, or
  denominator minus numerator, is from 1 to k-1 and a median over fewer than k values are
  shown as SECONDARY ("*"); so is everything derived from a hidden figure.

Small counts must not come back by differencing either: a year is the sum of its halves, quarters
and months, and a unit's figure the sum of its own cases' and its children's. The gate therefore
suppresses over the whole lattice a suppressed audience can ask for (every whole period of the
year, every unit of the tree) and adds complementary suppression until no sum relation has
exactly one hidden non-zero cell (indicators.md's row-and-column rule, with a unit's own cases,
which are never shown on their own, as a cell of its relation). Numerators that a shown rate
and a shown count give back (on-time responses = share x cases received) are cells too. What
the pattern hides for one period and unit depends only on that year's data, so every request
sees the same pattern.

Not suppressed: figures about the office's resources rather than the people it serves
(certified social workers, budget realisation). The difference of two shown counts (handled
minus resolved) is not a cell of any table and is not treated as one.

Plain Python over the indicator engine: no request objects, so the API, the page and the CLI
share it."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kinerja import vocab
from kinerja.indicators import definitions as defs
from kinerja.indicators.measures import BASIS_FAMILIES, compute_basis, unit_targets, unit_tree
from kinerja.indicators.periods import Period, check_period, whole_kind, whole_periods
from kinerja.register import permissions
from kinerja.suppression import SECONDARY

# -- audiences ------------------------------------------------------------------------------------


class GateError(ValueError):
    """A request the gate refuses: `status` 400 (bad period or level) or 403 (measure not allowed)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Audience:
    """Who the figures go to: may they see the process level, and do they get suppressed figures."""

    process: bool
    suppressed: bool
    k: int = 5


def audience_for(role: str, publik: bool = False, k: int = 5) -> Audience:
    """The audience of a signed-in role; `publik` asks for the form that may leave the unit.
    Evaluators (inspectors, researchers outside the section) always get that form."""
    if role in (permissions.KASI, permissions.PEKSOS):
        return Audience(process=True, suppressed=publik, k=k)
    if role == permissions.PIMPINAN:
        return Audience(process=False, suppressed=publik, k=k)
    if role == permissions.EVALUATOR:
        return Audience(process=False, suppressed=True, k=k)
    raise GateError("Peran Anda tidak dapat melihat indikator / your role may not see indicators", 403)


def operator(publik: bool, k: int = 5) -> Audience:
    """The server operator at the command line: every measure; suppressed when asked (--publik)."""
    return Audience(process=True, suppressed=publik, k=k)


def check_request(audience: Audience, period: Period | None, worker: object | None = None,
                  kategori: Sequence[str] | None = None) -> None:
    """Refuse, before any work, what the audience may not ask: years out of bounds, an arbitrary
    window, an individual's figures or a category filter in suppressed form (the suppression
    lattice covers whole periods and units of every category; one category's count next to all
    categories' would give the others' small counts away by difference)."""
    if period is not None:
        try:
            check_period(period)
        except ValueError as exc:
            raise GateError(f"periode / period: {exc}") from None
    if not audience.suppressed:
        return
    if worker is not None:
        raise GateError("Angka yang keluar dari unit hanya agregat unit / figures that leave the unit "
                        "are unit aggregates only (no worker)")
    if kategori:
        raise GateError("Angka yang keluar dari unit hanya untuk semua kategori / figures that leave the unit "
                        "are for every category together (no kategori)")
    if period is not None and whole_kind(period) is None:
        raise GateError("Angka yang keluar dari unit hanya untuk periode utuh (tahun, semester, triwulan, bulan) / "
                        "figures that leave the unit are for whole periods only (year, half, quarter, month): "
                        f"{period}")


def check_measure(audience: Audience, measure: str) -> None:
    if not audience.process and measure in defs.PROCESS_IDS:
        raise GateError("Peran Anda tidak melihat ukuran proses / your role does not see process measures", 403)


# -- what each figure is made of ------------------------------------------------------------------

SPM_COUNTS = tuple(defs.spm_count_id(s) for s in vocab.SPM_SERVICES)
KENDALA = tuple(f"kendala_{k}" for k in defs.OBSTACLES)
# additive over disjoint periods and over units
PERIOD_ADDITIVE = ("received", "resolved", *KENDALA, "on_time", "documented", "complaints", "complaints_on_time")
# additive over units only (their sets overlap between periods)
UNIT_ADDITIVE = ("handled", "obstructed", *SPM_COUNTS)
QUANTITIES = PERIOD_ADDITIVE + UNIT_ADDITIVE
# a numerator given back by a shown rate x a shown denominator: hidden with its denominator
COUPLED = {"received": ("on_time", "documented"), "handled": ("obstructed", "complaints"),
           "complaints": ("complaints_on_time",)}
# numerator -> denominator: its cell is primary when numerator or denominator - numerator is small
RATE_OF = {"on_time": "received", "documented": "received", "obstructed": "handled",
           "complaints_on_time": "complaints"}
LIGHT_FAMILIES = ("cases", "obstacles", "response", "complaints")

COUNT_MEASURES = {"kasus_masuk": "received", "kasus_ditangani": "handled", "kasus_selesai": "resolved",
                  **{m: m for m in KENDALA}, **{m: m for m in SPM_COUNTS}}
# measure -> the lattice cells of its unit and period that hide it
CELLS_OF: dict[str, tuple[str, ...]] = {
    **{m: (q,) for m, q in COUNT_MEASURES.items()},
    "tingkat_penyelesaian": ("resolved", "handled"),
    "pertumbuhan_penyelesaian": ("resolved",),
    "kasus_selesai_per_peksos": ("resolved",),
    "biaya_per_kasus_selesai": ("resolved",),
    "pengaduan_per_100_kasus": ("complaints", "handled"),
    "respon_tepat_waktu": ("on_time", "received"),
    "pengaduan_selesai_tepat_waktu": ("complaints_on_time", "complaints"),
    "kelengkapan_dokumentasi": ("documented", "received"),
    "kasus_terkendala": ("obstructed", "handled"),
}
# measure -> rules on the basis of its own unit and period: ("count", key) | ("rate", num, den) | ("n", key)
RULES: dict[str, tuple[tuple[str, ...], ...]] = {
    "ikm": tuple(("count", f"cnt_u{i}") for i in range(1, 10)),
    "waktu_respon_median_jam": (("n", "n_response_h"),),
    "waktu_asesmen_median_hari": (("n", "n_assessment_d"),),
    "kepatuhan_sop": (("rate", "sop", "closed"),),
    "rencana_disetujui": (("rate", "plan_ok", "intervened"),),
    "capaian_spm": (("rate", "children_spm", "children"),),
    "hunian_rumah_aman": (("count", "bed_days"),),
    "waktu_tanggap_rujukan_median_jam": (("n", "n_referral_h"),),
    "rujukan_tanpa_respon": (("rate", "unanswered", "referrals"),),
    "rasio_kesetaraan_respon": (("rate", "on_time_l", "received_l"), ("rate", "on_time_p", "received_p")),
    "pertumbuhan_penyelesaian": (("count", "resolved_prev"),),
    **{d: (("n", f"n_{d}"),) for d in defs.PROCESS_IDS},
}


def _small(v: float, k: int) -> bool:
    return 1 <= v < k


def _breaks(rule: tuple[str, ...], basis: dict[str, float], k: int) -> bool:
    kind = rule[0]
    if kind == "rate":
        num, den = basis.get(rule[1], 0.0), basis.get(rule[2], 0.0)
        return _small(num, k) or _small(den - num, k)
    if kind == "n":
        return 0 < basis.get(rule[1], 0.0) < k
    return _small(basis.get(rule[1], 0.0), k)


def _primary(q: str, b: dict[str, float], k: int) -> bool:
    v = b.get(q, 0.0)
    if q in RATE_OF:
        return _small(v, k) or _small(b.get(RATE_OF[q], 0.0) - v, k)
    return _small(v, k)


# -- the lattice ---------------------------------------------------------------------------------

Node = int | tuple[str, int]  # a unit, or ("own", unit): the unit's own cases, never shown alone
Cell = tuple[str, Node, Period]


@dataclass
class Lattice:
    """The basis of every unit of one tree for every whole period of some years, and the cells
    hidden from a suppressed audience (primary and complementary)."""

    k: int
    basis: dict[tuple[Node, Period], dict[str, float]]
    units: set[int] = field(default_factory=set)
    full: set[Period] = field(default_factory=set)  # periods read with every family
    value: dict[Cell, float] = field(default_factory=dict)
    hidden: set[Cell] = field(default_factory=set)
    primary: set[Cell] = field(default_factory=set)

    def is_hidden(self, q: str, unit: int, period: Period) -> bool:
        return (q, unit, period) in self.hidden


def _adjacent_chunks(periods: Sequence[Period], size: int = 24) -> list[list[Period]]:
    runs: list[list[Period]] = []
    for p in sorted(periods, key=lambda p: p.start):
        if runs and runs[-1][-1].end == p.start and len(runs[-1]) < size:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def build_lattice(unit_id: int, years: Iterable[int], k: int, extra: Sequence[Period] = ()) -> Lattice:
    """The lattice of the tree that holds `unit_id` (from its topmost unit down, so that every
    audience sees the same pattern) over every whole period of `years`. Years are read with every
    family (the rules of all measures); halves, quarters and months with those of the cells only,
    and `extra` periods (a requested half, quarter or month) with every family as well."""
    tree = unit_tree()
    parent = {c: p for p, cs in tree.children.items() for c in cs}
    root = unit_id
    while parent.get(root) is not None:
        root = parent[root]  # type: ignore[assignment]
    nodes = sorted(tree.descendants(root))
    ys = sorted(set(years))
    basis: dict[tuple[Node, Period], dict[str, float]] = {}

    full: set[Period] = set()

    def read(periods: Sequence[Period], families: Iterable[str]) -> None:
        fams = tuple(families)
        if not periods:
            return
        for chunk in _adjacent_chunks(periods):
            for p, per_unit in zip(chunk, compute_basis(nodes, chunk, families=fams, tree=tree), strict=True):
                for u, row in per_unit.items():
                    basis.setdefault((u, p), {}).update(row)
            if fams == BASIS_FAMILIES:
                full.update(chunk)

    read([Period.year(y) for y in ys], BASIS_FAMILIES)
    for kind in ("half", "quarter", "month"):
        read([p for y in ys for p in whole_periods(y, kind)], LIGHT_FAMILIES)
    read([p for p in extra if p not in full], BASIS_FAMILIES)

    lat = Lattice(k=k, basis=basis, units=set(nodes), full=full)
    inner = [u for u in nodes if tree.children.get(u)]
    periods = sorted({p for _, p in basis}, key=lambda p: (p.start, p.end))
    for p in periods:
        for u in inner:
            own = dict(basis[(u, p)])
            for c in tree.children[u]:
                for key, v in basis[(c, p)].items():
                    own[key] = own.get(key, 0.0) - v
            basis[(("own", u), p)] = own
    # the cells, their values and primary suppression
    for (node, p), b in basis.items():
        for q in QUANTITIES:
            if q in SPM_COUNTS and p not in full:
                continue  # the SPM counts are read for the periods asked for and the years only
            cell = (q, node, p)
            lat.value[cell] = b.get(q, 0.0)
            if _primary(q, b, k):
                lat.primary.add(cell)
    for cell in sorted(lat.primary, key=_order):
        _hide(lat, cell)
    _complement(lat, _relations(lat, nodes, inner, tree.children, ys, periods))
    return lat


def _order(cell: Cell) -> tuple[Any, ...]:
    q, node, p = cell
    return (p.start, p.end, q, (1, node[1]) if isinstance(node, tuple) else (0, node))


def _hide(lat: Lattice, cell: Cell) -> None:
    stack = [cell]
    while stack:
        c = stack.pop()
        if c in lat.hidden or c not in lat.value:
            continue
        lat.hidden.add(c)
        q, node, p = c
        stack.extend((q2, node, p) for q2 in COUPLED.get(q, ()))


def _relations(lat: Lattice, nodes: list[int], inner: list[int], children: dict[int | None, list[int]],
               years: list[int], periods: list[Period]) -> list[tuple[Cell, list[Cell]]]:
    """total = sum of parts: a year of its halves, a half of its quarters, a quarter of its months
    (for every unit and own-cases node); a unit of its own cases and its children (every period)."""
    rels: list[tuple[Cell, list[Cell]]] = []
    all_nodes: list[Node] = [*nodes, *(("own", u) for u in inner)]
    for y in years:
        year, halves, quarters, months = (whole_periods(y, kind) for kind in ("year", "half", "quarter", "month"))
        splits = [(year[0], halves), (halves[0], quarters[:2]), (halves[1], quarters[2:])] + [
            (quarters[i], months[3 * i: 3 * i + 3]) for i in range(4)]
        for q in PERIOD_ADDITIVE:
            for node in all_nodes:
                for total, parts in splits:
                    rels.append(((q, node, total), [(q, node, p) for p in parts]))
    for p in periods:
        for q in QUANTITIES:
            for u in inner:
                rels.append(((q, u, p), [(q, ("own", u), p), *((q, c, p) for c in children[u])]))
    return [(t, ps) for t, ps in rels if t in lat.value and all(c in lat.value for c in ps)]


def _complement(lat: Lattice, relations: list[tuple[Cell, list[Cell]]]) -> None:
    """Hide more cells until no relation has exactly one hidden non-zero cell: the smallest other
    non-zero part first (a unit's own cases cost nothing to hide), the total only when no part can."""
    def eff(c: Cell) -> bool:
        return c in lat.hidden and lat.value[c] != 0

    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            if sum(eff(c) for c in cells) != 1:
                continue
            free = [c for c in parts if not eff(c) and lat.value[c] != 0]
            if not free and not eff(total) and lat.value[total] != 0:
                free = [total]
            if free:
                _hide(lat, min(free, key=lambda c: (lat.value[c], _order(c))))
                changed = True


# -- applying it to figures -----------------------------------------------------------------------


def _mark(value: Any, k: int, count: bool) -> Any:
    if count and isinstance(value, int | float) and 1 <= value < k:
        return f"<{k}"
    return SECONDARY


class _Gate:
    def __init__(self, audience: Audience, unit_id: int, lattice: Lattice | None) -> None:
        self.a, self.unit, self.lat = audience, unit_id, lattice
        self._targets: dict[int, dict[str, float]] = {}

    def targets(self, year: int) -> dict[str, float]:
        if year not in self._targets:
            self._targets[year] = unit_targets([self.unit], [year]).get((self.unit, year), {})
        return self._targets[year]

    def hides(self, mid: str, period: Period, value: Any, depth: int = 0) -> bool:
        """Whether a suppressed audience must not see measure `mid` of this unit and period."""
        lat = self.lat
        assert lat is not None
        if value is None:
            return False  # undefined stays undefined (a zero denominator gives nothing away)
        if (self.unit, period) not in lat.basis:
            return True
        basis = lat.basis[(self.unit, period)]
        if any(lat.is_hidden(q, self.unit, period) for q in CELLS_OF.get(mid, ())):
            return True
        if any(_breaks(rule, basis, lat.k) for rule in RULES.get(mid, ())):
            return True
        if mid == "pertumbuhan_penyelesaian":
            year = period.calendar_year
            prev = period.previous()
            return year is None or (self.unit, prev) not in lat.basis or lat.is_hidden("resolved", self.unit, prev)
        if mid == "capaian_target":
            year = period.calendar_year
            if year is None or depth:
                return True
            return any(m != "capaian_target" and self.hides(m, period, 0, depth + 1) for m in self.targets(year))
        return False

    def value(self, mid: str, period: Period, value: Any) -> Any:
        if not self.a.suppressed or not self.hides(mid, period, value):
            return value
        return _mark(value, self.a.k, mid in COUNT_MEASURES)


class Publisher:
    """The gate for one audience over several figures (a page's card and trend, a report's tables):
    the lattice of a tree and years is built once and shared. `publish_figures` is one figure."""

    def __init__(self, audience: Audience) -> None:
        self.audience = audience
        self._lattices: list[Lattice] = []

    def lattice(self, uid: int, periods: Sequence[Period]) -> Lattice | None:
        if not self.audience.suppressed:
            return None
        for lat in self._lattices:
            if uid in lat.units and all(p in lat.full for p in periods):
                return lat
        years = {p.start.year for p in periods}
        lat = build_lattice(uid, years, self.audience.k, extra=sorted(periods, key=lambda p: p.start))
        self._lattices.append(lat)
        return lat

    def publish(self, unit: Any, period: Period | None, figures: dict[str, Any]) -> dict[str, Any]:
        """See publish_figures."""
        uid = unit if isinstance(unit, int) else unit.pk
        figures = copy.deepcopy(figures)
        if "series" in figures:
            return _trend(self, uid, figures)
        if not isinstance(period, Period):
            raise TypeError("measures and scorecards are gated for one period")
        check_request(self.audience, period)
        if "dimensions" in figures:
            return _scorecard(self, uid, period, figures)
        return _measures(self, uid, period, figures)


def publish_figures(audience: Audience, unit: Any, period: Period | None, figures: dict[str, Any]) -> dict[str, Any]:
    """The one gate. `figures` is one of:
    - a measures dict (measure ids -> values; other keys pass through) of `unit` and `period`;
    - a scorecard (scorecard.scorecard(); `period` its period; the previous period is the card's own);
    - a trend {"measure": id, "series": [{"year", "value", ...}]} (`period` unused: the points are years).
    Returns a new object: process measures dropped unless the audience sees them; for a suppressed
    audience, the suppression of this module. Requests an audience may not make raise GateError."""
    return Publisher(audience).publish(unit, period, figures)


def _measures(pub: Publisher, uid: int, period: Period, values: dict[str, Any]) -> dict[str, Any]:
    audience = pub.audience
    if not audience.process:
        for mid in defs.PROCESS_IDS:
            values.pop(mid, None)
    gate = _Gate(audience, uid, pub.lattice(uid, [period]))
    for mid in list(values):
        if mid in defs.MEASURES:
            values[mid] = gate.value(mid, period, values[mid])
    return values


def _trend(pub: Publisher, uid: int, body: dict[str, Any]) -> dict[str, Any]:
    audience = pub.audience
    check_measure(audience, body["measure"])
    series = body["series"]
    if audience.suppressed and series:
        periods = [Period.year(int(p["year"])) for p in series]
        for p in periods:
            check_request(audience, p)
        gate = _Gate(audience, uid, pub.lattice(uid, periods))
        for point, p in zip(series, periods, strict=True):
            point["value"] = gate.value(body["measure"], p, point["value"])
    return body


def _scorecard(pub: Publisher, uid: int, period: Period, card: dict[str, Any]) -> dict[str, Any]:
    audience = pub.audience
    if not audience.process:
        for d in card["dimensions"]:
            d["measures"] = [m for m in d["measures"] if m["id"] not in defs.PROCESS_IDS]
        for i in card["inhibitors"]:
            i["measures"] = [m for m in i["measures"] if m["id"] not in defs.PROCESS_IDS]
    if not audience.suppressed:
        return card
    prev = period.previous()
    whole_prev = prev.calendar_year is not None and period.calendar_year is not None
    gate = _Gate(audience, uid, pub.lattice(uid, [prev, period] if whole_prev else [period]))
    rows = [m for d in card["dimensions"] for m in d["measures"]] + [m for i in card["inhibitors"] for m in i["measures"]]
    for m in rows:
        mid = m["id"]
        if gate.hides(mid, period, m["value"]):
            m.update(value=gate.value(mid, period, m["value"]), achievement=SECONDARY, change=SECONDARY,
                     rating=SECONDARY, rating_label=SECONDARY)
            if "quality_band" in m:
                m["quality_band"] = SECONDARY
        if m["previous"] is not None and (not whole_prev or gate.hides(mid, prev, m["previous"])):
            m.update(previous=gate.value(mid, prev, m["previous"]) if whole_prev else SECONDARY, change=SECONDARY)
    for d in card["dimensions"]:
        if any(m["achievement"] == SECONDARY for m in d["measures"]):
            d.update(score=SECONDARY, rating=SECONDARY, rating_label=SECONDARY)
    if any(d["score"] == SECONDARY for d in card["dimensions"]):
        card.update(score=SECONDARY, rating=SECONDARY, rating_label=SECONDARY)
    # a share is a count over the total of all factors: one hidden count hides every share
    any_hidden = False
    for i in card["inhibitors"]:
        if i.get("obstacle") in defs.OBSTACLES and i["actions"] is not None:
            mid = f"kendala_{i['obstacle']}"
            if gate.hides(mid, period, i["actions"]):
                i["actions"] = gate.value(mid, period, i["actions"])
                any_hidden = True
    if any_hidden:
        for i in card["inhibitors"]:
            if i["share"] is not None:
                i["share"] = SECONDARY
    return card
