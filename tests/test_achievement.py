"""Achievement (capaian) and ratings of indicators.md, including lower-is-better with T = 0."""

from __future__ import annotations

import math

import pytest

from kinerja.indicators.achievement import (
    DEFAULT_SCALE,
    NOT_RATED,
    Band,
    RatingScale,
    achievement,
    rate,
    weighted_mean,
)


@pytest.mark.parametrize("r, t, expected", [
    (50, 100, 50.0),
    (120, 100, 120.0),
    (0, 100, 0.0),
    (5, 0, None),  # up with T = 0: null
    (0, 0, None),
])
def test_higher_is_better(r, t, expected):
    got = achievement(r, t, "up")
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("r, t, expected", [
    (12, 24, 150.0),  # (2 - 0.5) x 100
    (24, 24, 100.0),
    (36, 24, 50.0),
    (48, 24, 0.0),
    (72, 24, 0.0),  # (2 - 3) x 100 = -100, floored at 0
    (0, 0, 100.0),  # T = 0 and R = 0: 100
    (0.0001, 0, 0.0),  # T = 0 and R > 0: 0
    (3, 0, 0.0),
])
def test_lower_is_better(r, t, expected):
    assert achievement(r, t, "down") == pytest.approx(expected)


def test_no_direction_or_missing_values_give_no_achievement():
    assert achievement(90, 95, "none") is None
    assert achievement(None, 95, "up") is None
    assert achievement(None, 0, "down") is None
    assert achievement(10, None, "up") is None


@pytest.mark.parametrize("a, code", [
    (150, "sangat_baik"), (91, "sangat_baik"), (90.9999, "baik"), (76, "baik"), (75.9999, "cukup"),
    (66, "cukup"), (65.9999, "kurang"), (51, "kurang"), (50.9999, "sangat_kurang"), (0, "sangat_kurang"),
    (-5, "sangat_kurang"),
])
def test_default_rating_boundaries(a, code):
    assert rate(a).code == code


def test_rating_labels_and_not_rated():
    assert rate(95).label("id") == "Sangat Baik" and rate(95).label("en") == "Very good"
    assert rate(None) is NOT_RATED and NOT_RATED.label("id") == "Tidak dinilai"


def test_configurable_scale():
    scale = RatingScale((Band(80, "memuaskan", "Memuaskan", "Satisfactory"),
                         Band(-math.inf, "belum", "Belum memuaskan", "Not yet")))
    assert rate(80, scale).code == "memuaskan"
    assert rate(79.99, scale).code == "belum"
    assert DEFAULT_SCALE.rate(80).code == "baik"
    with pytest.raises(ValueError):
        RatingScale((Band(50, "a", "a", "a"), Band(60, "b", "b", "b")))  # not highest first
    with pytest.raises(ValueError):
        RatingScale(())


def test_weighted_mean_skips_nulls():
    assert weighted_mean([(100.0, 1), (None, 5), (50.0, 3)]) == pytest.approx((100 + 150) / 4)
    assert weighted_mean([(None, 1)]) is None
    assert weighted_mean([]) is None
    assert weighted_mean([(80.0, 0)]) is None
