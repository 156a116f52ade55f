"""The scorecard page. Who sees what follows domain.md: section heads, division heads and evaluators
see unit aggregates of their unit and below; a social worker sees only their own individual level.
The card, the trend and every chart's data pass through the publication gate (indicators.gate):
evaluators get suppressed figures, and only section heads and social workers see the process level."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja import charts
from kinerja.indicators import definitions, frameworks, gate
from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR, Period
from kinerja.indicators.scorecard import scorecard, trend
from kinerja.register import permissions, selectors
from kinerja.register.models import Case, Unit


def _bad_request(request, message: str):  # type: ignore[no-untyped-def]
    return render(request, "kinerja/bad_request.html", {"message": message}, status=400)


@login_required
def scorecard_page(request):  # type: ignore[no-untyped-def]
    user = request.user
    role = permissions.role_of(user)
    if role not in permissions.CAN_SEE_UNIT_INDICATORS | {permissions.PEKSOS} or not user.unit_id:
        raise PermissionDenied(_("Your role has no performance view."))
    audience = gate.audience_for(role, k=settings.KINERJA.suppression_k)
    allowed = Unit.objects.filter(pk__in=selectors.descendant_unit_ids(user.unit_id)).order_by("code")
    unit = allowed.filter(code=request.GET.get("unit")).first() or allowed.first()
    years = sorted({d.year for d in Case.objects.filter(unit__in=allowed).dates("reported_at", "year")
                    if FIRST_YEAR <= d.year <= LAST_YEAR}) or [timezone.localdate().year]
    asked = (request.GET.get("tahun") or "").strip()
    if asked:
        try:
            year = int(asked) if len(asked) <= 4 else FIRST_YEAR - 1
        except ValueError:
            year = FIRST_YEAR - 1
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return _bad_request(request, _("The year must be a number from %(first)s to %(last)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR})
    else:
        year = years[-1]
    fw_all = frameworks.load_all()
    fw_id = request.GET.get("kerangka") if request.GET.get("kerangka") in fw_all else "dwiyanto"
    lang = request.LANGUAGE_CODE
    worker = user if role == permissions.PEKSOS else None
    shown = [mid for mid in definitions.ALL_IDS if audience.process or mid not in definitions.PROCESS_IDS]
    publisher = gate.Publisher(audience)
    card = publisher.publish(unit, Period.year(year), scorecard(unit, year, framework=fw_id, worker=worker, lang=lang))
    measure = request.GET.get("ukuran") if request.GET.get("ukuran") in shown else "kasus_selesai"
    m = definitions.get(measure)
    series = publisher.publish(unit, None, {"measure": measure, "series": trend(unit, years, measure, worker=worker)})
    specs = {
        "trend": charts.trend_chart(series["series"], m.name(lang), m.unit_label(lang)),
        "dimensions": charts.dimension_chart(card["dimensions"], _("Dimension scores")),
        "inhibitors": charts.inhibitor_chart(card["inhibitors"], _("Inhibiting factors"),
                                             _("actions with this obstacle")),
    }
    return render(request, "kinerja/scorecard.html", {
        "card": card, "units": allowed, "unit": unit, "years": years, "year": year,
        "frameworks": sorted(fw_all.values(), key=lambda f: f.id), "fw_id": fw_id,
        "measures": [(mid, definitions.get(mid).name(lang)) for mid in shown], "measure": measure,
        "specs": specs,
        "individual": worker is not None,
        "suppressed": audience.suppressed, "k": audience.k, "kmax": audience.k - 1,
    })
