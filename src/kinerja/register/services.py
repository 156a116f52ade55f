"""Writes to the register (HackSoft style: every write goes through a service that checks the role)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja import auditchain, identity
from kinerja.register import dataversion, events, keyring, permissions
from kinerja.register.models import Action, AuditEntry, Case, Child, Referral, Staff, Unit


class ReasonRequired(ValueError):
    pass


_AUDIT_LOCK = 0x6B6E6A61  # PostgreSQL advisory lock id that serialises writers of the audit chain


def audit(username: str, action: str, record: str, reason: str = "", detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry to the chain, keyed with the audit key. Writers are serialised for the
    whole transaction (an advisory lock on PostgreSQL, the database write lock on SQLite with
    IMMEDIATE transactions), so two writers never fork the chain nor collide on a seq; the head
    is read only once the lock is held. The checkpoint file follows once the transaction commits."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK])
        last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
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
        entry = AuditEntry(prev_hash=prev_hash, hash=auditchain.entry_hash(prev_hash, fields, keyring.audit_key()),
                           scheme=auditchain.KEYED, **fields)
        entry.at = dt.datetime.fromisoformat(fields["at"])  # type: ignore[arg-type]
        entry.save()
        # robust: a checkpoint that cannot be written must not undo a committed write; the next
        # write or `kinerja audit checkpoint` catches up, and `audit verify` says it is behind
        transaction.on_commit(advance_audit_checkpoint, robust=True)
        return entry


def _audit_row_iter() -> Iterator[dict[str, Any]]:
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        yield {
            "seq": e.seq,
            "at": e.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "username": e.username,
            "action": e.action,
            "record": e.record,
            "reason": e.reason,
            "detail": e.detail,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
            "scheme": e.scheme,
        }


def audit_rows() -> list[dict[str, Any]]:
    return list(_audit_row_iter())


def verify_audit() -> auditchain.Break | None:
    """The chain alone (links, keyed hashes, legacy prefix); audit_report adds the checkpoint file
    and a printed head, which are what catch deleted last entries and a rewritten chain."""
    return auditchain.verify(_audit_row_iter(), keyring.audit_key(), keyring.audit_legacy_allowed())


def _audit_db_head() -> auditchain.Head | None:
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash", "at").first()
    if last is None:
        return None
    return auditchain.Head(last[0], last[1], last[2].astimezone(dt.UTC).isoformat(timespec="microseconds"))


def _audit_hash_at(seq: int) -> str | None:
    return AuditEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()


def advance_audit_checkpoint(force: bool = False) -> auditchain.Checkpoint | None:
    """Bring the checkpoint file to the database's head (after each committed audit write)."""
    return auditchain.advance_checkpoint(settings.KINERJA.audit_head_file, keyring.audit_key(),
                                         _audit_db_head, _audit_hash_at, force=force)


@dataclasses.dataclass
class AuditReport:
    """What `kinerja audit verify` says: failures mean the log cannot be trusted; warnings need an
    explanation from the operator but do not show tampering by themselves."""

    count: int
    legacy: int
    head: auditchain.Head | None
    checkpoint: auditchain.Checkpoint | None
    checkpoint_path: Path
    chain: auditchain.Break | None = None  # where the chain itself breaks
    broken: auditchain.Break | None = None  # the first entry named by any failure
    failures: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def audit_report(printed_head: auditchain.Head | None = None) -> AuditReport:
    """Check the chain, then its head against the checkpoint file and, when given, a printed head."""
    path = settings.KINERJA.audit_head_file
    key = keyring.audit_key()
    checkpoint, checkpoint_error = None, None
    try:
        checkpoint = auditchain.read_checkpoint(path, key)
    except auditchain.CheckpointError as exc:
        checkpoint_error = str(exc)
    refs = [h for h in (checkpoint.head if checkpoint else None, printed_head) if h is not None]
    found = auditchain.walk(_audit_row_iter(), key, keyring.audit_legacy_allowed(), {h.seq for h in refs})
    report = AuditReport(found.count, found.legacy, found.head, checkpoint, path)

    def fail(b: auditchain.Break) -> None:
        report.broken = report.broken or b
        report.failures.append(b.message())

    if found.broken is not None:
        report.chain = found.broken
        fail(found.broken)
    if checkpoint_error is not None:
        report.failures.append(checkpoint_error)
    elif checkpoint is None:
        if found.count:
            report.warnings.append(
                f"Tidak ada berkas titik periksa {path}: penghapusan entri terakhir tidak dapat dideteksi sampai "
                "berkas itu ada (ditulis pada entri audit berikutnya, atau jalankan `kinerja audit checkpoint`) / "
                f"no checkpoint file {path}: deleting the last entries cannot be detected until it exists "
                "(it is written with the next audit entry, or run `kinerja audit checkpoint`)")
    else:
        broken, note = auditchain.compare_head(found, checkpoint.head, "titik periksa", "the checkpoint")
        if broken is not None:
            fail(broken)
        elif found.head is not None and checkpoint.head.seq < found.head.seq:
            report.warnings.append(
                f"Titik periksa {path} mencatat {checkpoint.head.seq} entri, basis data {found.head.seq}: entri "
                f"{checkpoint.head.seq + 1}-{found.head.seq} ditulis tanpa memperbarui berkas itu (proses berhenti "
                "di antara commit dan penulisan berkas, berkas tidak dapat ditulis, atau proses lain memakai "
                "KINERJA_AUDIT_HEAD_FILE lain). Entri itu sah menurut kunci audit; jalankan `kinerja audit "
                "checkpoint` setelah penyebabnya jelas / "
                f"checkpoint {path} records {checkpoint.head.seq} entries, the database {found.head.seq}: entries "
                f"{checkpoint.head.seq + 1}-{found.head.seq} were written without updating the file (a process "
                "stopped between commit and file write, the file could not be written, or another process uses "
                "another KINERJA_AUDIT_HEAD_FILE). Those entries hold under the audit key; run `kinerja audit "
                "checkpoint` once the cause is known")
        elif note:
            report.notes.append(note)
    if printed_head is not None:
        broken, note = auditchain.compare_head(found, printed_head, "kepala tercetak", "the printed head")
        if broken is not None:
            fail(broken)
        elif note:
            report.notes.append(note)
    return report


def reanchor_audit_checkpoint(reason: str, username: str = "system") -> auditchain.Checkpoint:
    """Write the checkpoint from the database's head when the chain itself holds: the way back after
    restoring an older backup. A checkpoint that disagrees with the database is replaced only with
    a stated reason, and the old head goes into the chain first, so the cut is on record."""
    report = audit_report()
    if report.chain is not None or report.head is None:
        raise ValueError(
            "Rantai audit sendiri tidak utuh atau kosong; titik periksa tidak ditulis / the audit chain itself "
            "is broken or empty; no checkpoint written" + "".join(f"\n{m}" for m in report.failures))
    disagrees = bool(report.failures)
    if disagrees:
        if len(reason.strip()) < 5:
            raise ReasonRequired(
                "Titik periksa tidak cocok dengan basis data; sebutkan alasannya (--reason, minimal 5 karakter) / "
                "the checkpoint disagrees with the database; state why (--reason, at least 5 characters)")
        old = report.checkpoint.head if report.checkpoint else None
        audit(username, "audit_checkpoint_reset", f"audit:{report.head.seq}", reason.strip(),
              {"old_seq": old.seq if old else None, "old_hash": old.hash if old else None,
               "old_at": old.at if old else None, "failures": report.failures})
    written = advance_audit_checkpoint(force=True)
    assert written is not None
    return written


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
        # other areas (approval comments, the evidence workspace's texts and memos) re-encrypt theirs
        # and say how many
        count += sum(int(n) for _receiver, n in events.keys_rotated.send(sender=rotate_keys))
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
        # the figures of the units the cases leave and of the one they join change (register.dataversion)
        dataversion.advance([*Case.objects.filter(pk__in=ids).values_list("unit_id", flat=True).distinct(), unit.pk])
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
