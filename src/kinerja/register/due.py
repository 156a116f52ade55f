"""What is due on a social worker's open cases: plain rules over a case's facts, so the worker's home
page, the section head's overdue filter and the caseload count the same thing.

`due_items` is pure (no database); `overdue_q` is the same rules as one SQL condition over cases, for
lists that must filter and count at the scale of a whole register. `facts_for_cases` reads the facts
of many cases in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

# Days after the first response by which the assessment should be made (Permensos 9/2015 sets the
# assessment as the step right after the initial approach; a week is the section's working rule).
ASSESSMENT_DAYS = 7
# An open case with no recorded action for this many days has gone quiet.
IDLE_DAYS = 30
# A referral that the partner has neither acknowledged nor answered after this many days is chased.
REFERRAL_DAYS = 14

FIRST_RESPONSE, ASSESSMENT, PLAN, IDLE, REFERRAL = "first_response", "assessment", "plan", "idle", "referral"
# a plan the section head sent back (the worker revises it), and a closure waiting on the section head
PLAN_RETURNED, CLOSURE = "plan_returned", "closure"
KINDS = (FIRST_RESPONSE, ASSESSMENT, PLAN, PLAN_RETURNED, CLOSURE, IDLE, REFERRAL)
# kinds that make a case overdue; a plan or a closure waits on the section head, not on the worker, and
# a returned plan has no deadline of its own (the idle rule catches a case left after it)
OVERDUE_KINDS = (FIRST_RESPONSE, ASSESSMENT, IDLE, REFERRAL)


@dataclass(frozen=True)
class Rules:
    """The response-time SLA per risk level, in hours (settings.KINERJA.sla_*_hours)."""

    sla_high_hours: float = 24.0
    sla_other_hours: float = 72.0

    @classmethod
    def from_settings(cls) -> Rules:
        from django.conf import settings

        cfg = settings.KINERJA
        return cls(float(cfg.sla_high_hours), float(cfg.sla_other_hours))

    def sla(self, risk: str) -> dt.timedelta:
        return dt.timedelta(hours=self.sla_high_hours if risk == "tinggi" else self.sla_other_hours)


@dataclass(frozen=True)
class CaseFacts:
    """What the rules read of one case (times aware)."""

    case_id: int
    risk: str
    reported_at: dt.datetime
    closed_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    first_assessment_at: dt.datetime | None = None
    last_action_at: dt.datetime | None = None
    pending_plans_since: dt.datetime | None = None  # earliest case-plan action awaiting a decision
    plan_returned_at: dt.datetime | None = None  # latest return of a plan, when no plan is pending or approved since
    closure_proposed_at: dt.datetime | None = None  # a closure awaiting the section head's decision
    unanswered_referrals: tuple[dt.datetime, ...] = field(default=())  # sent-at of those not answered


@dataclass(frozen=True)
class Due:
    kind: str
    deadline: dt.datetime  # when it fell or falls due
    overdue: bool
    count: int = 1  # referrals: how many are waiting past the deadline


def due_items(facts: CaseFacts, now: dt.datetime, rules: Rules) -> list[Due]:
    """The items due on one case at `now`, in the order of the procedure. A closed case has none."""
    if facts.closed_at is not None:
        return []
    out: list[Due] = []
    if facts.first_response_at is None:
        deadline = facts.reported_at + rules.sla(facts.risk)
        out.append(Due(FIRST_RESPONSE, deadline, now > deadline))
    elif facts.first_assessment_at is None:
        deadline = facts.first_response_at + dt.timedelta(days=ASSESSMENT_DAYS)
        out.append(Due(ASSESSMENT, deadline, now > deadline))
    if facts.pending_plans_since is not None:
        out.append(Due(PLAN, facts.pending_plans_since, False))
    elif facts.plan_returned_at is not None:
        out.append(Due(PLAN_RETURNED, facts.plan_returned_at, False))
    if facts.closure_proposed_at is not None:
        out.append(Due(CLOSURE, facts.closure_proposed_at, False))
    if facts.last_action_at is not None:
        deadline = facts.last_action_at + dt.timedelta(days=IDLE_DAYS)
        if now > deadline:
            out.append(Due(IDLE, deadline, True))
    late = sorted(s for s in facts.unanswered_referrals if now > s + dt.timedelta(days=REFERRAL_DAYS))
    if late:
        out.append(Due(REFERRAL, late[0] + dt.timedelta(days=REFERRAL_DAYS), True, len(late)))
    return out


def is_overdue(facts: CaseFacts, now: dt.datetime, rules: Rules) -> bool:
    return any(d.overdue for d in due_items(facts, now, rules))


def overdue_q(now: dt.datetime, rules: Rules):  # type: ignore[no-untyped-def]
    """`is_overdue` as a condition on Case rows (open cases only), built from the derived stage
    times and two EXISTS subqueries, so a list filters and a caseload counts without reading facts."""
    from django.db.models import Exists, OuterRef, Q

    from kinerja.register.models import Action, Referral

    high, other = now - rules.sla("tinggi"), now - rules.sla("sedang")
    first_response = Q(first_pendekatan_awal__isnull=True) & (
        Q(risk="tinggi", reported_at__lt=high) | (~Q(risk="tinggi") & Q(reported_at__lt=other)))
    assessment = Q(first_pendekatan_awal__lt=now - dt.timedelta(days=ASSESSMENT_DAYS),
                   first_asesmen__isnull=True)
    any_action = Exists(Action.objects.filter(case=OuterRef("pk")))
    recent_action = Exists(Action.objects.filter(case=OuterRef("pk"), time__gte=now - dt.timedelta(days=IDLE_DAYS)))
    late_referral = Exists(Referral.objects.filter(
        case=OuterRef("pk"), acknowledged_at__isnull=True, result="",
        sent_at__lt=now - dt.timedelta(days=REFERRAL_DAYS)))
    return Q(closed_at__isnull=True) & (first_response | assessment | (any_action & ~recent_action) | late_referral)


def facts_for_cases(cases: Iterable) -> list[CaseFacts]:  # type: ignore[type-arg]
    """Facts of the given Case objects in three queries (last action and pending closure per case,
    case plans without approval, unanswered referrals), whatever their number.

    A plan action without approval is pending unless the section head returned it (an Approval with
    the returned decision); imported plans have no Approval row and count as pending."""
    from django.db.models import Max, OuterRef, Subquery

    from kinerja.register.models import Action, Approval, Case, Referral

    cases = list(cases)
    ids = [c.pk for c in cases]
    last_action = Action.objects.filter(case=OuterRef("pk")).values("case").annotate(t=Max("time")).values("t")
    pending_closure = (Approval.objects.filter(case=OuterRef("pk"), kind=Approval.CLOSURE, decision="")
                       .order_by("proposed_at").values("proposed_at")[:1])
    per_case = {pk: (last, closure) for pk, last, closure in Case.objects.filter(pk__in=ids).annotate(
        last=Subquery(last_action), closure=Subquery(pending_closure)).values_list("pk", "last", "closure")}
    returned = (Approval.objects.filter(action=OuterRef("pk"), decision=Approval.RETURNED)
                .order_by("-decided_at").values("decided_at")[:1])
    pending: dict[int, dt.datetime] = {}
    returns: dict[int, dt.datetime] = {}
    for case_id, time, returned_at in Action.objects.filter(
            case_id__in=ids, stage="rencana_intervensi", approved_at__isnull=True) \
            .annotate(returned_at=Subquery(returned)).values_list("case_id", "time", "returned_at"):
        if returned_at is None:
            pending[case_id] = min(time, pending.get(case_id, time))
        else:
            returns[case_id] = max(returned_at, returns.get(case_id, returned_at))
    referrals: dict[int, list[dt.datetime]] = {}
    for case_id, sent in Referral.objects.filter(case_id__in=ids, acknowledged_at__isnull=True, result="") \
            .values_list("case_id", "sent_at"):
        referrals.setdefault(case_id, []).append(sent)

    def returned_plan(c) -> dt.datetime | None:  # type: ignore[no-untyped-def]
        at = returns.get(c.pk)
        if at is None or c.pk in pending or (c.plan_approved_at is not None and c.plan_approved_at > at):
            return None
        return at

    return [
        CaseFacts(case_id=c.pk, risk=c.risk, reported_at=c.reported_at, closed_at=c.closed_at,
                  first_response_at=c.first_pendekatan_awal, first_assessment_at=c.first_asesmen,
                  last_action_at=per_case.get(c.pk, (None, None))[0], pending_plans_since=pending.get(c.pk),
                  plan_returned_at=returned_plan(c), closure_proposed_at=per_case.get(c.pk, (None, None))[1],
                  unanswered_referrals=tuple(sorted(referrals.get(c.pk, ()))))
        for c in cases
    ]
