"""Evidence endpoints, mounted at /api/bukti/, one evaluation at a time
(/api/bukti/evaluasi/{evaluasi}/..., by the evaluation's code or uid). Access is decided by
``evidence.access`` through the selectors and services: a role without evidence rights gets 403,
anyone outside the evaluation (a section head of another unit) 404.

Search and suggestions are POST: their input can be transcript text or a name, which must not
end up in a URL or an access log (domain.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import P, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from kinerja.evidence import access, selectors, services
from kinerja.evidence.models import Code, Coding, Evaluation, Source

router = Router(tags=["bukti"])

# Bounds on every request parameter, checked (by the schema, or before the body is read) before
# any work: out of range is a 400, never a 500 or a long search.
MAX_BODY_BYTES = 256 * 1024  # a JSON request body; the largest legitimate one is a passage to suggest for
MAX_QUERY_CHARS = 200  # search text
MAX_PASSAGE_CHARS = 20_000  # a passage sent for code suggestions
MAX_MEMO_CHARS = 10_000
MAX_NAME_CHARS = 200  # a code name
MAX_OFFSET = 100_000_000  # code points in one source; far above any transcript, inside every integer column
MAX_SEARCH_HITS = 500
MAX_SUGGESTIONS = 20
MAX_QUOTES = 10


def _body_limit(view: Any) -> Any:
    """Refuse an oversized body from its Content-Length, before Django reads or parses it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return JsonResponse({"detail": f"Isi permintaan terlalu besar (paling banyak {MAX_BODY_BYTES} byte) / "
                                           f"request body too large (at most {MAX_BODY_BYTES} bytes)"}, status=400)
        return view(request, *args, **kwargs)

    return wrapped


router.add_decorator(_body_limit, mode="view")


@contextmanager
def _errors() -> Iterator[None]:
    """Refusals as JSON errors: 403 for the role, 404 for a missing record, 400 for bad input
    (in the request's language)."""
    try:
        yield
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Forbidden") from exc
    except (Evaluation.DoesNotExist, Source.DoesNotExist, Code.DoesNotExist, Coding.DoesNotExist) as exc:
        raise HttpError(404, "Tidak ditemukan / not found") from exc
    except services.EvidenceInputError as exc:
        english = (translation.get_language() or "id").startswith("en")
        raise HttpError(400, " ".join(m.en if english else m.id for m in exc.messages)) from exc


class EvaluationOut(Schema):
    uid: str
    kode: str
    judul: str
    unit: str | None
    mulai: dt.date
    selesai: dt.date


class SourceOut(Schema):
    uid: str
    judul: str
    jenis: str
    tanggal: dt.date | None
    panjang: int
    berkas: str
    informan: list[str]
    peran_informan: list[str]
    koding: int


class SourceTextOut(Schema):
    uid: str
    judul: str
    jenis: str
    tanggal: dt.date | None
    teks: str


class CodeOut(Schema):
    uid: str
    nama: str
    nama_en: str
    induk: str | None
    kedalaman: int
    deskripsi_id: str
    deskripsi_en: str
    warna: str
    tautan: str
    dapat_dikode: bool
    koding: int


class CodingIn(Schema):
    sumber: uuid.UUID
    kode: uuid.UUID
    mulai: int = Field(ge=0, le=MAX_OFFSET)
    selesai: int = Field(ge=0, le=MAX_OFFSET)
    sikap: str = Field("netral", max_length=20)
    memo: str = Field("", max_length=MAX_MEMO_CHARS)


class CodingChangeIn(Schema):
    kode: uuid.UUID | None = None
    sikap: str | None = Field(None, max_length=20)
    memo: str | None = Field(None, max_length=MAX_MEMO_CHARS)
    mulai: int | None = Field(None, ge=0, le=MAX_OFFSET)
    selesai: int | None = Field(None, ge=0, le=MAX_OFFSET)


class HistoryOut(Schema):
    aksi: str
    oleh: str | None
    waktu: dt.datetime
    sebelum: dict[str, Any] | None
    sesudah: dict[str, Any] | None


class CodingOut(Schema):
    uid: str
    sumber: str
    kode: str
    mulai: int
    selesai: int
    sikap: str
    pengkode: str
    kutipan: str


class QuoteOut(Schema):
    sumber: str
    informan: list[str]
    sikap: str
    teks: str


class MatrixRowOut(Schema):
    kode: str
    jenis_sumber: dict[str, int]
    informan: dict[str, int]
    triangulasi_metode: bool
    triangulasi_sumber: bool
    konvergen: bool | None  # null: no non-neutral coding, no verdict ("tidak ada bukti")
    sikap: dict[str, int]
    kutipan: list[QuoteOut] | None = None


class AgreementOut(Schema):
    kode: str
    unit: int
    alpha: float | None
    persen_setuju: float | None
    kappa: dict[str, float | None]


class SearchIn(Schema):
    q: str = Field(max_length=MAX_QUERY_CHARS)
    semua_kata: bool = True
    batas: int = Field(50, ge=1, le=MAX_SEARCH_HITS)


class HitOut(Schema):
    uid: str
    judul: str
    skor: float
    posisi: list[list[int]]
    cuplikan: str


class SuggestIn(Schema):
    teks: str | None = Field(None, max_length=MAX_PASSAGE_CHARS)
    sumber: uuid.UUID | None = None
    mulai: int | None = Field(None, ge=0, le=MAX_OFFSET)
    selesai: int | None = Field(None, ge=0, le=MAX_OFFSET)
    batas: int = Field(5, ge=1, le=MAX_SUGGESTIONS)


class SuggestionOut(Schema):
    uid: str
    kode: str
    skor: float
    kata: list[str]


def _evaluation(request: Any, key: str) -> Evaluation:
    return access.get(request.user, key)


def _coding_out(coding: Coding, username: str) -> dict[str, Any]:
    text = services.source_text(coding.source)
    return {"uid": str(coding.uid), "sumber": str(coding.source.uid), "kode": str(coding.code.uid),
            "mulai": coding.start, "selesai": coding.end, "sikap": coding.stance,
            "pengkode": username, "kutipan": text[coding.start:coding.end]}


EV = "/evaluasi/{evaluasi}"


@router.get("/evaluasi", response=list[EvaluationOut], summary="Evaluasi yang boleh dibuka / evaluations one may open")
def list_evaluations(request):  # type: ignore[no-untyped-def]
    with _errors():
        return [{"uid": str(e.uid), "kode": e.code, "judul": e.title, "unit": e.unit.code if e.unit else None,
                 "mulai": e.period_start, "selesai": e.period_end} for e in selectors.evaluations(request.user)]


@router.get(EV + "/sumber", response=list[SourceOut], summary="Daftar sumber (tanpa teks) / sources (metadata only)")
def list_sources(request, evaluasi: str):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.source_list(request.user, _evaluation(request, evaluasi))


@router.get(EV + "/sumber/{uid}/teks", response=SourceTextOut, summary="Teks satu sumber / one source's text")
def read_source(request, evaluasi: str, uid: uuid.UUID):  # type: ignore[no-untyped-def]
    with _errors():
        source, text = selectors.source_text(request.user, _evaluation(request, evaluasi), uid)
    return {"uid": str(source.uid), "judul": source.title, "jenis": source.type, "tanggal": source.date, "teks": text}


@router.get(EV + "/kode", response=list[CodeOut], summary="Buku kode / codebook")
def codebook(request, evaluasi: str):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.codebook(request.user, _evaluation(request, evaluasi))


@router.post(EV + "/koding", response={201: CodingOut}, summary="Tambah koding / add a coding")
def add_coding(request, evaluasi: str, payload: CodingIn):  # type: ignore[no-untyped-def]
    with _errors():
        evaluation = _evaluation(request, evaluasi)
        source = Source.objects.get(evaluation=evaluation, uid=payload.sumber)
        code = Code.objects.get(evaluation=evaluation, uid=payload.kode)
        coding = services.add_coding(request.user, source, code, payload.mulai, payload.selesai,
                                     stance=payload.sikap, memo=payload.memo)
        return Status(201, _coding_out(coding, request.user.username))


@router.patch(EV + "/koding/{uid}", response=CodingOut, summary="Ubah koding / change a coding")
def change_coding(request, evaluasi: str, uid: uuid.UUID, payload: CodingChangeIn):  # type: ignore[no-untyped-def]
    with _errors():
        evaluation = _evaluation(request, evaluasi)
        coding = selectors.coding(request.user, evaluation, uid)
        code = Code.objects.get(evaluation=evaluation, uid=payload.kode) if payload.kode else None
        coding = services.change_coding(request.user, coding, code=code, stance=payload.sikap, memo=payload.memo,
                                        start=payload.mulai, end=payload.selesai)
        return _coding_out(coding, coding.coder.username)


@router.delete(EV + "/koding/{uid}", response={204: None}, summary="Hapus koding (tetap di riwayat) / remove a coding")
def remove_coding(request, evaluasi: str, uid: uuid.UUID):  # type: ignore[no-untyped-def]
    with _errors():
        coding = selectors.coding(request.user, _evaluation(request, evaluasi), uid)
        services.remove_coding(request.user, coding)
    return Status(204, None)


@router.get(EV + "/koding/{uid}/riwayat", response=list[HistoryOut], summary="Riwayat koding / a coding's history")
def coding_history(request, evaluasi: str, uid: uuid.UUID):  # type: ignore[no-untyped-def]
    with _errors():
        evaluation = _evaluation(request, evaluasi)
        coding = selectors.coding(request.user, evaluation, uid, removed=True)
        return [{"aksi": h.action, "oleh": h.by.username if h.by else None, "waktu": h.at, "sebelum": h.before,
                 "sesudah": h.after} for h in selectors.coding_history(request.user, evaluation, coding)]


@router.get(EV + "/matriks", response=list[MatrixRowOut], summary="Matriks triangulasi / triangulation matrix")
def matrix(request, evaluasi: str, kutipan: Query[int, P(ge=0, le=MAX_QUOTES)] = 0):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.matrix(request.user, _evaluation(request, evaluasi), quotes=kutipan)


@router.get(EV + "/kesepakatan", response=list[AgreementOut], summary="Kesepakatan antarpengkode / inter-coder agreement")
def agreement(request, evaluasi: str, kode: Query[str | None, P(max_length=MAX_NAME_CHARS)] = None,  # type: ignore[no-untyped-def]
              pengkode: Query[str | None, P(max_length=2000)] = None):
    """``pengkode``: usernames separated by commas (default: every coder of the evaluation)."""
    with _errors():
        coders = [c.strip() for c in pengkode.split(",") if c.strip()] if pengkode else None
        return selectors.agreement(request.user, _evaluation(request, evaluasi), kode, coders=coders)


@router.post(EV + "/cari", response=list[HitOut], summary="Cari di sumber (kata dasar) / search sources by stem")
def search(request, evaluasi: str, payload: SearchIn):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.search(request.user, _evaluation(request, evaluasi), payload.q,
                                match_all=payload.semua_kata, limit=payload.batas)


@router.post(EV + "/saran-kode", response=list[SuggestionOut], summary="Saran kode untuk satu bagian / code suggestions")
def suggest(request, evaluasi: str, payload: SuggestIn):  # type: ignore[no-untyped-def]
    with _errors():
        evaluation = _evaluation(request, evaluasi)
        if payload.teks:
            passage = payload.teks
        elif payload.sumber is not None and payload.mulai is not None and payload.selesai is not None:
            passage = selectors.passage(request.user, evaluation, payload.sumber, payload.mulai, payload.selesai)
        else:
            raise services.EvidenceInputError([services.bilingual(
                _("Give a passage text, or a source with start and end offsets."))])
        return selectors.suggestions(request.user, evaluation, passage, limit=payload.batas)
