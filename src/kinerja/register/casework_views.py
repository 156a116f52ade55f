"""The case page's write forms and the register-a-case page: thin shells over
kinerja.register.casework. A refused write re-renders the page with every message beside its field
(400), a newer version of the record (409) with its current values; success redirects back (POST,
redirect, GET), so a reload never writes twice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kinerja import vocab
from kinerja.register import casework, permissions, selectors
from kinerja.register.models import Action, Approval, Case, Referral

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
def _initial_case(case: Case) -> dict[str, Any]:
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


def _case_or_404(request: Any, pk: int) -> Case:
    return get_object_or_404(selectors.cases_for(request.user), pk=pk)


def _rerender(request: Any, case: Case, bound: dict[str, Any], status: int) -> HttpResponse:
    from kinerja.register import views

    ctx = views._case_context(request, case.pk, bound=bound)
    return render(request, "kinerja/case_detail.html", ctx, status=status)


def _apply(form: forms.Form, exc: casework.Invalid, lang: str) -> None:
    for field, msgs in exc.messages(lang).items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)


def _write(request: Any, pk: int, key: str, form: forms.Form, run: Any,
           page: str | None = None, page_ctx: dict[str, Any] | None = None) -> HttpResponse:
    """Validate the form, run the write, redirect to the case page; else the page again with the
    errors beside their fields (400), a version conflict (409) or a refusal (403)."""
    case = _case_or_404(request, pk)
    bound: dict[str, Any] = {key: form}
    status = 400
    if form.is_valid():
        try:
            run(case, form.cleaned_data)
            return redirect("case-detail", pk=case.pk)
        except casework.Invalid as exc:
            _apply(form, exc, request.LANGUAGE_CODE)
        except casework.Conflict as exc:
            form.add_error(None, _("Someone else changed this record since you opened the form; nothing was "
                                   "saved. Its current values are shown; check them and save again."))
            bound["conflict"] = exc.current
            status = 409
        except PermissionDenied as exc:
            bound["error"] = str(exc)
            status = 403
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
    if page is not None:
        return render(request, page, {**(page_ctx or {}), "case": case, "form": form,
                                      "conflict": bound.get("conflict"), "write_error": bound.get("error")},
                      status=status)
    return _rerender(request, case, bound, status)


def _post_only(view: Any) -> Any:
    """A GET of a form's address (a reload, a shared link) goes back to the case page."""

    def wrapped(request: Any, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            _case_or_404(request, pk)
            return redirect("case-detail", pk=pk)
        return view(request, pk, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(require_http_methods(["GET", "POST"])(wrapped))


def _clean(data: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: ("" if v is None and k in ("layanan", "kendala", "hasil") else v)
            for k, v in data.items() if k not in drop}


@never_cache
@sensitive_post_parameters("catatan")
@_post_only
def record_action(request: Any, pk: int) -> HttpResponse:
    return _write(request, pk, "action", ActionForm(request.POST),
                  lambda case, d: casework.record_action(request.user, case, **_clean(d)))


@never_cache
@sensitive_post_parameters("catatan")
@_post_only
def submit_plan(request: Any, pk: int) -> HttpResponse:
    return _write(request, pk, "plan", PlanForm(request.POST),
                  lambda case, d: casework.submit_plan(request.user, case, **d))


@_post_only
def send_referral(request: Any, pk: int) -> HttpResponse:
    return _write(request, pk, "referral", ReferralForm(request.POST),
                  lambda case, d: casework.send_referral(request.user, case, **d))


@_post_only
def update_referral(request: Any, pk: int, rid: int) -> HttpResponse:
    referral = get_object_or_404(Referral, pk=rid, case_id=pk, case__in=selectors.cases_for(request.user))
    form = AckForm(request.POST, prefix=f"r{rid}")
    return _write(request, pk, f"ack{rid}", form, lambda case, d: casework.update_referral(
        request.user, referral, versi=d["versi"], diterima_pada=d["diterima_pada"], hasil=d["hasil"] or ""))


@_post_only
def decide(request: Any, pk: int, aid: int) -> HttpResponse:
    permissions.require(request.user, permissions.CAN_APPROVE, _("approve case plans and closures"))
    approval = get_object_or_404(Approval, pk=aid, case_id=pk, case__in=selectors.cases_for(request.user))
    form = DecisionForm(request.POST, prefix=f"p{aid}")
    return _write(request, pk, f"decide{aid}", form, lambda case, d: casework.decide(
        request.user, approval, versi=d["versi"], setuju=d["setuju"], komentar=d["komentar"]))


@_post_only
def propose_closure(request: Any, pk: int) -> HttpResponse:
    return _write(request, pk, "closure", ClosureForm(request.POST),
                  lambda case, d: casework.propose_closure(request.user, case, **d))


@_post_only
def assign_worker(request: Any, pk: int) -> HttpResponse:
    permissions.require(request.user, permissions.CAN_APPROVE, _("assign cases"))
    case = _case_or_404(request, pk)
    return _write(request, pk, "assign", AssignForm(request.POST, case=case),
                  lambda case, d: casework.assign_worker(request.user, case, versi=d["versi"], peksos=d["peksos"]))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def correct_case(request: Any, pk: int) -> HttpResponse:
    permissions.require(request.user, casework.WORKERS, _("correct a case"))
    case = _case_or_404(request, pk)
    if request.method != "POST":
        return render(request, "kinerja/case_correct.html",
                      {"case": case, "form": CaseCorrectForm(initial=_initial_case(case))})
    return _write(request, pk, "case", CaseCorrectForm(request.POST), lambda c, d: casework.correct_case(
        request.user, c, **d), page="kinerja/case_correct.html")


@never_cache
@sensitive_post_parameters("catatan")
@login_required
@require_http_methods(["GET", "POST"])
def correct_action(request: Any, pk: int, tid: int) -> HttpResponse:
    permissions.require(request.user, casework.WORKERS, _("correct an action"))
    action = get_object_or_404(Action, pk=tid, case_id=pk, case__in=selectors.cases_for(request.user))
    ctx = {"action": action}
    if request.method != "POST":
        form = ActionCorrectForm(initial={"versi": action.version, "tahap": action.stage, "layanan": action.service,
                                          "waktu": action.time, "biaya": action.cost, "kendala": action.obstacle})
        return render(request, "kinerja/action_correct.html", {**ctx, "case": action.case, "form": form})

    def run(case: Case, d: dict[str, Any]) -> None:
        changes = _clean(d, "versi")
        if not changes.get("catatan"):
            changes.pop("catatan", None)  # empty: the notes stay as they are
        casework.correct_action(request.user, action, versi=d["versi"], **changes)

    return _write(request, pk, "correct_action", ActionCorrectForm(request.POST), run,
                  page="kinerja/action_correct.html", page_ctx=ctx)


@never_cache
@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def register_case(request: Any) -> HttpResponse:
    """A new case in the user's unit. The identity typed in is encrypted on save; a refused form is
    shown again only in this POST's own response, to the one who typed it."""
    permissions.require(request.user, casework.WORKERS, _("register a case"))
    if request.method != "POST":
        return render(request, "kinerja/case_register.html", {"form": RegisterForm(user=request.user)})
    form = RegisterForm(request.POST, user=request.user)
    if form.is_valid():
        data = dict(form.cleaned_data)
        for k in ("jenis_kelamin", "peksos", "kecamatan"):
            data[k] = data.get(k) or ""
        try:
            done = casework.register_case(request.user, **data)
            return redirect("case-detail", pk=done.case.pk)
        except casework.Invalid as exc:
            _apply(form, exc, request.LANGUAGE_CODE)
    return render(request, "kinerja/case_register.html", {"form": form}, status=400)


# -- personal API tokens -----------------------------------------------------------------------
class TokenForm(forms.Form):
    nama = forms.CharField(label=gettext_lazy("Token name (what it is for)"), max_length=100)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: Any) -> HttpResponse:
    """The user's own API tokens: make one (shown once, in this response only) or revoke one."""
    form = TokenForm(request.POST or None)
    shown, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _record, shown = casework.create_token(request.user, form.cleaned_data["nama"])
                form = TokenForm()
            except casework.Invalid as exc:
                _apply(form, exc, request.LANGUAGE_CODE)
                status = 400
        else:
            status = 400
    return render(request, "kinerja/api_tokens.html",
                  {"form": form, "tokens": casework.tokens_of(request.user), "new_token": shown}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def revoke_token(request: Any, tid: int) -> HttpResponse:
    if request.method == "POST":
        try:
            casework.revoke_token(request.user, tid)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
    return redirect("api-tokens")
