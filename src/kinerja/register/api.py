"""Case register endpoints: pseudonymised only. Identity is never served by the API; it may be
sent in to register a case, and is then encrypted like any other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, P, Path, Query, Router, Schema
from ninja.security import HttpBearer, django_auth
from pydantic import StringConstraints

from kinerja.register import casework, limits, permissions, selectors
from kinerja.register.models import Action as ActionRecord
from kinerja.register.models import Approval, Case, Referral


class TokenAuth(HttpBearer):
    """`Authorization: Bearer knj_...`: a personal token (made on the token page); no CSRF, as no
    browser sends it on its own."""

    def authenticate(self, request, token):  # type: ignore[no-untyped-def]
        return casework.user_for_token(token)


WRITE_AUTH = [TokenAuth(), django_auth]


# every operation, reads included, takes the session (with CSRF for writes) or a personal token
router = Router(tags=["kasus"], auth=WRITE_AUTH)


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
    qs = selectors.cases_for(request.auth).order_by("-reported_at", "pk")[offset: offset + limit]
    return [_out(c) for c in qs]


@router.get("/{case_id}", response=CaseOut, summary="Satu kasus / one case")
def get_case(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)]):  # type: ignore[no-untyped-def]
    return _out(get_object_or_404(selectors.cases_for(request.auth), pk=case_id))


# -- writes (kinerja.register.casework): session with CSRF, or a personal token ------------------

# text without NUL (PostgreSQL refuses it) within the register's column lengths
Code = Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z_A-Z]*$")]
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
LongText = Annotated[str, StringConstraints(max_length=casework.MAX_NOTES, pattern=r"^[^\x00]*$")]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
Money = Annotated[int, Field(ge=0, le=10**15)]
Age = Annotated[int, Field(ge=0, le=99)]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class ConflictOut(Schema):
    detail: str
    current: dict[str, Any]


ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _call(fn: Callable[[], Any]) -> Any:
    """Run one write; refusals as (status, body): 400 per-field bilingual, 403 role, 404 a record
    the user may not open, 409 a newer version (with its current values)."""
    try:
        return fn()
    except casework.Invalid as exc:
        return 400, {"detail": "Masukan tidak sah / invalid input", "errors": exc.bilingual()}
    except casework.Conflict as exc:
        return 409, {"detail": str(exc), "current": exc.current}
    except PermissionDenied as exc:
        return 403, {"detail": f"{exc} / your role may not do this" if str(exc) else "Ditolak / forbidden"}
    except ObjectDoesNotExist:
        return 404, {"detail": "Tidak ditemukan / not found"}


def _case(request, case_id: int) -> Case:  # type: ignore[no-untyped-def]
    return selectors.cases_for(request.auth).get(pk=case_id)


class CaseIn(Schema):
    nomor_kasus: Text
    kategori: Code
    sumber_rujukan: Code
    tingkat_risiko: Code
    dilaporkan_pada: dt.datetime | None = None
    jenis_kelamin: Annotated[str, StringConstraints(max_length=1, pattern=r"^[LP]?$")] = ""
    tanggal_lahir: dt.date | None = None
    usia: Age | None = None
    disabilitas: bool | None = None
    kecamatan: Text = ""
    persetujuan: bool = False
    peksos: Text = ""
    anak: Text = ""
    nama_anak: Text = ""
    nik: Annotated[str, StringConstraints(max_length=20, pattern=r"^[0-9 ]*$")] = ""
    kk: Text = ""
    alamat: Text = ""
    orang_tua: Text = ""
    telepon: Text = ""
    anak_baru: bool = False


class RegisteredOut(Schema):
    kasus: CaseOut
    versi: int
    anak_baru: bool
    nik_sama: list[str]
    nik_sama_di_unit_lain: bool


class CasePatch(Schema):
    versi: Version
    nomor_kasus: Text | None = None
    kategori: Code | None = None
    sumber_rujukan: Code | None = None
    tingkat_risiko: Code | None = None
    dilaporkan_pada: dt.datetime | None = None
    persetujuan: bool | None = None
    usia: Age | None = None
    kecamatan: Text | None = None
    disabilitas: bool | None = None


class CaseVersionOut(Schema):
    kasus: CaseOut
    versi: int
    peksos: str | None


class ActionIn(Schema):
    tahap: Code
    layanan: Code = ""
    waktu: dt.datetime | None = None
    biaya: Money | None = None
    kendala: Code = ""
    catatan: LongText | None = None


class ActionPatch(Schema):
    versi: Version
    tahap: Code | None = None
    layanan: Code | None = None
    waktu: dt.datetime | None = None
    biaya: Money | None = None
    kendala: Code | None = None
    catatan: LongText | None = None


class ActionOut(Schema):
    id: int
    kasus: int
    tahap: str
    layanan: str
    waktu: dt.datetime
    biaya: int | None
    kendala: str
    petugas: str | None
    disetujui_pada: dt.datetime | None
    ada_catatan: bool
    versi: int


def _action_out(a: ActionRecord) -> dict[str, Any]:
    return {"id": a.pk, "kasus": a.case_id, "tahap": a.stage, "layanan": a.service, "waktu": a.time,
            "biaya": a.cost, "kendala": a.obstacle, "petugas": a.staff.username if a.staff_id else None,
            "disetujui_pada": a.approved_at, "ada_catatan": a.notes_enc is not None, "versi": a.version}


class ReferralIn(Schema):
    mitra: Code
    dikirim_pada: dt.datetime | None = None


class ReferralPatch(Schema):
    versi: Version
    mitra: Code | None = None
    dikirim_pada: dt.datetime | None = None
    diterima_pada: dt.datetime | None = None
    hasil: Code | None = None


class ReferralOut(Schema):
    id: int
    kasus: int
    mitra: str
    dikirim_pada: dt.datetime
    diterima_pada: dt.datetime | None
    hasil: str
    versi: int


def _referral_out(r: Referral) -> dict[str, Any]:
    return {"id": r.pk, "kasus": r.case_id, "mitra": r.partner, "dikirim_pada": r.sent_at,
            "diterima_pada": r.acknowledged_at, "hasil": r.result, "versi": r.version}


class PlanIn(Schema):
    waktu: dt.datetime | None = None
    catatan: LongText | None = None


class ClosureIn(Schema):
    alasan_penutupan: Code
    ditutup_pada: dt.datetime | None = None


class DecisionIn(Schema):
    versi: Version
    setuju: bool
    komentar: Annotated[str, StringConstraints(max_length=casework.MAX_COMMENT, pattern=r"^[^\x00]*$")] = ""


class AssignIn(Schema):
    versi: Version
    peksos: Text


class ApprovalOut(Schema):
    id: int
    kasus: int
    jenis: str
    tindakan: int | None
    diajukan_oleh: str | None
    diajukan_pada: dt.datetime
    ditutup_pada: dt.datetime | None
    alasan_penutupan: str
    keputusan: str
    diputuskan_oleh: str | None
    diputuskan_pada: dt.datetime | None
    versi: int


def _approval_out(p: Approval) -> dict[str, Any]:
    return {"id": p.pk, "kasus": p.case_id, "jenis": p.kind, "tindakan": p.action_id,
            "diajukan_oleh": p.proposed_by.username if p.proposed_by_id else None, "diajukan_pada": p.proposed_at,
            "ditutup_pada": p.closed_at, "alasan_penutupan": p.closure_reason, "keputusan": p.decision,
            "diputuskan_oleh": p.decided_by.username if p.decided_by_id else None,
            "diputuskan_pada": p.decided_at, "versi": p.version}


def _case_version_out(case: Case) -> dict[str, Any]:
    return {"kasus": _out(case), "versi": case.version, "peksos": case.worker.username if case.worker_id else None}


def _set(payload: Schema, exclude: set[str]) -> dict[str, Any]:
    """The fields a PATCH names (explicitly null included: `diterima_pada: null` clears it)."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if k not in exclude}


@router.post("", response={201: RegisteredOut, **ERRORS}, auth=WRITE_AUTH,
             summary="Daftarkan kasus (anak baru atau dikenal) / register a case (new or known child)")
def register_case(request, payload: CaseIn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        done = casework.register_case(request.auth, **payload.dict())
        case = selectors.cases_for(request.auth).filter(pk=done.case.pk).first() or done.case
        return 201, {"kasus": _out(case), "versi": case.version, "anak_baru": done.new_child,
                     "nik_sama": done.same_nik, "nik_sama_di_unit_lain": done.same_nik_elsewhere}
    return _call(run)


@router.patch("/{case_id}", response={200: CaseVersionOut, **ERRORS, 409: ConflictOut}, auth=WRITE_AUTH,
              summary="Koreksi kasus (dengan versinya) / correct a case (with its version)")
def correct_case(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: CasePatch):  # type: ignore[no-untyped-def]
    def run() -> Any:
        case = casework.correct_case(request.auth, _case(request, case_id), versi=payload.versi,
                                     **_set(payload, {"versi"}))
        return 200, _case_version_out(case)
    return _call(run)


@router.post("/{case_id}/petugas", response={200: CaseVersionOut, **ERRORS, 409: ConflictOut}, auth=WRITE_AUTH,
             summary="Tugaskan pekerja sosial (kepala seksi) / assign a social worker (section head)")
def assign_worker(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: AssignIn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        case = casework.assign_worker(request.auth, _case(request, case_id), versi=payload.versi,
                                      peksos=payload.peksos)
        return 200, _case_version_out(case)
    return _call(run)


@router.post("/{case_id}/tindakan", response={201: ActionOut, **ERRORS}, auth=WRITE_AUTH,
             summary="Catat tindakan / record an action")
def record_action(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: ActionIn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        return 201, _action_out(casework.record_action(request.auth, _case(request, case_id), **payload.dict()))
    return _call(run)


@router.patch("/tindakan/{action_id}", response={200: ActionOut, **ERRORS, 409: ConflictOut}, auth=WRITE_AUTH,
              summary="Koreksi tindakan / correct an action")
def correct_action(request, action_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: ActionPatch):  # type: ignore[no-untyped-def]
    def run() -> Any:
        action = ActionRecord.objects.select_related("case").get(
            pk=action_id, case__in=selectors.cases_for(request.auth))
        return 200, _action_out(casework.correct_action(request.auth, action, versi=payload.versi,
                                                        **_set(payload, {"versi"})))
    return _call(run)


@router.post("/{case_id}/rujukan", response={201: ReferralOut, **ERRORS}, auth=WRITE_AUTH,
             summary="Kirim rujukan / send a referral")
def send_referral(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: ReferralIn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        return 201, _referral_out(casework.send_referral(request.auth, _case(request, case_id), **payload.dict()))
    return _call(run)


@router.patch("/rujukan/{referral_id}", response={200: ReferralOut, **ERRORS, 409: ConflictOut}, auth=WRITE_AUTH,
              summary="Tanggapan dan hasil rujukan, atau koreksi / a referral's acknowledgement and result")
def update_referral(request, referral_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: ReferralPatch):  # type: ignore[no-untyped-def]
    def run() -> Any:
        referral = Referral.objects.select_related("case").get(
            pk=referral_id, case__in=selectors.cases_for(request.auth))
        return 200, _referral_out(casework.update_referral(request.auth, referral, versi=payload.versi,
                                                           **_set(payload, {"versi"})))
    return _call(run)


@router.post("/{case_id}/rencana", response={201: ApprovalOut, **ERRORS}, auth=WRITE_AUTH,
             summary="Ajukan rencana intervensi / submit a case plan")
def submit_plan(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: PlanIn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        return 201, _approval_out(casework.submit_plan(request.auth, _case(request, case_id), **payload.dict()))
    return _call(run)


@router.post("/{case_id}/penutupan", response={201: ApprovalOut, **ERRORS}, auth=WRITE_AUTH,
             summary="Ajukan penutupan kasus / propose a closure")
def propose_closure(request, case_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: ClosureIn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        return 201, _approval_out(casework.propose_closure(request.auth, _case(request, case_id), **payload.dict()))
    return _call(run)


@router.post("/persetujuan/{approval_id}", response={200: ApprovalOut, **ERRORS, 409: ConflictOut},
             auth=WRITE_AUTH, summary="Setujui atau kembalikan (kepala seksi) / approve or return (section head)")
def decide(request, approval_id: Path[int, P(ge=1, le=limits.MAX_ID)], payload: DecisionIn):  # type: ignore[no-untyped-def]
    def run() -> Any:
        permissions.require(request.auth, permissions.CAN_APPROVE, "menyetujui / approve")
        approval = Approval.objects.select_related("case").get(
            pk=approval_id, case__in=selectors.cases_for(request.auth))
        return 200, _approval_out(casework.decide(request.auth, approval, versi=payload.versi,
                                                  setuju=payload.setuju, komentar=payload.komentar))
    return _call(run)
