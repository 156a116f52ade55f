"""Scorecards: targets, achievements, ratings, previous period, dimension and overall scores,
inhibiting factors, and trends. The dataset is worked out by hand in `data`."""

from __future__ import annotations

import datetime as dt

import pytest

from kinerja.indicators import frameworks
from kinerja.indicators.measures import compute
from kinerja.indicators.periods import Period
from kinerja.indicators.scorecard import scorecard, trend
from tests.indicator_factories import H, act, case, wib

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(units, users):
    """Seksi, 2019: 4 cases closed in 2019, 1 resolved (tingkat_penyelesaian 25).
    2020: 4 cases reported 1 Mar, responded after 1 h, 2 resolved in May (tingkat 50, growth 100 %,
    response 100 % on time, median 1 h); obstacles: 3 komunikasi and 1 anggaran action; budget 900 of 1000.
    Targets 2020: tingkat 40 (-> 125), growth 200 (-> 50), respon_tepat_waktu 80 (-> 125),
    waktu_respon_median_jam 2 (down: (2 - 0.5) x 100 = 150), realisasi_anggaran 95 (Dwiyanto: no
    direction; Nasucha: down -> (2 - 90/95) x 100), capaian_target 100."""
    from kinerja.register.models import BudgetLine, Target

    u = units["seksi"]
    for i in range(4):
        case(u, wib(2019, 3, 1), closed=wib(2019, 4, 1), reason="tujuan_tercapai" if i == 0 else "hilang_kontak")
    t = wib(2020, 3, 1)
    cases = []
    for i in range(4):
        c = case(u, t, closed=wib(2020, 5, 1) if i < 2 else None, worker=users["peksos"] if i < 3 else None)
        act(c, "pendekatan_awal", t + H)
        cases.append(c)
    for c in cases[:3]:
        act(c, "asesmen", t + 2 * H, obstacle="komunikasi")
    act(cases[3], "asesmen", t + 2 * H, obstacle="anggaran")
    BudgetLine.objects.create(unit=u, year=2020, activity="a", allocation=1000, realisation=900)
    for indicator, value in [("tingkat_penyelesaian", 40), ("pertumbuhan_penyelesaian", 200),
                             ("respon_tepat_waktu", 80), ("waktu_respon_median_jam", 2),
                             ("realisasi_anggaran", 95), ("capaian_target", 100)]:
        Target.objects.create(unit=u, year=2020, indicator=indicator, value=value)
    return u


def rows(card, dimension):
    d = next(d for d in card["dimensions"] if d["id"] == dimension)
    return d, {m["id"]: m for m in d["measures"]}


def test_dwiyanto_scorecard(data):
    card = scorecard(data, 2020, lang="id")
    assert (card["framework"], card["unit"], card["mulai"], card["selesai"]) == (
        "dwiyanto", "14.71-RESOS-ANAK", "2020-01-01", "2021-01-01")
    assert card["previous"] == {"mulai": "2019-01-01", "selesai": "2020-01-01"}
    prod, m = rows(card, "produktivitas")
    tp = m["tingkat_penyelesaian"]
    assert (tp["value"], tp["target"], tp["achievement"], tp["rating"], tp["previous"], tp["change"]) == (
        pytest.approx(50), 40, pytest.approx(125), "sangat_baik", pytest.approx(25), pytest.approx(25))
    assert (tp["unit"], tp["direction"], tp["name"], tp["weight"]) == ("%", "up", "Tingkat penyelesaian kasus", 1.0)
    assert m["pertumbuhan_penyelesaian"]["achievement"] == pytest.approx(50)
    assert m["pertumbuhan_penyelesaian"]["rating"] == "sangat_kurang"
    assert m["biaya_per_kasus_selesai"]["achievement"] is None  # no target
    assert m["biaya_per_kasus_selesai"]["value"] == pytest.approx(450.0)  # 900 / 2
    assert m["biaya_per_kasus_selesai"]["previous"] is None and m["biaya_per_kasus_selesai"]["change"] is None
    assert prod["score"] == pytest.approx(87.5) and prod["rating"] == "baik"  # (125 + 50) / 2
    quality, qm = rows(card, "kualitas_layanan")
    assert quality["score"] is None and quality["rating"] == "tidak_dinilai"
    assert quality["rating_label"] == "Tidak dinilai"
    assert qm["ikm"]["quality_band"] is None
    resp, rm = rows(card, "responsivitas")
    assert rm["waktu_respon_median_jam"]["achievement"] == pytest.approx(150)
    assert resp["score"] == pytest.approx(137.5)
    acc, am = rows(card, "akuntabilitas")
    assert am["realisasi_anggaran"]["achievement"] is None  # direction none in Dwiyanto
    # capaian_target = mean(125, 50, 125, 150) = 112.5 against its target 100
    assert am["capaian_target"]["value"] == pytest.approx(112.5)
    assert acc["score"] == pytest.approx(112.5)
    assert card["score"] == pytest.approx((87.5 + 137.5 + 112.5) / 3)
    assert card["rating"] == "sangat_baik"


def test_inhibitors_ranked_by_obstacle_share(data):
    card = scorecard(data, 2020)
    ranked = [(i["rank"], i["id"], i["actions"], i["share"]) for i in card["inhibitors"]]
    assert ranked == [(1, "komunikasi", 3, pytest.approx(75.0)), (2, "anggaran", 1, pytest.approx(25.0)),
                      (3, "sarana_prasarana", 0, 0.0), (4, "sdm", 0, 0.0)]
    anggaran = card["inhibitors"][1]
    assert [m["id"] for m in anggaran["measures"]] == ["kendala_anggaran", "biaya_per_kasus_selesai",
                                                       "realisasi_anggaran"]
    # no obstacle action at all in 2019: no shares, the framework's order
    before = scorecard(data, 2019)
    assert [(i["id"], i["share"]) for i in before["inhibitors"]] == [
        ("anggaran", None), ("komunikasi", None), ("sarana_prasarana", None), ("sdm", None)]


def test_nasucha_direction_override(data):
    card = scorecard(data, 2020, "nasucha")
    eko, m = rows(card, "ekonomi")
    assert m["realisasi_anggaran"]["direction"] == "down"
    assert m["realisasi_anggaran"]["achievement"] == pytest.approx((2 - 90 / 95) * 100)
    assert eko["score"] == pytest.approx((2 - 90 / 95) * 100)
    # the obstacle counts are the same records whatever the framework
    assert [(i["id"], i["actions"], i["share"]) for i in card["inhibitors"]] == [
        (i["id"], i["actions"], i["share"]) for i in scorecard(data, 2020)["inhibitors"]]
    pel, pm = rows(card, "pelayanan")
    assert pm["kasus_ditangani"]["direction"] == "none" and pel["score"] is None


def test_sakip_holds_the_targeted_measures(data):
    card = scorecard(data, 2020, "sakip")
    d, m = rows(card, "perjanjian_kinerja")
    assert list(m) == ["tingkat_penyelesaian", "pertumbuhan_penyelesaian", "waktu_respon_median_jam",
                       "respon_tepat_waktu", "realisasi_anggaran", "capaian_target"]
    assert d["score"] == pytest.approx((125 + 50 + 150 + 125 + 112.5) / 5)
    assert scorecard(data, 2019, "sakip")["dimensions"][0]["measures"] == []


def test_weights_from_the_framework(data):
    fw = frameworks.loads(
        '[[dimensions]]\nid = "p"\nweight = 3\nmeasures = ["tingkat_penyelesaian", "pertumbuhan_penyelesaian"]\n'
        "weights = { tingkat_penyelesaian = 3 }\n"
        '[[dimensions]]\nid = "r"\nmeasures = ["waktu_respon_median_jam"]\n', name="uji.toml")
    card = scorecard(data, 2020, fw)
    p, _ = rows(card, "p")
    assert p["score"] == pytest.approx((125 * 3 + 50) / 4)
    assert card["score"] == pytest.approx((106.25 * 3 + 150) / 4)


def test_individual_scorecard_uses_the_units_targets(data, users):
    card = scorecard(data, 2020, "individu", worker=users["peksos"])
    assert card["worker"] == "peksos1"
    _, m = rows(card, "produktivitas")
    # peksos1 has 3 of the 4 cases, 2 of them resolved: 66.67 % against the unit's 40
    assert m["tingkat_penyelesaian"]["value"] == pytest.approx(200 / 3)
    assert m["tingkat_penyelesaian"]["achievement"] == pytest.approx(200 / 3 / 40 * 100)
    assert m["tingkat_penyelesaian"]["previous"] is None  # no 2019 case of theirs
    assert any(d["id"] == "proses" for d in card["dimensions"])


def test_short_period_has_no_targets(data):
    card = scorecard(data, Period(dt.date(2020, 3, 1), dt.date(2020, 4, 1)))
    assert card["previous"] == {"mulai": "2020-01-30", "selesai": "2020-03-01"}  # 31 days back
    assert all(m["target"] is None for d in card["dimensions"] for m in d["measures"])
    assert card["score"] is None and card["rating"] == "tidak_dinilai"


def test_english_labels(data):
    card = scorecard(data, 2020, lang="en")
    _, m = rows(card, "produktivitas")
    assert m["tingkat_penyelesaian"]["name"] == "Resolution rate"
    assert card["rating_label"] == "Very good"
    assert card["dimensions"][0]["name"] == "Productivity"


def test_trend_is_the_yearly_measure(data):
    series = trend(data, range(2018, 2021), "tingkat_penyelesaian")
    assert [(p["year"], p["value"]) for p in series] == [(2018, None), (2019, pytest.approx(25.0)),
                                                         (2020, pytest.approx(50.0))]
    assert series[1]["mulai"] == "2019-01-01" and series[1]["selesai"] == "2020-01-01"
    assert series[2]["value"] == compute(data, dt.date(2020, 1, 1), dt.date(2021, 1, 1))["tingkat_penyelesaian"]
    with pytest.raises(KeyError):
        trend(data, [2020], "tidak_ada")


def test_targets_read_once_for_both_years(data):
    """The card's target column and capaian_target of this year and the previous one come from one
    read of the targets; 2019's own target gives the previous period's capaian_target."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kinerja.register.models import Target

    Target.objects.create(unit=data, year=2019, indicator="tingkat_penyelesaian", value=50)
    with CaptureQueriesContext(connection) as ctx:
        card = scorecard(data, 2020, "sakip")
    assert sum('"register_target"' in q["sql"] for q in ctx.captured_queries) == 1
    _, m = rows(card, "perjanjian_kinerja")
    assert m["tingkat_penyelesaian"]["target"] == 40
    # 2019: tingkat_penyelesaian 25 against 50 -> achievement 50, the only 2019 target
    assert m["capaian_target"]["previous"] == pytest.approx(50.0)
    assert m["capaian_target"]["value"] == compute(data, Period.year(2020))["capaian_target"]
