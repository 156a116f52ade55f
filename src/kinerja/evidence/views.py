"""The evaluation workspace in the browser: thin views over ``evidence.services`` (writes) and
``evidence.selectors`` (reads). Every page of an evaluation opens it through ``evidence.access``
(a person outside it gets 404, a role without evidence rights 403). Search text and transcript
passages travel in POST bodies, never in a URL.

The reader shows a source's text exactly as stored (code points), split into paragraphs and coded
stretches, with no character added between them: the browser script counts the selection's
position in that text and sends it as code-point offsets."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinerja.evidence import access, exchange, selectors, services
from kinerja.evidence.analysis.agreement import paragraph_units
from kinerja.evidence.analysis.records import EvidenceError
from kinerja.evidence.models import SOURCE_TYPES, STANCES, Code, Coding, Evaluation, Source
from kinerja.register import permissions
from kinerja.register.models import Unit

MAX_QUERY_CHARS = 200
MAX_MEMO_CHARS = 10_000
EXPORTS = {"qdpx": ("application/zip", "qdpx"), "qdc": ("application/xml", "qdc"),
           "csv": ("text/csv; charset=utf-8", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")}


# --------------------------------------------------------------------------- helpers


def _evaluation(request: Any, key: str) -> Evaluation:
    """The evaluation of the URL, as the signed-in person may open it; otherwise 404 (or 403 for a
    role that never works with evidence)."""
    try:
        return access.get(request.user, key)
    except Evaluation.DoesNotExist as exc:
        raise Http404("evaluation") from exc


def _messages(request: Any, exc: EvidenceError) -> list[str]:
    english = (request.LANGUAGE_CODE or "id").startswith("en")
    return [m.en if english else m.id for m in exc.messages]


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _base(evaluation: Evaluation, tab: str, **extra: Any) -> dict[str, Any]:
    return {"evaluation": evaluation, "tab": tab, "source_types": SOURCE_TYPES, "stances": STANCES, **extra}


def _code(evaluation: Evaluation, uid: Any) -> Code:
    try:
        return Code.objects.get(evaluation=evaluation, uid=uid)
    except (Code.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("code") from exc


def _source(evaluation: Evaluation, uid: Any) -> Source:
    try:
        return Source.objects.get(evaluation=evaluation, uid=uid)
    except (Source.DoesNotExist, ValueError) as exc:
        raise Http404("source") from exc


def _coding(request: Any, evaluation: Evaluation, uid: Any, *, removed: bool = False) -> Coding:
    try:
        return selectors.coding(request.user, evaluation, uid, removed=removed)
    except Coding.DoesNotExist as exc:
        raise Http404("coding") from exc


# --------------------------------------------------------------------------- evaluations


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_list(request):  # type: ignore[no-untyped-def]
    """The evaluations one may open; evaluators and section heads start new ones here."""
    rows = selectors.evaluations(request.user)
    role = permissions.role_of(request.user)
    units = Unit.objects.order_by("code")
    if role == permissions.KASI:
        units = units.filter(pk=request.user.unit_id)
    errors: list[str] = []
    form = {"kode": "", "judul": "", "unit": "", "mulai": "", "selesai": ""}
    status = 200
    if request.method == "POST":
        form = {k: (request.POST.get(k) or "").strip() for k in form}
        unit = units.filter(code=form["unit"]).first()
        try:
            start, end = date.fromisoformat(form["mulai"]), date.fromisoformat(form["selesai"])
        except ValueError:
            errors.append(_("Dates must be given as YYYY-MM-DD."))
        if not errors:
            try:
                evaluation = services.create_evaluation(request.user, code=form["kode"], title=form["judul"],
                                                        unit=unit, period_start=start, period_end=end)
                return redirect("evidence:sources", evaluasi=evaluation.code)
            except EvidenceError as exc:
                errors = _messages(request, exc)
        status = 400
    return render(request, "kinerja/evidence/evaluations.html",
                  {"rows": rows, "units": units, "errors": errors, "form": form}, status=status)


# --------------------------------------------------------------------------- sources and informants


@login_required
@require_GET
def sources(request, evaluasi: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    return _sources_page(request, evaluation)


def _sources_page(request: Any, evaluation: Evaluation, errors: list[str] | None = None,
                  notes: list[str] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "kinerja/evidence/sources.html", _base(
        evaluation, "sources", rows=selectors.source_list(request.user, evaluation),
        informants=selectors.informants(request.user, evaluation), errors=errors or [], notes=notes or [],
        members=evaluation.members.order_by("username")), status=status)


@login_required
@require_POST
def upload(request, evaluasi: str):  # type: ignore[no-untyped-def]
    """Import the uploaded files (.txt .md .docx .pdf) as sources of one type: all or none."""
    evaluation = _evaluation(request, evaluasi)
    files = [(f.name, f.read()) for f in request.FILES.getlist("berkas")]
    when = (request.POST.get("tanggal") or "").strip()
    title = (request.POST.get("judul") or "").strip()
    try:
        source_date = date.fromisoformat(when) if when else None
    except ValueError:
        return _sources_page(request, evaluation, [_("Dates must be given as YYYY-MM-DD.")], status=400)
    try:
        result = services.import_sources(
            request.user, evaluation, files, source_type=request.POST.get("jenis") or "",
            informants=request.POST.getlist("informan"), source_date=source_date,
            titles=[title] if title and len(files) == 1 else None)
    except EvidenceError as exc:
        return _sources_page(request, evaluation, _messages(request, exc), status=400)
    english = (request.LANGUAGE_CODE or "id").startswith("en")
    notes = [n.en if english else n.id for n in result.notes]
    if len(result.sources) == 1 and not notes:
        return redirect("evidence:reader", evaluasi=evaluation.code, source=result.sources[0].uid)
    return _sources_page(request, evaluation, notes=notes)


@login_required
@require_http_methods(["GET", "POST"])
def informants(request, evaluasi: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            services.add_informant(
                request.user, evaluation, p.get("kode") or "", role=p.get("peran") or "",
                key_informant=p.get("kunci") == "1", sampling_reason=p.get("alasan") or "",
                is_child=p.get("anak") == "1", initials=p.get("inisial") or "",
                age=_int(p.get("umur")) if (p.get("umur") or "").strip() else None,
                consent_recorded=p.get("persetujuan") == "1")
            return redirect("evidence:informants", evaluasi=evaluation.code)
        except EvidenceError as exc:
            errors, status = _messages(request, exc), 400
    return render(request, "kinerja/evidence/informants.html", _base(
        evaluation, "informants", rows=selectors.informants(request.user, evaluation), errors=errors),
        status=status)


# --------------------------------------------------------------------------- the reader


def reader_html(text: str, codings: list[dict[str, Any]]) -> SafeString:
    """The text as paragraphs (``span.para``, the units agreement compares) cut at every coding's
    start and end; a coded stretch is a ``mark`` naming its codes. Nothing is added between the
    pieces, so the element's text is the source's text, character for character."""
    cuts = {0, len(text)}
    paras = paragraph_units(text)
    for a, b in paras:
        cuts |= {a, b}
    for c in codings:
        cuts |= {c["mulai"], c["selesai"]}
    points = sorted(x for x in cuts if 0 <= x <= len(text))
    para_of: dict[int, int] = {}
    for i, (a, b) in enumerate(paras):
        for x in points:
            if a <= x < b:
                para_of[x] = i
    out: list[str] = []
    open_para: int | None = None
    for a, b in zip(points, points[1:], strict=False):
        here = para_of.get(a)
        if here != open_para:
            if open_para is not None:
                out.append("</span>")
            if here is not None:
                out.append(f'<span class="para" data-para="{here}">')
            open_para = here
        piece = escape(text[a:b])
        names = sorted({c["kode"] for c in codings if c["mulai"] <= a and b <= c["selesai"]})
        if names:
            label = escape(", ".join(names))
            out.append(f'<mark class="coded" title="{label}" data-codes="{label}">{piece}</mark>')
        else:
            out.append(piece)
    if open_para is not None:
        out.append("</span>")
    return mark_safe("".join(out))  # every piece of text above went through escape()


def _reader_context(request: Any, evaluation: Evaluation, source: Source, **extra: Any) -> dict[str, Any]:
    _src, text = selectors.source_text(request.user, evaluation, source.uid)
    codings = selectors.source_codings(request.user, evaluation, source)
    codes = selectors.codebook(request.user, evaluation)
    return _base(evaluation, "sources", source=source, text_html=reader_html(text, codings), codings=codings,
                 codes=codes, codable=[r for r in codes if r["dapat_dikode"]], length=len(text),
                 errors=extra.pop("errors", []), **extra)


@login_required
@require_GET
@never_cache
def reader(request, evaluasi: str, source: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    src = _source(evaluation, source)
    return render(request, "kinerja/evidence/reader.html", _reader_context(request, evaluation, src))


def _panel(request: Any, evaluation: Evaluation, source: Source, errors: list[str] | None = None,
           status: int = 200) -> HttpResponse:
    """The reader's text and coding list (what htmx swaps in after a change), or the whole page
    when the browser sent a plain form."""
    context = _reader_context(request, evaluation, source, errors=errors or [])
    template = "kinerja/evidence/_reader_panel.html" if request.htmx else "kinerja/evidence/reader.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
@never_cache
def suggest(request, evaluasi: str, source: str):  # type: ignore[no-untyped-def]
    """The picker's ranked code suggestions for the selected stretch."""
    evaluation = _evaluation(request, evaluasi)
    src = _source(evaluation, source)
    start, end = _int(request.POST.get("mulai")), _int(request.POST.get("selesai"))
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    try:
        if start is None or end is None:
            raise services.refuse(_("Select a passage of the text first."))
        passage = selectors.passage(request.user, evaluation, src.uid, start, end)
        rows = selectors.suggestions(request.user, evaluation, passage, limit=5)
    except EvidenceError as exc:
        errors = _messages(request, exc)
    return render(request, "kinerja/evidence/_suggestions.html", {"rows": rows, "errors": errors},
                  status=400 if errors else 200)


@login_required
@require_POST
@never_cache
def add_coding(request, evaluasi: str, source: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    src = _source(evaluation, source)
    start, end = _int(request.POST.get("mulai")), _int(request.POST.get("selesai"))
    memo = (request.POST.get("memo") or "")[:MAX_MEMO_CHARS]
    try:
        if start is None or end is None:
            raise services.refuse(_("Select a passage of the text first."))
        code = Code.objects.filter(evaluation=evaluation, uid=request.POST.get("kode") or None).first() \
            if _is_uuid(request.POST.get("kode")) else None
        if code is None:
            raise services.refuse(_("Choose a code for the passage."))
        services.add_coding(request.user, src, code, start, end, stance=request.POST.get("sikap") or "netral",
                            memo=memo)
    except EvidenceError as exc:
        return _panel(request, evaluation, src, _messages(request, exc), status=400)
    return _panel(request, evaluation, src)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
@require_POST
@never_cache
def change_coding(request, evaluasi: str, coding: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    obj = _coding(request, evaluation, coding)
    code = _code(evaluation, request.POST["kode"]) if _is_uuid(request.POST.get("kode")) else None
    try:
        services.change_coding(request.user, obj, code=code, stance=request.POST.get("sikap") or None,
                               memo=(request.POST.get("memo") or "")[:MAX_MEMO_CHARS] if "memo" in request.POST else None)
    except EvidenceError as exc:
        return _panel(request, evaluation, obj.source, _messages(request, exc), status=400)
    return _panel(request, evaluation, obj.source)


@login_required
@require_POST
@never_cache
def remove_coding(request, evaluasi: str, coding: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    obj = _coding(request, evaluation, coding)
    try:
        services.remove_coding(request.user, obj)
    except EvidenceError as exc:
        return _panel(request, evaluation, obj.source, _messages(request, exc), status=400)
    return _panel(request, evaluation, obj.source)


@login_required
@require_GET
def coding_history(request, evaluasi: str, coding: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    obj = _coding(request, evaluation, coding, removed=True)
    return render(request, "kinerja/evidence/history.html", _base(
        evaluation, "sources", coding=obj, rows=selectors.coding_history(request.user, evaluation, obj)))


# --------------------------------------------------------------------------- codebook


@login_required
@require_http_methods(["GET", "POST"])
def codebook(request, evaluasi: str):  # type: ignore[no-untyped-def]
    """The code tree; POST ``aksi`` = tambah (add), ubah (rename, describe, link), pindah (move),
    gabung (merge into another)."""
    evaluation = _evaluation(request, evaluasi)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        p = request.POST
        action = p.get("aksi") or ""
        try:
            parent = _code(evaluation, p["induk"]) if _is_uuid(p.get("induk")) else None
            if action == "tambah":
                services.add_code(request.user, evaluation, p.get("nama") or "", parent=parent,
                                  description=p.get("deskripsi") or "", link=p.get("tautan") or "",
                                  colour=p.get("warna") or "")
            else:
                code = _code(evaluation, p.get("kode"))
                if action == "ubah":
                    services.edit_code(request.user, code, name=p.get("nama"), description=p.get("deskripsi"),
                                       link=p.get("tautan"))
                elif action == "pindah":
                    services.move_code(request.user, code, parent)
                elif action == "gabung":
                    services.merge_codes(request.user, code, _code(evaluation, p.get("ke")))
                else:
                    raise services.refuse(_("Unknown codebook action."))
            return redirect("evidence:codebook", evaluasi=evaluation.code)
        except EvidenceError as exc:
            errors, status = _messages(request, exc), 400
    rows = selectors.codebook(request.user, evaluation)
    return render(request, "kinerja/evidence/codebook.html", _base(
        evaluation, "codebook", rows=rows, errors=errors, links=_link_choices(request)), status=status)


def _link_choices(request: Any) -> list[tuple[str, str]]:
    """What a code can be linked to, named: every framework's dimensions, every measure of the
    indicator spec, and the inhibiting factors."""
    from kinerja.indicators import definitions, frameworks

    lang = "en" if (request.LANGUAGE_CODE or "id").startswith("en") else "id"
    rows: dict[str, str] = {}
    for fw in frameworks.load_all().values():
        for d in fw.dimensions:
            rows.setdefault(f"dimensi:{d.id}", f"{d.name(lang)} ({fw.name(lang)})")
        for i in fw.inhibitors:
            if i.obstacle:
                rows.setdefault(f"kendala:{i.obstacle}", i.name(lang))
    for mid, measure in definitions.MEASURES.items():
        rows.setdefault(f"measure:{mid}", measure.name(lang))
    return sorted(rows.items())


# --------------------------------------------------------------------------- analysis


@login_required
@require_GET
@never_cache
def matrix(request, evaluasi: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    rows = selectors.matrix(request.user, evaluation, quotes=2)
    for r in rows:
        r["tipe"] = [r["jenis_sumber"].get(t, 0) for t, _l in SOURCE_TYPES]
    return render(request, "kinerja/evidence/matrix.html", _base(evaluation, "matrix", rows=rows))


@login_required
@require_GET
def agreement(request, evaluasi: str):  # type: ignore[no-untyped-def]
    """Agreement per code between the chosen coders (default: those who coded every source)."""
    evaluation = _evaluation(request, evaluasi)
    everyone = selectors.coders(request.user, evaluation)
    chosen = [c for c in request.GET.getlist("pengkode") if c in everyone] or \
        selectors.default_coders(request.user, evaluation)
    rows = selectors.agreement(request.user, evaluation, coders=chosen, digits=3) if len(chosen) >= 2 else []
    pairs = sorted({p for r in rows for p in r["kappa"]})
    table = [{**r, "kappas": [r["kappa"].get(p) for p in pairs]} for r in rows]
    return render(request, "kinerja/evidence/agreement.html", _base(
        evaluation, "agreement", rows=table, pairs=pairs, everyone=everyone, chosen=chosen))


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def search(request, evaluasi: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    q = (request.POST.get("q") or "").strip() if request.method == "POST" else ""
    errors: list[str] = []
    hits: list[dict[str, Any]] = []
    if len(q) > MAX_QUERY_CHARS:
        errors = [_("The search text is too long (at most %(n)s characters).") % {"n": MAX_QUERY_CHARS}]
    elif q:
        hits = selectors.search(request.user, evaluation, q, match_all=request.POST.get("semua") != "0", limit=50)
    template = "kinerja/evidence/_hits.html" if request.htmx else "kinerja/evidence/search.html"
    return render(request, template, _base(evaluation, "search", q=q, hits=hits, errors=errors,
                                           searched=bool(q)), status=400 if errors else 200)


# --------------------------------------------------------------------------- exchange


@login_required
@require_GET
def exchange_page(request, evaluasi: str):  # type: ignore[no-untyped-def]
    evaluation = _evaluation(request, evaluasi)
    return render(request, "kinerja/evidence/exchange.html", _base(evaluation, "exchange", errors=[], report=""))


@login_required
@require_POST
@never_cache
def export(request, evaluasi: str):  # type: ignore[no-untyped-def]
    """A download: the project (QDPX) or coded segments (CSV, XLSX), audited with the reason; or
    the codebook (QDC)."""
    evaluation = _evaluation(request, evaluasi)
    fmt = request.POST.get("format") or ""
    reason = request.POST.get("alasan") or ""
    try:
        if fmt == "qdpx":
            data = exchange.export_qdpx(request.user, evaluation, reason)
        elif fmt == "qdc":
            data = exchange.export_qdc(request.user, evaluation)
        elif fmt in ("csv", "xlsx"):
            data = exchange.export_segments(request.user, evaluation, reason, fmt)
        else:
            raise services.refuse(_("Choose what to export."))
    except EvidenceError as exc:
        return render(request, "kinerja/evidence/exchange.html",
                      _base(evaluation, "exchange", errors=_messages(request, exc), report=""), status=400)
    content_type, ext = EXPORTS[fmt]
    name = f"{evaluation.code}-{'segmen' if fmt in ('csv', 'xlsx') else 'kode' if fmt == 'qdc' else 'proyek'}.{ext}"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def import_file(request, evaluasi: str):  # type: ignore[no-untyped-def]
    """A REFI-QDA project (.qdpx) or codebook (.qdc) into this evaluation: all or nothing."""
    evaluation = _evaluation(request, evaluasi)
    upload_file = request.FILES.get("berkas")
    errors: list[str] = []
    report = ""
    try:
        if upload_file is None:
            raise services.refuse(_("Choose a .qdpx or .qdc file."))
        data = upload_file.read()
        if upload_file.name.lower().endswith(".qdc"):
            summary = services.import_qdc(request.user, evaluation, data)
        elif upload_file.name.lower().endswith(".qdpx"):
            summary = services.import_qdpx(request.user, evaluation, data,
                                           default_source_type=request.POST.get("jenis") or None)
        else:
            raise services.refuse(_("Choose a .qdpx or .qdc file."))
        report = summary.report()
    except EvidenceError as exc:
        errors = _messages(request, exc)
    return render(request, "kinerja/evidence/exchange.html",
                  _base(evaluation, "exchange", errors=errors, report=report), status=400 if errors else 200)

