"""Indicator endpoints (django-ninja Router, mounted at /api/indikator/ with session auth).

Who may see what (domain.md, checked here for every request through the request user's role):
- pekerja_sosial: only their own individual level (worker = themselves) in their own unit;
- kepala_seksi: their unit and the units below it, at the unit, process and individual levels;
- pimpinan, evaluator: unit aggregates of their unit and below; no worker parameter, and the
  process level (durasi_* measures) is left out of what they get;
- admin (and anyone else): nothing.
Every answer passes through the publication gate (indicators.gate), which applies the role's
rules: suppression for evaluators and for `publik=true`, whole periods only for those, and no
process measures for pimpinan and evaluator. Identity never appears here: the measures are numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from kinerja.indicators import definitions as defs
from kinerja.indicators import frameworks as fw_mod
from kinerja.indicators import gate
from kinerja.indicators.measures import compute, kategori_codes, machine_output
from kinerja.indicators.periods import Period, check_year, parse_years
from kinerja.indicators.scorecard import period_of, scorecard, trend
from kinerja.register import permissions
from kinerja.register.models import Staff, Unit
from kinerja.register.selectors import descendant_unit_ids

router = Router(tags=["indikator"])

SEES_WORKERS = {permissions.KASI}
SEES_UNITS = {permissions.KASI, permissions.PIMPINAN, permissions.EVALUATOR}


class PeriodQuery(Schema):
    unit: str | None = None  # kode unit; default: the user's own unit
    publik: bool = False  # the form that may leave the unit: small counts suppressed
    year: int | None = None
    mulai: dt.date | None = None  # first WIB date (inclusive)
    selesai: dt.date | None = None  # WIB date after the last (exclusive)
    worker: str | None = None  # username: the individual level
    kategori: str | None = None  # K1[,K2...]: the case measures over those case categories only


def _kategori(text: str | None) -> list[str] | None:
    """The `kategori` query parameter as codes (None: every category); an unknown code is a 400."""
    if not text:
        return None
    try:
        return kategori_codes(k.strip() for k in text.split(",") if k.strip())
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None


class Access:
    """The unit, period and worker a request may read, and whether process measures are included."""

    def __init__(self, request: HttpRequest, unit_code: str | None, worker_name: str | None) -> None:
        user = request.user
        role = permissions.role_of(user)
        own_unit = getattr(user, "unit_id", None)
        if role not in SEES_UNITS | {permissions.PEKSOS} or own_unit is None:
            raise HttpError(403, "Peran Anda tidak dapat melihat indikator / your role may not see indicators")
        unit = Unit.objects.filter(code=unit_code).first() if unit_code else Unit.objects.get(pk=own_unit)
        if unit is None:
            raise HttpError(404, "Unit tidak dikenal / unknown unit")
        worker: Staff | None = None
        if role == permissions.PEKSOS:
            if unit.pk != own_unit or (worker_name and worker_name != user.get_username()):
                raise HttpError(403, "Hanya indikator individu Anda sendiri / only your own individual indicators")
            worker = user  # type: ignore[assignment]
        else:
            allowed = set(descendant_unit_ids(own_unit))
            if unit.pk not in allowed:
                raise HttpError(403, "Unit di luar wewenang Anda / unit outside your remit")
            if worker_name:
                if role not in SEES_WORKERS:
                    raise HttpError(403, "Peran Anda hanya melihat agregat unit / your role sees unit aggregates only")
                worker = Staff.objects.filter(username=worker_name).first()
                if worker is None or worker.unit_id not in allowed:  # type: ignore[attr-defined]
                    raise HttpError(404, "Pekerja sosial tidak dikenal di unit ini / unknown worker in this unit")
        self.role = role
        self.unit = unit
        self.worker = worker

    def audience(self, publik: bool) -> gate.Audience:
        return gate.audience_for(self.role, publik, settings.KINERJA.suppression_k)


def _refuse(exc: gate.GateError) -> HttpError:
    return HttpError(exc.status, str(exc))


def _period(q: PeriodQuery, access: Access, kategori: list[str] | None = None) -> tuple[Period, gate.Audience]:
    """The period asked, checked by the gate for this audience before any figure is computed."""
    try:
        if q.year is None and q.mulai is None and q.selesai is None:
            raise ValueError("give year, or mulai and selesai")
        if q.year is not None:
            check_year(q.year)
        period = period_of(q.year, q.mulai, q.selesai)
    except ValueError as exc:
        raise HttpError(400, f"periode / period: {exc}") from None
    audience = access.audience(q.publik)
    try:
        gate.check_request(audience, period, access.worker, kategori)
    except gate.GateError as exc:
        raise _refuse(exc) from None
    return period, audience


@router.get("/measures", summary="Semua ukuran kinerja / every measure (indicators.md machine output)")
def measures(request: HttpRequest, q: Query[PeriodQuery]) -> dict[str, Any]:
    access = Access(request, q.unit, q.worker)
    kategori = _kategori(q.kategori)
    period, audience = _period(q, access, kategori)
    values = compute(access.unit, period, worker=access.worker, kategori=kategori)
    return gate.publish_figures(audience, access.unit, period,
                                machine_output(access.unit, period, values, kategori))


class ScorecardQuery(PeriodQuery):
    framework: str | None = None


@router.get("/scorecard", summary="Kartu kinerja menurut kerangka / a framework's scorecard")
def get_scorecard(request: HttpRequest, q: Query[ScorecardQuery]) -> dict[str, Any]:
    access = Access(request, q.unit, q.worker)
    kategori = _kategori(q.kategori)
    period, audience = _period(q, access, kategori)
    try:
        framework = fw_mod.get(q.framework)
    except fw_mod.FrameworkError as exc:
        raise HttpError(404, str(exc)) from None
    card = scorecard(access.unit, period, framework, worker=access.worker, kategori=kategori)
    return gate.publish_figures(audience, access.unit, period, card)


class TrendQuery(Schema):
    unit: str | None = None
    years: str  # e.g. 2016-2025
    measure: str
    worker: str | None = None
    publik: bool = False
    kategori: str | None = None  # K1[,K2...]


@router.get("/trend", summary="Tren satu ukuran per tahun / one measure over calendar years")
def get_trend(request: HttpRequest, q: Query[TrendQuery]) -> dict[str, Any]:
    access = Access(request, q.unit, q.worker)
    if q.measure not in defs.MEASURES:
        raise HttpError(404, f"ukuran tidak dikenal / unknown measure {q.measure!r}")
    try:
        years = parse_years(q.years)  # bounds checked before any list is built
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    kategori = _kategori(q.kategori)
    audience = access.audience(q.publik)
    try:
        gate.check_measure(audience, q.measure)
        gate.check_request(audience, None, access.worker, kategori)
    except gate.GateError as exc:
        raise _refuse(exc) from None
    series = trend(access.unit, years, q.measure, worker=access.worker, kategori=kategori)
    body: dict[str, Any] = {"unit": access.unit.code, "measure": q.measure,
                            "worker": access.worker.username if access.worker else None, "series": series}
    if kategori:
        body["kategori"] = kategori
    return gate.publish_figures(audience, access.unit, None, body)


@router.get("/frameworks", summary="Kerangka penilaian yang tersedia / available frameworks")
def list_frameworks(request: HttpRequest) -> list[dict[str, Any]]:
    if permissions.role_of(request.user) not in SEES_UNITS | {permissions.PEKSOS}:
        raise HttpError(403, "Peran Anda tidak dapat melihat indikator / your role may not see indicators")
    from django.utils.translation import get_language

    lang = get_language() or "id"
    try:
        found = fw_mod.load_all()
    except fw_mod.FrameworkError as exc:
        raise HttpError(500, str(exc)) from None
    return [fw_mod.describe(fw, lang) for fw in found.values()]
