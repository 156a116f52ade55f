"""The one number formatter: the same value reads the same on pages, in CLI tables and in reports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.numbers import format_number


@pytest.mark.parametrize(("value", "lang", "kind", "shown"), [
    (2.675, "id", "decimal", "2,68"),  # half up in decimal; the float's own rounding gives 2.67
    (98.795, "id", "decimal", "98,80"),
    (1234567.5, "id", "decimal", "1.234.567,50"),
    (1234567.5, "en", "decimal", "1,234,567.50"),
    (15, "id", "count", "15"),
    (15.0, "id", "count", "15"),
    (1474000, "id", "money", "Rp 1.474.000"),
    (1474000, "en", "money", "Rp 1,474,000"),
    (-0.001, "id", "decimal", "0,00"),
    (-1234.5, "id", "decimal", "-1.234,50"),
    (44.444, "id", "percent", "44,44 %"),
    (None, "id", "decimal", "tidak tersedia"),
    (None, "en", "count", "not available"),
    ("<5", "id", "count", "<5"),
    ("*", "en", "decimal", "*"),
])
def test_figures_as_people_read_them(value, lang, kind, shown):
    assert format_number(value, lang, kind) == shown


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_indonesian_and_english_differ_only_in_separators(x):
    idn, eng = format_number(x, "id"), format_number(x, "en")
    assert idn.translate(str.maketrans(".,", ",.")) == eng


def test_page_and_cli_show_the_same_text():
    from django.utils import translation

    from kinerja.dashboard.templatetags.kinerja_format import num
    from kinerja.indicators.commands import fmt_number

    with translation.override("id"):
        assert num(2.675) == fmt_number(2.675, "id") == "2,68"
        assert num(15.0, "kasus_selesai") == fmt_number(15.0, "id", integer=True) == "15"
        assert num(1474000.0, "biaya_per_kasus_selesai") == "Rp 1.474.000"
    with translation.override("en"):
        assert num(None) == fmt_number(None, "en") == "not available"
