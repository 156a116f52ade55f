"""Achievement (capaian) of a measure against its target, and ratings (indicators.md).

The rating scale is data, not code: a framework file may replace it (`[[rating]]` tables), so an
office can follow its own regulation's bands without a code change."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kinerja.indicators.definitions import DOWN, UP


def achievement(realisation: float | None, target: float | None, direction: str) -> float | None:
    """Capaian in %: up R/T x 100 (null when T = 0); down (2 - R/T) x 100 floored at 0, and when
    T = 0: 100 if R = 0 else 0; direction none, R null or T null: null."""
    if realisation is None or target is None:
        return None
    r, t = float(realisation), float(target)
    if direction == UP:
        return None if t == 0 else r / t * 100.0
    if direction == DOWN:
        if t == 0:
            return 100.0 if r == 0 else 0.0
        return max(0.0, (2.0 - r / t) * 100.0)
    return None


@dataclass(frozen=True)
class Band:
    minimum: float  # the band holds a >= minimum (and below the next band's minimum)
    code: str
    label_id: str
    label_en: str

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang.startswith("en") else self.label_id


NOT_RATED = Band(-math.inf, "tidak_dinilai", "Tidak dinilai", "Not rated")


@dataclass(frozen=True)
class RatingScale:
    bands: tuple[Band, ...]  # highest minimum first; the last band catches everything below

    def __post_init__(self) -> None:
        if not self.bands:
            raise ValueError("a rating scale needs at least one band")
        mins = [b.minimum for b in self.bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("rating bands must have distinct minimums, highest first")

    def rate(self, value: float | None) -> Band:
        """The band of an achievement or score; NOT_RATED when there is none."""
        if value is None:
            return NOT_RATED
        for band in self.bands:
            if value >= band.minimum:
                return band
        return self.bands[-1]


DEFAULT_SCALE = RatingScale((
    Band(91.0, "sangat_baik", "Sangat Baik", "Very good"),
    Band(76.0, "baik", "Baik", "Good"),
    Band(66.0, "cukup", "Cukup", "Fair"),
    Band(51.0, "kurang", "Kurang", "Poor"),
    Band(-math.inf, "sangat_kurang", "Sangat Kurang", "Very poor"),
))


def rate(value: float | None, scale: RatingScale = DEFAULT_SCALE) -> Band:
    return scale.rate(value)


# IKM quality bands of PermenPAN-RB 14/2017. The regulation states them in two decimals, which is
# what people see, so the index is rounded half-up to two decimals before it is banded.
IKM_BANDS = RatingScale((
    Band(88.31, "A", "A (Sangat Baik)", "A (Very good)"),
    Band(76.61, "B", "B (Baik)", "B (Good)"),
    Band(65.00, "C", "C (Kurang Baik)", "C (Fair)"),
    Band(-math.inf, "D", "D (Tidak Baik)", "D (Poor)"),
))


def ikm_band(ikm: float | None) -> Band:
    if ikm is None:
        return NOT_RATED
    shown = float(Decimal(repr(float(ikm))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return IKM_BANDS.rate(shown)


def weighted_mean(pairs: list[tuple[float | None, float]]) -> float | None:
    """Mean of the non-null values weighted by their weights; null when none (or zero weight)."""
    total = weight = 0.0
    for value, w in pairs:
        if value is None:
            continue
        total += value * w
        weight += w
    return total / weight if weight > 0 else None
