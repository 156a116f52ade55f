"""The category filter of indicators.md: the case measures over the cases of the chosen categories
(and their actions and referrals), the measures built on other records null, and without a filter
nothing changes.

The property: the filtered engine on a register of every category equals the unfiltered engine on a
register that holds only the cases of those categories (built the same way, in a unit of its own)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kinerja import vocab
from kinerja.indicators import definitions as defs
from kinerja.indicators.measures import BASIS_FAMILIES, compute, compute_basis, compute_periods
from kinerja.indicators.periods import Period
from tests.indicator_factories import case, child, spec_records

BASE = dt.datetime(2019, 10, 1, tzinfo=dt.UTC)
CATEGORIES = ["eksploitasi_ekonomi", "eksploitasi_seksual", "kekerasan"]
assert all(c in vocab.KATEGORI for c in CATEGORIES)

action_st = st.fixed_dictionaries({
    "stage": st.sampled_from(vocab.TAHAP.codes),
    "after": st.integers(0, 24 * 120),
    "service": st.sampled_from(["", "permakanan", "rujukan"]),
    "obstacle": st.sampled_from(["", "anggaran", "komunikasi", "sdm"]),
    "approved": st.booleans(),
})
case_st = st.fixed_dictionaries({
    "category": st.sampled_from(CATEGORIES),
    "reported": st.integers(0, 24 * 500),
    "open_for": st.none() | st.integers(0, 24 * 300),
    "reason": st.sampled_from(vocab.ALASAN_PENUTUPAN.codes),
    "risk": st.sampled_from(vocab.TINGKAT_RISIKO.codes),
    "sex": st.sampled_from(["L", "P"]),
    "consent": st.booleans(),
    "actions": st.lists(action_st, max_size=4),
    "referral": st.none() | st.tuples(st.integers(0, 24 * 60), st.none() | st.integers(0, 200),
                                      st.sampled_from(["", "diterima", "tanpa_respon"])),
})


def build(unit, specs):

    for s in specs:
        reported = BASE + dt.timedelta(hours=s["reported"])
        closed = reported + dt.timedelta(hours=s["open_for"]) if s["open_for"] is not None else None
        c = case(unit, reported, closed=closed, reason=s["reason"], risk=s["risk"], kid=child(unit, sex=s["sex"]),
                 consent=s["consent"], category=s["category"])
        spec_records(c, reported, s)


def other_records(unit):
    """Records not tied to a case: the filter must leave their measures null."""
    from kinerja.register.models import BudgetLine, Complaint, Facility, Staffing, SurveyResponse, Target

    Complaint.objects.create(unit=unit, received_at=dt.datetime(2020, 2, 1, tzinfo=dt.UTC))
    SurveyResponse.objects.create(unit=unit, date=dt.date(2020, 3, 1), **{f"u{i}": 3 for i in range(1, 10)})
    BudgetLine.objects.create(unit=unit, year=2020, activity="p", allocation=1000, realisation=900)
    Staffing.objects.create(unit=unit, year=2020, social_workers=3, certified=2)
    Facility.objects.create(unit=unit, year=2020, safe_house_beds=4, bed_days=300)
    Target.objects.create(unit=unit, year=2020, indicator="kasus_selesai", value=2)


class CategoryFilter(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(case_st, max_size=8), st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=2))
    def test_filtered_equals_the_unfiltered_engine_on_only_those_categories(self, specs, chosen):
        from kinerja.register.models import Staff, Unit

        everything = Unit.objects.create(code="K-ALL", name="All")
        only = Unit.objects.create(code="K-ONLY", name="Only")
        Staff.objects.create_user(username="kasi_k", password="x" * 12, role="kepala_seksi", unit=everything)
        build(everything, specs)
        build(only, [s for s in specs if s["category"] in chosen])
        other_records(everything)
        periods = [Period.year(2019), Period.year(2020)]
        filtered = compute_periods([everything], periods, kategori=sorted(chosen))
        alone = compute_periods([only], periods)
        for got, want in zip(filtered, alone, strict=True):
            for mid in defs.ALL_IDS:
                if defs.get(mid).case_based:
                    assert got[everything.pk][mid] == want[only.pk][mid], (mid, got[everything.pk][mid],
                                                                          want[only.pk][mid])
                else:
                    assert got[everything.pk][mid] is None, mid
        # the parts the publication gate reads follow the same filter
        cases_fams = ("cases", "response", "closed", "plan", "obstacles", "referrals", "prev", "spm_services")
        assert set(cases_fams) <= set(BASIS_FAMILIES)
        b_got = compute_basis([everything], periods, families=cases_fams, kategori=sorted(chosen))
        b_want = compute_basis([only], periods, families=cases_fams)
        for got, want in zip(b_got, b_want, strict=True):
            g, w = got[everything.pk], want[only.pk]
            for key in set(g) | set(w):
                assert g.get(key, 0.0) == w.get(key, 0.0), key

    def test_without_a_filter_nothing_changes(self):
        from kinerja.register.models import Unit

        unit = Unit.objects.create(code="K-U", name="U")
        build(unit, [{"category": c, "reported": 24 * 100 * (i + 1), "open_for": 24 * 30, "reason": "tujuan_tercapai",
                      "risk": "tinggi", "sex": "L", "consent": True, "actions": [], "referral": None}
                     for i, c in enumerate(CATEGORIES)])
        other_records(unit)
        year = Period.year(2020)
        plain = compute(unit, year)
        assert compute(unit, year, kategori=None) == plain
        assert compute(unit, year, kategori=[]) == plain
        assert plain["ikm"] is not None and plain["kasus_ditangani"] == 3
        one = compute(unit, year, kategori=["kekerasan"])
        assert one["kasus_ditangani"] == 1 and one["ikm"] is None and one["capaian_target"] is None
        assert compute(unit, year, kategori=CATEGORIES)["kasus_ditangani"] == 3

    def test_an_unknown_category_is_refused(self):
        from kinerja.register.models import Unit

        unit = Unit.objects.create(code="K-X", name="X")
        try:
            compute(unit, Period.year(2020), kategori=["bukan_kategori"])
        except ValueError as exc:
            assert "bukan_kategori" in str(exc)
        else:
            raise AssertionError("an unknown category must be refused")
