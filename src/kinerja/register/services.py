"""Writes to the register (HackSoft style: every write goes through a service that checks the role)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja import auditchain, identity
from kinerja.register import keyring, permissions
from kinerja.register.models import Action, AuditEntry, Case, Child, Referral, Staff, Unit


class ReasonRequired(ValueError):
    pass


def audit(username: str, action: str, record: str, reason: str = "", detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry to the hash chain. The chain head is read under a row lock (PostgreSQL) or
    the database write lock (SQLite, IMMEDIATE transactions), so two writers never fork it."""
    with transaction.atomic():
        last = AuditEntry.objects.select_for_update().order_by("-seq").first()
        prev_hash = last.hash if last else auditchain.GENESIS
        seq = (last.seq + 1) if last else 1
        fields = {
            "seq": seq,
            "at": timezone.now().astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "username": username,
            "action": action,
            "record": record,
            "reason": reason,
            "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False),
        }
        entry = AuditEntry(prev_hash=prev_hash, hash=auditchain.entry_hash(prev_hash, fields), **fields)
        entry.at = dt.datetime.fromisoformat(fields["at"])  # type: ignore[arg-type]
        entry.save()
        return entry


def audit_rows() -> list[dict[str, Any]]:
    return [
        {
            "seq": e.seq,
            "at": e.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "username": e.username,
            "action": e.action,
            "record": e.record,
            "reason": e.reason,
            "detail": e.detail,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    ]


def verify_audit() -> auditchain.Break | None:
    return auditchain.verify(audit_rows())


def set_identity(child: Child, **values: str | None) -> None:
    """Encrypt identity values onto a child (not saved). Keys: name, nik, kk, address, parents, phone."""
    for field, value in values.items():
        if field not in Child.IDENTITY_FIELDS:
            raise ValueError(field)
        value = (value or "").strip() or None
        setattr(child, f"{field}_enc", keyring.encrypt_child_field(child.uid, field, value))
        if field == "name":
            child.initials = identity.initials(value)
        if field == "nik":
            child.nik_index = keyring.nik_index(value)


def read_identity(child: Child) -> dict[str, str | None]:
    """Decrypt without auditing: only for reveal_identity and audited exports."""
    return {f: keyring.decrypt_child_field(child.uid, f, getattr(child, f"{f}_enc")) for f in Child.IDENTITY_FIELDS}


def reveal_identity(user: Staff, child: Child, reason: str) -> dict[str, str | None]:
    """Show a child's identity to a user whose role allows it, for a stated reason, audited.

    The reason is read later by whoever checks the audit log, so it must say something: at least
    5 letters or digits, among them a word of 3 or more letters that is not one letter repeated
    ("....." , "aaaaa" and "12345" are refused; "cek KK" and "kunjungan rumah" pass), and at most
    500 characters (it is kept in the audit chain for good)."""
    import re

    permissions.require(user, permissions.CAN_REVEAL, _("reveal a child's identity"))
    reason = reason or ""
    words = re.findall(r"[^\W\d_]{3,}", reason[:501])
    if (len(reason) > 500 or sum(ch.isalnum() for ch in reason) < 5
            or not any(len(set(w.casefold())) > 1 for w in words)):
        raise ReasonRequired(_("State the reason for revealing this identity in words (at most 500 characters): "
                               "at least 5 letters or digits, with a word of 3 or more letters."))
    from kinerja.register import selectors

    if not selectors.cases_for(user).filter(child=child).exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("This child is not in your cases."))
    values = read_identity(child)
    audit(user.username, "reveal_identity", f"anak:{child.unit.code}:{child.pseudonym}", reason.strip())
    return values


def rotate_keys() -> tuple[str, int]:
    """Make a new current key and re-encrypt every identity field and note with it."""
    from kinerja.register.models import Action

    ring = keyring.keyring()
    new_id = ring.add_key()
    count = 0
    with transaction.atomic():
        for child in Child.objects.iterator(chunk_size=2000):
            plain = read_identity(child)
            for f, v in plain.items():
                setattr(child, f"{f}_enc", keyring.encrypt_child_field(child.uid, f, v))
            child.save(update_fields=[f"{f}_enc" for f in Child.IDENTITY_FIELDS])
            count += 1
        for action in Action.objects.exclude(notes_enc=None).iterator(chunk_size=2000):
            note = keyring.decrypt_action_notes(action.uid, action.notes_enc)
            action.notes_enc = keyring.encrypt_action_notes(action.uid, note)
            action.save(update_fields=["notes_enc"])
            count += 1
        from kinerja.evidence.services import reencrypt_evidence

        count += reencrypt_evidence()  # source texts and memos of the evidence workspace
        # the key file changes only after every ciphertext was re-encrypted in this transaction
        ring.save()
    audit("system", "rotate_key", f"key:{new_id}", "", {"records": count})
    return new_id, count


def close_case(user: Staff, case: Case, closed_at: dt.datetime, reason: str) -> Case:
    permissions.require(user, permissions.CAN_APPROVE, _("close a case"))
    case.closed_at, case.closure_reason = closed_at, reason
    case.full_clean()
    case.save(update_fields=["closed_at", "closure_reason"])
    return case


def move_cases(cases: Any, unit: Unit) -> int:
    """Move cases to another unit (a section split or merged), with the copy of the unit that their
    actions and referrals carry for the indicator engine. The one way a case's unit changes."""
    with transaction.atomic():
        ids = cases.values("pk")
        Action.objects.filter(case_id__in=ids).update(unit=unit)
        Referral.objects.filter(case_id__in=ids).update(unit=unit)
        return int(Case.objects.filter(pk__in=ids).update(unit=unit))


# the action fields the derived stage times of its case are made from
STAGE_TIME_SOURCES = frozenset({"case", "case_id", "stage", "time", "approved_at"})


def refresh_stage_times(cases: QuerySet[Case]) -> int:
    """Recompute the derived first time of each timed stage and the first case-plan approval
    (Case.FIRST_FIELDS, Case.plan_approved_at) of these cases from their actions: one UPDATE, each
    value one descent of the (case, stage, time) index. Run on every save or delete of an action
    (kinerja.register.signals) and by the import for the cases it touched; the indicator engine
    reads these instead of joining every case's actions. Code that changes actions' case, stage,
    time or approval without signals (QuerySet.update, raw SQL) must call it for those cases."""
    def first(stage: str) -> Subquery:
        return Subquery(Action.objects.filter(case_id=OuterRef("pk"), stage=stage)
                        .order_by("time").values("time")[:1])

    approved = Subquery(Action.objects.filter(case_id=OuterRef("pk"), stage="rencana_intervensi",
                                              approved_at__isnull=False).order_by("approved_at").values("approved_at")[:1])
    return int(cases.order_by().update(**{f: first(stage) for stage, f in Case.FIRST_FIELDS.items()},
                                       plan_approved_at=approved))
