"""Measures as they may leave the unit: small counts suppressed (indicators.md), and every figure
derived from a suppressed count suppressed with it, so no small group can be read back.

Used for the evaluator role (inspectors and researchers outside the section) and whenever a caller
asks for the public form (`publik=true` in the API, `--publik` on the CLI)."""

from __future__ import annotations

from typing import Any

from kinerja.indicators import definitions as defs
from kinerja.suppression import SECONDARY, suppress_count

# counts of cases, actions or children: shown as "<k" from 1 to k-1
COUNTS: tuple[str, ...] = (
    "kasus_masuk", "kasus_ditangani", "kasus_selesai",
    *(f"kendala_{k}" for k in defs.OBSTACLES),
    *(m for m in defs.ALL_IDS if m.startswith("anak_layanan_")),
)

# figures computed over the cases a count counts: suppressed when that count is
_OVER_RECEIVED = ("waktu_respon_median_jam", "respon_tepat_waktu", "waktu_asesmen_median_hari",
                  "kelengkapan_dokumentasi", "rasio_kesetaraan_respon")
_OVER_HANDLED = ("tingkat_penyelesaian", "pengaduan_per_100_kasus", "kasus_terkendala", "capaian_spm")
_OVER_RESOLVED = ("tingkat_penyelesaian", "pertumbuhan_penyelesaian", "kasus_selesai_per_peksos",
                  "biaya_per_kasus_selesai")
DERIVED: dict[str, tuple[str, ...]] = {}
for _count, _measures in (("kasus_masuk", _OVER_RECEIVED), ("kasus_ditangani", _OVER_HANDLED),
                          ("kasus_selesai", _OVER_RESOLVED)):
    for _m in _measures:
        DERIVED.setdefault(_m, ())
        DERIVED[_m] += (_count,)


def is_small(value: Any, k: int) -> bool:
    return isinstance(value, int | float) and 1 <= value < k


def publish(values: dict[str, Any], k: int = 5) -> dict[str, Any]:
    """A copy of a measures dict fit to leave the unit. Keys that are not measures pass through."""
    out = dict(values)
    for m in COUNTS:
        if m in values:
            out[m] = suppress_count(values[m], k)
    for m, counts in DERIVED.items():
        if m in values and values[m] is not None and any(is_small(values.get(c), k) for c in counts):
            out[m] = SECONDARY
    # process durations are medians over closed cases, whose count is not among the measures:
    # they leave the unit only when enough cases were received to hide any single child
    if is_small(values.get("kasus_masuk"), k):
        for m in defs.PROCESS_IDS:
            if m in values and values[m] is not None:
                out[m] = SECONDARY
    return out


BASIS: tuple[str, ...] = ("kasus_masuk", "kasus_ditangani", "kasus_selesai")


def publish_scorecard(card: dict[str, Any], k: int = 5, basis: dict[str, Any] | None = None,
                      basis_before: dict[str, Any] | None = None) -> dict[str, Any]:
    """A scorecard fit to leave the unit: each suppressed value hides its achievement and change
    too (either gives the value back from the target), and the dimension and overall scores that
    average a hidden achievement are hidden as well (the others would give it back). Ratings, being
    bands, stay. `basis` and `basis_before` carry the BASIS counts of the period and the one before,
    which a framework may not show but every rate is derived from."""
    rows = [m for d in card["dimensions"] for m in d["measures"]] + [m for i in card["inhibitors"] for m in i["measures"]]
    now = publish({**(basis or {}), **{m["id"]: m["value"] for m in rows}}, k)
    before = publish({**(basis_before or {}), **{m["id"]: m["previous"] for m in rows}}, k)
    for m in rows:
        if now[m["id"]] != m["value"]:
            m.update(value=now[m["id"]], achievement=SECONDARY, change=SECONDARY)
        if before[m["id"]] != m["previous"]:
            m.update(previous=before[m["id"]], change=SECONDARY)
    for d in card["dimensions"]:
        if any(m["achievement"] == SECONDARY for m in d["measures"]):
            d["score"] = SECONDARY
    if any(d["score"] == SECONDARY for d in card["dimensions"]):
        card["score"] = SECONDARY
    for i in card["inhibitors"]:
        if is_small(i.get("actions"), k):
            i["actions"] = suppress_count(i["actions"], k)
            i["share"] = SECONDARY
    return card
