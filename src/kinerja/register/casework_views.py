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

from kinerja.register import casework, casework_forms, permissions, selectors
from kinerja.register.casework_forms import (
    AckForm,
    ActionCorrectForm,
    ActionForm,
    AssignForm,
    CaseCorrectForm,
    ClosureForm,
    DecisionForm,
    PlanForm,
    ReferralForm,
    RegisterForm,
)
from kinerja.register.models import Action, Approval, Case, Referral


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
                      {"case": case, "form": CaseCorrectForm(initial=casework_forms.initial_case(case))})
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
