"""What is due on a social worker's open cases: the pure rules, and the SQL condition that the case
list's overdue filter and the caseload count with, which must agree with them case for case."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.register import due
from kinerja.register.due import CaseFacts, Rules, due_items, is_overdue

UTC = dt.UTC
NOW = dt.datetime(2024, 6, 1, 12, tzinfo=UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
RULES = Rules(sla_high_hours=24, sla_other_hours=72)


def kinds(facts: CaseFacts, now: dt.datetime = NOW) -> dict[str, bool]:
    return {d.kind: d.overdue for d in due_items(facts, now, RULES)}


def test_first_response_is_due_within_the_risk_levels_sla():
    high = CaseFacts(1, "tinggi", NOW - 23 * H)
    assert kinds(high) == {due.FIRST_RESPONSE: False}
    assert kinds(CaseFacts(1, "tinggi", NOW - 25 * H)) == {due.FIRST_RESPONSE: True}
    # the same 25 hours are within the SLA of a medium-risk case
    assert kinds(CaseFacts(1, "sedang", NOW - 25 * H)) == {due.FIRST_RESPONSE: False}
    assert kinds(CaseFacts(1, "rendah", NOW - 73 * H)) == {due.FIRST_RESPONSE: True}
    [item] = due_items(high, NOW, RULES)
    assert item.deadline == NOW + H


def test_the_sla_comes_from_the_rules():
    facts = CaseFacts(1, "tinggi", NOW - 5 * H)
    assert kinds(facts) == {due.FIRST_RESPONSE: False}
    assert {d.kind: d.overdue for d in due_items(facts, NOW, Rules(4, 72))} == {due.FIRST_RESPONSE: True}


def test_assessment_pending_after_the_first_response():
    responded = NOW - (due.ASSESSMENT_DAYS - 1) * D
    assert kinds(CaseFacts(1, "sedang", responded - H, first_response_at=responded,
                           last_action_at=responded)) == {due.ASSESSMENT: False}
    late = NOW - (due.ASSESSMENT_DAYS + 1) * D
    assert kinds(CaseFacts(1, "sedang", late - H, first_response_at=late, last_action_at=late)) == {
        due.ASSESSMENT: True}
    assert kinds(CaseFacts(1, "sedang", late - H, first_response_at=late, first_assessment_at=late + D,
                           last_action_at=NOW - D)) == {}


def test_a_plan_without_approval_waits_on_the_section_head_not_overdue():
    facts = CaseFacts(1, "sedang", NOW - 40 * D, first_response_at=NOW - 40 * D, first_assessment_at=NOW - 39 * D,
                      last_action_at=NOW - 2 * D, pending_plans_since=NOW - 2 * D)
    assert kinds(facts) == {due.PLAN: False}
    assert not is_overdue(facts, NOW, RULES)


def test_no_action_for_thirty_days():
    base = dict(first_response_at=NOW - 90 * D, first_assessment_at=NOW - 89 * D)
    assert kinds(CaseFacts(1, "sedang", NOW - 90 * D, last_action_at=NOW - 29 * D, **base)) == {}
    assert kinds(CaseFacts(1, "sedang", NOW - 90 * D, last_action_at=NOW - 31 * D, **base)) == {due.IDLE: True}


def test_referral_unanswered_after_the_named_number_of_days():
    base = dict(first_response_at=NOW - 60 * D, first_assessment_at=NOW - 59 * D, last_action_at=NOW - D)
    fresh = NOW - (due.REFERRAL_DAYS - 1) * D
    old = NOW - (due.REFERRAL_DAYS + 2) * D
    older = NOW - (due.REFERRAL_DAYS + 5) * D
    assert kinds(CaseFacts(1, "sedang", NOW - 60 * D, unanswered_referrals=(fresh,), **base)) == {}
    items = due_items(CaseFacts(1, "sedang", NOW - 60 * D, unanswered_referrals=(fresh, old, older), **base),
                      NOW, RULES)
    assert [(d.kind, d.count, d.deadline) for d in items] == [
        (due.REFERRAL, 2, older + due.REFERRAL_DAYS * D)]


def test_a_closed_case_has_nothing_due():
    assert due_items(CaseFacts(1, "tinggi", NOW - 90 * D, closed_at=NOW - D, unanswered_referrals=(NOW - 60 * D,)),
                     NOW, RULES) == []


moments = st.integers(min_value=-200 * 24, max_value=0).map(lambda h: NOW + h * H)


@st.composite
def case_facts(draw):
    reported = draw(moments)
    later = st.integers(min_value=0, max_value=(NOW - reported) // H).map(lambda h: reported + h * H)
    first = draw(st.none() | later)
    return CaseFacts(
        1, draw(st.sampled_from(["tinggi", "sedang", "rendah"])), reported,
        closed_at=draw(st.none() | later),
        first_response_at=first,
        first_assessment_at=draw(st.none() | later) if first else None,
        last_action_at=None if first is None else first + draw(st.integers(min_value=0, max_value=(NOW - first) // H)) * H,
        pending_plans_since=draw(st.none() | later),
        unanswered_referrals=tuple(draw(st.lists(later, max_size=3))),
    )


@given(case_facts(), st.integers(min_value=0, max_value=400 * 24))
def test_once_overdue_a_case_stays_overdue_until_something_happens(facts, hours):
    """Time alone never clears an overdue item: only a new fact (an action, an answer) does."""
    if is_overdue(facts, NOW, RULES):
        assert is_overdue(facts, NOW + hours * H, RULES)
    for d in due_items(facts, NOW, RULES):
        assert d.overdue == (NOW > d.deadline) or d.kind == due.PLAN
        assert d.kind in due.KINDS


# -- the SQL condition agrees with the rules -----------------------------------------------------

@pytest.mark.django_db
def test_overdue_filter_in_sql_agrees_with_the_rules_case_by_case(units, users):
    """Sixty cases with random facts: the ids that overdue_q selects are exactly those that
    is_overdue says, and facts_for_cases reads back the facts the cases were made with."""
    from kinerja.register.models import Case, Referral
    from tests.indicator_factories import act, case

    rng = random.Random(20240601)
    made = {}
    for _ in range(60):
        reported = NOW - rng.randint(0, 120 * 24) * H
        c = case(units["seksi"], reported, risk=rng.choice(["tinggi", "sedang", "rendah"]), worker=users["peksos"],
                 closed=reported + D if rng.random() < 0.15 else None)
        if rng.random() < 0.7:
            t = min(NOW, reported + rng.randint(1, 100) * H)
            act(c, "pendekatan_awal", t)
            if rng.random() < 0.5:
                act(c, "asesmen", min(NOW, t + rng.randint(1, 400) * H))
            if rng.random() < 0.3:
                act(c, "rencana_intervensi", min(NOW, t + rng.randint(1, 900) * H),
                    approved=NOW if rng.random() < 0.5 else None)
        for _ in range(rng.randint(0, 2)):
            sent = min(NOW, reported + rng.randint(0, 100) * D)
            answered = rng.random() < 0.4
            Referral.objects.create(case=c, partner="uptd_ppa", sent_at=sent,
                                    acknowledged_at=sent + D if answered else None)
        made[c.pk] = c
    cases = list(Case.objects.filter(pk__in=made).order_by("pk"))
    facts = due.facts_for_cases(cases)
    expected = {f.case_id for f in facts if is_overdue(f, NOW, RULES)}
    got = set(Case.objects.filter(pk__in=made).filter(due.overdue_q(NOW, RULES)).values_list("pk", flat=True))
    assert got == expected
    assert 5 < len(expected) < 55  # both kinds are present: the comparison says something
    by_id = {f.case_id: f for f in facts}
    some = next(c for c in cases if c.first_pendekatan_awal is not None)
    assert by_id[some.pk].first_response_at == some.first_pendekatan_awal


@pytest.mark.django_db
def test_facts_for_cases_reads_in_a_fixed_number_of_queries(units, users, django_assert_num_queries):
    from tests.indicator_factories import act, case

    cases = []
    for i in range(12):
        c = case(units["seksi"], NOW - (40 + i) * D, worker=users["peksos"])
        act(c, "pendekatan_awal", NOW - (39 + i) * D)
        act(c, "rencana_intervensi", NOW - (30 + i) * D)
        cases.append(c)
    with django_assert_num_queries(3):
        facts = due.facts_for_cases(cases)
    assert all(f.pending_plans_since is not None for f in facts)


def test_a_returned_plan_is_the_workers_and_a_closure_waits_on_the_section_head():
    base = CaseFacts(1, "sedang", NOW - 20 * D, first_response_at=NOW - 19 * D,
                     first_assessment_at=NOW - 18 * D, last_action_at=NOW - D)
    returned = CaseFacts(**{**base.__dict__, "plan_returned_at": NOW - 2 * H})
    assert kinds(returned) == {due.PLAN_RETURNED: False}
    [item] = due_items(returned, NOW, RULES)
    assert item.deadline == NOW - 2 * H
    # a plan submitted again waits on the section head: the return is no longer the worker's
    again = CaseFacts(**{**returned.__dict__, "pending_plans_since": NOW - H})
    assert kinds(again) == {due.PLAN: False}
    closing = CaseFacts(**{**base.__dict__, "closure_proposed_at": NOW - H})
    assert kinds(closing) == {due.CLOSURE: False}
    assert not is_overdue(closing, NOW, RULES) and not is_overdue(returned, NOW, RULES)


@pytest.mark.django_db
def test_facts_follow_plan_submission_return_and_closure_through_casework(units, users,
                                                                         django_assert_num_queries):
    from kinerja.register import casework
    from kinerja.register.models import Case
    from tests.indicator_factories import case

    now = dt.datetime.now(UTC)
    c = case(units["seksi"], now - 10 * D, worker=users["peksos"])
    peksos, kasi = users["peksos"], users["kasi"]

    def _fresh(obj):
        return Case.objects.get(pk=obj.pk)

    def facts() -> CaseFacts:
        fresh = _fresh(c)
        with django_assert_num_queries(3):
            [f] = due.facts_for_cases([fresh])
        return f

    casework.record_action(peksos, c, tahap="pendekatan_awal", waktu=now - 9 * D)
    casework.record_action(peksos, c, tahap="asesmen", waktu=now - 8 * D)
    first = casework.submit_plan(peksos, c, waktu=now - 7 * D)
    f = facts()
    assert f.pending_plans_since == now - 7 * D and f.plan_returned_at is None
    casework.decide(kasi, first, versi=first.version, setuju=False, komentar="Tujuan belum jelas")
    f = facts()
    assert f.pending_plans_since is None and f.plan_returned_at is not None
    assert [d.kind for d in due_items(f, now, RULES)] == [due.PLAN_RETURNED]
    second = casework.submit_plan(peksos, c, waktu=now - 5 * D)
    f = facts()
    assert (f.pending_plans_since, f.plan_returned_at) == (now - 5 * D, None)
    casework.decide(kasi, second, versi=second.version, setuju=True)
    f = facts()
    assert (f.pending_plans_since, f.plan_returned_at, f.closure_proposed_at) == (None, None, None)
    assert due_items(f, now, RULES) == []
    casework.propose_closure(peksos, c, alasan_penutupan="tujuan_tercapai", ditutup_pada=now - H)
    f = facts()
    assert f.closure_proposed_at is not None
    assert [d.kind for d in due_items(f, now, RULES)] == [due.CLOSURE]
    [closure] = casework.pending_approvals(_fresh(c))
    casework.decide(kasi, closure, versi=closure.version, setuju=True)
    assert due_items(facts(), now, RULES) == []  # closed
