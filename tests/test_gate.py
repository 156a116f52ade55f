"""The publication gate: every outlet passes it, by role; small counts never leave the unit, neither
directly, nor through charts, nor by differencing periods or units."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinerja.indicators import definitions as defs
from kinerja.indicators import gate
from kinerja.indicators.measures import compute_periods
from kinerja.indicators.periods import Period, parse_years, whole_kind, whole_periods
from tests.indicator_factories import D, H, act, case, wib

pytestmark = pytest.mark.django_db
K = 5


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def specs(html: str) -> dict:
    m = re.search(r'<script id="chart-specs" type="application/json">(.*?)</script>', html, re.S)
    assert m, "chart specs missing"
    return json.loads(m.group(1))


@pytest.fixture
def leaky(units):
    """The register of the report: in 2016 the section has 9 handled cases, 4 of them obstructed
    (44.44 %), obstacle counts 4/3/2, one case in 2015; 12 cases received by 1 June and 13 by 2 June."""
    seksi = units["seksi"]
    case(seksi, wib(2015, 7, 1), closed=wib(2015, 9, 1))  # one resolved case in 2015: a trend value 1
    kinds = ["anggaran"] * 4 + ["komunikasi"] * 3 + ["sdm"] * 2
    cases = []
    for i in range(12):
        c = case(seksi, wib(2016, 1, 5) + i * 10 * D)
        act(c, "pendekatan_awal", wib(2016, 1, 5) + i * 10 * D + H)
        cases.append(c)
    case(seksi, wib(2016, 6, 1, 9))  # the 13th, on 1 June
    # obstacles: 9 actions on 4 cases of the first nine
    for n, kind in enumerate(kinds):
        act(cases[n % 4], "asesmen", wib(2016, 7, 1) + n * H, obstacle=kind)
    return units


def test_evaluator_trend_is_suppressed_like_measures(leaky, users):
    c = client_for(users["evaluator"])
    r = c.get("/api/indikator/trend", {"unit": "14.71-RESOS-ANAK", "years": "2015-2016", "measure": "kasus_selesai"})
    assert r.status_code == 200
    assert [p["value"] for p in r.json()["series"]] == ["<5", 0]
    r = client_for(users["kasi"]).get("/api/indikator/trend", {"unit": "14.71-RESOS-ANAK", "years": "2015-2016",
                                                               "measure": "kasus_selesai"})
    assert [p["value"] for p in r.json()["series"]] == [1, 0]  # the section head sees the true value


def test_page_and_chart_data_carry_no_small_count_for_evaluator(leaky, users):
    r = client_for(users["evaluator"]).get("/kinerja/", {"unit": "14.71-RESOS-ANAK", "tahun": "2016",
                                                         "ukuran": "kasus_selesai"})
    assert r.status_code == 200
    html = r.content.decode()
    s = specs(html)
    assert [v["nilai"] for v in s["trend"]["data"]["values"]] == [None, 0]  # 2015's 1 is not plotted
    assert s["trend"]["data"]["values"][0]["teks"] == "<5"
    bars = {v["faktor"]: v["tindakan"] for v in s["inhibitors"]["data"]["values"]}
    assert sorted(bars.values(), key=lambda v: (v is not None, v or 0)) == [None, None, None, 0]
    assert "&lt;5" in html
    for small in (4, 3, 2):
        assert f'<td class="num">{small}</td>' not in html
    # the section head, inside the unit, sees them
    html = client_for(users["kasi"]).get("/kinerja/", {"unit": "14.71-RESOS-ANAK", "tahun": "2016"}).content.decode()
    assert sorted(v["tindakan"] for v in specs(html)["inhibitors"]["data"]["values"]) == [0, 2, 3, 4]


@pytest.mark.parametrize("who", ["pimpinan", "evaluator"])
def test_no_process_measures_for_pimpinan_and_evaluator(leaky, users, who):
    c = client_for(users[who])
    html = c.get("/kinerja/", {"unit": "14.71-RESOS-ANAK", "tahun": "2016", "kerangka": "individu",
                               "ukuran": defs.PROCESS_IDS[0]}).content.decode()
    assert 'value="durasi' not in html  # not offered as a trend either
    for mid in defs.PROCESS_IDS:
        assert defs.get(mid).name("id") not in html
    body = c.get("/api/indikator/measures", {"unit": "14.71-RESOS-ANAK", "year": 2016}).json()
    assert not set(defs.PROCESS_IDS) & set(body) and "kasus_masuk" in body
    html = client_for(users["kasi"]).get("/kinerja/", {"unit": "14.71-RESOS-ANAK", "tahun": "2016",
                                                       "kerangka": "individu"}).content.decode()
    assert defs.get(defs.PROCESS_IDS[0]).name("id") in html  # the section head sees them


def test_overlapping_windows_are_refused_to_suppressed_audiences(leaky, users):
    ev, kasi = client_for(users["evaluator"]), client_for(users["kasi"])
    url = "/api/indikator/measures"
    window = {"unit": "14.71-RESOS-ANAK", "mulai": "2016-01-01"}
    assert kasi.get(url, {**window, "selesai": "2016-06-01"}).json()["kasus_masuk"] == 12
    assert kasi.get(url, {**window, "selesai": "2016-06-02"}).json()["kasus_masuk"] == 13
    for end in ("2016-06-01", "2016-06-02"):
        r = ev.get(url, {**window, "selesai": end})
        assert r.status_code == 400 and "whole periods" in r.json()["detail"]
        assert kasi.get(url, {**window, "selesai": end, "publik": "true"}).status_code == 400
    assert ev.get(url, {"unit": "14.71-RESOS-ANAK", "mulai": "2016-06-01", "selesai": "2016-06-02"}).status_code == 400
    assert ev.get("/api/indikator/scorecard", {**window, "selesai": "2016-06-02"}).status_code == 400
    for start, end in [("2016-01-01", "2016-07-01"), ("2016-04-01", "2016-07-01"), ("2016-06-01", "2016-07-01")]:
        assert ev.get(url, {"unit": "14.71-RESOS-ANAK", "mulai": start, "selesai": end}).status_code == 200
    assert ev.get(url, {"unit": "14.71-RESOS-ANAK", "year": 2016, "worker": "peksos1"}).status_code == 403
    r = kasi.get(url, {"year": 2016, "worker": "peksos1", "publik": "true"})
    assert r.status_code == 400  # the individual level never leaves the unit


def test_a_rate_that_gives_its_numerator_away_is_suppressed(leaky, users):
    exact = client_for(users["kasi"]).get("/api/indikator/measures", {"unit": "14.71-RESOS-ANAK", "year": 2016})
    body = exact.json()
    obstructed = round(body["kasus_terkendala"] * body["kasus_ditangani"] / 100)
    assert obstructed == 4
    public = client_for(users["evaluator"]).get("/api/indikator/measures",
                                                {"unit": "14.71-RESOS-ANAK", "year": 2016}).json()
    assert public["kasus_ditangani"] == body["kasus_ditangani"] and public["kasus_terkendala"] == "*"


def test_44_percent_of_9_handled(units):
    seksi = units["seksi"]
    cases = [case(seksi, wib(2016, 2, 1) + i * D) for i in range(9)]
    for c in cases[:4]:
        act(c, "asesmen", wib(2016, 3, 1), obstacle="sdm")
    for c in cases[4:]:
        act(c, "asesmen", wib(2016, 3, 1))
    values = compute_periods([seksi], [Period.year(2016)])[0][seksi.pk]
    assert values["kasus_terkendala"] == pytest.approx(400 / 9)
    out = gate.publish_figures(gate.Audience(process=False, suppressed=True), seksi, Period.year(2016), values)
    assert out["kasus_ditangani"] == 9 and out["kasus_terkendala"] == "*" and out["kendala_sdm"] == "<5"
    # 5 of 9 (denominator minus numerator 4) gives away the 4 unobstructed cases the same way
    act(cases[4], "asesmen", wib(2016, 3, 2), obstacle="sdm")
    values = compute_periods([seksi], [Period.year(2016)])[0][seksi.pk]
    out = gate.publish_figures(gate.Audience(process=False, suppressed=True), seksi, Period.year(2016), values)
    assert out["kasus_terkendala"] == "*" and out["kendala_sdm"] == 5


def test_parent_minus_children_is_protected(units):
    """The division's own 3 cases would be its figure minus its section's: one more is hidden."""
    for i in range(20):
        case(units["seksi"], wib(2016, 2, 1) + i * D)
    for i in range(3):
        case(units["bidang"], wib(2016, 3, 1) + i * D)
    audience = gate.Audience(process=False, suppressed=True)
    pub = gate.Publisher(audience)
    year = Period.year(2016)
    shown = {u: pub.publish(units[u], year, compute_periods([units[u]], [year])[0][units[u].pk])["kasus_masuk"]
             for u in ("dinas", "bidang", "seksi")}
    known = [v for v in shown.values() if isinstance(v, int)]
    assert len(known) < 3 or shown["bidang"] - shown["seksi"] not in range(1, K)
    assert sum(isinstance(v, str) for v in (shown["bidang"], shown["seksi"])) >= 1
    # the section head inside the unit still gets every figure exactly
    exact = gate.publish_figures(gate.Audience(process=True, suppressed=False), units["bidang"], year,
                                 compute_periods([units["bidang"]], [year])[0][units["bidang"].pk])
    assert exact["kasus_masuk"] == 23


@pytest.mark.parametrize("url", [
    "/api/indikator/measures?mulai=0001-01-01&selesai=9999-12-31",
    "/api/indikator/measures?year=0",
    "/api/indikator/measures?year=99999",
    "/api/indikator/scorecard?year=-1",
    "/api/indikator/trend?years=9999-10001&measure=kasus_masuk",
    "/api/indikator/trend?years=0-100000000&measure=kasus_masuk",
    "/api/indikator/trend?years=1990-2100&measure=kasus_masuk",
])
def test_out_of_bounds_periods_are_a_clear_400(units, users, url):
    r = client_for(users["kasi"]).get(url)
    assert r.status_code == 400, r.content
    assert "/" in r.json()["detail"]  # bilingual


@pytest.mark.parametrize("tahun", ["0", "-1", "10000", "99999999999999999999", "abc"])
def test_page_with_a_year_out_of_bounds_is_a_readable_400(units, users, tahun):
    r = client_for(users["kasi"]).get("/kinerja/", {"tahun": tahun})
    assert r.status_code == 400
    html = r.content.decode()
    assert "1990" in html and "2100" in html and "Traceback" not in html


def test_parse_years_checks_bounds_before_building_the_list():
    assert parse_years("2016-2018") == [2016, 2017, 2018]
    for text in ("0-100000000", "9999-10001", "1980-2000", "2000-1999", "2000-2060", "-5", "1e9"):
        with pytest.raises(ValueError):
            parse_years(text)


def test_whole_periods():
    assert [whole_kind(p) for p in whole_periods(2016, "quarter")] == ["quarter"] * 4
    assert whole_kind(Period.year(2016)) == "year"
    assert whole_kind(Period(dt.date(2016, 7, 1), dt.date(2017, 1, 1))) == "half"
    assert whole_kind(Period(dt.date(2016, 2, 1), dt.date(2016, 5, 1))) is None  # three months, not a quarter
    assert whole_kind(Period(dt.date(2016, 1, 1), dt.date(2016, 6, 2))) is None


# -- differencing: every figure a suppressed audience can get, and every sum relation ---------------

COUNTS = {"received": "kasus_masuk", "resolved": "kasus_selesai", "handled": "kasus_ditangani",
          **{f"kendala_{k}": f"kendala_{k}" for k in defs.OBSTACLES}}
PERIOD_ADDITIVE = ["received", "resolved", "on_time", "late", "documented", *(f"kendala_{k}" for k in defs.OBSTACLES)]
UNIT_ADDITIVE = PERIOD_ADDITIVE + ["handled", "obstructed", "unobstructed"]


def _num(v):
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def attacker_knowledge(fig: dict) -> dict[str, float]:
    """Every count one figure set gives, directly or from a shown rate times a shown count."""
    out = {q: fig[m] for q, m in COUNTS.items() if _num(fig.get(m)) is not None}
    for q, rate, den in [("on_time", "respon_tepat_waktu", "received"), ("documented", "kelengkapan_dokumentasi",
                                                                         "received"),
                         ("obstructed", "kasus_terkendala", "handled")]:
        if _num(fig.get(rate)) is not None and den in out:
            out[q] = round(fig[rate] * out[den] / 100)
    if "handled" not in out and _num(fig.get("tingkat_penyelesaian")) and "resolved" in out:
        out["handled"] = round(out["resolved"] * 100 / fig["tingkat_penyelesaian"])
    for q, den, num in [("late", "received", "on_time"), ("unobstructed", "handled", "obstructed")]:
        if den in out and num in out:
            out[q] = out[den] - out[num]
    return out


def solve(known: dict, relations: list) -> dict:
    """Differencing: any sum relation with exactly one unknown gives it, repeated to a fixpoint."""
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            unknown = [c for c in [total, *parts] if c not in known]
            if len(unknown) != 1:
                continue
            (x,) = unknown
            if x == total:
                known[x] = sum(known[p] for p in parts)
            else:
                known[x] = known[total] - sum(known[p] for p in parts if p != x)
            changed = True
    return known


register = st.lists(st.tuples(
    st.sampled_from(["dinas", "bidang", "seksi", "seksi", "seksi"]),  # unit
    st.integers(1, 12), st.integers(1, 28),  # month and day reported
    st.sampled_from([None, 0, 1, 3]),  # resolved that many months later, or open
    st.sampled_from([None, "anggaran", "sdm"]),  # an obstacle met in the month of report
    st.sampled_from([None, 2, 100]),  # first response after that many hours
    st.booleans(),  # documented (consent and an assessment)
), max_size=14)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(rows=register)
def test_no_differencing_recovers_a_small_count(units, rows):
    with transaction.atomic():
        for unit, month, day, closes, obstacle, respond, documented in rows:
            reported = wib(2020, month, day, 10)
            closed = None
            if closes is not None:
                closed = min(reported + (30 * closes + 1) * D, wib(2020, 12, 31, 12))
            c = case(units[unit], reported, closed=closed, consent=documented)
            if respond is not None:
                act(c, "pendekatan_awal", reported + respond * H)
            if documented:
                act(c, "asesmen", reported + 200 * H)
            if obstacle:
                act(c, "intervensi", reported + 3 * H, obstacle=obstacle)
        _check_differencing(units)
        transaction.set_rollback(True)


def _check_differencing(units):
    tree = ["dinas", "bidang", "seksi"]
    ids = [units[u].pk for u in tree]
    levels = {kind: whole_periods(2020, kind) for kind in ("year", "half", "quarter", "month")}
    periods = [p for ps in levels.values() for p in ps]
    exact = {}
    for ps in levels.values():
        for p, per_unit in zip(ps, compute_periods(ids, ps), strict=True):
            for u in tree:
                exact[(u, p)] = per_unit[units[u].pk]
    pub = gate.Publisher(gate.Audience(process=False, suppressed=True, k=K))
    known, truth = {}, {}
    for (u, p), values in exact.items():
        shown = pub.publish(units[u], p, {m: values[m] for m in defs.CORE_IDS})
        assert not set(defs.PROCESS_IDS) & set(shown)
        for q, v in attacker_knowledge(shown).items():
            known[(q, u, p)] = v
        for q, v in attacker_knowledge({m: v for m, v in values.items() if m in defs.CORE_IDS}).items():
            truth[(q, u, p)] = v
    # the Publisher answers as a fresh gate does
    year = levels["year"][0]
    assert pub.publish(units["seksi"], year, exact[("seksi", year)]) == gate.publish_figures(
        gate.Audience(process=False, suppressed=True, k=K), units["seksi"], year, exact[("seksi", year)])

    relations = []
    splits = [(levels["year"][0], levels["half"]), (levels["half"][0], levels["quarter"][:2]),
              (levels["half"][1], levels["quarter"][2:])] + [
        (levels["quarter"][i], levels["month"][3 * i: 3 * i + 3]) for i in range(4)]
    nodes = [*tree, "own:dinas", "own:bidang"]
    for q in PERIOD_ADDITIVE:
        for node in nodes:
            for total, parts in splits:
                relations.append(((q, node, total), [(q, node, p) for p in parts]))
    for q in UNIT_ADDITIVE:
        for p in periods:
            relations.append(((q, "dinas", p), [(q, "own:dinas", p), (q, "bidang", p)]))
            relations.append(((q, "bidang", p), [(q, "own:bidang", p), (q, "seksi", p)]))
    for q in UNIT_ADDITIVE:
        for p in periods:
            for parent, child in (("dinas", "bidang"), ("bidang", "seksi")):
                if (q, parent, p) in truth and (q, child, p) in truth:
                    truth[(q, f"own:{parent}", p)] = truth[(q, parent, p)] - truth[(q, child, p)]
    recovered = solve(dict(known), relations)
    for cell, v in recovered.items():
        assert not 1 <= v < K, f"{cell} = {v} recovered by differencing"
        if cell in truth:
            assert v == truth[cell], cell  # the attack itself is sound
