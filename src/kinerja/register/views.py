"""Thin views over selectors and services. Identity is shown only in the response to an audited
POST (never in a URL), and that response is not cached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kinerja import vocab
from kinerja.register import casework_views, keyring, limits, permissions, selectors, services


def _list_input_error(q: str, page: str | None) -> str:
    """Why the case list's search or page parameter is refused, or "" when both are fine. Checked
    before any query: a megabyte of search text or a page number of a thousand digits is a 400."""
    if len(q) > limits.MAX_SEARCH_CHARS:
        return _("The search text is too long (at most %(n)s characters).") % {"n": limits.MAX_SEARCH_CHARS}
    if page not in (None, "", "last") and not (
            len(page) <= len(str(limits.MAX_PAGE)) and page.isascii() and page.isdigit()
            and 1 <= int(page) <= limits.MAX_PAGE):
        return _("The page number must be a whole number from 1 to %(n)s.") % {"n": limits.MAX_PAGE}
    return ""


@login_required
def case_list(request):  # type: ignore[no-untyped-def]
    role = permissions.role_of(request.user)
    q = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") or ""
    error = _list_input_error(q, request.GET.get("hal"))
    if error:
        return render(request, "kinerja/case_list.html",
                      {"page": None, "rows": [], "q": "", "status": status, "input_error": error,
                       "max_q": limits.MAX_SEARCH_CHARS, "can_see_cases": role in permissions.CAN_SEE_CASES},
                      status=400)
    qs = selectors.cases_for(request.user).order_by("-reported_at", "pk")
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(child__pseudonym__icontains=q))
    if status == "terbuka":
        qs = qs.filter(closed_at__isnull=True)
    elif status == "ditutup":
        qs = qs.filter(closed_at__isnull=False)
    page = Paginator(qs, 25).get_page(request.GET.get("hal"))
    rows = [
        {"case": c, "child": selectors.case_child_label(c),
         "category": vocab.KATEGORI.label(c.category, request.LANGUAGE_CODE),
         "risk": vocab.TINGKAT_RISIKO.label(c.risk, request.LANGUAGE_CODE),
         "closure": vocab.ALASAN_PENUTUPAN.label(c.closure_reason, request.LANGUAGE_CODE) if c.closure_reason else ""}
        for c in page
    ]
    template = "kinerja/_case_rows.html" if request.htmx else "kinerja/case_list.html"
    return render(request, template, {"page": page, "rows": rows, "q": q, "status": status,
                                      "max_q": limits.MAX_SEARCH_CHARS,
                                      "can_see_cases": role in permissions.CAN_SEE_CASES})


def _case_context(request, pk: int, bound: dict | None = None) -> dict:  # type: ignore[no-untyped-def]
    """The case page; `bound` holds the case-work forms of a refused write (casework_views)."""
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    lang = request.LANGUAGE_CODE
    same_nik, same_nik_elsewhere = selectors.same_nik_for(request.user, case.child)
    actions = [
        {"a": a, "stage": vocab.TAHAP.label(a.stage, lang),
         "service": vocab.LAYANAN.label(a.service, lang) if a.service else "",
         "obstacle": vocab.KENDALA.label(a.obstacle, lang) if a.obstacle else "",
         "has_notes": a.notes_enc is not None}
        for a in case.tindakan.select_related("staff", "approved_by").order_by("time", "pk")
    ]
    return {
        "case": case,
        "child": selectors.case_child_label(case),
        "category": vocab.KATEGORI.label(case.category, lang),
        "source": vocab.SUMBER_RUJUKAN.label(case.referral_source, lang),
        "risk": vocab.TINGKAT_RISIKO.label(case.risk, lang),
        "closure": vocab.ALASAN_PENUTUPAN.label(case.closure_reason, lang) if case.closure_reason else "",
        "actions": actions,
        "referrals": [
            {"r": r, "partner": vocab.MITRA.label(r.partner, lang),
             "result": vocab.HASIL_RUJUKAN.label(r.result, lang) if r.result else ""}
            for r in case.rujukan.order_by("sent_at", "pk")
        ],
        "can_reveal": permissions.role_of(request.user) in permissions.CAN_REVEAL,
        "same_nik": [c.pseudonym + " (" + c.unit.code + ")" for c in same_nik],
        "same_nik_elsewhere": same_nik_elsewhere,
        **casework_views.page_context(request, case, bound),
    }


@login_required
def case_detail(request, pk: int):  # type: ignore[no-untyped-def]
    return render(request, "kinerja/case_detail.html", _case_context(request, pk))


@never_cache
@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def reveal_identity(request, pk: int):  # type: ignore[no-untyped-def]
    """A reveal is a POST with a reason; a GET (a reload, a bookmark) goes back to the case page."""
    if request.method != "POST":
        get_object_or_404(selectors.cases_for(request.user), pk=pk)
        return redirect("case-detail", pk=pk)
    ctx = _case_context(request, pk)
    case = ctx["case"]
    reason = request.POST.get("alasan", "")
    try:
        ident = services.reveal_identity(request.user, case.child, reason)
    except services.ReasonRequired as exc:
        ctx["reveal_error"] = str(exc)
        return render(request, "kinerja/case_detail.html", ctx, status=400)
    except PermissionDenied as exc:
        ctx["reveal_error"] = str(exc) or _("You may not reveal this identity.")
        return render(request, "kinerja/case_detail.html", ctx, status=403)
    labels = {"name": _("Name"), "nik": _("NIK"), "kk": _("Family card number"), "address": _("Address"),
              "parents": _("Parents or guardian"), "phone": _("Phone")}
    ctx["identity"] = [(labels[k], v) for k, v in ident.items()]
    for row in ctx["actions"]:
        if row["has_notes"]:
            row["notes"] = keyring.decrypt_action_notes(row["a"].uid, row["a"].notes_enc)
    for row in ctx["timeline"]:
        if row["ev"].kind == "tindakan" and row["ev"].record.notes_enc is not None:
            row["notes"] = keyring.decrypt_action_notes(row["ev"].record.uid, row["ev"].record.notes_enc)
    return render(request, "kinerja/case_detail.html", ctx)
