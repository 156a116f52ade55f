"""The figure cache (indicators.cache) is exact: after any write the cached figures of every unit
and period (and the publication gate's parts of them, compute_basis) equal a fresh computation, and
the units the write cannot concern keep their entries.

Each Hypothesis example runs in its own transaction (hypothesis.extra.django.TestCase), rolled
back after, cache rows and data versions included."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kinerja.indicators import cache as figure_cache
from kinerja.indicators.measures import compute_basis, compute_periods, unit_tree
from kinerja.indicators.periods import Period
from kinerja.indicators.scorecard import scorecard, trend
from tests.test_measures_properties import BASE, build, case_st

PERIODS = [Period.year(2019), Period.year(2020), Period.year(2021)]
# what pages and the API ask for besides years: quarters, and a window across New Year (whose
# previous period reaches back into the year before)
PERIOD_SETS = [
    PERIODS,
    [Period(dt.date(2020, m, 1), dt.date(2020 + (m + 3) // 13, (m + 2) % 12 + 1, 1)) for m in (1, 4, 7, 10)],
    [Period(dt.date(2020, 12, 1), dt.date(2021, 3, 1))],
]
WHEN = st.integers(0, 24 * 800).map(lambda h: BASE + dt.timedelta(hours=h))  # Oct 2019 - Dec 2021
UNIT_KEYS = ("seksi_a", "seksi_b", "lain")

write_st = st.one_of(
    st.tuples(st.just("case_new"), st.sampled_from(UNIT_KEYS), case_st),
    st.tuples(st.just("case_close"), st.integers(0, 99), WHEN),
    st.tuples(st.just("case_delete"), st.integers(0, 99)),
    st.tuples(st.just("case_reopen"), st.integers(0, 99)),
    st.tuples(st.just("case_category"), st.integers(0, 99)),
    st.tuples(st.just("action_new"), st.integers(0, 99), WHEN,
              st.sampled_from(["pendekatan_awal", "asesmen", "rencana_intervensi", "intervensi"])),
    st.tuples(st.just("action_approve"), st.integers(0, 99), WHEN),
    st.tuples(st.just("action_time"), st.integers(0, 99), WHEN),
    st.tuples(st.just("action_delete"), st.integers(0, 99)),
    st.tuples(st.just("referral_new"), st.integers(0, 99), WHEN),
    st.tuples(st.just("referral_delete"), st.integers(0, 99)),
    st.tuples(st.just("move_cases"), st.integers(0, 99), st.sampled_from(UNIT_KEYS)),
    st.tuples(st.just("child_sex"), st.integers(0, 99)),
    st.tuples(st.just("survey"), st.sampled_from(UNIT_KEYS), WHEN),
    st.tuples(st.just("complaint"), st.sampled_from(UNIT_KEYS), WHEN),
    st.tuples(st.just("budget"), st.sampled_from(UNIT_KEYS), st.integers(2019, 2021)),
    st.tuples(st.just("staffing"), st.sampled_from(UNIT_KEYS), st.integers(2019, 2021)),
    st.tuples(st.just("facility"), st.sampled_from(UNIT_KEYS), st.integers(2019, 2021)),
    st.tuples(st.just("target"), st.sampled_from([*UNIT_KEYS, "bidang", "dinas"]), st.integers(2019, 2021)),
    st.tuples(st.just("unit_parent"), st.sampled_from(["bidang", "lain"])),
)


def _tree():
    from kinerja.register.models import Unit

    dinas = Unit.objects.create(code="D", name="Dinas")
    bidang = Unit.objects.create(code="D-B", name="Bidang", parent=dinas)
    return {
        "dinas": dinas, "bidang": bidang,
        "seksi_a": Unit.objects.create(code="D-B-A", name="Seksi A", parent=bidang),
        "seksi_b": Unit.objects.create(code="D-B-B", name="Seksi B", parent=bidang),
        "lain": Unit.objects.create(code="L", name="Kota lain"),
    }


def _pick(model, i):
    rows = list((model.objects.all() if hasattr(model, "objects") else model).order_by("pk"))
    return rows[i % len(rows)] if rows else None


def _write(units, w):
    """Perform one write the way the application does; the units whose own records it touched
    (None: the tree changed)."""
    from kinerja.register import services
    from kinerja.register.models import (
        Action,
        BudgetLine,
        Case,
        Complaint,
        Facility,
        Referral,
        Staffing,
        SurveyResponse,
        Target,
    )

    kind = w[0]
    if kind == "case_new":
        build(units[w[1]], [w[2]])
        return {units[w[1]].pk}
    if kind in ("case_close", "case_reopen", "case_category", "case_delete", "action_new", "referral_new",
                "move_cases", "child_sex"):
        c = _pick(Case, w[1])
        if c is None:
            return set()
        if kind == "case_close":
            c.closed_at, c.closure_reason = max(w[2], c.reported_at), "tujuan_tercapai"
            c.save()
        elif kind == "case_reopen":
            c.closed_at, c.closure_reason = None, ""
            c.save()
        elif kind == "case_category":
            c.category = "anak_jalanan" if c.category != "anak_jalanan" else "kekerasan"
            c.save()
        elif kind == "case_delete":
            c.delete()
        elif kind == "action_new":
            Action.objects.create(case=c, stage=w[3], time=max(w[2], c.reported_at),
                                  service="permakanan" if w[3] == "intervensi" else "")
        elif kind == "referral_new":
            Referral.objects.create(case=c, partner="lksa", sent_at=max(w[2], c.reported_at), result="")
        elif kind == "move_cases":
            services.move_cases(Case.objects.filter(pk=c.pk), units[w[2]])
            return {c.unit_id, units[w[2]].pk}
        else:
            kid = c.child
            kid.sex = "L" if kid.sex == "P" else "P"
            kid.save()
        return {c.unit_id}
    if kind in ("action_time", "action_delete", "action_approve"):
        a = _pick(Action.objects.filter(stage="rencana_intervensi") if kind == "action_approve" else Action, w[1])
        if a is None:
            return set()
        if kind == "action_approve":
            from kinerja.register.models import Staff

            a.approved_at = max(w[2], a.time)
            a.approved_by = Staff.objects.filter(role="kepala_seksi").first() or Staff.objects.create_user(
                username="kasi_cache", password="x" * 12, role="kepala_seksi", unit=a.case.unit)
            a.save()
        elif kind == "action_time":
            a.time = max(w[2], a.case.reported_at)
            a.save()
        else:
            a.delete()
        return {a.unit_id}
    if kind == "referral_delete":
        r = _pick(Referral, w[1])
        if r is None:
            return set()
        r.delete()
        return {r.unit_id}
    u = units[w[1]]
    if kind == "survey":
        SurveyResponse.objects.create(unit=u, date=w[2].date(), respondent_type="keluarga",
                                      **{f"u{i}": 3 for i in range(1, 10)})
    elif kind == "complaint":
        Complaint.objects.create(unit=u, received_at=w[2], resolved_at=w[2] + dt.timedelta(days=3),
                                 channel="whatsapp", topic="x")
    elif kind == "budget":
        BudgetLine.objects.update_or_create(unit=u, year=w[2], activity="Kegiatan",
                                            defaults={"allocation": 100, "realisation": 80})
    elif kind == "staffing":
        Staffing.objects.update_or_create(unit=u, year=w[2], defaults={"social_workers": 3, "certified": 1})
    elif kind == "facility":
        Facility.objects.update_or_create(unit=u, year=w[2], defaults={"safe_house_beds": 4, "bed_days": 300})
    elif kind == "target":
        Target.objects.update_or_create(unit=u, year=w[2], indicator="tingkat_penyelesaian", worker=None,
                                        defaults={"value": 40})
    elif kind == "unit_parent":
        b = units["seksi_b"]
        b.parent = units[w[1]]
        b.save()
        return None
    return {u.pk}


def _ancestors_or_self(touched):
    tree = unit_tree()
    return {u for u in tree.all_ids if tree.descendants(u) & touched}


def _check_all(units, affected):
    """Every unit's cached figures of every period equal fresh ones; the units the write cannot
    concern are served from the cache for every period (an affected unit keeps the periods the
    write's years leave alone: test_a_write_of_one_year_keeps_the_other_years)."""
    for u in units.values():
        for periods in PERIOD_SETS:
            before = dict(figure_cache.STATS)
            got = compute_periods([u.pk], periods)
            hits = figure_cache.STATS["hit"] - before.get("hit", 0)
            if affected is None:
                assert hits == 0, (u.code, periods)
            elif u.pk not in affected:
                assert hits == len(periods), (u.code, periods, hits)
            assert got == compute_periods([u.pk], periods, cached=False), (u.code, periods)
            # the publication gate's parts (compute_basis) are kept under the same versions
            before = dict(figure_cache.STATS)
            basis = compute_basis([u.pk], periods)
            hits = figure_cache.STATS["hit"] - before.get("hit", 0)
            if affected is not None and u.pk not in affected:
                assert hits == len(periods), (u.code, periods, hits)
            assert basis == compute_basis([u.pk], periods, cached=False), (u.code, periods)


class CacheProperties(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(case_st, max_size=5), st.lists(case_st, max_size=3), st.lists(write_st, min_size=1, max_size=5))
    def test_cached_figures_equal_fresh_ones_after_every_write(self, in_a, in_other, writes):
        units = _tree()
        build(units["seksi_a"], in_a)
        build(units["lain"], in_other)
        _check_all(units, None)  # warm: every unit computed once
        for w in writes:
            touched = _write(units, w)
            for u in units.values():
                u.refresh_from_db()
            _check_all(units, None if touched is None else _ancestors_or_self(touched))


@pytest.fixture
def tree(db):
    return _tree()


def test_a_write_to_one_section_keeps_the_other_sections_and_other_roots(tree):
    build(tree["seksi_a"], [{"reported": 24 * 200, "open_for": None, "reason": "tujuan_tercapai", "risk": "tinggi",
                             "sex": "L", "kid": 0, "consent": True, "actions": [], "referral": None}])
    _check_all(tree, None)
    build(tree["seksi_b"], [{"reported": 24 * 300, "open_for": 24, "reason": "tujuan_tercapai", "risk": "sedang",
                             "sex": "P", "kid": 1, "consent": False, "actions": [], "referral": None}])
    # seksi_b, bidang and dinas are computed again; seksi_a and the other city are not
    _check_all(tree, {tree["seksi_b"].pk, tree["bidang"].pk, tree["dinas"].pk})


def test_the_figures_of_a_write_rolled_back_leave_no_entry(tree):
    from django.db import transaction

    from kinerja.register.models import SurveyResponse

    _check_all(tree, None)
    with transaction.atomic():
        SurveyResponse.objects.create(unit=tree["lain"], date=dt.date(2020, 5, 1), respondent_type="keluarga",
                                      **{f"u{i}": 4 for i in range(1, 10)})
        inside = compute_periods([tree["lain"].pk], PERIODS)
        assert inside[1][tree["lain"].pk]["ikm"] == 100.0
        transaction.set_rollback(True)
    _check_all(tree, set())
    assert compute_periods([tree["lain"].pk], PERIODS)[1][tree["lain"].pk]["ikm"] is None


def test_scorecard_and_trend_share_the_cache_and_the_variants_are_kept_apart(tree):
    from kinerja.register.models import Staff

    build(tree["seksi_a"], [{"reported": 24 * 200, "open_for": 24 * 10, "reason": "tujuan_tercapai", "risk": "tinggi",
                             "sex": "L", "kid": 0, "consent": True, "actions": [], "referral": None}])
    worker = Staff.objects.create_user(username="pk", password="x" * 12, role="pekerja_sosial", unit=tree["seksi_a"])
    card = scorecard(tree["seksi_a"], 2020)
    before = dict(figure_cache.STATS)
    assert scorecard(tree["seksi_a"], 2020) == card
    assert figure_cache.STATS["hit"] - before.get("hit", 0) == 2 and figure_cache.STATS["miss"] == before["miss"]
    assert figure_cache.STATS["computed"] == before["computed"]
    # a trend of one of the card's measures over the card's years is served by the card's entries
    shown = next(m for d in card["dimensions"] for m in d["measures"] if m["id"] != "kasus_masuk")
    assert [p["value"] for p in trend(tree["seksi_a"], [2019, 2020], shown["id"])] == [
        shown["previous"], shown["value"]]
    assert figure_cache.STATS["computed"] == before["computed"]
    # another measure is computed once and added to the same entries, then served from them
    series = trend(tree["seksi_a"], [2019, 2020], "kasus_masuk")
    assert [p["value"] for p in series] == [0, 1]
    assert figure_cache.STATS["computed"] == before["computed"] + 2
    assert trend(tree["seksi_a"], [2019, 2020], "kasus_masuk") == series
    assert figure_cache.STATS["computed"] == before["computed"] + 2
    assert compute_periods([tree["seksi_a"].pk], [Period.year(2020)])[0] == compute_periods(
        [tree["seksi_a"].pk], [Period.year(2020)], cached=False)[0]
    # the individual level and a category filter are their own entries, with their own values
    assert trend(tree["seksi_a"], [2019, 2020], "kasus_masuk", worker=worker) == [
        {**p, "value": 0} for p in series]
    assert trend(tree["seksi_a"], [2020], "kasus_masuk", kategori=["anak_jalanan"])[0]["value"] == 0
    assert trend(tree["seksi_a"], [2020], "kasus_masuk", kategori=["kekerasan"])[0]["value"] == 1


def test_the_cache_can_be_switched_off(tree, settings):
    from kinerja.register.models import FigureCache

    settings.KINERJA_FIGURE_CACHE = False
    compute_periods([tree["dinas"].pk], PERIODS)
    assert not FigureCache.objects.exists()


def test_an_import_advances_the_units_it_wrote_once(tmp_path, db):
    from kinerja.register.models import DataVersion, Unit
    from kinerja.register.tabular import writing
    from tests.test_import import base_data, write_data

    data = base_data()
    assert writing.import_path(write_data(tmp_path / "a", data), lang="en").ok
    other = Unit.objects.create(code="88.01-DINSOS", name="Dinas lain")
    units = {u.code: u for u in Unit.objects.all()}
    _check_all(units, None)
    seksi = units["99.01-RESOS-ANAK"]
    version = DataVersion.objects.get(scope=seksi.pk, year=0).version
    survey = {**data["survei"][0], "tanggal": "2018-07-01"}
    assert writing.import_path(write_data(tmp_path / "b", {"survei": [survey, survey]}), lang="en").ok
    assert DataVersion.objects.get(scope=seksi.pk, year=0).version == version + 1
    _check_all(units, {seksi.pk, units["99.01-DINSOS"].pk})
    assert other.pk not in {seksi.pk, units["99.01-DINSOS"].pk}


def test_the_performance_page_years_follow_the_register(client, users, units):
    """The page's list of years (kept by data version) gains a year as soon as a case of it is made."""
    from tests.indicator_factories import case as make_case

    make_case(units["seksi"], dt.datetime(2021, 5, 1, tzinfo=dt.UTC))
    client.force_login(users["kasi"])
    r = client.get("/kinerja/")
    assert r.status_code == 200 and r.context["years"] == [2021]
    again = client.get("/kinerja/")
    assert again.context["years"] == [2021]
    make_case(units["seksi"], dt.datetime(2018, 5, 1, tzinfo=dt.UTC))
    assert client.get("/kinerja/").context["years"] == [2018, 2021]


def test_figures_are_served_when_the_cache_cannot_be_written(tree, monkeypatch):
    """Storing is best effort (on SQLite an import may hold the write lock for minutes): the page
    gets its figures, and the next view computes them again."""
    from django.db import OperationalError

    from kinerja.register.models import FigureCache

    build(tree["lain"], [{"reported": 24 * 300, "open_for": None, "reason": "tujuan_tercapai", "risk": "tinggi",
                          "sex": "L", "kid": 0, "consent": True, "actions": [], "referral": None}])
    fresh = compute_periods([tree["lain"].pk], PERIODS, cached=False)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(FigureCache.objects, "bulk_create", locked)
    before = figure_cache.STATS["not_stored"]
    assert compute_periods([tree["lain"].pk], PERIODS) == fresh
    assert figure_cache.STATS["not_stored"] == before + len(PERIODS)
    assert compute_periods([tree["lain"].pk], PERIODS) == fresh
    assert not FigureCache.objects.exists()


def test_a_write_of_one_year_keeps_the_other_years(tree):
    """A unit-period's figures stay cached while its own and its previous period's years are
    unwritten: what a social worker records today leaves a trend's closed years alone."""
    from kinerja.register.models import Action, SurveyResponse
    from tests.indicator_factories import act
    from tests.indicator_factories import case as make_case

    seksi = tree["seksi_a"]
    old = make_case(seksi, dt.datetime(2019, 3, 1, tzinfo=dt.UTC))  # open: handled every year since
    act(old, "pendekatan_awal", dt.datetime(2019, 3, 2, tzinfo=dt.UTC))
    act(old, "asesmen", dt.datetime(2019, 3, 5, tzinfo=dt.UTC))
    recent = make_case(seksi, dt.datetime(2021, 2, 1, tzinfo=dt.UTC), closed=dt.datetime(2021, 6, 1, tzinfo=dt.UTC))

    def hits_after(write):
        compute_periods([seksi.pk], PERIODS)
        write()
        before = figure_cache.STATS["hit"]
        got = compute_periods([seksi.pk], PERIODS)
        assert got == compute_periods([seksi.pk], PERIODS, cached=False)
        return figure_cache.STATS["hit"] - before

    # a survey of 2021: 2019 and 2020 kept (2021 reads 2020 and 2021)
    assert hits_after(lambda: SurveyResponse.objects.create(
        unit=seksi, date=dt.date(2021, 5, 1), respondent_type="keluarga", **{f"u{i}": 3 for i in range(1, 10)})) == 2
    # a second assessment of the old case in 2021 changes none of its first times: 2021 only
    assert hits_after(lambda: act(old, "asesmen", dt.datetime(2021, 7, 1, tzinfo=dt.UTC))) == 2
    # its first intervention changes its plan figures of 2021 only (the case is open: no closure year)
    assert hits_after(lambda: act(old, "intervensi", dt.datetime(2021, 7, 2, tzinfo=dt.UTC))) == 2
    # closing the recent case touches 2021 only; moving the action of 2019 to 2020 touches 2019-2021
    def close():
        recent.closed_at = dt.datetime(2021, 8, 1, tzinfo=dt.UTC)
        recent.save()
    assert hits_after(close) == 2

    def shift():
        a = Action.objects.get(case=old, stage="asesmen", time__year=2019)
        a.time = dt.datetime(2020, 1, 5, tzinfo=dt.UTC)
        a.save()
    assert hits_after(shift) == 0

    # a first response recorded late changes the response figures of the year the case was reported
    late = make_case(seksi, dt.datetime(2019, 6, 1, tzinfo=dt.UTC))
    assert hits_after(lambda: act(late, "pendekatan_awal", dt.datetime(2021, 1, 10, tzinfo=dt.UTC))) == 0
    assert hits_after(lambda: act(late, "pendekatan_awal", dt.datetime(2021, 1, 20, tzinfo=dt.UTC))) == 2


def test_the_keeper_warms_what_the_cache_lacks_and_follows_the_writes(tree):
    """warm() computes every unit-year the cache lacks (then nothing); keep() computes again, after
    a write, exactly the written unit and its ancestors for the written year and the year after."""
    from kinerja.indicators import keeper
    from kinerja.register.models import SurveyResponse

    build(tree["seksi_a"], [{"reported": 24 * 200, "open_for": 24 * 30, "reason": "tujuan_tercapai", "risk": "tinggi",
                             "sex": "L", "kid": 0, "consent": True, "actions": [], "referral": None}])
    years = keeper.years_with_cases()
    assert years[0] == 2020 and years[-1] == dt.date.today().year
    assert keeper.warm() == len(tree) * len(years)
    assert keeper.warm() == 0
    before = figure_cache.STATS["hit"]
    compute_periods([u.pk for u in tree.values()], [Period.year(y) for y in years])
    assert figure_cache.STATS["hit"] - before == len(tree) * len(years)

    calls = []

    def stop():
        calls.append(1)
        if len(calls) == 1:  # a write between two looks at the data versions
            SurveyResponse.objects.create(unit=tree["seksi_b"], date=dt.date(2020, 6, 1), respondent_type="keluarga",
                                          **{f"u{i}": 4 for i in range(1, 10)})
            return False
        return True

    computed = figure_cache.STATS["computed"]
    keeper.keep(stop, poll=0)
    # seksi_b, bidang and dinas for 2020 and 2021 (2021 shows 2020 as its previous year)
    assert figure_cache.STATS["computed"] - computed == 3 * 2
    before = figure_cache.STATS["hit"]
    got = compute_periods([u.pk for u in tree.values()], [Period.year(y) for y in years])
    assert figure_cache.STATS["hit"] - before == len(tree) * len(years)
    assert got == compute_periods([u.pk for u in tree.values()], [Period.year(y) for y in years], cached=False)
    assert got[0][tree["seksi_b"].pk]["ikm"] == 100.0


def test_the_keeper_reads_which_unit_years_moved(tree):
    from kinerja.indicators import keeper
    from kinerja.register import dataversion

    all_years = [2019, 2020, 2021]
    a, b, d = tree["seksi_a"].pk, tree["bidang"].pk, tree["dinas"].pk
    assert keeper.moved({}, {}, all_years) == (set(), set())
    assert keeper.moved({a: {2019: 1}}, {a: {2019: 2}}, all_years) == ({a, b, d}, {2019, 2020})
    assert keeper.moved({}, {a: {2021: 1}}, all_years) == ({a, b, d}, {2021})
    assert keeper.moved({}, {tree["lain"].pk: {dataversion.ALL: 1}}, all_years) == ({tree["lain"].pk}, set(all_years))
    everything = {u.pk for u in tree.values()}
    assert keeper.moved({}, {dataversion.TREE: {dataversion.ALL: 1}}, all_years) == (everything, set(all_years))


def test_figures_warm_command(tree, capsys):
    from kinerja.cli import main

    build(tree["lain"], [{"reported": 24 * 300, "open_for": None, "reason": "tujuan_tercapai", "risk": "tinggi",
                          "sex": "L", "kid": 0, "consent": True, "actions": [], "referral": None}])
    assert main(["figures", "warm", "--unit", "L", "--years", "2020-2021"]) == 0
    assert "figures: units 1, years 2020-2021, unit-years computed 2 (" in capsys.readouterr().out
    assert main(["figures", "warm", "--unit", "L", "--years", "2020-2021"]) == 0
    assert "unit-years computed 0 (" in capsys.readouterr().out
    assert main(["figures", "warm", "--unit", "NOPE"]) == 2
    assert "unknown unit" in capsys.readouterr().err
