"""Every measure of indicators.md on small hand-built datasets; expected values worked out by hand.

Times are written in WIB (tests.indicator_factories.wib); 00:00 WIB is 17:00 UTC the day before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja.indicators import definitions as defs
from kinerja.indicators.achievement import ikm_band
from kinerja.indicators.measures import compute, compute_many, compute_periods, median
from kinerja.indicators.periods import Period, wib_midnight
from tests.indicator_factories import D, H, S, act, case, child, full_procedure, wib

Y2020 = (dt.date(2020, 1, 1), dt.date(2021, 1, 1))
pytestmark = pytest.mark.django_db


def year(unit, y=2020, **kw):
    return compute(unit, dt.date(y, 1, 1), dt.date(y + 1, 1, 1), **kw)


# -- periods ------------------------------------------------------------------------------------
def test_period_bounds_are_wib_midnight_in_utc():
    p = Period(dt.date(2020, 1, 1), dt.date(2021, 1, 1))
    assert p.start_utc == dt.datetime(2019, 12, 31, 17, tzinfo=dt.UTC)
    assert p.end_utc == dt.datetime(2020, 12, 31, 17, tzinfo=dt.UTC)
    assert wib_midnight(dt.date(2020, 3, 1)) == dt.datetime(2020, 2, 29, 17, tzinfo=dt.UTC)
    assert p.calendar_year == 2020 and p.previous() == Period.year(2019)
    # not a calendar year: P_prev is as many days ending at start; no year(P)
    q = Period(dt.date(2020, 3, 1), dt.date(2020, 3, 31))  # 30 days
    assert q.calendar_year is None
    assert q.previous() == Period(dt.date(2020, 1, 31), dt.date(2020, 3, 1))
    assert Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31)).calendar_year is None
    with pytest.raises(ValueError):
        Period(dt.date(2020, 1, 2), dt.date(2020, 1, 2))


def test_median_even_odd_and_empty():
    assert median([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


# -- case counts -----------------------------------------------------------------------------------
def test_counts_at_wib_period_boundaries(units):
    u = units["seksi"]
    case(u, wib(2020, 1, 1, 0, 0))  # A: 00:00 WIB on 1 Jan = 17:00 UTC 31 Dec: received
    case(u, wib(2019, 12, 31, 23, 59, 59))  # B: the second before: not received, open so handled
    case(u, wib(2020, 12, 31, 23, 59, 59))  # C: last second of the year: received
    case(u, wib(2021, 1, 1, 0, 0))  # D: after the period: neither
    case(u, wib(2019, 6, 1), closed=wib(2019, 12, 31, 23, 59, 59))  # E: closed before: not handled
    case(u, wib(2019, 6, 1), closed=wib(2020, 1, 1, 0, 0))  # F: reported before, resolved at 00:00 WIB
    case(u, wib(2019, 6, 1), closed=wib(2020, 5, 1), reason="hilang_kontak")  # G: closed, not resolved
    v = year(u)
    assert v["kasus_masuk"] == 2  # A, C
    assert v["kasus_ditangani"] == 5  # A, B, C, F, G
    assert v["kasus_selesai"] == 1  # F (G's reason is not a resolved one)
    assert v["tingkat_penyelesaian"] == pytest.approx(20.0)  # 1 / 5
    # a 30-day window: only F (closed 1 Jan) and the open cases A, B, G(open until May) are handled
    w = compute(u, dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    assert (w["kasus_masuk"], w["kasus_ditangani"], w["kasus_selesai"]) == (1, 4, 1)


def test_only_resolved_reasons_count_as_selesai(units):
    u = units["seksi"]
    reasons = ["reunifikasi_keluarga", "dirujuk_lembaga", "tujuan_tercapai", "mandiri_dewasa",
               "hilang_kontak", "pindah_wilayah", "meninggal", "lainnya"]
    for r in reasons:
        case(u, wib(2020, 2, 1), closed=wib(2020, 6, 1), reason=r)
    v = year(u)
    assert v["kasus_selesai"] == 4 and v["kasus_ditangani"] == 8
    assert v["tingkat_penyelesaian"] == pytest.approx(50.0)


def test_parent_includes_descendants_only(units):
    case(units["seksi"], wib(2020, 2, 1), closed=wib(2020, 3, 1))
    case(units["bidang"], wib(2020, 2, 1))
    case(units["other"], wib(2020, 2, 1))
    assert year(units["dinas"])["kasus_masuk"] == 2
    assert year(units["bidang"])["kasus_masuk"] == 2
    assert year(units["seksi"])["kasus_masuk"] == 1
    assert year(units["other"])["kasus_masuk"] == 1
    many = compute_many([units["dinas"], units["seksi"], units["other"]], *Y2020)
    for key in ("dinas", "seksi", "other"):
        assert many[units[key].pk] == year(units[key])


def test_moved_cases_take_their_actions_and_referrals_figures_with_them(units):
    """Actions and referrals carry a copy of their case's unit (the engine reads one unit's period
    through it); services.move_cases moves the copies with the case."""
    from kinerja.register import services
    from kinerja.register.models import Action, Case, Referral

    c = case(units["seksi"], wib(2020, 2, 1))
    act(c, "pendekatan_awal", wib(2020, 2, 2), obstacle="anggaran")
    Referral.objects.create(case=c, partner="lksa", sent_at=wib(2020, 2, 3))
    assert {a.unit_id for a in Action.objects.all()} == {r.unit_id for r in Referral.objects.all()} == {
        units["seksi"].pk}
    before = year(units["seksi"])
    assert (before["kendala_anggaran"], before["rujukan_tanpa_respon"]) == (1, 100.0)
    assert services.move_cases(Case.objects.filter(pk=c.pk), units["other"]) == 1
    assert {a.unit_id for a in Action.objects.all()} == {r.unit_id for r in Referral.objects.all()} == {
        units["other"].pk}
    moved, left = year(units["other"]), year(units["seksi"])
    assert (moved["kendala_anggaran"], moved["rujukan_tanpa_respon"]) == (1, 100.0)
    assert (left["kasus_masuk"], left["kendala_anggaran"], left["rujukan_tanpa_respon"]) == (0, 0, None)


def test_growth_uses_previous_calendar_year_or_same_length_window(units):
    u = units["seksi"]
    for m in (3, 4):  # 2019: two resolved
        case(u, wib(2019, 1, 1), closed=wib(2019, m, 1))
    for m in (3, 4, 5):  # 2020: three resolved
        case(u, wib(2020, 1, 1), closed=wib(2020, m, 1))
    assert year(u)["pertumbuhan_penyelesaian"] == pytest.approx(50.0)  # (3 - 2) / 2
    assert year(u, 2019)["pertumbuhan_penyelesaian"] is None  # 2018: none resolved -> null
    # [1 Apr, 1 Jun) 2020 (61 days): 2 resolved (Apr, May); previous 61 days [31 Jan, 1 Apr): 1 (Mar 2020)
    v = compute(u, dt.date(2020, 4, 1), dt.date(2020, 6, 1))
    assert v["kasus_selesai"] == 2
    assert v["pertumbuhan_penyelesaian"] == pytest.approx(100.0)


# -- responsiveness ------------------------------------------------------------------------------
def test_response_on_time_per_risk_and_median(units):
    u = units["seksi"]
    t = wib(2020, 3, 1, 8)
    c1 = case(u, t, risk="tinggi")
    act(c1, "pendekatan_awal", t + 48 * H)
    act(c1, "pendekatan_awal", t + 24 * H)  # the first one: exactly 24 h: on time
    c2 = case(u, t, risk="tinggi")
    act(c2, "pendekatan_awal", t + 24 * H + S)  # one second late
    c3 = case(u, t, risk="sedang")
    act(c3, "pendekatan_awal", t + 72 * H)  # exactly 72 h: on time
    case(u, t, risk="rendah")  # no response: late
    c5 = case(u, wib(2019, 12, 1), risk="sedang")  # received in 2019: not counted in 2020
    act(c5, "pendekatan_awal", wib(2020, 1, 5))
    v = year(u)
    assert v["respon_tepat_waktu"] == pytest.approx(50.0)  # 2 of 4 received
    # deltas 24 h, 24 h + 1 s, 72 h -> odd count, the middle one
    assert v["waktu_respon_median_jam"] == pytest.approx(24 + 1 / 3600, abs=1e-9)
    # configurable SLA: 25 h for high risk makes c2 on time
    assert year(u, sla_high_hours=25)["respon_tepat_waktu"] == pytest.approx(75.0)
    # the even case: a fourth response at 10 h -> median of (24, 24 h + 1 s) = 24 h + 0.5 s
    c4 = case(u, t, risk="rendah")
    act(c4, "pendekatan_awal", t + 10 * H)
    assert year(u)["waktu_respon_median_jam"] == pytest.approx(24 + 0.5 / 3600, abs=1e-9)


def test_assessment_median_even_then_odd(units):
    u = units["seksi"]
    t = wib(2020, 5, 1)
    a = case(u, t)
    act(a, "asesmen", t + 1 * D)
    b = case(u, t)
    act(b, "asesmen", t + 3 * D)
    act(b, "asesmen", t + 1 * H)  # first asesmen of b is after 1 h = 1/24 d
    case(u, t)  # no asesmen: not in the median
    assert year(u)["waktu_asesmen_median_hari"] == pytest.approx((1 + 1 / 24) / 2)
    c = case(u, t)
    act(c, "asesmen", t + 10 * D)
    assert year(u)["waktu_asesmen_median_hari"] == pytest.approx(1.0)  # (1/24, 1, 10)


def test_equity_ratio_of_boys_and_girls(units):
    u = units["seksi"]
    t = wib(2020, 4, 1)
    boy_on_time = case(u, t, sex="L")
    act(boy_on_time, "pendekatan_awal", t + H)
    case(u, t, sex="L")  # late (no response)
    girl = case(u, t, sex="P")
    act(girl, "pendekatan_awal", t + H)
    # boys 50 %, girls 100 % -> 50 / 100 x 100
    assert year(u)["rasio_kesetaraan_respon"] == pytest.approx(50.0)
    assert year(u)["respon_tepat_waktu"] == pytest.approx(200 / 3)


def test_equity_ratio_null_without_a_group_or_when_max_is_zero(units):
    u = units["seksi"]
    case(u, wib(2020, 4, 1), sex="L")
    assert year(u)["rasio_kesetaraan_respon"] is None  # no girl received
    case(u, wib(2020, 4, 1), sex="P")
    assert year(u)["rasio_kesetaraan_respon"] is None  # both 0 %: max is 0


# -- complaints and survey -----------------------------------------------------------------------
def test_complaints_on_time_and_per_100_cases(units):
    from kinerja.register.models import Complaint

    u = units["seksi"]
    t = wib(2020, 7, 1, 9)
    Complaint.objects.create(unit=u, received_at=t, resolved_at=t + 14 * D)  # exactly 14 days: on time
    Complaint.objects.create(unit=u, received_at=t, resolved_at=t + 14 * D + S)  # late
    Complaint.objects.create(unit=u, received_at=t)  # unresolved: late
    Complaint.objects.create(unit=u, received_at=wib(2019, 12, 31, 23), resolved_at=wib(2020, 1, 2))  # 2019
    for _ in range(4):
        case(u, wib(2020, 2, 1))
    v = year(u)
    assert v["pengaduan_selesai_tepat_waktu"] == pytest.approx(100 / 3)
    assert v["pengaduan_per_100_kasus"] == pytest.approx(75.0)  # 3 complaints / 4 handled x 100
    assert year(u, complaint_days=15)["pengaduan_selesai_tepat_waktu"] == pytest.approx(200 / 3)


def test_ikm_from_survey_elements(units):
    from kinerja.register.models import SurveyResponse

    u = units["seksi"]
    assert year(u)["ikm"] is None  # no responses
    SurveyResponse.objects.create(unit=u, date=dt.date(2020, 1, 1), **{f"u{i}": 4 for i in range(1, 10)})
    SurveyResponse.objects.create(unit=u, date=dt.date(2020, 12, 31), **{f"u{i}": 3 for i in range(1, 9)})
    SurveyResponse.objects.create(unit=u, date=dt.date(2021, 1, 1), **{f"u{i}": 1 for i in range(1, 10)})
    # NRR_1..8 = 3.5, NRR_9 = 4 (the missing score is ignored): 25 x (8 x 3.5 + 4) / 9 = 800 / 9
    assert year(u)["ikm"] == pytest.approx(800 / 9)
    assert ikm_band(800 / 9).code == "A"


def test_ikm_null_when_an_element_has_no_score(units):
    from kinerja.register.models import SurveyResponse

    u = units["seksi"]
    SurveyResponse.objects.create(unit=u, date=dt.date(2020, 5, 1), **{f"u{i}": 4 for i in range(1, 9)})
    assert year(u)["ikm"] is None


@pytest.mark.parametrize("value, band", [
    (100, "A"), (88.31, "A"), (88.305, "A"), (88.304, "B"), (88.30, "B"), (76.61, "B"), (76.605, "B"),
    (76.60, "C"), (65.00, "C"), (64.995, "C"), (64.99, "D"), (25.0, "D"),
])
def test_ikm_quality_bands_on_two_decimals(value, band):
    assert ikm_band(value).code == band


def test_ikm_band_of_nothing_is_not_rated():
    assert ikm_band(None).code == "tidak_dinilai"


# -- responsibility ------------------------------------------------------------------------------
def test_sop_compliance_over_closed_cases(units):
    u = units["seksi"]
    t = wib(2020, 2, 1)
    ok = case(u, t, closed=wib(2020, 6, 1))
    full_procedure(ok, t)  # yes
    same_time = case(u, t, closed=wib(2020, 6, 1), reason="hilang_kontak")  # not resolved, still counted
    full_procedure(same_time, t, gaps=(0, 0, 0, 0))  # each "at or after" the one before: yes
    late_pa = case(u, t, closed=wib(2020, 6, 1))
    full_procedure(late_pa, t + H)
    act(late_pa, "asesmen", t)  # first asesmen now before first pendekatan_awal: no
    no_term = case(u, t, closed=wib(2020, 6, 1))
    for i, stage in enumerate(("pendekatan_awal", "asesmen", "rencana_intervensi", "intervensi")):
        act(no_term, stage, t + i * D, approved=t + i * D if stage == "rencana_intervensi" else None)  # no
    unapproved = case(u, t, closed=wib(2020, 6, 1))
    full_procedure(unapproved, t, approved=False)  # no
    extra_pa = case(u, t, closed=wib(2020, 6, 1))
    full_procedure(extra_pa, t)
    act(extra_pa, "pendekatan_awal", t + 3 * D)  # a later approach does not change first(): yes
    open_case = case(u, t)
    full_procedure(open_case, t)  # not closed: outside the denominator
    assert year(u)["kepatuhan_sop"] == pytest.approx(300 / 6)  # 3 of 6 closed


def test_stage_order_and_plan_approval_hold_to_the_microsecond(units):
    """Order checks compare times as the database returns them (text): a fraction of a second, with
    or without digits, on either side of a whole second, must still order correctly."""
    u = units["seksi"]
    t = wib(2020, 2, 1)
    half = dt.timedelta(microseconds=500_000)
    tiny = dt.timedelta(microseconds=1)
    after = case(u, t, closed=wib(2020, 6, 1))  # asesmen half a second after the approach: in order
    full_procedure(after, t + D)
    act(after, "pendekatan_awal", t + half)
    act(after, "asesmen", t + 2 * half)
    before = case(u, t, closed=wib(2020, 6, 1))  # asesmen a microsecond before the approach: not
    full_procedure(before, t + D)
    act(before, "pendekatan_awal", t + half)
    act(before, "asesmen", t + half - tiny)
    assert year(u)["kepatuhan_sop"] == pytest.approx(50.0)
    v = units["other"]
    on_time = case(v, t)  # approved a microsecond before the first intervention: yes
    act(on_time, "rencana_intervensi", t, approved=t + half - tiny)
    act(on_time, "intervensi", t + half, service="permakanan")
    late = case(v, t)  # approved half a second after it: no
    act(late, "rencana_intervensi", t, approved=t + 2 * half)
    act(late, "intervensi", t + half, service="permakanan")
    assert year(v)["rencana_disetujui"] == pytest.approx(50.0)


def test_plan_approved_before_first_intervention(units):
    u = units["seksi"]
    t = wib(2020, 3, 1)
    a = case(u, t)  # approved a day before: yes
    act(a, "rencana_intervensi", t, approved=t + D)
    act(a, "intervensi", t + 2 * D)
    b = case(u, t)  # approved at the very time of the first intervention: yes
    act(b, "rencana_intervensi", t, approved=t + 2 * D)
    act(b, "intervensi", t + 2 * D)
    c = case(u, wib(2019, 10, 1))  # first intervention in 2019, approval after it: no
    act(c, "intervensi", wib(2019, 11, 1))
    act(c, "rencana_intervensi", wib(2019, 10, 5), approved=wib(2019, 11, 2))
    act(c, "intervensi", wib(2020, 2, 1))
    d = case(u, t)  # no plan at all: no
    act(d, "intervensi", t + D)
    e = case(u, wib(2019, 10, 1))  # intervention only in 2019: not counted
    act(e, "intervensi", wib(2019, 11, 1))
    f = case(u, t)  # plan not approved: no
    act(f, "rencana_intervensi", t)
    act(f, "intervensi", t + D)
    assert year(u)["rencana_disetujui"] == pytest.approx(40.0)  # a, b of a, b, c, d, f
    # the same through the all-units query plan (started from the period's actions)
    many = compute_many(list(units.values()), *Y2020, measures=["rencana_disetujui"])
    assert many[u.pk]["rencana_disetujui"] == pytest.approx(40.0)
    assert many[units["other"].pk]["rencana_disetujui"] is None


def test_documentation_needs_consent_and_assessment(units):
    u = units["seksi"]
    t = wib(2020, 8, 1)
    both = case(u, t, consent=True)
    act(both, "asesmen", wib(2021, 2, 1))  # an asesmen at any time counts
    case(u, t, consent=True)  # no asesmen
    no_consent = case(u, t)
    act(no_consent, "asesmen", t + D)
    old = case(u, wib(2019, 8, 1), consent=True)  # not received in 2020
    act(old, "asesmen", t)
    assert year(u)["kelengkapan_dokumentasi"] == pytest.approx(100 / 3)


# -- accountability ------------------------------------------------------------------------------
def test_spm_coverage_counts_distinct_children(units):
    u = units["seksi"]
    t = wib(2020, 4, 1)
    x = child(u)
    x1, x2 = case(u, t, kid=x), case(u, t, kid=x)  # X has two handled cases, one SPM action
    act(x1, "intervensi", t + D, service="permakanan")
    act(x2, "intervensi", t + D, service="permakanan")
    y = case(u, t)  # Y: only a non-SPM service
    act(y, "intervensi", t + D, service="dukungan_psikososial")
    z = case(u, wib(2019, 3, 1))  # Z: handled, SPM action only in 2019
    act(z, "intervensi", wib(2019, 4, 1), service="sandang")
    w = child(u)
    case(u, t, kid=w)  # W: handled without action; W's SPM action was in a case closed in 2019
    w_old = case(u, wib(2019, 1, 1), closed=wib(2019, 2, 1), kid=w)
    act(w_old, "intervensi", t, service="sandang")
    v = year(u)
    assert v["capaian_spm"] == pytest.approx(25.0)  # X of X, Y, Z, W
    assert v["anak_layanan_permakanan"] == 1 and v["anak_layanan_sandang"] == 0


def test_yearly_rows_staffing_budget_facilities(units):
    from kinerja.register.models import BudgetLine, Facility, Staffing

    seksi, bidang = units["seksi"], units["bidang"]
    for m in (2, 3):
        case(seksi, wib(2020, 1, 5), closed=wib(2020, m, 1))  # 2 resolved in 2020
    Staffing.objects.create(unit=seksi, year=2020, social_workers=4, certified=1)
    Staffing.objects.create(unit=bidang, year=2020, social_workers="1.00", certified="1.00")
    BudgetLine.objects.create(unit=seksi, year=2020, activity="a", allocation=1_000_000, realisation=600_000)
    BudgetLine.objects.create(unit=seksi, year=2020, activity="b", allocation=1_000_000, realisation=900_000)
    Facility.objects.create(unit=seksi, year=2020, safe_house_beds=10, bed_days=1830)
    s, b = year(seksi), year(bidang)
    assert s["kasus_selesai_per_peksos"] == pytest.approx(0.5)  # 2 / 4 FTE
    assert b["kasus_selesai_per_peksos"] == pytest.approx(0.4)  # 2 / (4 + 1)
    assert s["rasio_peksos_bersertifikat"] == pytest.approx(25.0)
    assert b["rasio_peksos_bersertifikat"] == pytest.approx(40.0)
    assert s["realisasi_anggaran"] == pytest.approx(75.0)  # 1.5 M / 2 M
    assert s["biaya_per_kasus_selesai"] == pytest.approx(750_000.0)  # 1.5 M / 2
    assert s["hunian_rumah_aman"] == pytest.approx(50.0)  # 1830 / (10 x 366) in leap-year 2020
    # not exactly one calendar year, or a year without rows: null
    q = compute(seksi, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    for m in ("kasus_selesai_per_peksos", "rasio_peksos_bersertifikat", "realisasi_anggaran",
              "biaya_per_kasus_selesai", "hunian_rumah_aman"):
        assert q[m] is None
        assert year(seksi, 2019)[m] is None
    assert year(units["other"])["realisasi_anggaran"] is None


def test_yearly_zero_denominators_are_null(units):
    from kinerja.register.models import BudgetLine, Facility, Staffing

    u = units["seksi"]
    Staffing.objects.create(unit=u, year=2020, social_workers=0, certified=0)
    BudgetLine.objects.create(unit=u, year=2020, activity="a", allocation=0, realisation=0)
    Facility.objects.create(unit=u, year=2020, safe_house_beds=0, bed_days=0)
    v = year(u)
    assert v["kasus_selesai_per_peksos"] is None  # 0 FTE
    assert v["rasio_peksos_bersertifikat"] is None
    assert v["realisasi_anggaran"] is None  # allocation 0
    assert v["biaya_per_kasus_selesai"] is None  # no resolved case
    assert v["hunian_rumah_aman"] is None  # no beds


def test_target_achievement_uses_the_units_own_targets(units):
    from kinerja.register.models import Target

    seksi, bidang = units["seksi"], units["bidang"]
    t = wib(2020, 3, 1)
    for i in range(4):  # 4 handled, 1 resolved: tingkat_penyelesaian 25
        c = case(seksi, t, closed=wib(2020, 5, 1) if i == 0 else None)
        act(c, "pendekatan_awal", t + 12 * H)  # waktu_respon_median_jam 12
    Target.objects.create(unit=seksi, year=2020, indicator="tingkat_penyelesaian", value=50)  # 25/50 -> 50
    Target.objects.create(unit=seksi, year=2020, indicator="waktu_respon_median_jam", value=24)  # (2-.5) -> 150
    Target.objects.create(unit=seksi, year=2020, indicator="realisasi_anggaran", value=90)  # direction none
    Target.objects.create(unit=seksi, year=2020, indicator="ikm", value=80)  # no survey: R null
    Target.objects.create(unit=seksi, year=2020, indicator="capaian_target", value=100)  # itself: skipped
    Target.objects.create(unit=seksi, year=2019, indicator="kasus_selesai", value=1)  # another year
    assert year(seksi)["capaian_target"] == pytest.approx(100.0)  # (50 + 150) / 2
    assert year(bidang)["capaian_target"] is None  # the descendant's targets are not the parent's
    assert compute(seksi, dt.date(2020, 1, 1), dt.date(2020, 7, 1))["capaian_target"] is None
    assert compute(seksi, *Y2020, measures=["capaian_target"]) == {"capaian_target": pytest.approx(100.0)}


# -- inhibiting factors and referrals ------------------------------------------------------------
def test_obstacle_counts_and_obstructed_cases(units):
    u = units["seksi"]
    t = wib(2020, 6, 1)
    a, b, c, d = (case(u, t) for _ in range(4))
    act(a, "intervensi", t, obstacle="anggaran")
    act(a, "intervensi", t + D, obstacle="anggaran")
    act(b, "asesmen", t, obstacle="sdm")
    act(c, "asesmen", t, obstacle="lainnya")  # counts for kasus_terkendala, not for the four measures
    act(d, "asesmen", wib(2021, 1, 1), obstacle="anggaran")  # outside the period
    v = year(u)
    assert (v["kendala_anggaran"], v["kendala_komunikasi"], v["kendala_sarana_prasarana"], v["kendala_sdm"]) == (
        2, 0, 0, 1)
    assert v["kasus_terkendala"] == pytest.approx(75.0)  # a, b, c of 4 handled


def test_referral_response_time_and_unanswered(units):
    from kinerja.register.models import Referral

    u = units["seksi"]
    t = wib(2020, 9, 1, 10)
    c = case(u, wib(2020, 8, 1))
    Referral.objects.create(case=c, partner="lksa", sent_at=t, acknowledged_at=t + 2 * H, result="diterima")
    Referral.objects.create(case=c, partner="lksa", sent_at=t, acknowledged_at=t + 4 * H, result="tanpa_respon")
    Referral.objects.create(case=c, partner="kepolisian", sent_at=t)  # no acknowledgement
    Referral.objects.create(case=c, partner="lksa", sent_at=wib(2021, 1, 1), acknowledged_at=wib(2021, 1, 2))
    v = year(u)
    assert v["waktu_tanggap_rujukan_median_jam"] == pytest.approx(3.0)  # (2 + 4) / 2
    assert v["rujukan_tanpa_respon"] == pytest.approx(200 / 3)  # tanpa_respon + unacknowledged of 3


# -- process level -------------------------------------------------------------------------------
def test_stage_durations_over_closed_cases(units):
    u = units["seksi"]
    t = wib(2020, 2, 1)
    a = case(u, t, closed=wib(2020, 5, 1))
    full_procedure(a, t, gaps=(1.5, 1.5, 2, 5))
    b = case(u, t, closed=wib(2020, 5, 1), reason="meninggal")  # closed but not resolved: counted
    act(b, "pendekatan_awal", t)
    act(b, "asesmen", t + 12 * H)  # 0.5 d; nothing further
    c = case(u, t, closed=wib(2020, 5, 1))
    act(c, "asesmen", t)
    act(c, "pendekatan_awal", t + D)  # out of order: -1 d
    open_case = case(u, t)
    full_procedure(open_case, t, gaps=(9, 9, 9, 9))  # not closed: not counted
    v = year(u)
    assert v["durasi_pendekatan_awal_asesmen_median_hari"] == pytest.approx(0.5)  # (-1, 0.5, 1.5)
    assert v["durasi_asesmen_rencana_intervensi_median_hari"] == pytest.approx(1.5)
    assert v["durasi_rencana_intervensi_intervensi_median_hari"] == pytest.approx(2.0)
    assert v["durasi_intervensi_terminasi_median_hari"] == pytest.approx(5.0)


# -- individual level ----------------------------------------------------------------------------
def test_individual_level_restricts_cases_and_nulls_unit_records(units, users):
    from kinerja.register.models import BudgetLine, Complaint, Staffing, SurveyResponse

    u = units["seksi"]
    t = wib(2020, 3, 1)
    mine = case(u, t, worker=users["peksos"], closed=wib(2020, 4, 1))
    full_procedure(mine, t)
    case(u, t, worker=users["peksos"])
    case(u, t, worker=users["peksos2"], closed=wib(2020, 4, 1))
    Staffing.objects.create(unit=u, year=2020, social_workers=2, certified=1)
    BudgetLine.objects.create(unit=u, year=2020, activity="a", allocation=10, realisation=5)
    Complaint.objects.create(unit=u, received_at=t)
    SurveyResponse.objects.create(unit=u, date=dt.date(2020, 5, 1), **{f"u{i}": 4 for i in range(1, 10)})
    mine_v = year(u, worker=users["peksos"])
    assert (mine_v["kasus_masuk"], mine_v["kasus_selesai"]) == (2, 1)
    assert mine_v["tingkat_penyelesaian"] == pytest.approx(50.0)
    assert mine_v["kepatuhan_sop"] == pytest.approx(100.0)
    assert mine_v["durasi_asesmen_rencana_intervensi_median_hari"] == pytest.approx(1.0)
    for m in ("ikm", "pengaduan_per_100_kasus", "pengaduan_selesai_tepat_waktu", "kasus_selesai_per_peksos",
              "biaya_per_kasus_selesai", "rasio_peksos_bersertifikat", "realisasi_anggaran",
              "hunian_rumah_aman", "capaian_target"):
        assert mine_v[m] is None, m
        assert not defs.get(m).case_based
    unit_v = year(u)
    assert unit_v["kasus_masuk"] == 3 and unit_v["ikm"] == pytest.approx(100.0)
    assert year(u, worker="peksos2")["kasus_selesai"] == 1


# -- the whole output ----------------------------------------------------------------------------
def test_empty_unit_gives_zero_counts_and_null_ratios(units):
    v = year(units["seksi"])
    assert set(defs.CORE_IDS) <= set(v)
    for mid in defs.ALL_IDS:
        m = defs.get(mid)
        if m.integer:
            assert v[mid] == 0, mid
        else:
            assert v[mid] is None, mid


def test_query_count_does_not_grow_with_units_or_cases(units):
    def count_queries(unit_list):
        with CaptureQueriesContext(connection) as ctx:
            compute_many(unit_list, *Y2020)
        return len(ctx.captured_queries)

    one = count_queries([units["seksi"]])
    for i in range(6):
        c = case(units["seksi" if i % 2 else "other"], wib(2020, 3, 1), closed=wib(2020, 4, 1))
        full_procedure(c, wib(2020, 3, 1))
    assert count_queries(list(units.values())) == one
    assert one <= 25


def test_a_year_and_the_year_before_share_the_period_disjoint_queries(units):
    """A scorecard's two periods: only the families whose sets overlap between periods and that
    list their cases (cases with an intervensi, children served per SPM service) are asked twice;
    the rest once over both."""
    def count_queries(periods):
        with CaptureQueriesContext(connection) as ctx:
            compute_periods([units["seksi"]], periods, cached=False)  # the engine's own queries
        return len(ctx.captured_queries)

    one = count_queries([Period.year(2020)])
    assert count_queries([Period.year(2019), Period.year(2020)]) == one + 2
    # apart: two engines, each its own queries (and one shared read of targets and the unit tree)
    assert count_queries([Period.year(2018), Period.year(2020)]) == 2 * one - 2


def test_overlapping_periods_are_refused(units):
    with pytest.raises(ValueError, match="overlap"):
        compute_periods([units["seksi"]], [Period.year(2020), Period(dt.date(2020, 12, 1), dt.date(2021, 3, 1))])


def test_a_query_shape_is_compiled_once_and_serves_other_units_workers_and_categories(units, users):
    """The engine compiles each query shape once, with marks for the unit ids, the worker and the
    categories; another unit, worker or category of the same shape gets its own figures from it.
    (Every statement is also compared with a fresh compile in the tests: CHECK_STATEMENTS.)"""
    from kinerja.indicators import measures

    t = wib(2020, 3, 1)
    for unit, worker, n, category in ((units["seksi"], users["peksos"], 3, "kekerasan"),
                                      (units["other"], None, 2, "eksploitasi_ekonomi"),
                                      (units["seksi"], users["peksos2"], 1, "eksploitasi_ekonomi")):
        for _ in range(n):
            full_procedure(case(unit, t, worker=worker, closed=wib(2020, 4, 1), category=category), t)

    def run(unit, **kw):
        values = compute_periods([unit], [Period.year(2020)], cached=False, **kw)[0][unit.pk]
        return values["kasus_masuk"], values["kepatuhan_sop"]

    def compiled():
        return len(measures._statements)

    measures._statements.clear()
    assert run(units["seksi"]) == (4, 100.0)
    plain = compiled()
    assert plain >= 8
    assert run(units["other"]) == (2, 100.0)
    assert compiled() == plain  # another unit: the same statements
    assert run(units["seksi"], worker=users["peksos"]) == (3, 100.0)
    with_worker = compiled() - plain
    assert with_worker > 0
    assert run(units["seksi"], worker=users["peksos2"]) == (1, 100.0)
    assert run(units["other"], worker=users["peksos"]) == (0, None)
    assert compiled() == plain + with_worker
    assert run(units["seksi"], kategori=["eksploitasi_ekonomi"]) == (1, 100.0)
    with_kategori = compiled() - plain - with_worker
    assert with_kategori > 0
    assert run(units["other"], kategori=["eksploitasi_ekonomi"]) == (2, 100.0)
    assert run(units["other"], kategori=["kekerasan"]) == (0, None)
    assert compiled() == plain + with_worker + with_kategori
    assert run(units["dinas"], kategori=["kekerasan"]) == (3, 100.0)  # three units: a new shape
    assert compiled() == plain + with_worker + 2 * with_kategori
    # a mark never reaches the database: the figures above are each unit's own, and the SQL run has none
    from django.test.utils import CaptureQueriesContext as Capture

    with Capture(connection) as ctx:
        run(units["seksi"], kategori=["kekerasan"])
    assert not any("-1900000000" in q["sql"] or "tanda-kategori" in q["sql"] for q in ctx.captured_queries)


def test_a_statement_built_from_the_wrong_engine_is_refused(units):
    """A family that took a unit id from its own engine rather than from the one it is given would
    serve one unit's figures to another: the tests' fresh compile (CHECK_STATEMENTS) refuses it."""
    from kinerja.indicators import measures
    from kinerja.register.models import Case

    def engine(unit):
        return measures._Engine([unit.pk], [Period.year(2020)], None, measures.Options())

    seksi = engine(units["seksi"])
    seksi._rows(("wrong",), lambda e: Case.objects.filter(unit_id__in=seksi.unit_ids).values("unit_id"))
    other = engine(units["other"])
    with pytest.raises(AssertionError, match="differs from its fresh compile"):
        other._rows(("wrong",), lambda e: Case.objects.filter(unit_id__in=other.unit_ids).values("unit_id"))
    measures._statements.clear()


def test_times_reach_the_engine_as_exact_microseconds(units):
    """The per-case times are read as the backend gives them cheaply (measures._Instant) and turned
    into whole microseconds since 1970, exact with and without a fraction (SQLite's own date
    functions would round .999999 up to the next second); null stays null; and the values as read
    compare as the times do."""
    from kinerja.indicators.measures import _compile, _Instant, _micros, _run
    from kinerja.register.models import Case

    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    times = [dt.datetime(2020, 2, 29, 23, 59, 59, tzinfo=dt.UTC),
             dt.datetime(2020, 2, 29, 23, 59, 59, 1, tzinfo=dt.UTC),
             dt.datetime(2020, 3, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
             dt.datetime(2024, 12, 31, 16, 59, 59, 999999, tzinfo=dt.UTC),
             wib(2016, 1, 1) + dt.timedelta(microseconds=500000)]
    for t in times:
        case(units["seksi"], t, closed=t + dt.timedelta(microseconds=7))
    case(units["seksi"], times[0])
    us = _micros(connection.vendor)
    # as the engine reads them: straight from the cursor
    rows = _run(_compile(Case.objects.annotate(r=_Instant("reported_at"), c=_Instant("closed_at")), (), ("r", "c")),
                "default", {})
    got = sorted((us(r), us(c)) for r, c in rows if c is not None)
    assert got == sorted(((t - epoch) // dt.timedelta(microseconds=1),
                          (t - epoch) // dt.timedelta(microseconds=1) + 7) for t in times)
    assert [us(c) for r, c in rows if c is None] == [None]
    assert sorted(r for r, _ in rows[:len(times)]) == [r for r, _ in sorted(rows[:len(times)], key=lambda x: us(x[0]))]


def test_times_on_another_database_are_refused_not_miscomputed():
    """_Instant has SQL for SQLite and PostgreSQL only; any other backend is refused by name."""
    from types import SimpleNamespace

    from django.db import NotSupportedError

    from kinerja.indicators.measures import _Instant

    with pytest.raises(NotSupportedError, match="mysql"):
        _Instant("reported_at").as_sql(None, SimpleNamespace(vendor="mysql"))
