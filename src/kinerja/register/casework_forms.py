"""The case-work forms and what the case page shows of them (django forms over the services of
kinerja.register.casework). Kept apart from the views that post them, so the case page
(register.views) and the write views (register.casework_views) both read them without importing
each other."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from kinerja import vocab
from kinerja.register import casework, permissions
from kinerja.register.models import Approval, Case

TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _choices(v: vocab.Vocabulary, blank: bool = False) -> list[tuple[str, Any]]:
    return ([("", "-")] if blank else []) + v.choices()


def _time(label: Any, required: bool = False) -> forms.DateTimeField:
    """A WIB time (the active time zone) from the phone's own picker."""
    return forms.DateTimeField(label=label, required=required, input_formats=TIME_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(min_value=1, max_value=2**31 - 1)


class ActionForm(forms.Form):
    tahap = forms.ChoiceField(label=gettext_lazy("Stage"), choices=_choices(vocab.TAHAP))
    layanan = forms.ChoiceField(label=gettext_lazy("Service"), choices=_choices(vocab.LAYANAN, True), required=False)
    waktu = _time(gettext_lazy("Time (WIB; empty: now)"))
    biaya = forms.IntegerField(label=gettext_lazy("Cost (Rp)"), required=False, min_value=0, max_value=10**15)
    kendala = forms.ChoiceField(label=gettext_lazy("Obstacle"), choices=_choices(vocab.KENDALA, True), required=False)
    catatan = forms.CharField(label=gettext_lazy("Notes (encrypted)"), required=False, max_length=casework.MAX_NOTES,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ActionCorrectForm(ActionForm):
    versi = VersionField()
    catatan = forms.CharField(label=gettext_lazy("New notes (encrypted; empty: keep the notes)"), required=False,
                              max_length=casework.MAX_NOTES, widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    waktu = _time(gettext_lazy("Time (WIB; empty: now)"))
    catatan = forms.CharField(label=gettext_lazy("The plan (encrypted)"), required=False,
                              max_length=casework.MAX_NOTES, widget=forms.Textarea(attrs={"rows": 3}))


class ReferralForm(forms.Form):
    mitra = forms.ChoiceField(label=gettext_lazy("Partner agency"), choices=_choices(vocab.MITRA))
    dikirim_pada = _time(gettext_lazy("Sent (WIB; empty: now)"))


class AckForm(forms.Form):
    versi = VersionField()
    diterima_pada = _time(gettext_lazy("Acknowledged (WIB)"), required=True)
    hasil = forms.ChoiceField(label=gettext_lazy("Result"), choices=_choices(vocab.HASIL_RUJUKAN, True), required=False)


class DecisionForm(forms.Form):
    versi = VersionField()
    setuju = forms.TypedChoiceField(label=gettext_lazy("Decision"), coerce=lambda v: v == "ya",
                                    choices=[("ya", gettext_lazy("Approve")), ("tidak", gettext_lazy("Return"))],
                                    widget=forms.RadioSelect)
    komentar = forms.CharField(label=gettext_lazy("Comment (needed to return; encrypted)"), required=False,
                               max_length=casework.MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2}))


class ClosureForm(forms.Form):
    alasan_penutupan = forms.ChoiceField(label=gettext_lazy("Closure reason"), choices=_choices(vocab.ALASAN_PENUTUPAN))
    ditutup_pada = _time(gettext_lazy("Closed (WIB; empty: now)"))


class AssignForm(forms.Form):
    versi = VersionField()
    peksos = forms.ChoiceField(label=gettext_lazy("Social worker"), choices=[])

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["peksos"].choices = [(w.username, w.full_name or w.username) for w in casework.unit_workers(case)]


class CaseCorrectForm(forms.Form):
    versi = VersionField()
    nomor_kasus = forms.CharField(label=gettext_lazy("Case number"), max_length=64)
    kategori = forms.ChoiceField(label=gettext_lazy("Category"), choices=_choices(vocab.KATEGORI))
    sumber_rujukan = forms.ChoiceField(label=gettext_lazy("Referral source"), choices=_choices(vocab.SUMBER_RUJUKAN))
    tingkat_risiko = forms.ChoiceField(label=gettext_lazy("Risk level"), choices=_choices(vocab.TINGKAT_RISIKO))
    dilaporkan_pada = _time(gettext_lazy("Reported (WIB)"), required=True)
    usia = forms.IntegerField(label=gettext_lazy("Age at report"), required=False, min_value=0, max_value=99)
    kecamatan = forms.CharField(label=gettext_lazy("Kecamatan"), required=False, max_length=100)
    disabilitas = forms.NullBooleanField(label=gettext_lazy("Disability"), required=False)
    persetujuan = forms.BooleanField(label=gettext_lazy("Consent recorded"), required=False)


class RegisterForm(forms.Form):
    nomor_kasus = forms.CharField(label=gettext_lazy("Case number"), max_length=64)
    kategori = forms.ChoiceField(label=gettext_lazy("Category"), choices=_choices(vocab.KATEGORI))
    sumber_rujukan = forms.ChoiceField(label=gettext_lazy("Referral source"), choices=_choices(vocab.SUMBER_RUJUKAN))
    tingkat_risiko = forms.ChoiceField(label=gettext_lazy("Risk level"), choices=_choices(vocab.TINGKAT_RISIKO))
    dilaporkan_pada = _time(gettext_lazy("Reported (WIB; empty: now)"))
    anak = forms.CharField(label=gettext_lazy("Known child: pseudonym (empty: a new child)"), required=False,
                           max_length=32)
    jenis_kelamin = forms.ChoiceField(label=gettext_lazy("Sex"), choices=_choices(vocab.JENIS_KELAMIN, True),
                                      required=False)
    tanggal_lahir = forms.DateField(label=gettext_lazy("Birth date"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    usia = forms.IntegerField(label=gettext_lazy("Age at report (when no birth date)"), required=False,
                              min_value=0, max_value=99)
    disabilitas = forms.NullBooleanField(label=gettext_lazy("Disability"), required=False)
    kecamatan = forms.CharField(label=gettext_lazy("Kecamatan"), required=False, max_length=100)
    persetujuan = forms.BooleanField(label=gettext_lazy("Consent recorded"), required=False)
    nama_anak = forms.CharField(label=gettext_lazy("Name (encrypted)"), required=False, max_length=200)
    nik = forms.CharField(label=gettext_lazy("NIK (encrypted)"), required=False, max_length=20,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    kk = forms.CharField(label=gettext_lazy("Family card number (encrypted)"), required=False, max_length=20)
    alamat = forms.CharField(label=gettext_lazy("Address (encrypted)"), required=False, max_length=200)
    orang_tua = forms.CharField(label=gettext_lazy("Parents or guardian (encrypted)"), required=False, max_length=200)
    telepon = forms.CharField(label=gettext_lazy("Phone (encrypted)"), required=False, max_length=30)
    anak_baru = forms.BooleanField(label=gettext_lazy("Another child, although the NIK is known"), required=False)
    peksos = forms.ChoiceField(label=gettext_lazy("Social worker"), choices=[], required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kinerja.register.models import Staff

        workers = Staff.objects.filter(unit_id=user.unit_id, role=permissions.PEKSOS, is_active=True).order_by("username")
        if permissions.role_of(user) == permissions.PEKSOS:
            self.fields["peksos"].choices = [(user.username, user.full_name or user.username)]
            self.fields["peksos"].initial = user.username
        else:
            self.fields["peksos"].choices = [("", "-")] + [(w.username, w.full_name or w.username) for w in workers]


# -- the case page -----------------------------------------------------------------------------
def initial_case(case: Case) -> dict[str, Any]:
    return {"versi": case.version, "nomor_kasus": case.number, "kategori": case.category,
            "sumber_rujukan": case.referral_source, "tingkat_risiko": case.risk, "dilaporkan_pada": case.reported_at,
            "usia": case.age_at_report, "kecamatan": case.kecamatan, "disabilitas": case.disability,
            "persetujuan": case.consent}


def _labelled_changes(ev: casework.Event) -> list[tuple[str, str, str]]:
    return [(field, "" if old is None else str(old), "" if new is None else str(new)) for field, old, new in ev.changes]


def page_context(request: Any, case: Case, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the case page adds for case work: the timeline and the forms this user may use."""
    bound = bound or {}
    user = request.user
    role = permissions.role_of(user)
    works = role in casework.WORKERS
    approves = role in permissions.CAN_APPROVE
    lang = request.LANGUAGE_CODE
    events = casework.timeline(case)
    rows = []
    for ev in events:
        row: dict[str, Any] = {"ev": ev, "changes": _labelled_changes(ev)}
        if ev.kind == "tindakan":
            row["label"] = vocab.TAHAP.label(ev.record.stage, lang)
            row["service"] = vocab.LAYANAN.label(ev.record.service, lang) if ev.record.service else ""
            row["obstacle"] = vocab.KENDALA.label(ev.record.obstacle, lang) if ev.record.obstacle else ""
            row["can_correct"] = works and (role == permissions.KASI or ev.record.staff_id in (None, user.pk))
        elif ev.kind == "rujukan":
            row["label"] = vocab.MITRA.label(ev.record.partner, lang)
            row["result"] = vocab.HASIL_RUJUKAN.label(ev.record.result, lang) if ev.record.result else ""
            if works and ev.record.acknowledged_at is None:
                row["form"] = bound.get(f"ack{ev.record.pk}") or AckForm(
                    initial={"versi": ev.record.version}, prefix=f"r{ev.record.pk}")
        elif ev.kind == "persetujuan":
            p = ev.record
            row["label"] = dict(Approval.KINDS)[p.kind]
            row["reason"] = vocab.ALASAN_PENUTUPAN.label(p.closure_reason, lang) if p.closure_reason else ""
            row["comment"] = casework.read_comment(p) if (p.comment_enc is not None and works) else ""
            if approves and not p.decision:
                row["form"] = bound.get(f"decide{p.pk}") or DecisionForm(initial={"versi": p.version},
                                                                        prefix=f"p{p.pk}")
        rows.append(row)
    pending = casework.pending_approvals(case)
    return {
        "timeline": rows,
        "works": works,
        "approves": approves,
        "action_form": bound.get("action") or ActionForm(),
        "plan_form": bound.get("plan") or PlanForm(),
        "referral_form": bound.get("referral") or ReferralForm(),
        "closure_form": (bound.get("closure") or ClosureForm())
        if case.closed_at is None and not any(p.kind == Approval.CLOSURE for p in pending) else None,
        "assign_form": (bound.get("assign") or AssignForm(initial={"versi": case.version,
                                                                  "peksos": case.worker.username if case.worker_id else None},
                                                         case=case)) if approves else None,
        "conflict": bound.get("conflict"),
        "write_error": bound.get("error"),
    }
