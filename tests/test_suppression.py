"""Small-cell suppression (indicators.md): primary "<k", complementary cells until no row or column
has exactly one suppressed cell, totals from the true data, derived percentages suppressed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.suppression import SECONDARY, suppress, suppress_count, suppressed_percent


def test_complementary_cells_in_row_and_columns():
    t = suppress([[3, 10, 7],
                  [8, 12, 20]])
    # row 0 has one (3): its smallest other non-zero (7) goes; then column 0 (8) and column 2 (20)
    assert t.cells == [["<5", 10, SECONDARY],
                       [SECONDARY, 12, SECONDARY]]
    assert t.row_totals == [20, 40] and t.column_totals == [11, 22, 27] and t.total == 60


def test_two_small_cells_in_a_row_need_column_partners():
    t = suppress([[2, 3, 10],
                  [9, 8, 11]])
    assert t.cells == [["<5", "<5", 10],
                       [SECONDARY, SECONDARY, 11]]
    assert t.row_totals == [15, 28]


def test_zeros_and_large_counts_are_shown():
    t = suppress([[0, 5], [6, 0]])
    assert t.cells == [[0, 5], [6, 0]]
    assert not any(map(any, t.suppressed))
    assert (t.row_totals, t.column_totals, t.total) == ([5, 6], [6, 5], 11)


def test_a_line_without_a_partner_hides_its_total():
    t = suppress([[3, 0, 0],
                  [6, 7, 9]])
    # row 0: only zeros to pair with -> its total (3) would reveal the cell, so it is hidden;
    # column 0 pairs with 6, row 1 then with 7, column 1 has only a zero left -> its total hidden
    assert t.cells == [["<5", 0, 0],
                       [SECONDARY, SECONDARY, 9]]
    assert t.row_totals == [SECONDARY, 22]
    assert t.column_totals == [9, SECONDARY, 9]
    assert t.total == 25


def test_single_column_table():
    t = suppress([[3], [10], [0]])
    assert t.cells == [["<5"], [SECONDARY], [0]]
    assert t.column_totals == [13] and t.total == 13


def test_k_is_configurable():
    t = suppress([[2, 3, 4]], k=3)
    assert t.cells == [["<3", SECONDARY, 4]]  # 3 is no longer small but pairs with the 2
    assert suppress([[1, 2]], k=1).cells == [[1, 2]]


def test_percentages_from_suppressed_counts_are_suppressed():
    t = suppress([[3, 10, 7], [8, 12, 20]])
    assert t.percent(0, 0, 20) == SECONDARY
    assert t.percent(0, 2, 20) == SECONDARY  # complementary cells too
    assert t.percent(0, 1, 20) == pytest.approx(50.0)
    assert t.percent(0, 1, 0) is None
    assert suppressed_percent(3, 10) == SECONDARY
    assert suppressed_percent(6, 10) == pytest.approx(60.0)
    assert suppressed_percent(0, 10) == 0.0
    assert suppressed_percent(0, 0) is None


def test_single_counts():
    assert [suppress_count(v) for v in (0, 1, 4, 5, None)] == [0, "<5", "<5", 5, None]
    assert suppress_count(4, k=3) == 4


def test_bad_tables_are_refused():
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress([[-1]])
    with pytest.raises(ValueError):
        suppress([[1]], k=0)
    assert suppress([]).cells == []


tables = st.integers(1, 5).flatmap(
    lambda w: st.lists(st.lists(st.integers(0, 30), min_size=w, max_size=w), min_size=1, max_size=5))


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(1, 8))
def test_invariants(table, k):
    t = suppress(table, k=k)
    rows, cols = len(table), len(table[0])
    for r in range(rows):
        for c in range(cols):
            v = table[r][c]
            if 1 <= v < k:
                assert t.cells[r][c] == f"<{k}"
            if v == 0:
                assert t.cells[r][c] == 0
            if not t.suppressed[r][c]:
                assert t.cells[r][c] == v
    for r in range(rows):
        if sum(t.suppressed[r]) == 1:
            assert t.row_totals[r] == SECONDARY  # only when no partner was left
        elif t.row_totals[r] != SECONDARY:
            assert t.row_totals[r] == sum(table[r])
    for c in range(cols):
        hidden = sum(t.suppressed[r][c] for r in range(rows))
        if hidden == 1:
            assert t.column_totals[c] == SECONDARY
    assert t.total == sum(map(sum, table))
