"""Case register endpoints: pseudonymised only. Identity is never served by the API."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import P, Path, Query, Router, Schema

from kinerja.register import limits, selectors

router = Router(tags=["kasus"])


class CaseOut(Schema):
    id: int
    nomor_kasus: str
    unit: str
    anak: str
    kategori: str
    tingkat_risiko: str
    dilaporkan_pada: dt.datetime
    ditutup_pada: dt.datetime | None
    alasan_penutupan: str


def _out(case) -> CaseOut:  # type: ignore[no-untyped-def]
    return CaseOut(
        id=case.pk, nomor_kasus=case.number, unit=case.unit.code,
        anak=selectors.case_child_label(case),
        kategori=case.category, tingkat_risiko=case.risk, dilaporkan_pada=case.reported_at,
        ditutup_pada=case.closed_at, alasan_penutupan=case.closure_reason,
    )


@router.get("", response=list[CaseOut], summary="Kasus yang boleh dilihat pengguna / cases the user may see")
def list_cases(  # type: ignore[no-untyped-def]
    request,
    limit: Query[int, P(ge=1, le=limits.MAX_LIST_LIMIT)] = 50,
    offset: Query[int, P(ge=0, le=limits.MAX_OFFSET)] = 0,
):
    """Out-of-range `limit` or `offset` is refused (400) by the schema before this runs."""
    qs = selectors.cases_for(request.user).order_by("-reported_at", "pk")[offset: offset + limit]
    return [_out(c) for c in qs]


@router.get("/{case_id}", response=CaseOut, summary="Satu kasus / one case")
def get_case(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)]):  # type: ignore[no-untyped-def]
    return _out(get_object_or_404(selectors.cases_for(request.user), pk=case_id))
