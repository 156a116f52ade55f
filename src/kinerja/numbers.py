"""The one number formatter for people: pages, CLI tables and reports all show a figure through
`format_number`, so the same value reads the same everywhere.

Machine output (JSON, CSV of measures) stays unrounded (indicators.md); people see two decimals,
rounded half up in decimal (98.795 -> 98,80, never the binary float's 98,79), counts without
decimals, money as `Rp 1.474.000`. Indonesian groups thousands with `.` and writes decimals with `,`;
English the other way round. A suppressed cell (`<5`, `*`) is shown as it is; null is "not available"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

NOT_AVAILABLE = {"id": "tidak tersedia", "en": "not available"}

# the measure units (definitions.Measure.unit) whose values are whole counts
COUNT_UNITS = frozenset({"cases", "actions", "children", "kasus", "tindakan", "anak"})
MONEY_UNITS = frozenset({"Rp"})


def _grouped(text: str, lang: str) -> str:
    """'1234567.50' -> '1.234.567,50' (id) or '1,234,567.50' (en)."""
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    thousands, decimal = (".", ",") if lang == "id" else (",", ".")
    return sign + thousands.join(groups) + (decimal + frac if frac else "")


def rounded(value: float | int | Decimal, places: int = 2) -> Decimal:
    """Round half up in decimal, as people and spreadsheets expect (not the float's half-even)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Any, lang: str = "id", kind: str = "decimal", places: int = 2) -> str:
    """A figure as people read it. kind: "decimal" (two places), "count" (whole), "money" (Rp, whole),
    "percent" (two places and %)."""
    lang = "en" if str(lang).startswith("en") else "id"
    if value is None or value == "":
        return NOT_AVAILABLE[lang]
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value  # a suppressed cell ("<5", "*") or a text shown as it is
    if isinstance(value, bool):
        return str(value)
    try:
        if kind in ("count", "money"):
            text = str(rounded(value, 0))
        else:
            text = str(rounded(value, places))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if text in ("-0", "-0.00"):
        text = text[1:]
    out = _grouped(text, lang)
    if kind == "money":
        return f"Rp {out}"
    if kind == "percent":
        return f"{out} %" if lang == "id" else f"{out}%"
    return out


def kind_of_unit(unit: str) -> str:
    """The formatter's kind for a measure's unit."""
    if unit in COUNT_UNITS:
        return "count"
    if unit in MONEY_UNITS:
        return "money"
    return "decimal"
