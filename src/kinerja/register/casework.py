"""Case work: the register's writes from the browser and the API (HackSoft style: one function per
write, which checks the role through `permissions`, validates, writes and keeps the record history).

The rules are the import's (kinerja.register.tabular: import-format.md) with the same messages,
keyed by the same column names, so a page, an API client and an import hear the same thing:
no action, acknowledgement or closure before the report; closure time and reason together; an
approval has an approver; services only on their stages; one child across its cases; NIK valid.

Every write of an existing record names the version it was made from: a conditional UPDATE
(`version = version + 1 WHERE pk = .. AND version = ..`) claims the row, so a second save from
an older form is refused with the current values (Conflict) on any number of processes; on
PostgreSQL the claim holds the row lock until the transaction ends.

Plain Python over the ORM: no request objects. Errors: Invalid (per-field, bilingual), Conflict,
django's PermissionDenied (role) and the model's DoesNotExist (a record the user may not open)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja import vocab
from kinerja.register import keyring, permissions, selectors, services
from kinerja.register.models import Action as ActionRecord
from kinerja.register.models import ApiToken, Approval, Case, Child, Referral, Staff
from kinerja.register.tabular import messages, rules
from kinerja.register.tabular.values import WIB, Bad, format_time, parse_nik

WORKERS = {permissions.PEKSOS, permissions.KASI}  # who works cases (domain.md, roles)
MAX_COMMENT = 2000
MAX_NOTES = 10000
_PSEUDONYM = re.compile(r"A-(\d{4})-(\d+)")

Messages = dict[str, list[tuple[str, str]]]  # field -> [(Indonesian, English)]


class Invalid(Exception):
    """Input that breaks a rule: every broken rule, keyed by its field (the import's column name)."""

    def __init__(self, errors: Messages) -> None:
        super().__init__("; ".join(f"{f}: {m[0]} / {m[1]}" for f, ms in errors.items() for m in ms))
        self.errors = errors

    def messages(self, lang: str = "id") -> dict[str, list[str]]:
        i = 1 if (lang or "id").startswith("en") else 0
        return {f: [m[i] for m in ms] for f, ms in self.errors.items()}

    def bilingual(self) -> dict[str, list[str]]:
        return {f: [f"{m[0]} / {m[1]}" for m in ms] for f, ms in self.errors.items()}


class Conflict(Exception):
    """The record changed since the form was loaded: nothing was written; `current` holds its
    values now (never identity), for the user to compare and decide again."""

    def __init__(self, record: str, current: dict[str, Any]) -> None:
        super().__init__(
            f"{record} telah diubah orang lain sejak formulir dibuka; tidak ada yang disimpan / "
            f"{record} was changed by someone else since the form was opened; nothing was saved")
        self.record = record
        self.current = current


class _Errors:
    def __init__(self) -> None:
        self.errors: Messages = {}

    def rule(self, field: str, rule: str, /, **params: Any) -> None:
        self.errors.setdefault(field, []).append(messages.MESSAGES[rule] if not params else (
            messages.rule_text(rule, "id", **params), messages.rule_text(rule, "en", **params)))

    def text(self, field: str, indonesian: str, english: str) -> None:
        self.errors.setdefault(field, []).append((indonesian, english))

    def code(self, field: str, value: str, voc: vocab.Vocabulary, required: bool = True) -> None:
        if not value:
            if required:
                self.rule(field, "required")
            return
        if value not in voc.codes:
            choices = f" ({', '.join(voc.codes)})" if len(voc.codes) <= 8 else ""
            self.rule(field, "code", vocab=voc.name, choices=choices)

    def check(self) -> None:
        if self.errors:
            raise Invalid(self.errors)

    def add_problems(self, problems: Iterable[rules.Problem]) -> None:
        for column, rule, params in problems:
            self.rule(column, rule, **params)


def _require_worker(user: Staff, what: str) -> None:
    permissions.require(user, WORKERS, what)


def _visible(user: Staff, case: Case) -> Case:
    """The case as this user may open it, or Case.DoesNotExist (a page says 404, not 403: whether a
    case exists in another unit is not this user's business)."""
    return selectors.cases_for(user).get(pk=case.pk)


def _now() -> dt.datetime:
    return timezone.now().astimezone(dt.UTC)


def _aware(value: dt.datetime | None, field: str, errors: _Errors) -> dt.datetime | None:
    """A time without an offset is WIB (import-format.md); stored in UTC."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=WIB)
    try:
        if not 1900 <= value.year <= 2200:
            raise OverflowError
        return value.astimezone(dt.UTC)
    except OverflowError:
        errors.rule(field, "time")
        return None


def _history_user(obj: models.Model, user: Staff, identity_changed: bool = False) -> None:
    obj._history_user = user  # type: ignore[attr-defined]
    obj._identity_changed = identity_changed  # type: ignore[attr-defined]


# -- versions ----------------------------------------------------------------------------------
def _stamp(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def current_values(obj: models.Model) -> dict[str, Any]:
    """What a conflict shows: the record's values now, by column name, identity left out."""
    if isinstance(obj, Case):
        v = {"nomor_kasus": obj.number, "kategori": obj.category, "sumber_rujukan": obj.referral_source,
             "tingkat_risiko": obj.risk, "dilaporkan_pada": obj.reported_at, "usia": obj.age_at_report,
             "kecamatan": obj.kecamatan, "disabilitas": obj.disability, "persetujuan": obj.consent,
             "peksos": obj.worker.username if obj.worker_id else None, "ditutup_pada": obj.closed_at,
             "alasan_penutupan": obj.closure_reason}
    elif isinstance(obj, ActionRecord):
        v = {"tahap": obj.stage, "layanan": obj.service, "waktu": obj.time, "biaya": obj.cost,
             "kendala": obj.obstacle, "petugas": obj.staff.username if obj.staff_id else None,
             "disetujui_pada": obj.approved_at}
    elif isinstance(obj, Referral):
        v = {"mitra": obj.partner, "dikirim_pada": obj.sent_at, "diterima_pada": obj.acknowledged_at,
             "hasil": obj.result}
    elif isinstance(obj, Approval):
        v = {"jenis": obj.kind, "keputusan": obj.decision, "diputuskan_pada": obj.decided_at,
             "diputuskan_oleh": obj.decided_by.username if obj.decided_by_id else None}
    else:
        raise TypeError(type(obj))
    v["versi"] = obj.version  # type: ignore[attr-defined]
    return {k: _stamp(x) for k, x in v.items()}


_RECORD_NAMES = {Case: "Kasus / the case", ActionRecord: "Tindakan / the action", Referral: "Rujukan / the referral",
                 Approval: "Persetujuan / the approval"}


def _claim(obj: Any, version: int | None) -> None:
    """Raise the record's version by one iff it is still the version the form was made from; else
    Conflict with the current values. Call inside the write's transaction, before writing."""
    model = type(obj)
    expected = obj.version if version is None else int(version)
    if model.objects.filter(pk=obj.pk, version=expected).update(version=F("version") + 1) != 1:
        fresh = model.objects.get(pk=obj.pk)
        raise Conflict(_RECORD_NAMES[model].split(" / ")[0], current_values(fresh))
    obj.version = expected + 1


# -- register a case ---------------------------------------------------------------------------
@dataclasses.dataclass
class Registered:
    case: Case
    new_child: bool
    same_nik: list[str]  # pseudonyms of same-NIK records in the user's own units
    same_nik_elsewhere: bool  # a section head only: one exists in another unit (never which)


def find_child(user: Staff, anak: str = "", nik: str = "") -> Child | None:
    """A known child of the user's own unit, by pseudonym or by NIK (through the blind index, never
    decrypting): another unit's children are never found here."""
    if permissions.role_of(user) not in WORKERS or not user.unit_id:
        return None
    qs = Child.objects.filter(unit_id=user.unit_id)
    if anak.strip():
        return qs.filter(pseudonym=anak.strip()).first()
    if nik.strip():
        index = keyring.nik_index(nik.strip())
        return qs.filter(nik_index=index).order_by("pk").first() if index else None
    return None


def _next_pseudonym(unit_id: int, year: int, skip: int = 0) -> str:
    prefix = f"A-{year}-"
    top = 0
    for p in Child.objects.filter(unit_id=unit_id, pseudonym__startswith=prefix).values_list("pseudonym", flat=True):
        m = _PSEUDONYM.fullmatch(p)
        if m:
            top = max(top, int(m.group(2)))
    return f"{prefix}{top + 1 + skip:04d}"


def register_case(user: Staff, *, nomor_kasus: str, kategori: str, sumber_rujukan: str, tingkat_risiko: str,
                  dilaporkan_pada: dt.datetime | None = None, jenis_kelamin: str = "",
                  tanggal_lahir: dt.date | None = None, usia: int | None = None, disabilitas: bool | None = None,
                  kecamatan: str = "", persetujuan: bool = False, peksos: str = "", anak: str = "",
                  nama_anak: str = "", nik: str = "", kk: str = "", alamat: str = "", orang_tua: str = "",
                  telepon: str = "", anak_baru: bool = False) -> Registered:
    """A new case in the user's unit, of a new child or of a known one (`anak`: its pseudonym; or a
    NIK that the unit already holds). A NIK the unit already holds on another child is refused
    unless `anak_baru` says this is another child all the same; a section head also hears, without
    names, when another unit holds it."""
    _require_worker(user, _("register a case"))
    e = _Errors()
    role = permissions.role_of(user)
    if not user.unit_id:
        raise PermissionDenied(_("Your account has no unit."))
    nomor_kasus = (nomor_kasus or "").strip()
    if not nomor_kasus:
        e.rule("nomor_kasus", "required")
    elif len(nomor_kasus) > 64:
        e.rule("nomor_kasus", "too_long", max=64)
    elif Case.objects.filter(unit_id=user.unit_id, number=nomor_kasus).exists():
        e.rule("nomor_kasus", "exists", key=nomor_kasus)
    e.code("kategori", kategori, vocab.KATEGORI)
    e.code("sumber_rujukan", sumber_rujukan, vocab.SUMBER_RUJUKAN)
    e.code("tingkat_risiko", tingkat_risiko, vocab.TINGKAT_RISIKO)
    reported = _aware(dilaporkan_pada, "dilaporkan_pada", e) or _now()
    if usia is not None and not 0 <= usia <= 99:
        e.rule("usia", "range", min=0, max=99)
    if len(kecamatan or "") > 100:
        e.rule("kecamatan", "too_long", max=100)
    nik = (nik or "").replace(" ", "")
    if nik:
        try:
            parse_nik(nik)
        except Bad as bad:
            e.rule("nik", bad.rule, **bad.params)
    worker = None
    if peksos:
        worker = Staff.objects.filter(username=peksos, unit_id=user.unit_id, role=permissions.PEKSOS,
                                      is_active=True).first()
        if worker is None:
            e.text("peksos", "bukan pekerja sosial aktif di unit ini", "not an active social worker of this unit")
        elif role == permissions.PEKSOS and worker.pk != user.pk:
            e.text("peksos", "pekerja sosial hanya mendaftarkan kasus untuk dirinya sendiri; penugasan oleh kepala seksi",
                   "a social worker registers cases for themself; the section head assigns others")
    elif role == permissions.PEKSOS:
        worker = user
    child = None
    if anak.strip():
        child = find_child(user, anak=anak)
        if child is None:
            e.text("anak", "tidak ada anak dengan pseudonim ini di unit Anda",
                   "no child with this pseudonym in your unit")
    elif nik and not e.errors.get("nik") and not anak_baru:
        known = find_child(user, nik=nik)
        if known is not None:
            e.text("nik", f"NIK ini sudah tercatat di unit Anda pada anak {known.pseudonym}: isi kolom anak dengan "
                          "pseudonim itu, atau tandai sebagai anak lain",
                   f"this NIK is already recorded in your unit on child {known.pseudonym}: enter that pseudonym as "
                   "the known child, or mark this as another child")
    if child is None:
        e.code("jenis_kelamin", jenis_kelamin, vocab.JENIS_KELAMIN)
    else:
        e.code("jenis_kelamin", jenis_kelamin, vocab.JENIS_KELAMIN, required=False)
    plain = {"name": nama_anak, "nik": nik, "kk": kk, "address": alamat, "parents": orang_tua, "phone": telepon}
    if child is not None and not e.errors:
        recorded = {"jenis_kelamin": child.sex, "tanggal_lahir": child.birth_date, "nik": child.nik_index or None}
        given: dict[str, Any] = {"jenis_kelamin": jenis_kelamin or None, "tanggal_lahir": tanggal_lahir,
                                 "nik": keyring.nik_index(nik) if nik else None}
        if nama_anak.strip():
            recorded["nama_anak"] = keyring.decrypt_child_field(child.uid, "name", child.name_enc)
            given["nama_anak"] = nama_anak
        for column in rules.child_conflicts(recorded, given):
            shown = messages.HIDDEN if column in ("nik", "nama_anak") else _stamp(recorded[column])
            e.rule(column, "child_inconsistent", child=child.pseudonym, field=column, other=shown)
    e.check()
    with transaction.atomic():
        new_child = child is None
        if child is None:
            child = Child(unit_id=user.unit_id, sex=jenis_kelamin, birth_date=tanggal_lahir,
                          age_at_report=rules.age_at_report(usia, tanggal_lahir, reported),
                          disability=bool(disabilitas), kecamatan=kecamatan or "")
            services.set_identity(child, **plain)
            year = reported.astimezone(WIB).year
            for attempt in range(20):
                child.pseudonym = child.child_key = _next_pseudonym(user.unit_id, year, attempt)
                try:
                    with transaction.atomic():
                        child.save()
                    break
                except IntegrityError:
                    child.pk = None
                    continue
            else:
                raise IntegrityError("no free pseudonym")
        else:
            additions = rules.child_additions(
                {"tanggal_lahir": child.birth_date, "nik": child.nik_index or None,
                 "nama_anak": keyring.decrypt_child_field(child.uid, "name", child.name_enc)},
                {"tanggal_lahir": tanggal_lahir, "nik": nik or None, "nama_anak": nama_anak or None})
            if "tanggal_lahir" in additions:
                child.birth_date = additions["tanggal_lahir"]
            services.set_identity(child, **{k: v for k, v in (("name", additions.get("nama_anak")),
                                                             ("nik", additions.get("nik"))) if v})
            # identity the record lacks is added; what it holds stays (a reveal shows it)
            for f, value in plain.items():
                if f not in ("name", "nik") and value and getattr(child, f"{f}_enc") is None:
                    services.set_identity(child, **{f: value})
        case = Case(unit_id=user.unit_id, number=nomor_kasus, child=child, category=kategori,
                    referral_source=sumber_rujukan, risk=tingkat_risiko, reported_at=reported, worker=worker,
                    consent=bool(persetujuan), kecamatan=kecamatan or "", disability=disabilitas,
                    age_at_report=rules.age_at_report(usia, child.birth_date, reported))
        _history_user(case, user)
        case.save()
        latest = not Case.objects.filter(child=child, reported_at__gt=reported).exists()
        if latest and not new_child:
            if case.age_at_report is not None:
                child.age_at_report = case.age_at_report
            if case.kecamatan:
                child.kecamatan = case.kecamatan
            if case.disability is not None:
                child.disability = case.disability
        if not new_child:
            child.save()
    mine, elsewhere = selectors.same_nik_for(user, child)
    return Registered(case, new_child, [c.pseudonym for c in mine], elsewhere)


# -- actions -----------------------------------------------------------------------------------
def _check_action(case: Case, e: _Errors, tahap: str, layanan: str, waktu: dt.datetime,
                  biaya: int | None, kendala: str, catatan: str | None) -> None:
    e.code("tahap", tahap, vocab.TAHAP)
    e.code("layanan", layanan, vocab.LAYANAN, required=False)
    e.code("kendala", kendala, vocab.KENDALA, required=False)
    e.add_problems(rules.ROW_CHECKS["tindakan"]({"tahap": tahap or None, "layanan": layanan or None}))
    if waktu < case.reported_at:
        e.rule("waktu", "before_report", reported=format_time(case.reported_at))
    if biaya is not None and biaya < 0:
        e.rule("biaya", "negative")
    if catatan is not None and len(catatan) > MAX_NOTES:
        e.rule("catatan", "too_long", max=MAX_NOTES)


def record_action(user: Staff, case: Case, *, tahap: str, layanan: str = "", waktu: dt.datetime | None = None,
                  biaya: int | None = None, kendala: str = "", catatan: str | None = None) -> ActionRecord:
    """One step of a case by the user (its worker, or the section head); the time defaults to now.
    A case-plan step goes to the section head for approval (submit_plan)."""
    _require_worker(user, _("record an action"))
    case = _visible(user, case)
    e = _Errors()
    when = _aware(waktu, "waktu", e) or _now()
    catatan = (catatan or "").strip() or None
    _check_action(case, e, tahap, layanan or "", when, biaya, kendala or "", catatan)
    e.check()
    with transaction.atomic():
        action = ActionRecord(case=case, unit_id=case.unit_id, stage=tahap, service=layanan or "", time=when,
                              staff=user, cost=biaya, obstacle=kendala or "")
        action.notes_enc = keyring.encrypt_action_notes(action.uid, catatan)
        _history_user(action, user, identity_changed=catatan is not None)
        action.save()  # the signal refreshes the case's stage times
        if tahap == "rencana_intervensi":
            approval = Approval(case=case, kind=Approval.PLAN, action=action, proposed_by=user, proposed_at=when)
            _history_user(approval, user)
            approval.save()
    return action


def submit_plan(user: Staff, case: Case, *, waktu: dt.datetime | None = None, catatan: str | None = None,
                layanan: str = "") -> Approval:
    """A case plan (a `rencana_intervensi` action) put to the unit's section head."""
    action = record_action(user, case, tahap="rencana_intervensi", waktu=waktu, catatan=catatan, layanan=layanan)
    return Approval.objects.get(action=action)


def correct_action(user: Staff, action: ActionRecord, *, versi: int, **changes: Any) -> ActionRecord:
    """Correct an action's stage, service, time, cost, obstacle or notes: its worker or the section
    head; an approved plan's stage and time stay (return it instead)."""
    _require_worker(user, _("correct an action"))
    case = _visible(user, action.case)
    if permissions.role_of(user) == permissions.PEKSOS and action.staff_id not in (None, user.pk):
        raise PermissionDenied(_("Only the one who recorded an action or the section head may correct it."))
    allowed = {"tahap", "layanan", "waktu", "biaya", "kendala", "catatan"}
    unknown = set(changes) - allowed
    e = _Errors()
    for f in sorted(unknown):
        e.text(f, "kolom ini tidak dapat dikoreksi di sini", "this field cannot be corrected here")
    values = {"tahap": action.stage, "layanan": action.service, "waktu": action.time, "biaya": action.cost,
              "kendala": action.obstacle}
    values.update({k: v for k, v in changes.items() if k in values})
    values["waktu"] = _aware(values["waktu"], "waktu", e) or action.time
    values["layanan"] = values["layanan"] or ""
    values["kendala"] = values["kendala"] or ""
    notes_given = "catatan" in changes
    notes = ((changes.get("catatan") or "").strip() or None) if notes_given else None
    _check_action(case, e, values["tahap"], values["layanan"], values["waktu"], values["biaya"], values["kendala"],
                  notes)
    if action.approved_at is not None and (values["tahap"] != action.stage or values["waktu"] != action.time):
        e.text("tahap", "rencana yang sudah disetujui tidak dapat diubah tahap atau waktunya",
               "an approved plan's stage and time cannot be changed")
    e.check()
    with transaction.atomic():
        _claim(action, versi)
        action.stage, action.service, action.time = values["tahap"], values["layanan"], values["waktu"]
        action.cost, action.obstacle = values["biaya"], values["kendala"]
        changed_notes = False
        if notes_given:
            old = keyring.decrypt_action_notes(action.uid, action.notes_enc)
            if old != notes:
                action.notes_enc = keyring.encrypt_action_notes(action.uid, notes)
                changed_notes = True
        _history_user(action, user, identity_changed=changed_notes)
        action.save()
    return action


# -- referrals ---------------------------------------------------------------------------------
def send_referral(user: Staff, case: Case, *, mitra: str, dikirim_pada: dt.datetime | None = None) -> Referral:
    _require_worker(user, _("send a referral"))
    case = _visible(user, case)
    e = _Errors()
    sent = _aware(dikirim_pada, "dikirim_pada", e) or _now()
    e.code("mitra", mitra, vocab.MITRA)
    if sent < case.reported_at:
        e.rule("dikirim_pada", "before_report", reported=format_time(case.reported_at))
    e.check()
    referral = Referral(case=case, unit_id=case.unit_id, partner=mitra, sent_at=sent)
    _history_user(referral, user)
    referral.save()
    return referral


def update_referral(user: Staff, referral: Referral, *, versi: int, **changes: Any) -> Referral:
    """Record a referral's acknowledgement and result, or correct it (partner, sent time)."""
    _require_worker(user, _("update a referral"))
    case = _visible(user, referral.case)
    e = _Errors()
    allowed = {"mitra", "dikirim_pada", "diterima_pada", "hasil"}
    for f in sorted(set(changes) - allowed):
        e.text(f, "kolom ini tidak dapat dikoreksi di sini", "this field cannot be corrected here")
    partner = changes.get("mitra", referral.partner)
    sent = _aware(changes.get("dikirim_pada"), "dikirim_pada", e) or referral.sent_at
    ack = _aware(changes["diterima_pada"], "diterima_pada", e) if "diterima_pada" in changes \
        else referral.acknowledged_at
    result = (changes["hasil"] or "") if "hasil" in changes else referral.result
    e.code("mitra", partner, vocab.MITRA)
    e.code("hasil", result, vocab.HASIL_RUJUKAN, required=False)
    if sent < case.reported_at:
        e.rule("dikirim_pada", "before_report", reported=format_time(case.reported_at))
    if ack is not None and ack < case.reported_at:
        e.rule("diterima_pada", "before_report", reported=format_time(case.reported_at))
    elif "diterima_pada" not in e.errors:
        e.add_problems(rules.ROW_CHECKS["rujukan"]({"dikirim_pada": sent, "diterima_pada": ack}))
    e.check()
    with transaction.atomic():
        _claim(referral, versi)
        referral.partner, referral.sent_at, referral.acknowledged_at, referral.result = partner, sent, ack, result
        _history_user(referral, user)
        referral.save()
    return referral


# -- approvals ---------------------------------------------------------------------------------
def _encrypt_comment(approval: Approval, comment: str | None) -> bytes | None:
    return keyring.keyring().encrypt(comment, "persetujuan", "komentar", str(approval.uid))


def read_comment(approval: Approval) -> str | None:
    return keyring.keyring().decrypt(approval.comment_enc, "persetujuan", "komentar", str(approval.uid))


def reencrypt_comments(**_: object) -> int:
    """Re-encrypt every approval comment with the current key (a receiver of events.keys_rotated)."""
    count = 0
    for approval in Approval.objects.exclude(comment_enc=None).iterator(chunk_size=2000):
        text = read_comment(approval)
        Approval.objects.filter(pk=approval.pk).update(comment_enc=_encrypt_comment(approval, text))
        count += 1
    return count


def propose_closure(user: Staff, case: Case, *, alasan_penutupan: str, ditutup_pada: dt.datetime | None = None
                    ) -> Approval:
    """A closure put to the section head: its time and reason (a pair, not before the report)."""
    _require_worker(user, _("propose a closure"))
    case = _visible(user, case)
    e = _Errors()
    closed = _aware(ditutup_pada, "ditutup_pada", e) or _now()
    e.code("alasan_penutupan", alasan_penutupan, vocab.ALASAN_PENUTUPAN)
    e.add_problems(p for p in rules.ROW_CHECKS["kasus"](
        {"ditutup_pada": closed, "alasan_penutupan": alasan_penutupan or None, "dilaporkan_pada": case.reported_at})
        if p[1] != "closure_pair")
    if case.closed_at is not None:
        e.text("ditutup_pada", "kasus sudah ditutup", "the case is already closed")
    if case.persetujuan.filter(kind=Approval.CLOSURE, decision="").exists():
        e.text("alasan_penutupan", "penutupan kasus ini sudah diajukan dan menunggu keputusan",
               "a closure of this case is already awaiting a decision")
    e.check()
    approval = Approval(case=case, kind=Approval.CLOSURE, proposed_by=user, proposed_at=_now(), closed_at=closed,
                        closure_reason=alasan_penutupan)
    _history_user(approval, user)
    approval.save()
    return approval


def decide(user: Staff, approval: Approval, *, versi: int, setuju: bool, komentar: str = "") -> Approval:
    """The section head approves a plan or a closure, or returns it with a comment saying why."""
    permissions.require(user, permissions.CAN_APPROVE, _("approve case plans and closures"))
    case = _visible(user, approval.case)
    e = _Errors()
    komentar = (komentar or "").strip()
    if approval.decision:
        e.text("setuju", "sudah diputuskan", "already decided")
    if not setuju and not komentar:
        e.text("komentar", "sebutkan alasan pengembalian", "say why it is returned")
    if len(komentar) > MAX_COMMENT:
        e.rule("komentar", "too_long", max=MAX_COMMENT)
    now = _now()
    if setuju and approval.kind == Approval.CLOSURE and approval.closed_at and approval.closed_at < case.reported_at:
        e.rule("ditutup_pada", "closure_before_report", reported=format_time(case.reported_at))
    e.check()
    with transaction.atomic():
        _claim(approval, versi)
        approval.decision = Approval.APPROVED if setuju else Approval.RETURNED
        approval.decided_by, approval.decided_at = user, now
        approval.comment_enc = _encrypt_comment(approval, komentar or None)
        _history_user(approval, user, identity_changed=bool(komentar))
        approval.save()
        if setuju and approval.kind == Approval.PLAN and approval.action_id:
            action = ActionRecord.objects.get(pk=approval.action_id)
            _claim(action, None)
            action.approved_by, action.approved_at = user, now
            _history_user(action, user)
            action.save()  # the signal refreshes plan_approved_at
        if setuju and approval.kind == Approval.CLOSURE:
            _claim(case, None)
            _history_user(case, user)
            assert approval.closed_at is not None
            services.close_case(user, case, approval.closed_at, approval.closure_reason)
    return approval


# -- the case record ---------------------------------------------------------------------------
def assign_worker(user: Staff, case: Case, *, versi: int, peksos: str) -> Case:
    """The section head assigns or reassigns a case to a social worker of the case's unit."""
    permissions.require(user, permissions.CAN_APPROVE, _("assign cases"))
    case = _visible(user, case)
    worker = Staff.objects.filter(username=peksos or "", unit_id=case.unit_id, role=permissions.PEKSOS,
                                  is_active=True).first()
    if worker is None:
        raise Invalid({"peksos": [("bukan pekerja sosial aktif di unit kasus ini",
                                   "not an active social worker of this case's unit")]})
    with transaction.atomic():
        _claim(case, versi)
        case.worker = worker
        _history_user(case, user)
        case.save()
    return case


CASE_FIELDS = {"nomor_kasus": "number", "kategori": "category", "sumber_rujukan": "referral_source",
               "tingkat_risiko": "risk", "dilaporkan_pada": "reported_at", "persetujuan": "consent",
               "usia": "age_at_report", "kecamatan": "kecamatan", "disabilitas": "disability"}


def correct_case(user: Staff, case: Case, *, versi: int, **changes: Any) -> Case:
    """Correct a case's own fields (its worker or the section head). Worker and closure have their
    own writes (assign_worker, propose_closure/decide); the child's identity is not changed here."""
    _require_worker(user, _("correct a case"))
    case = _visible(user, case)
    e = _Errors()
    for f in sorted(set(changes) - set(CASE_FIELDS)):
        e.text(f, "kolom ini tidak dapat dikoreksi di sini", "this field cannot be corrected here")
    new = {f: changes.get(f, getattr(case, attr)) for f, attr in CASE_FIELDS.items()}
    new["nomor_kasus"] = (new["nomor_kasus"] or "").strip()
    if not new["nomor_kasus"]:
        e.rule("nomor_kasus", "required")
    elif new["nomor_kasus"] != case.number and Case.objects.filter(
            unit_id=case.unit_id, number=new["nomor_kasus"]).exists():
        e.rule("nomor_kasus", "exists", key=new["nomor_kasus"])
    e.code("kategori", new["kategori"], vocab.KATEGORI)
    e.code("sumber_rujukan", new["sumber_rujukan"], vocab.SUMBER_RUJUKAN)
    e.code("tingkat_risiko", new["tingkat_risiko"], vocab.TINGKAT_RISIKO)
    if new["usia"] is not None and not 0 <= new["usia"] <= 99:
        e.rule("usia", "range", min=0, max=99)
    reported = _aware(new["dilaporkan_pada"], "dilaporkan_pada", e) or case.reported_at
    new["dilaporkan_pada"] = reported
    if reported != case.reported_at:
        first = min((t for t in (
            case.tindakan.aggregate(t=models.Min("time"))["t"], case.rujukan.aggregate(t=models.Min("sent_at"))["t"],
            case.rujukan.aggregate(t=models.Min("acknowledged_at"))["t"], case.closed_at) if t is not None),
            default=None)
        if first is not None and first < reported:
            e.text("dilaporkan_pada",
                   f"tindakan, rujukan atau penutupan kasus ini sudah tercatat sebelum waktu itu ({format_time(first)})",
                   f"an action, referral or closure of this case is recorded before that time ({format_time(first)})")
    e.check()
    with transaction.atomic():
        _claim(case, versi)
        for f, attr in CASE_FIELDS.items():
            setattr(case, attr, new[f] if f != "kecamatan" else (new[f] or ""))
        _history_user(case, user)
        case.save()
    return case


# -- the case page's timeline ------------------------------------------------------------------
@dataclasses.dataclass
class Event:
    at: dt.datetime
    kind: str  # tindakan, rujukan, persetujuan, riwayat
    who: str
    record: Any
    changes: list[tuple[str, Any, Any]] = dataclasses.field(default_factory=list)  # (field, old, new)
    identity_changed: bool = False
    history_type: str = ""


IDENTITY_MARK = "*"  # what a history change of an encrypted field shows instead of values


def _history_changes(model: Any, rows: list[Any], name: str) -> list[Event]:
    """Changes ("~") and deletions ("-") of one kind of record: who, when, which fields from what to
    what. Creations are the records themselves on the timeline."""
    out: list[Event] = []
    previous: dict[int, Any] = {}
    for h in rows:
        before = previous.get(h.id)
        previous[h.id] = h
        if h.history_type == "+" or before is None:
            continue
        changes: list[tuple[str, Any, Any]] = []
        if h.history_type == "~":
            delta = h.diff_against(before, excluded_fields=["version"])
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        flag = bool(getattr(h, "identity_changed", False))
        if not changes and not flag and h.history_type == "~":
            continue
        who = h.history_user.username if h.history_user_id else ""
        out.append(Event(h.history_date, "riwayat", who, name, changes, flag, h.history_type))
    return out


def timeline(case: Case) -> list[Event]:
    """One list of the case's actions, referrals, approvals and the changes to them and to the case,
    oldest first (newest last)."""
    events: list[Event] = []
    actions = list(case.tindakan.select_related("staff", "approved_by").order_by("time", "pk"))
    for a in actions:
        events.append(Event(a.time, "tindakan", a.staff.username if a.staff_id else "", a))
    for r in case.rujukan.order_by("sent_at", "pk"):
        events.append(Event(r.sent_at, "rujukan", "", r))
    for p in case.persetujuan.select_related("proposed_by", "decided_by", "action").order_by("proposed_at", "pk"):
        events.append(Event(p.proposed_at, "persetujuan", p.proposed_by.username if p.proposed_by_id else "", p))
    hist = [
        (Case.history.filter(id=case.pk), "kasus"),
        (ActionRecord.history.filter(case_id=case.pk), "tindakan"),
        (Referral.history.filter(case_id=case.pk), "rujukan"),
        (Approval.history.filter(case_id=case.pk), "persetujuan"),
    ]
    for qs, name in hist:
        rows = list(qs.select_related("history_user").order_by("history_date", "history_id"))
        events.extend(_history_changes(qs.model, rows, name))
    events.sort(key=lambda ev: (ev.at, {"tindakan": 0, "rujukan": 1, "persetujuan": 2, "riwayat": 3}[ev.kind]))
    return events


def pending_approvals(case: Case) -> list[Approval]:
    return list(case.persetujuan.filter(decision="").order_by("proposed_at", "pk"))


def unit_workers(case: Case) -> list[Staff]:
    return list(Staff.objects.filter(unit_id=case.unit_id, role=permissions.PEKSOS, is_active=True)
                .order_by("username"))


# -- personal API tokens -----------------------------------------------------------------------
TOKEN_PREFIX = "knj_"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: Staff, name: str) -> tuple[ApiToken, str]:
    """A new personal token for the user's own API use; the plain token is returned once, only its
    hash is kept (a token is 256 random bits, so a plain SHA-256 is enough)."""
    if not permissions.role_of(user):
        raise PermissionDenied(_("Sign in first."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid({"nama": [("nama token wajib diisi (paling banyak 100 karakter)",
                                 "a token name is required (at most 100 characters)")]})
    if ApiToken.objects.filter(user=user, revoked_at=None).count() >= 10:
        raise Invalid({"nama": [("paling banyak 10 token aktif; cabut yang tidak dipakai",
                                 "at most 10 active tokens; revoke those not in use")]})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, prefix=token[:10], key_hash=_token_hash(token),
                                     created_at=_now())
    services.audit(user.username, "api_token_create", f"token:{record.pk}", "", {"name": name})
    return record, token


def revoke_token(user: Staff, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (another user's token is not found)."""
    record = ApiToken.objects.get(pk=token_id, user=user, revoked_at=None)
    record.revoked_at = _now()
    record.save(update_fields=["revoked_at"])
    services.audit(user.username, "api_token_revoke", f"token:{record.pk}", "", {"name": record.name})
    return record


def user_for_token(token: str) -> Staff | None:
    """The active user a bearer token belongs to, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    record = ApiToken.objects.select_related("user").filter(key_hash=_token_hash(token), revoked_at=None).first()
    if record is None or not record.user.is_active:
        return None
    now = _now()
    if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def tokens_of(user: Staff) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "pk"))
