"""People see two decimals (indicators.md); machine output stays unrounded. Null is 'tidak tersedia'."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def num(value):  # type: ignore[no-untyped-def]
    if value is None or value == "":
        return _("n/a")
    try:
        return number_format(float(value), 2, use_l10n=True, force_grouping=True)
    except (TypeError, ValueError):
        return value
