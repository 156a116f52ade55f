"""Evidence endpoints, mounted at /api/bukti/. Roles are checked by the selectors and services:
transcripts (source text, search snippets, suggestions, quotes) for evaluators and section heads;
findings without text (source list, codebook, matrix counts, agreement) for pimpinan as well.

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

from kinerja.evidence import selectors, services
from kinerja.evidence.models import Code, Source

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
    except (Source.DoesNotExist, Code.DoesNotExist) as exc:
        raise HttpError(404, "Tidak ditemukan / not found") from exc
    except services.EvidenceInputError as exc:
        english = (translation.get_language() or "id").startswith("en")
        raise HttpError(400, " ".join(m.en if english else m.id for m in exc.messages)) from exc


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


@router.get("/sumber", response=list[SourceOut], summary="Daftar sumber (tanpa teks) / sources (metadata only)")
def list_sources(request):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.source_list(request.user)


@router.get("/sumber/{uid}/teks", response=SourceTextOut, summary="Teks satu sumber / one source's text")
def read_source(request, uid: uuid.UUID):  # type: ignore[no-untyped-def]
    with _errors():
        source, text = selectors.source_text(request.user, uid)
    return {"uid": str(source.uid), "judul": source.title, "jenis": source.type, "tanggal": source.date, "teks": text}


@router.get("/kode", response=list[CodeOut], summary="Buku kode / codebook")
def codebook(request):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.codebook(request.user)


@router.post("/koding", response={201: CodingOut}, summary="Tambah koding / add a coding")
def add_coding(request, payload: CodingIn):  # type: ignore[no-untyped-def]
    with _errors():
        services.require_workspace(request.user)
        source = Source.objects.get(uid=payload.sumber)
        code = Code.objects.get(uid=payload.kode)
        coding = services.add_coding(request.user, source, code, payload.mulai, payload.selesai,
                                     stance=payload.sikap, memo=payload.memo)
        text = services.source_text(source)
    return Status(201, {"uid": str(coding.uid), "sumber": str(source.uid), "kode": str(code.uid),
                        "mulai": coding.start, "selesai": coding.end, "sikap": coding.stance,
                        "pengkode": request.user.username, "kutipan": text[coding.start:coding.end]})


@router.get("/matriks", response=list[MatrixRowOut], summary="Matriks triangulasi / triangulation matrix")
def matrix(request, kutipan: Query[int, P(ge=0, le=MAX_QUOTES)] = 0):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.matrix(request.user, quotes=kutipan)


@router.get("/kesepakatan", response=list[AgreementOut], summary="Kesepakatan antarpengkode / inter-coder agreement")
def agreement(request, kode: Query[str | None, P(max_length=MAX_NAME_CHARS)] = None):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.agreement(request.user, kode)


@router.post("/cari", response=list[HitOut], summary="Cari di sumber (kata dasar) / search sources by stem")
def search(request, payload: SearchIn):  # type: ignore[no-untyped-def]
    with _errors():
        return selectors.search(request.user, payload.q, match_all=payload.semua_kata, limit=payload.batas)


@router.post("/saran-kode", response=list[SuggestionOut], summary="Saran kode untuk satu bagian / code suggestions")
def suggest(request, payload: SuggestIn):  # type: ignore[no-untyped-def]
    with _errors():
        if payload.teks:
            passage = payload.teks
        elif payload.sumber is not None and payload.mulai is not None and payload.selesai is not None:
            passage = selectors.passage(request.user, payload.sumber, payload.mulai, payload.selesai)
        else:
            raise services.EvidenceInputError([services.bilingual(
                _("Give a passage text, or a source with start and end offsets."))])
        return selectors.suggestions(request.user, passage, limit=payload.batas)
