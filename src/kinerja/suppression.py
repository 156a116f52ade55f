"""Small-cell suppression for aggregates that leave the unit (indicators.md).

A count from 1 to k-1 is shown as "<k"; zeros are shown. Where a row or column then has exactly one
suppressed cell, the smallest other non-zero cell of that row or column is suppressed too (shown
as SECONDARY, since it may be >= k), repeated until no row or column has exactly one. Totals are
computed from the unsuppressed (true) data and shown. Percentages derived from a suppressed
count are suppressed.

One case the rule cannot cover: a row or column whose single suppressed cell has no other
non-zero cell to pair with. Its total would then equal the hidden cell, so that total is
suppressed instead (shown as SECONDARY) - the only total ever hidden.

Plain Python, no Django: the public report, exports and the API all call it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SECONDARY = "*"

Cell = int | str


@dataclass
class SuppressedTable:
    cells: list[list[Cell]]  # int where shown, "<k" (primary) or the secondary mark (complementary)
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: int
    suppressed: list[list[bool]]  # which cells are hidden, primary or complementary
    k: int
    mark: str = SECONDARY
    _values: list[list[int]] = field(default_factory=list, repr=False, compare=False)

    def is_suppressed(self, row: int, column: int) -> bool:
        return self.suppressed[row][column]

    def percent(self, row: int, column: int, denominator: int | None) -> float | str | None:
        """A percentage derived from cell (row, column): the mark when the cell is suppressed; null
        when the denominator is 0 or null."""
        if self.suppressed[row][column]:
            return self.mark
        if not denominator:
            return None
        return self._values[row][column] / denominator * 100.0


def suppress(table: Sequence[Sequence[int]], k: int = 5, secondary: str = SECONDARY) -> SuppressedTable:
    """Suppress a 2-D table of non-negative counts (rows of equal length)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    values = [[int(v) for v in row] for row in table]
    width = len(values[0]) if values else 0
    if any(len(row) != width for row in values):
        raise ValueError("all rows must have the same number of cells")
    if any(v < 0 for row in values for v in row):
        raise ValueError("counts cannot be negative")
    n_rows = len(values)
    hidden = [[1 <= v < k for v in row] for row in values]
    primary = [row[:] for row in hidden]
    hidden_row_total = [False] * n_rows
    hidden_col_total = [False] * width

    def lines() -> list[tuple[str, int, list[tuple[int, int]]]]:
        rows = [("row", r, [(r, c) for c in range(width)]) for r in range(n_rows)]
        cols = [("col", c, [(r, c) for r in range(n_rows)]) for c in range(width)]
        return rows + cols

    changed = True
    while changed:
        changed = False
        for kind, index, cells in lines():
            if sum(hidden[r][c] for r, c in cells) != 1:
                continue
            candidates = [(values[r][c], r, c) for r, c in cells if not hidden[r][c] and values[r][c] > 0]
            if candidates:
                _, r, c = min(candidates)
                hidden[r][c] = True
                changed = True
            elif kind == "row":
                hidden_row_total[index] = True
            else:
                hidden_col_total[index] = True

    def shown(r: int, c: int) -> Cell:
        if not hidden[r][c]:
            return values[r][c]
        return f"<{k}" if primary[r][c] else secondary

    row_totals: list[Cell] = [secondary if hidden_row_total[r] else sum(values[r]) for r in range(n_rows)]
    col_totals: list[Cell] = [
        secondary if hidden_col_total[c] else sum(values[r][c] for r in range(n_rows)) for c in range(width)
    ]
    result = SuppressedTable(
        cells=[[shown(r, c) for c in range(width)] for r in range(n_rows)],
        row_totals=row_totals, column_totals=col_totals, total=sum(map(sum, values)),
        suppressed=hidden, k=k, mark=secondary, _values=values,
    )
    return result


def suppress_count(value: int | None, k: int = 5) -> Cell | None:
    """One count on its own (no table): 1..k-1 shown as "<k"."""
    if value is None:
        return None
    return f"<{k}" if 1 <= value < k else value


def suppressed_percent(count: int, denominator: int | None, k: int = 5, mark: str = SECONDARY
                       ) -> float | str | None:
    """A percentage of a count that may itself be suppressed: suppressed (the mark) with it."""
    if 1 <= count < k:
        return mark
    if not denominator:
        return None
    return count / denominator * 100.0
