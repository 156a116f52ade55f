"""Figures on pages go through the one formatter (kinerja.numbers), as the CLI and reports do:
two decimals rounded half up, counts whole, rupiah as money; null is 'tidak tersedia'."""

from django import template
from django.utils.translation import get_language

from kinerja import numbers
from kinerja.indicators import definitions

register = template.Library()


@register.filter
def num(value, measure_id=""):  # type: ignore[no-untyped-def]
    """`{{ value|num }}` (two decimals) or `{{ value|num:m.id }}` (the measure's own kind)."""
    kind = "decimal"
    if measure_id and measure_id in definitions.MEASURES:
        kind = definitions.get(measure_id).number_kind
    elif measure_id in ("count", "money", "percent"):
        kind = measure_id
    return numbers.format_number(value, get_language() or "id", kind)
