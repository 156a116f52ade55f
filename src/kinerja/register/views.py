"""Thin views over selectors and services. Identity is shown only in the response to an audited
POST (never in a URL), and that response is not cached."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kinerja import vocab
from kinerja.register import casework_forms, due, keyring, limits, permissions, selectors, services


def _year(text: str) -> int | None:
    """A year from the query string, or None when it is not a year the register can hold."""
    from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR

    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _filters_from(request) -> tuple[selectors.CaseFilters, dict[str, str]]:  # type: ignore[no-untyped-def]
    """The case list's filters from the query string, and a message per refused field (checked
    before any query: a megabyte of search text or a year of a thousand digits is a 400)."""
    from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR

    g = request.GET
    errors: dict[str, str] = {}
    q = (g.get("q") or "").strip()
    if len(q) > limits.MAX_SEARCH_CHARS:
        errors["q"] = _("The search text is too long (at most %(n)s characters).") % {"n": limits.MAX_SEARCH_CHARS}
        q = ""
    year = None
    if g.get("tahun"):
        year = _year(g["tahun"].strip())
        if year is None:
            errors["tahun"] = _("The year must be a number from %(first)s to %(last)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR}
    category = g.get("kategori") or ""
    if category and category not in vocab.KATEGORI:
        errors["kategori"] = _("Choose a category from the list.")
        category = ""
    risk = g.get("risiko") or ""
    if risk and risk not in vocab.TINGKAT_RISIKO:
        errors["risiko"] = _("Choose a risk level from the list.")
        risk = ""
    status = g.get("status") or ""
    if status not in ("", "terbuka", "ditutup"):
        errors["status"] = _("Choose a status from the list.")
        status = ""
    worker_id = None
    if g.get("petugas"):
        text = g["petugas"]
        if text.isascii() and text.isdigit() and len(text) <= 18:
            worker_id = int(text)
        else:
            errors["petugas"] = _("Choose a social worker from the list.")
    overdue = g.get("terlambat") == "1"
    return selectors.CaseFilters(q, year, category, risk, status, worker_id, overdue), errors


def _case_rows(cases, lang: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        {"case": c, "child": selectors.case_child_label(c),
         "category": vocab.KATEGORI.label(c.category, lang),
         "risk": vocab.TINGKAT_RISIKO.label(c.risk, lang),
         "closure": vocab.ALASAN_PENUTUPAN.label(c.closure_reason, lang) if c.closure_reason else ""}
        for c in cases
    ]


@login_required
def case_list(request):  # type: ignore[no-untyped-def]
    """The cases the user may open, filtered, newest first, by keyset pages (`setelah` is an
    opaque position, not a page number: it stays fast and stable on a national register)."""
    role = permissions.role_of(request.user)
    lang = request.LANGUAGE_CODE
    filters, errors = _filters_from(request)
    cursor = request.GET.get("setelah") or ""
    page = None
    if not errors and role in permissions.CAN_SEE_CASES:
        try:
            page = selectors.case_page(selectors.filtered_cases(request.user, filters), cursor)
        except selectors.BadCursor:
            errors["setelah"] = _("This page link is not valid any more; start again from the first page.")
    workers = list(selectors.unit_workers(request.user))
    params = {k: v for k, v in (("q", filters.q), ("tahun", filters.year or ""), ("kategori", filters.category),
                                ("risiko", filters.risk), ("status", filters.status),
                                ("petugas", filters.worker_id or ""), ("terlambat", "1" if filters.overdue else ""))
              if v}
    ctx = {
        "page": page, "rows": _case_rows(page.cases, lang) if page else [], "f": filters, "errors": errors,
        "input_error": " ".join(errors.values()),
        "query": urlencode(params), "max_q": limits.MAX_SEARCH_CHARS,
        "can_see_cases": role in permissions.CAN_SEE_CASES,
        "categories": [(c, vocab.KATEGORI.label(c, lang)) for c in vocab.KATEGORI],
        "risks": [(c, vocab.TINGKAT_RISIKO.label(c, lang)) for c in vocab.TINGKAT_RISIKO],
        "workers": workers,
    }
    status = 400 if errors else 200
    template = "kinerja/_case_rows.html" if request.htmx else "kinerja/case_list.html"
    return render(request, template, ctx, status=status)


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
        **casework_forms.page_context(request, case, bound),
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


# -- the section's working pages --------------------------------------------------------------------

DUE_LABELS = {
    due.FIRST_RESPONSE: gettext_lazy("First response (initial approach) due"),
    due.ASSESSMENT: gettext_lazy("Assessment pending"),
    due.PLAN: gettext_lazy("Case plan awaiting the section head's approval"),
    due.PLAN_RETURNED: gettext_lazy("Case plan returned: revise it and submit it again"),
    due.CLOSURE: gettext_lazy("Closure proposed, awaiting the section head's approval"),
    due.IDLE: gettext_lazy("No action for %(n)s days or more"),
    due.REFERRAL: gettext_lazy("Referral not answered after %(n)s days"),
}


@login_required
def worker_home(request):  # type: ignore[no-untyped-def]
    """"Kasus saya": a social worker's open cases with what is due on each, overdue first."""
    permissions.require(request.user, {permissions.PEKSOS}, _("open a social worker's own case list"))
    now = timezone.now()
    rules = due.Rules.from_settings()
    cases = selectors.worker_open_cases(request.user)
    by_id = {c.pk: c for c in cases}
    items = []
    for facts in due.facts_for_cases(cases):
        for d in due.due_items(facts, now, rules):
            case = by_id[facts.case_id]
            label = str(DUE_LABELS[d.kind]) % {"n": due.IDLE_DAYS if d.kind == due.IDLE else due.REFERRAL_DAYS}
            items.append({"due": d, "label": label, "case": case,
                          "child": selectors.case_child_label(case)})
    items.sort(key=lambda i: (not i["due"].overdue, i["due"].deadline, i["case"].pk))
    return render(request, "kinerja/worker_home.html", {
        "items": items, "open_cases": len(cases),
        "overdue_cases": len({i["case"].pk for i in items if i["due"].overdue}),
    })


@login_required
def approvals(request):  # type: ignore[no-untyped-def]
    """The section head's queue of what waits on their approval. Each queue is a list of rows with
    the case to open; the approve and return forms live on the case page."""
    permissions.require(request.user, permissions.CAN_APPROVE, _("approve case plans or closures"))
    plans, n_plans = selectors.pending_plans(request.user)
    closures, n_closures = selectors.pending_closures(request.user)
    queues = [{
        "id": "rencana", "title": _("Case plans awaiting approval"), "total": n_plans,
        "rows": [{"case": a.case, "child": selectors.case_child_label(a.case), "since": a.time,
                  "by": a.staff.username if a.staff else "", "worker": a.case.worker} for a in plans],
    }, {
        "id": "penutupan", "title": _("Closures awaiting approval"), "total": n_closures,
        "rows": [{"case": a.case, "child": selectors.case_child_label(a.case), "since": a.proposed_at,
                  "by": a.proposed_by.username if a.proposed_by else "", "worker": a.case.worker}
                 for a in closures],
    }]
    return render(request, "kinerja/approvals.html", {"queues": queues})


@login_required
def caseload_page(request):  # type: ignore[no-untyped-def]
    """Open and overdue cases per social worker, beside the unit's social-worker FTE for a year."""
    from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR

    permissions.require(request.user, {permissions.KASI}, _("see the caseload per worker"))
    year = selectors.latest_staffing_year(request.user) or timezone.localdate().year
    error = ""
    if request.GET.get("tahun"):
        asked = _year(request.GET["tahun"].strip())
        if asked is None:
            error = _("The year must be a number from %(first)s to %(last)s.") % {"first": FIRST_YEAR,
                                                                                  "last": LAST_YEAR}
        else:
            year = asked
    load = selectors.caseload(request.user, year)
    return render(request, "kinerja/caseload.html", {"load": load, "year": year, "error": error},
                  status=400 if error else 200)


@login_required
def audit_page(request):  # type: ignore[no-untyped-def]
    """Reveals, exports and account changes about the unit's children and staff. The reason of
    an entry is shown to the unit's section head only."""
    role = permissions.role_of(request.user)
    permissions.require(request.user, {permissions.KASI, permissions.PIMPINAN}, _("see the unit's audit log"))
    error = ""
    try:
        rows, nxt = selectors.unit_audit(request.user, request.GET.get("sebelum") or "")
    except selectors.BadCursor:
        rows, nxt = [], ""
        error = _("This page link is not valid any more; start again from the first page.")
    return render(request, "kinerja/audit_view.html", {
        "rows": rows, "next": nxt, "first": not request.GET.get("sebelum"), "error": error,
        "show_reason": role == permissions.KASI,
    }, status=400 if error else 200)


# -- error pages ------------------------------------------------------------------------------------

def error_400(request, exception=None):  # type: ignore[no-untyped-def]
    return render(request, "400.html", status=400)


def error_403(request, exception=None):  # type: ignore[no-untyped-def]
    message = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def csrf_failure(request, reason=""):  # type: ignore[no-untyped-def]
    """A refused form (stale page, expired sign-in, cookies off) gets the styled 403 page saying what
    to do, in the user's language; Django's reason is for the log, not the page."""
    return render(request, "403.html", {"csrf": True}, status=403)


def error_404(request, exception=None):  # type: ignore[no-untyped-def]
    return render(request, "404.html", status=404)


def error_500(request):  # type: ignore[no-untyped-def]
    """Rendered without the request's context processors: the failure may be the database, and
    this page must not need it (no user, no session)."""
    from django.http import HttpResponseServerError
    from django.template.loader import render_to_string
    from django.utils import translation

    html = render_to_string("500.html", {"LANGUAGE_CODE": translation.get_language() or "id"})
    return HttpResponseServerError(html)
