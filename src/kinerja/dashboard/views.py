"""The performance pages. Who sees what follows domain.md: section heads, division heads and
evaluators see unit aggregates of their unit and below; a social worker sees only their own
individual level.

A unit with units below it (a Bidang, the Dinas) shows its children side by side on every measure
of the framework (value, rating, change), with its own rolled-up figures (a parent's figures include
its descendants), sortable by any column through the query string; a click opens a child. Every
unit also shows its own scorecard, trend charts per measure over the years, the dimension chart and
the inhibiting factors. Every figure (card, side-by-side table, every chart's data) passes through
the publication gate (indicators.gate): evaluators get suppressed figures, only section heads and
social workers see the process level, and a suppressed audience gets no category filter (the
difference of two filters would give small counts away). Roles with reports get a link to the
evaluation report of what is shown: the reports page with its form pre-filled."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kinerja import charts, vocab
from kinerja.dashboard.measure_texts import TEXTS
from kinerja.indicators import cache as figure_cache
from kinerja.indicators import definitions, frameworks, gate
from kinerja.indicators.measures import compute_periods, unit_tree
from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR, Period
from kinerja.indicators.scorecard import FTE_SHARE, OWN, UNIT, scorecards
from kinerja.register import permissions, selectors
from kinerja.register.models import Case, Unit


def _bad_request(request, message: str):  # type: ignore[no-untyped-def]
    return render(request, "kinerja/bad_request.html", {"message": message}, status=400)


def period_label(period: Period) -> str:
    """"1 Jan 2025 – 31 Des 2025": the last day shown, not the day after (periods end exclusive)."""
    last = period.end - dt.timedelta(days=1)
    return f"{formats.date_format(period.start, 'j M Y')} – {formats.date_format(last, 'j M Y')}"


def _sort_key(value: Any) -> tuple[int, float]:
    """Numbers first in order; suppressed ("<5", "*") and missing figures last."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value))
    return (1, 0.0)


def _kategori(request) -> list[str] | None:  # type: ignore[no-untyped-def]
    raw = [k.strip() for v in request.GET.getlist("kategori") for k in v.split(",") if k.strip()]
    return sorted(set(raw)) or None


@login_required
def scorecard_page(request):  # type: ignore[no-untyped-def]
    user = request.user
    role = permissions.role_of(user)
    if role not in permissions.CAN_SEE_UNIT_INDICATORS | {permissions.PEKSOS} or not user.unit_id:
        raise PermissionDenied(_("Your role has no performance view."))
    audience = gate.audience_for(role, k=settings.KINERJA.suppression_k)
    allowed = Unit.objects.filter(pk__in=selectors.descendant_unit_ids(user.unit_id)).order_by("code")
    asked_unit = request.GET.get("unit")
    unit = (allowed.filter(code=asked_unit).first() if asked_unit else None) or allowed.filter(
        pk=user.unit_id).first() or allowed.first()
    tree = unit_tree()
    # the years with cases read all of the unit's history: kept by data version like the figures
    years = figure_cache.remembered("case_years", user.unit_id, tree.descendants, lambda: sorted(
        {d.year for d in Case.objects.filter(unit__in=allowed).dates("reported_at", "year")
         if FIRST_YEAR <= d.year <= LAST_YEAR})) or [timezone.localdate().year]
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
    kategori = _kategori(request)
    if kategori and any(k not in vocab.KATEGORI for k in kategori):
        return _bad_request(request, _("Unknown case category."))
    if kategori and audience.suppressed:
        return _bad_request(request, _("Figures that leave the unit are shown for every category together."))
    fw_all = frameworks.load_all()
    # a social worker's own level opens on the individual framework where there is one
    default = "individu" if role == permissions.PEKSOS and "individu" in fw_all else frameworks.DEFAULT_ID
    fw_id = request.GET.get("kerangka") if request.GET.get("kerangka") in fw_all else default
    fw = fw_all[fw_id]
    lang = request.LANGUAGE_CODE
    worker = user if role == permissions.PEKSOS else None
    period = Period.year(year)
    try:
        gate.check_request(audience, period, None)
    except gate.GateError as exc:
        return _bad_request(request, str(exc))
    publisher = gate.Publisher(audience)
    children = [] if worker is not None else list(
        Unit.objects.filter(pk__in=tree.children.get(unit.pk, [])).order_by("code"))

    # the sections below (units without children): their targets give the dimension scores a
    # parent's chart compares
    sections = [] if not children else list(Unit.objects.filter(
        pk__in=[u for u in tree.descendants(unit.pk) if u != unit.pk and not tree.children.get(u)]).order_by("code"))
    # the unit's card, its children's and its sections', from one engine run; each through the gate
    listed = list({u.pk: u for u in [unit, *children, *sections]}.values())
    raw = scorecards(listed, year, framework=fw, worker=worker, lang=lang, kategori=kategori)
    card = publisher.publish(unit, period, raw[unit.pk])
    gated = {u.pk: card if u.pk == unit.pk else publisher.publish(u, period, raw[u.pk]) for u in listed}
    child_cards = [(c, gated[c.pk]) for c in children]

    # with a category filter, the unit figures not tied to cases are shown apart, for all categories
    apart: list[dict[str, Any]] = []
    if kategori:
        whole = publisher.publish(unit, period, scorecards([unit], year, framework=fw, worker=worker,
                                                           lang=lang)[unit.pk])
        apart = [m for d in whole["dimensions"] for m in d["measures"] if not definitions.get(m["id"]).case_based]

    shown_ids = [m["id"] for d in card["dimensions"] for m in d["measures"]]
    compare = _side_by_side(request, card, child_cards) if children else None

    # trend charts: the chosen measure and every measure of the card over the years, one engine
    # run, each series gated
    allowed_ids = [mid for mid in definitions.ALL_IDS if audience.process or mid not in definitions.PROCESS_IDS]
    measure = request.GET.get("ukuran") if request.GET.get("ukuran") in allowed_ids else "kasus_selesai"
    wanted = list(dict.fromkeys([measure, *shown_ids]))
    series_all = compute_periods([unit.pk], [Period.year(y) for y in years], worker=worker,
                                 measures=wanted, tree=tree, kategori=kategori)
    trends = []
    for mid in wanted:
        m = definitions.get(mid)
        body = {"measure": mid, "series": [{"year": y, "value": v[unit.pk][mid]}
                                           for y, v in zip(years, series_all, strict=True)]}
        series = publisher.publish(unit, None, body)["series"]
        chart = charts.trend_chart(series, m.name(lang), m.unit_label(lang))
        if mid == measure:
            chosen = chart
        if mid in shown_ids:
            trends.append(("trend-" + mid, chart))
    specs = {
        "trend": chosen,
        "dimensions": charts.dimension_compare_chart(
            [(u.name, gated[u.pk]["dimensions"]) for u in sections], _("Dimension scores of the sections"),
            _("Good (%(score)s)") % {"score": 76}) if sections else charts.dimension_chart(
            card["dimensions"], _("Dimension scores"), _("Good (%(score)s)") % {"score": 76}),
        "inhibitors": charts.inhibitor_chart(card["inhibitors"], _("Inhibiting factors"),
                                             _("actions with this obstacle")),
        **dict(trends),
    }
    if not specs["dimensions"]["data"]["values"]:
        del specs["dimensions"]  # nothing rated (no targets, or a category filter): no empty chart
    # the qualitative evidence coded to each dimension and factor (quotes only for who may read them)
    from kinerja.evidence.selectors import evidence_for_scorecard

    evidence = evidence_for_scorecard(request.user, unit, period, card)
    # the evaluation report of what is shown: the reports page's form, pre-filled (roles with reports)
    report_query = urlencode({"unit": unit.code, "tahun": year, "kerangka": fw_id, "kategori": kategori or []},
                             doseq=True) if role in permissions.CAN_SEE_REPORTS and worker is None else ""
    return render(request, "kinerja/scorecard.html", {
        "evidence": evidence, "report_query": report_query,
        "card": card, "units": allowed, "unit": unit, "years": years, "year": year,
        "frameworks": sorted(((f.id, f.name(lang)) for f in fw_all.values()), key=lambda f: f[1]),
        "fw_id": fw_id, "period_label": period_label(period),
        "categories": [(k, vocab.KATEGORI.label(k, lang)) for k in vocab.KATEGORI],
        "kategori": kategori or [], "kategori_names": [vocab.KATEGORI.label(k, lang) for k in kategori or []],
        "kategori_param": ",".join(kategori or []),
        "measures": [(mid, definitions.get(mid).name(lang)) for mid in allowed_ids], "measure": measure,
        "apart": apart, "compare": compare, "children": children,
        "trend_ids": [name for name, _spec in trends], "specs": specs,
        "individual": worker is not None,
        "target_kinds": {OWN: _("own target"), FTE_SHARE: _("unit target per FTE"), UNIT: _("unit target")},
        "suppressed": audience.suppressed, "k": audience.k, "kmax": audience.k - 1,
        "parent": unit.parent if unit.parent_id in {u.pk for u in allowed} else None,
    })


def _side_by_side(request, card: dict[str, Any], child_cards: list[tuple[Unit, dict[str, Any]]]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Per dimension, one row per child (value, rating, change of every measure; the dimension
    score) and the unit's rolled-up row; rows sorted by `urut` (a measure id, `skor_<dimension>` or
    `nama`) and `arah` (naik | turun), on the server."""
    order = request.GET.get("urut") or "nama"
    descending = request.GET.get("arah") == "turun"
    tables = []
    for k, d in enumerate(card["dimensions"]):
        columns = [(m["id"], m["name"]) for m in d["measures"]]
        rows = []
        for unit, c in child_cards:
            cd = c["dimensions"][k] if k < len(c["dimensions"]) else {"measures": [], "score": None}
            by_id = {m["id"]: m for m in cd["measures"]}
            rows.append({"unit": unit, "score": cd.get("score"), "rating_label": cd.get("rating_label"),
                         "cells": [by_id.get(mid) for mid, _name in columns]})
        if order == "nama":
            rows.sort(key=lambda r: r["unit"].name, reverse=descending)
        elif order == f"skor_{d['id']}":
            rows.sort(key=lambda r: _sort_key(r["score"]))
            if descending:
                rows = [r for r in rows if _sort_key(r["score"])[0] == 0][::-1] + [
                    r for r in rows if _sort_key(r["score"])[0] == 1]
        elif order in [mid for mid, _name in columns]:
            i = [mid for mid, _name in columns].index(order)

            def value(r: dict[str, Any], i: int = i) -> Any:
                return r["cells"][i]["value"] if r["cells"][i] else None
            rows.sort(key=lambda r: _sort_key(value(r)))
            if descending:
                rows = [r for r in rows if _sort_key(value(r))[0] == 0][::-1] + [
                    r for r in rows if _sort_key(value(r))[0] == 1]
        total = {"score": d["score"], "rating_label": d["rating_label"], "cells": list(d["measures"])}
        tables.append({"dimension": d, "columns": columns, "rows": rows, "total": total})
    return {"tables": tables, "order": order, "descending": descending}


@login_required
def definitions_page(request):  # type: ignore[no-untyped-def]
    """Every measure with its formula in words, one anchor per measure id (the scorecards link here)."""
    role = permissions.role_of(request.user)
    if role not in permissions.CAN_SEE_UNIT_INDICATORS | {permissions.PEKSOS}:
        raise PermissionDenied(_("Your role has no performance view."))
    lang = request.LANGUAGE_CODE
    en = lang.startswith("en")
    directions = {definitions.UP: _("higher is better"), definitions.DOWN: _("lower is better"),
                  definitions.NONE: _("no direction")}
    rows = [{"id": m.id, "name": m.name(lang), "unit": m.unit_label(lang), "direction": directions[m.direction],
             "text": TEXTS.get(m.id, ("", ""))[1 if en else 0], "process": m.level == "process",
             "case_based": m.case_based}
            for m in definitions.MEASURES.values()]
    return render(request, "kinerja/definitions.html", {"measures": rows})
