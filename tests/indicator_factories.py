"""Builders for the indicator tests: cases, actions and yearly rows at exact WIB times.

Children are made without identity fields: the indicators never read them."""

from __future__ import annotations

import datetime as dt
import itertools

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
_seq = itertools.count(1)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
S = dt.timedelta(seconds=1)


def wib(*args: int) -> dt.datetime:
    """An aware datetime in WIB: wib(2020, 1, 1) is 2019-12-31 17:00 UTC."""
    return dt.datetime(*args, tzinfo=WIB)


def child(unit, sex="P", key=None):
    from kinerja.register.models import Child

    n = next(_seq)
    return Child.objects.create(unit=unit, child_key=key or f"K{n}", pseudonym=f"A-T-{n:05d}", sex=sex,
                                age_at_report=12)


def case(unit, reported, *, closed=None, reason=None, risk="sedang", worker=None, sex="P", kid=None,
         consent=False, category="kekerasan"):
    """A case; `reason` defaults to a resolved one when `closed` is given."""
    from kinerja.register.models import Case

    n = next(_seq)
    return Case.objects.create(
        unit=unit, number=f"T/{n:05d}", child=kid or child(unit, sex=sex), category=category,
        referral_source="kepolisian", risk=risk, reported_at=reported, worker=worker, consent=consent,
        closed_at=closed, closure_reason=(reason or "tujuan_tercapai") if closed else "",
    )


def act(case, stage, when, *, service="", obstacle="", approved=None, approver=None):
    """An action; `approved` is the approval time (an approver is made up when none is given)."""
    from kinerja.register.models import Action, Staff

    if approved is not None and approver is None:
        approver = Staff.objects.filter(role="kepala_seksi").first() or Staff.objects.create_user(
            username=f"kasi{next(_seq)}", password="x" * 12, role="kepala_seksi", unit=case.unit)
    return Action.objects.create(case=case, stage=stage, time=when, service=service, obstacle=obstacle,
                                 approved_at=approved, approved_by=approver)


def full_procedure(case, start, *, approved=True, gaps=(1, 1, 1, 1)):
    """The five procedure stages at start, +gaps days each; the case plan approved when made."""
    t = start
    act(case, "pendekatan_awal", t)
    t += gaps[0] * D
    act(case, "asesmen", t)
    t += gaps[1] * D
    act(case, "rencana_intervensi", t, approved=t if approved else None)
    t += gaps[2] * D
    act(case, "intervensi", t, service="permakanan")
    t += gaps[3] * D
    act(case, "terminasi", t)
    return t


def spec_records(c, reported, s):  # type: ignore[no-untyped-def]
    """The actions and referral a property test's case spec asks for (keys: actions, referral)."""
    from kinerja import vocab
    from kinerja.register.models import Referral

    for a in s["actions"]:
        when = reported + dt.timedelta(hours=a["after"])
        service = a["service"] if a["stage"] in vocab.STAGES_WITH_SERVICE else ""
        act(c, a["stage"], when, service=service, obstacle=a["obstacle"],
            approved=when + dt.timedelta(hours=1) if a["approved"] else None)
    if s["referral"]:
        sent, ack, result = s["referral"]
        sent_at = reported + dt.timedelta(hours=sent)
        Referral.objects.create(case=c, partner="lksa", sent_at=sent_at, result=result,
                                acknowledged_at=sent_at + dt.timedelta(hours=ack) if ack is not None else None)
