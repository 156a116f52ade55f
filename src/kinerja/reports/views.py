"""The reports page (laporan/): a form for each report, answered with the file as a download.
Who may: section heads, division heads (their unit and below) and evaluators, who always get the
public edition; social workers see their own level only and admins no figures, so neither has
reports. Every figure goes through the publication gate (service.build), and quotes reach only
those who may open the evaluation the quotes come from (evidence.access.can_open).

Making a report takes a few seconds: the form is a plain GET download; reports.js shows a
spinner until the answer's cookie (named in the form's token field) says the file has come."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kinerja import vocab
from kinerja.indicators import frameworks, gate
from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR, Period
from kinerja.register import permissions, selectors
from kinerja.register.models import Case, Unit
from kinerja.reports import service

ROLES = {permissions.KASI, permissions.PIMPINAN, permissions.EVALUATOR}
TOKEN = re.compile(r"^[A-Za-z0-9]{1,32}$")


def _bad(request, message: str):  # type: ignore[no-untyped-def]
    return render(request, "kinerja/bad_request.html", {"message": message}, status=400)


def _year(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


@login_required
def reports_page(request):  # type: ignore[no-untyped-def]
    user = request.user
    role = permissions.role_of(user)
    if role not in ROLES or not user.unit_id:
        raise PermissionDenied(_("Your role has no reports."))
    allowed = Unit.objects.filter(pk__in=selectors.descendant_unit_ids(user.unit_id)).order_by("code")
    years = sorted({d.year for d in Case.objects.filter(unit__in=allowed).dates("reported_at", "year")
                    if FIRST_YEAR <= d.year <= LAST_YEAR})
    fw_all = frameworks.load_all()
    always_public = role == permissions.EVALUATOR
    kind = request.GET.get("jenis")
    if not kind:
        return render(request, "kinerja/reports/page.html", {
            "units": allowed, "years": years, "frameworks": sorted(fw_all.values(), key=lambda f: f.id),
            "always_public": always_public, "categories": [(c, vocab.KATEGORI.label(c, request.LANGUAGE_CODE))
                                                           for c in vocab.KATEGORI.codes],
        })
    if kind not in service.KINDS:
        return _bad(request, _("Unknown report."))
    fmt = request.GET.get("format", "pdf")
    if fmt not in service.KINDS[kind]:
        return _bad(request, _("This format is not available for this report."))
    unit = allowed.filter(code=request.GET.get("unit")).first()
    if unit is None:
        return _bad(request, _("Choose one of your units."))
    kategori = [k for k in request.GET.getlist("kategori") if k]
    if any(k not in vocab.KATEGORI for k in kategori):
        return _bad(request, _("Unknown case category."))
    publik = always_public or request.GET.get("publik") == "1"
    audience = gate.audience_for(role, publik, settings.KINERJA.suppression_k)
    lang = request.LANGUAGE_CODE
    from kinerja.evidence import access as ev_access
    from kinerja.evidence.selectors import evaluation_for_report
    from kinerja.reports.evaluation import ReportError

    try:
        if kind == "rekap":
            first, last = _year(request.GET.get("tahun_awal")), _year(request.GET.get("tahun_akhir"))
            if first is None or last is None or first > last:
                return _bad(request, _("Give a first and a last year, the first not after the last."))
            for y in range(first, last + 1):
                gate.check_request(audience, Period.year(y))
            d = service.build(kind, unit, audience=audience, lang=lang, years=list(range(first, last + 1)),
                              kategori=kategori or None)
        else:
            year = _year(request.GET.get("tahun"))
            if year is None:
                return _bad(request, _("The year must be a number from %(first)s to %(last)s.") % {
                    "first": FIRST_YEAR, "last": LAST_YEAR})
            fw = request.GET.get("kerangka") or None
            if fw is not None and fw not in fw_all:
                return _bad(request, _("Unknown framework."))
            chosen = evaluation_for_report(unit, Period.year(year))
            d = service.build(kind, unit, audience=audience, lang=lang, year=year, framework=fw,
                              kategori=kategori or None,
                              texts=chosen is not None and ev_access.can_open(user, chosen))
    except (gate.GateError, ReportError) as exc:
        return _bad(request, str(exc))
    if fmt == "csv":
        body, name = service.zip_csv(d), d.filename("zip")
    else:
        from kinerja.reports import render as renderer

        body, name = renderer.render(d, fmt), d.filename(fmt)
    response = HttpResponse(body, content_type=service.MEDIA[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    token = request.GET.get("token", "")
    if TOKEN.match(token):
        response.set_cookie("laporan_siap", token, max_age=60, samesite="Strict", secure=request.is_secure())
    return response
