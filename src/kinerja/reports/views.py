"""The reports page (laporan/): a form for each report, answered with the file as a download.
Who may: section heads, division heads (their unit and below) and evaluators, who always get the
public edition; social workers see their own level only and admins no figures, so neither has
reports. Every figure goes through the publication gate (service.build), and quotes reach only
those who may open the evaluation the quotes come from (evidence.access.can_open).

Making a report takes a few seconds. With script, reports.js sends the form to laporan/tugas/,
which checks it as the plain download does and starts a job (reports.jobs); the page asks for the
job's progress and then downloads the file, which only the job's owner can read, once. Without
script the form is a plain GET download of laporan/. The page's own query (unit, tahun, kerangka,
kategori: the performance page's link) pre-fills the evaluation report's form."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja import vocab
from kinerja.indicators import frameworks, gate
from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR, Period
from kinerja.register import permissions, selectors
from kinerja.register.models import Case, Unit
from kinerja.reports import jobs, service

ROLES = permissions.CAN_SEE_REPORTS


class _Bad(Exception):
    """A request the page refuses: the message the user reads (status 400); nothing is made."""


def _bad(request, message: str):  # type: ignore[no-untyped-def]
    return render(request, "kinerja/bad_request.html", {"message": message}, status=400)


def _year(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _role(request) -> str:  # type: ignore[no-untyped-def]
    role = permissions.role_of(request.user)
    if role not in ROLES or not request.user.unit_id:
        raise PermissionDenied(_("Your role has no reports."))
    return role


def _units(request):  # type: ignore[no-untyped-def]
    return Unit.objects.filter(pk__in=selectors.descendant_unit_ids(request.user.unit_id)).order_by("code")


def _order(request, q: QueryDict, role: str) -> jobs.Order:  # type: ignore[no-untyped-def]
    """The report asked for in `q` (the download's query or the job's form), checked: _Bad with
    the message otherwise. The gate's refusals come here too, before any work."""
    from kinerja.evidence import access as ev_access
    from kinerja.evidence.selectors import evaluation_for_report

    kind = q.get("jenis")
    if kind not in service.KINDS:
        raise _Bad(_("Unknown report."))
    fmt = q.get("format", "pdf")
    if fmt not in service.KINDS[kind]:
        raise _Bad(_("This format is not available for this report."))
    unit = _units(request).filter(code=q.get("unit")).first()
    if unit is None:
        raise _Bad(_("Choose one of your units."))
    kategori = [k for k in q.getlist("kategori") if k]
    if any(k not in vocab.KATEGORI for k in kategori):
        raise _Bad(_("Unknown case category."))
    publik = role == permissions.EVALUATOR or q.get("publik") == "1"
    audience = gate.audience_for(role, publik, settings.KINERJA.suppression_k)
    options: dict[str, Any] = {"audience": audience, "lang": request.LANGUAGE_CODE, "kategori": kategori or None}
    try:
        if kind == "rekap":
            first, last = _year(q.get("tahun_awal")), _year(q.get("tahun_akhir"))
            if first is None or last is None or first > last:
                raise _Bad(_("Give a first and a last year, the first not after the last."))
            for y in range(first, last + 1):
                gate.check_request(audience, Period.year(y))
            options["years"] = list(range(first, last + 1))
        else:
            year = _year(q.get("tahun"))
            if year is None:
                raise _Bad(_("The year must be a number from %(first)s to %(last)s.") % {
                    "first": FIRST_YEAR, "last": LAST_YEAR})
            fw = q.get("kerangka") or None
            if fw is not None and fw not in frameworks.load_all():
                raise _Bad(_("Unknown framework."))
            gate.check_request(audience, Period.year(year), kategori=kategori or None)
            chosen = evaluation_for_report(unit, Period.year(year))
            options.update(year=year, framework=fw,
                           texts=chosen is not None and ev_access.can_open(request.user, chosen))
    except gate.GateError as exc:
        raise _Bad(str(exc)) from None
    return jobs.Order(kind, fmt, unit, options)


def _attachment(body: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(body, content_type=service.MEDIA[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def reports_page(request):  # type: ignore[no-untyped-def]
    role = _role(request)
    if request.GET.get("jenis"):
        return _download(request, role)
    allowed = _units(request)
    years = sorted({d.year for d in Case.objects.filter(unit__in=allowed).dates("reported_at", "year")
                    if FIRST_YEAR <= d.year <= LAST_YEAR})
    fw_all = frameworks.load_all()
    lang = request.LANGUAGE_CODE
    # pre-filled from the query (the performance page's link to the report of what it shows)
    asked_unit = request.GET.get("unit")
    asked_year = _year(request.GET.get("tahun"))
    asked_fw = request.GET.get("kerangka")
    asked_kategori = {k.strip() for v in request.GET.getlist("kategori") for k in v.split(",")}
    return render(request, "kinerja/reports/page.html", {
        "units": allowed, "years": years, "frameworks": sorted(((f.id, f.name(lang)) for f in fw_all.values()), key=lambda f: f[1]),
        "always_public": role == permissions.EVALUATOR,
        "categories": [(c, vocab.KATEGORI.label(c, lang)) for c in vocab.KATEGORI.codes],
        "chosen_unit": asked_unit if allowed.filter(code=asked_unit).exists() else None,
        "chosen_year": asked_year if asked_year in years else (years[-1] if years else None),
        "chosen_fw": asked_fw if asked_fw in fw_all else frameworks.DEFAULT_ID,
        "chosen_kategori": [c for c in vocab.KATEGORI.codes if c in asked_kategori],
    })


def _download(request, role: str):  # type: ignore[no-untyped-def]
    """The plain download (the form without script): the report made while the answer waits."""
    from kinerja.reports.evaluation import ReportError

    try:
        order = _order(request, request.GET, role)
        body, name = service.make(order.kind, order.unit, order.fmt, **order.options)
    except (_Bad, gate.GateError, ReportError) as exc:
        return _bad(request, str(exc))
    return _attachment(body, name, order.fmt)


def _urls(job: UUID) -> dict[str, str]:
    return {"status_url": reverse("report-job", args=[job]), "download_url": reverse("report-job-file", args=[job])}


@login_required
@require_POST
def start_job(request):  # type: ignore[no-untyped-def]
    """Start making the report the form asks for; the answer (JSON) says where to follow it."""
    role = _role(request)
    try:
        order = _order(request, request.POST, role)
    except _Bad as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    job = jobs.start(request.user, order)
    job.refresh_from_db()  # a job run at once (tests) is done already
    return JsonResponse({**jobs.status(job, request.LANGUAGE_CODE), **_urls(job.pk)}, status=202)


@login_required
def job_status(request, job: UUID):  # type: ignore[no-untyped-def]
    _role(request)
    found = jobs.of_owner(job, request.user)
    if found is None:
        raise Http404
    return JsonResponse({**jobs.status(found, request.LANGUAGE_CODE), **_urls(found.pk)})


@login_required
def job_file(request, job: UUID):  # type: ignore[no-untyped-def]
    """The made report, once, to the job's owner only."""
    _role(request)
    got = jobs.take(job, request.user)
    if got is None:
        raise Http404
    return _attachment(*got)
