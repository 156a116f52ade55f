"""Reads of the evidence workspace, one evaluation at a time. An evaluation's models are converted
once into an ``evidence.analysis.records.Project`` and the domain modules do the counting
(triangulation, agreement, frequencies, co-occurrence, search, suggestions), so the pages, the
CLI, the API and the tests share one implementation.

Who may read what is decided by ``evidence.access``: an evaluation's members and its unit's
section head read all of it, texts included; nobody else reads any of it (404). Removed codings
are in no analysis; they are seen only in a coding's history."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.db.models import CharField, Count, Max, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from kinerja.evidence import access, crypto
from kinerja.evidence.analysis import agreement as agreement_mod
from kinerja.evidence.analysis import records, textsearch, triangulation
from kinerja.evidence.models import (
    Code,
    Coding,
    CodingChange,
    Evaluation,
    Informant,
    Memo,
    Source,
    SourceGroup,
)
from kinerja.evidence.services import EvidenceInputError, bilingual, code_description
from kinerja.register.models import Staff


def _open(actor: object, evaluation: Evaluation) -> None:
    access.require(actor, evaluation)


def evaluations(actor: object) -> list[Evaluation]:
    """The evaluations ``actor`` may open, newest period first, with their unit."""
    access.require_role(actor)
    return list(access.visible_evaluations(actor).select_related("unit").order_by("-period_start", "title"))


# --------------------------------------------------------------------------- model -> records


def _code_records(evaluation: Evaluation) -> tuple[records.Code, ...]:
    codes = list(Code.objects.filter(evaluation=evaluation))
    uid_of = {c.pk: str(c.uid) for c in codes}
    return tuple(
        records.Code(guid=str(c.uid), name=c.name, description=code_description(c), colour=c.colour or None,
                     parent=uid_of.get(c.parent_id) if c.parent_id else None, link=c.link or None,
                     codable=c.codable)
        for c in codes
    )


def _guid_text(raw: str) -> str:
    """The canonical GUID text of a uid read as text: SQLite stores 32 hex digits, PostgreSQL
    returns the dashed form. Cheaper than building 20,000 uuid.UUID objects."""
    raw = raw.lower()
    if len(raw) == 32:
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
    return raw


def workspace_project(evaluation: Evaluation, *, texts: bool = True, memos: bool = False) -> records.Project:
    """One evaluation as a domain Project (removed codings left out). ``texts=False`` leaves
    source texts empty (for codebook work that must not decrypt transcripts); ``memos=True``
    decrypts memos too, which only an export needs. No access check here: the callers make it."""
    informants = list(Informant.objects.filter(evaluation=evaluation))
    inf_uid = {i.pk: str(i.uid) for i in informants}
    inf_records = tuple(
        records.Informant(guid=str(i.uid), code=i.label, role=i.role, key_informant=i.key_informant,
                          sampling_reason=i.sampling_reason, is_child=i.is_child,
                          consent_recorded=i.consent_recorded)
        for i in informants
    )
    links: dict[int, list[str]] = defaultdict(list)
    for source_id, informant_id in (Source.informants.through.objects.filter(source__evaluation=evaluation)
                                    .values_list("source_id", "informant_id")):
        links[source_id].append(inf_uid[informant_id])
    fields = ["pk", "uid", "type", "date", "title"] + (["text_enc"] if texts else [])
    source_rows = list(Source.objects.filter(evaluation=evaluation).values_list(*fields))
    src_uid = {row[0]: str(row[1]) for row in source_rows}
    src_records = tuple(
        records.Source(guid=str(row[1]), name=row[4], type=row[2],
                       text=crypto.decrypt_source_text(row[1], row[5]) if texts else "", date=row[3],
                       informants=tuple(sorted(links.get(row[0], ()))))
        for row in source_rows
    )
    code_records = _code_records(evaluation)
    code_uid = dict(Code.objects.filter(evaluation=evaluation).values_list("pk", "uid"))
    coding_fields = ["uid_text", "source_id", "start", "end", "code_id", "coder_id", "stance"] + (["memo_enc"] if memos else [])
    coding_rows = list(Coding.objects.filter(source__evaluation=evaluation).order_by("pk").annotate(uid_text=Cast("uid", CharField()))
                       .values_list(*coding_fields))
    usernames = dict(Staff.objects.filter(pk__in={r[5] for r in coding_rows}).values_list("pk", "username"))
    coding_records = tuple(
        records.Coding(guid=_guid_text(r[0]), source=src_uid[r[1]], start=r[2], end=r[3], code=str(code_uid[r[4]]),
                       coder=usernames[r[5]], stance=r[6],
                       memo=crypto.decrypt_coding_memo(_guid_text(r[0]), r[7]) if memos and r[7] is not None else "")
        for r in coding_rows
    )
    memo_records: tuple[records.Memo, ...] = ()
    if memos:
        memo_records = tuple(_memo_records(evaluation, code_uid, src_uid))
    members: dict[int, list[str]] = defaultdict(list)
    for group_id, source_id in (SourceGroup.sources.through.objects.filter(sourcegroup__evaluation=evaluation)
                                .values_list("sourcegroup_id", "source_id")):
        members[group_id].append(src_uid[source_id])
    group_records = tuple(
        records.SourceGroup(guid=str(uid), name=name, sources=tuple(sorted(members.get(pk, ()))))
        for pk, uid, name in SourceGroup.objects.filter(evaluation=evaluation).values_list("pk", "uid", "name")
    )
    return records.Project(name=evaluation.title, codes=code_records, sources=src_records, informants=inf_records,
                           codings=coding_records, memos=memo_records, groups=group_records)


def _memo_records(evaluation: Evaluation, code_uid: dict[int, Any], src_uid: dict[int, str]) -> list[records.Memo]:
    rows = list(Memo.objects.filter(evaluation=evaluation).select_related("author", "coding")
                .exclude(coding__removed_at__isnull=False))
    out = []
    for m in rows:
        kind, target = "project", None
        if m.code_id:
            kind, target = "code", str(code_uid[m.code_id])
        elif m.source_id:
            kind, target = "source", src_uid[m.source_id]
        elif m.coding_id:
            kind, target = "coding", str(m.coding.uid)
        out.append(records.Memo(guid=str(m.uid), text=crypto.decrypt_memo(m.uid, m.text_enc), target_kind=kind,
                                target=target, title=m.title, author=m.author.username if m.author else None))
    return out


class _ProjectCache:
    """One evaluation as a Project, kept per process and rebuilt only when it changed.

    Matrix, agreement and suggestions all read the whole workspace; loading it (20,000 codings,
    hundreds of decrypted texts) costs more than the analysis, so they share one load. Changes are
    seen through a fingerprint of cheap aggregates: row count, highest id and latest ``updated_at``
    of each table (every save through the ORM moves them), the source-informant links, and the
    usernames of the coders."""

    def __init__(self, evaluation_id: int) -> None:
        self.evaluation_id = evaluation_id
        self.lock = threading.Lock()
        self.key: tuple[Any, ...] | None = None
        self.project: records.Project | None = None
        self.suggester: textsearch.CodeSuggester | None = None
        self.coders: dict[int, str] = {}

    def _fingerprint(self) -> tuple[Any, ...]:
        parts: list[Any] = []
        ev = self.evaluation_id
        for rows in (Source.objects.filter(evaluation_id=ev), Code.objects.filter(evaluation_id=ev),
                     Coding.objects.filter(source__evaluation_id=ev), Informant.objects.filter(evaluation_id=ev)):
            agg = rows.aggregate(n=Count("pk"), m=Max("pk"), u=Max("updated_at"))
            parts.append((agg["n"], agg["m"], agg["u"]))
        agg = Source.informants.through.objects.filter(source__evaluation_id=ev).aggregate(n=Count("pk"), m=Max("pk"))
        parts.append((agg["n"], agg["m"]))
        return tuple(parts)

    def get(self) -> tuple[records.Project, tuple[Any, ...]]:
        with self.lock:
            key = self._fingerprint()
            same_coders = (self.coders == dict(Staff.objects.filter(pk__in=self.coders).values_list("pk", "username")))
            if self.project is None or key != self.key or not same_coders:
                self.project = workspace_project(Evaluation.objects.get(pk=self.evaluation_id))
                coder_ids = Coding.objects.filter(source__evaluation_id=self.evaluation_id).values("coder_id")
                self.coders = dict(Staff.objects.filter(pk__in=coder_ids.distinct()).values_list("pk", "username"))
                self.suggester = None
                self.key = key
            return self.project, key

    def code_suggester(self) -> textsearch.CodeSuggester:
        project, _key = self.get()
        with self.lock:
            if self.suggester is None:
                self.suggester = textsearch.CodeSuggester(project)
            return self.suggester


_PROJECTS: dict[int, _ProjectCache] = {}
_PROJECTS_LOCK = threading.Lock()


def _cache(evaluation: Evaluation) -> _ProjectCache:
    with _PROJECTS_LOCK:
        return _PROJECTS.setdefault(evaluation.pk, _ProjectCache(evaluation.pk))


def current_project(evaluation: Evaluation) -> records.Project:
    """The evaluation as a Project (texts included, memos not), from the per-process cache."""
    return _cache(evaluation).get()[0]


# --------------------------------------------------------------------------- sources and codebook


LIVE = Q(codings__removed_at__isnull=True)


def source_list(actor: object, evaluation: Evaluation) -> list[dict[str, Any]]:
    """Metadata of the evaluation's sources (no text), with their live coding counts."""
    _open(actor, evaluation)
    labels: dict[int, list[str]] = defaultdict(list)
    for source_id, informant_id in (Source.informants.through.objects.filter(source__evaluation=evaluation)
                                    .values_list("source_id", "informant_id")):
        labels[source_id].append(informant_id)
    informants = {i.pk: i for i in Informant.objects.filter(evaluation=evaluation)}
    out = []
    for s in (Source.objects.filter(evaluation=evaluation).annotate(n_codings=Count("codings", filter=LIVE))
              .order_by("type", "date", "title")):
        people = [informants[i] for i in labels.get(s.pk, [])]
        out.append({
            "uid": str(s.uid), "judul": s.title, "jenis": s.type, "tanggal": s.date, "panjang": s.length,
            "berkas": s.file_name, "informan": sorted(i.label for i in people),
            "peran_informan": sorted({i.role for i in people if i.role}), "koding": s.n_codings,
        })
    return out


def source_text(actor: object, evaluation: Evaluation, uid: object) -> tuple[Source, str]:
    """A source of the evaluation and its decrypted text. Not audited per view (evidence.md);
    exports are."""
    _open(actor, evaluation)
    source = Source.objects.get(evaluation=evaluation, uid=uid)
    return source, crypto.decrypt_source_text(source.uid, source.text_enc)


def codebook(actor: object, evaluation: Evaluation) -> list[dict[str, Any]]:
    """The evaluation's code tree, depth-first (parents before children), with live coding counts."""
    _open(actor, evaluation)
    codes = list(Code.objects.filter(evaluation=evaluation).annotate(n_codings=Count("codings", filter=LIVE)))
    uid_of = {c.pk: str(c.uid) for c in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for c in codes:
        children[c.parent_id].append(c)
    out: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in sorted(children.get(parent, []), key=lambda x: x.name):
            out.append({
                "uid": str(c.uid), "nama": c.name, "nama_en": c.name_en, "induk": uid_of.get(c.parent_id),
                "kedalaman": depth, "deskripsi_id": c.description_id, "deskripsi_en": c.description_en,
                "warna": c.colour, "tautan": c.link, "dapat_dikode": c.codable, "koding": c.n_codings,
            })
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


# --------------------------------------------------------------------------- analysis


def _quote_json(project: records.Project, quote: triangulation.Quote) -> dict[str, Any]:
    src = project.source(quote.source)
    return {"sumber": src.name if src else quote.source, "informan": list(quote.informants),
            "sikap": quote.stance, "teks": quote.text}


def matrix(actor: object, evaluation: Evaluation, *, quotes: int = 0) -> list[dict[str, Any]]:
    """Triangulation per code (evidence.md's matrix object); with ``quotes`` > 0 each row also
    carries its strongest quotes under ``kutipan``."""
    _open(actor, evaluation)
    project = current_project(evaluation)
    if quotes <= 0:
        return triangulation.matrix_json(project)
    rows = []
    for ev in triangulation.code_matrix(project, quotes=quotes):
        row = ev.to_json()
        row["kutipan"] = [_quote_json(project, q) for q in ev.quotes]
        rows.append(row)
    return rows


def rollup(actor: object, evaluation: Evaluation) -> list[dict[str, Any]]:
    """Triangulation per dimension or inhibiting factor (codes rolled up by their links)."""
    _open(actor, evaluation)
    return [ev.to_json() for ev in triangulation.rollup(current_project(evaluation), quotes=0)]


def coders(actor: object, evaluation: Evaluation) -> list[str]:
    """Usernames of everyone with a live coding in the evaluation, sorted."""
    _open(actor, evaluation)
    return sorted(current_project(evaluation).coder_names())


def default_coders(actor: object, evaluation: Evaluation) -> list[str]:
    """The coders whose agreement is shown unless others are chosen: those who coded every source
    that more than one person coded (the sources agreement compares). A trial coder who coded one
    or two of them is left out, so trying the codebook does not move every code's figures. With
    fewer than two such coders, every coder."""
    _open(actor, evaluation)
    project = current_project(evaluation)
    coded = agreement_mod.coded_sources(project.codings)
    shared = set().union(*coded.values()) if coded else set()
    shared = {s for s in shared if sum(s in done for done in coded.values()) >= 2}
    chosen = sorted(k for k, done in coded.items() if shared and shared <= done)
    return chosen if len(chosen) >= 2 else sorted(coded)


def agreement(actor: object, evaluation: Evaluation, code: str | None = None, *, coders: list[str] | None = None,
              digits: int | None = None) -> list[agreement_mod.AgreementRow]:
    """evidence.md's agreement objects, one per codable code, or only for codes named ``code``;
    between ``coders`` (usernames; default every coder of the evaluation)."""
    _open(actor, evaluation)
    project = current_project(evaluation)
    if code is not None:
        chosen = tuple(c for c in project.codes if c.name == code)
        if not chosen:
            raise EvidenceInputError([bilingual(_("Unknown code: %(code)s"), code=code)])
        project = replace(project, codes=chosen)
    if coders is not None:
        unknown = sorted(set(coders) - set(project.coder_names()))
        if unknown:
            raise EvidenceInputError([bilingual(_("No codings by %(names)s in this evaluation."),
                                                names=", ".join(unknown))])
    return agreement_mod.agreement_report(project, coders, digits=digits)


def frequencies(actor: object, evaluation: Evaluation) -> list[dict[str, Any]]:
    """Codings per code by source type and by informant role."""
    _open(actor, evaluation)
    project = current_project(evaluation)
    by_type = triangulation.frequency_by_source_type(project)
    by_role = triangulation.frequency_by_role(project)
    return [{"kode": c.name, "jenis_sumber": by_type[c.guid], "peran": by_role[c.guid]}
            for c in sorted(project.codes, key=lambda c: (c.name, c.guid))]


def cooccurrence(actor: object, evaluation: Evaluation, coder: str | None = None) -> list[dict[str, Any]]:
    """Pairs of codes that overlap within a paragraph, with the number of paragraphs."""
    _open(actor, evaluation)
    project = current_project(evaluation)
    names = {c.guid: c.name for c in project.codes}
    return [{"kode_a": names[a], "kode_b": names[b], "unit": n}
            for (a, b), n in triangulation.cooccurrence(project, coder).items()]


def coded_segments(evaluation: Evaluation) -> list[tuple[Any, ...]]:
    """Rows of the coded-segment export (exchange.SEGMENT_COLUMNS), by source then offset."""
    project = workspace_project(evaluation)
    rows = []
    for c in sorted(project.codings, key=lambda c: (project.source(c.source).name, c.start, c.end, c.guid)):  # type: ignore[union-attr]
        src = project.source(c.source)
        code = project.code(c.code)
        assert src is not None and code is not None
        people = [project.informant(g) for g in src.informants]
        rows.append((
            src.name, src.type, src.date.isoformat() if src.date else "",
            "; ".join(i.code for i in people if i), "; ".join(sorted({i.role for i in people if i and i.role})),
            code.name, c.stance, c.coder, c.start, c.end, src.text[c.start:c.end],
        ))
    return rows


# --------------------------------------------------------------------------- search and suggestions


class _SearchCache:
    """One search index per process, brought up to date before each query.

    A source's text never changes after import (codings point into it), so a source indexed once
    stays valid; only added and deleted sources are (re)indexed. The key includes the import time
    and length so a source deleted and imported again under the same GUID is re-read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index = textsearch.SearchIndex([])
        self.keys: dict[str, tuple[Any, ...]] = {}

    def sync(self, evaluation: Evaluation) -> dict[str, str]:
        """Update the index; returns the evaluation's source guid -> title."""
        rows = list(Source.objects.values_list("uid", "created_at", "length", "title"))
        current = {str(u): (str(u), at, n) for u, at, n, _t in rows}
        for guid in [g for g, k in self.keys.items() if current.get(g) != k]:
            self.index.remove(guid)
            del self.keys[guid]
        missing = [g for g in current if g not in self.keys]
        if missing:
            for uid, blob in Source.objects.filter(uid__in=missing).values_list("uid", "text_enc"):
                self.index.add(str(uid), crypto.decrypt_source_text(uid, blob))
                self.keys[str(uid)] = current[str(uid)]
        return {str(u): t for u, t in Source.objects.filter(evaluation=evaluation).values_list("uid", "title")}

    def search(self, evaluation: Evaluation, query: str, *, match_all: bool, limit: int | None
               ) -> tuple[list[textsearch.Hit], dict[str, str]]:
        """Hits in the evaluation's sources only (the index holds every source; the others'
        hits are dropped before the limit is applied)."""
        with self.lock:
            titles = self.sync(evaluation)
            hits = [h for h in self.index.search(query, match_all=match_all, limit=None) if h.source in titles]
            return hits[:limit] if limit is not None else hits, titles


_SEARCH = _SearchCache()


def search(actor: object, evaluation: Evaluation, query: str, *, match_all: bool = True,
           limit: int | None = 50) -> list[dict[str, Any]]:
    """The evaluation's sources matching the query through Indonesian stems (anggaran ~
    penganggaran ~ dianggarkan), best first, with snippets."""
    _open(actor, evaluation)
    if not query.strip():
        return []
    hits, titles = _SEARCH.search(evaluation, query, match_all=match_all, limit=limit)
    return [{"uid": h.source, "judul": titles.get(h.source, ""), "skor": round(h.score, 6),
             "posisi": [list(p) for p in h.positions], "cuplikan": h.snippet} for h in hits]


def suggestions(actor: object, evaluation: Evaluation, passage: str, *, limit: int = 5) -> list[dict[str, Any]]:
    """The evaluation's codes ranked for a passage by the stems of their names, descriptions and
    earlier codings."""
    _open(actor, evaluation)
    return [{"uid": s.code, "kode": s.name, "skor": round(s.score, 6), "kata": list(s.matched)}
            for s in _cache(evaluation).code_suggester().suggest(passage, limit=limit)]


def passage(actor: object, evaluation: Evaluation, source_uid: object, start: int, end: int) -> str:
    """text[start:end] of a source, for suggestions on a selection."""
    _source, text = source_text(actor, evaluation, source_uid)
    if not 0 <= start < end <= len(text):
        raise EvidenceInputError([bilingual(
            _("Offsets %(start)s-%(end)s fall outside the text, which has %(length)s characters (start < end, 0-based, end exclusive)."),
            start=start, end=end, length=len(text))])
    return text[start:end]


# --------------------------------------------------------------------------- the reader


def informants(actor: object, evaluation: Evaluation) -> list[Informant]:
    """The evaluation's informants (a child is shown by ``label``: code, initials and age)."""
    _open(actor, evaluation)
    return list(Informant.objects.filter(evaluation=evaluation).order_by("code"))


def source_codings(actor: object, evaluation: Evaluation, source: Source) -> list[dict[str, Any]]:
    """The live codings of one source for the reader, by position, each with its quote, code,
    stance, coder and memo."""
    _open(actor, evaluation)
    if source.evaluation_id != evaluation.pk:
        raise Source.DoesNotExist("source of another evaluation")
    text = crypto.decrypt_source_text(source.uid, source.text_enc)
    out = []
    for c in Coding.objects.filter(source=source).select_related("code", "coder").order_by("start", "end", "pk"):
        out.append({"coding": c, "uid": str(c.uid), "kode": c.code.name, "kode_uid": str(c.code.uid),
                    "warna": c.code.colour, "sikap": c.stance, "pengkode": c.coder.username,
                    "mulai": c.start, "selesai": c.end, "kutipan": text[c.start:c.end],
                    "memo": crypto.decrypt_coding_memo(c.uid, c.memo_enc) if c.memo_enc is not None else ""})
    return out


def coding(actor: object, evaluation: Evaluation, uid: object, *, removed: bool = False) -> Coding:
    """One coding of the evaluation by its uid (``removed=True`` finds removed ones too)."""
    _open(actor, evaluation)
    rows = Coding.with_removed if removed else Coding.objects
    return rows.select_related("source", "code", "coder").get(source__evaluation=evaluation, uid=uid)


def coding_history(actor: object, evaluation: Evaluation, coding_obj: Coding) -> list[CodingChange]:
    """Every step of a coding's history, oldest first."""
    _open(actor, evaluation)
    if coding_obj.source.evaluation_id != evaluation.pk:
        raise Coding.DoesNotExist("coding of another evaluation")
    return list(CodingChange.objects.filter(coding=coding_obj).select_related("by").order_by("pk"))


def removed_codings(actor: object, evaluation: Evaluation) -> list[Coding]:
    """Removed codings of the evaluation, latest first: what the history page lists."""
    _open(actor, evaluation)
    return list(Coding.with_removed.filter(source__evaluation=evaluation, removed_at__isnull=False)
                .select_related("source", "code", "coder", "removed_by").order_by("-removed_at"))


# --------------------------------------------------------------------------- evidence beside figures


def _chain_links(project: records.Project, code: records.Code) -> set[str]:
    """Every link on the way from a code up to its top ancestor (a code under a dimension counts
    for that dimension, and for the measure it is linked to itself)."""
    links: set[str] = set()
    seen: set[str] = set()
    current: records.Code | None = code
    while current is not None and current.guid not in seen:
        seen.add(current.guid)
        if current.link:
            links.add(current.link)
        current = project.code(current.parent) if current.parent else None
    return links


def informant_voice(informant: records.Informant) -> str:
    """How a quoted informant is named beside figures: their role; a child only by initials and
    age ("NA, 14 th"), never by role or code."""
    if informant.is_child:
        return informant.code.rsplit(" · ", 1)[-1] if " · " in informant.code else "anak"
    return informant.role or informant.code


def _empty_evidence() -> dict[str, Any]:
    return {"koding": 0, "sikap": dict.fromkeys(("mendukung", "menghambat", "netral"), 0),
            "jenis_sumber": dict.fromkeys(("wawancara", "observasi", "dokumentasi"), 0), "kutipan": None,
            "_codings": []}


def evaluation_for_report(unit: Any, period: Any) -> Evaluation | None:
    """The evaluation a unit's report for a period draws its evidence from: the most recent of the
    unit's own evaluations whose period overlaps it (an evaluation is of one unit)."""
    return (Evaluation.objects.filter(unit_id=getattr(unit, "pk", unit), period_start__lt=period.end,
                                      period_end__gt=period.start)
            .order_by("-period_start", "-pk").first())


def evidence_for_scorecard(user: object, unit: Any, period: Any, framework_card: dict[str, Any], *,
                           quotes: int = 3) -> dict[str, Any]:
    """The qualitative evidence beside a scorecard: for each dimension of ``framework_card`` (the
    dict of indicators.scorecard) the codings whose code, or an ancestor of it, is linked to the
    dimension (``dimensi:ID``) or to one of its measures (``measure:ID``); for each inhibiting
    factor those linked to ``kendala:OBSTACLE`` or ``faktor:ID``. Read from the evaluations of
    ``unit`` whose period overlaps ``period`` (anything with ``start`` and ``end`` dates).

    Counts by stance and source type go to every role that sees the scorecard (the caller has
    decided that); quotes, with the informant's role (a child as initials and age), only to those
    who may open the evaluation they come from (its members and the unit's section head). Returns
    ``{"dimensions": {id: ev}, "inhibitors": {id: ev}, "kutipan_boleh": bool}``; ``ev["kutipan"]``
    is None where quotes are withheld."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for d in framework_card.get("dimensions", []):
        keys = {f"dimensi:{d['id']}"}
        for m in d.get("measures", []):
            keys |= {f"measure:{m['id']}", f"indikator:{m['id']}"}
        wanted[("dimensions", d["id"])] = keys
    for i in framework_card.get("inhibitors", []):
        keys = {f"faktor:{i['id']}"} | ({f"kendala:{i['obstacle']}"} if i.get("obstacle") else set())
        wanted[("inhibitors", i["id"])] = keys
    out: dict[str, Any] = {"dimensions": {}, "inhibitors": {}, "kutipan_boleh": False}
    for (kind, key) in wanted:
        out[kind][key] = _empty_evidence()
    unit_id = getattr(unit, "pk", unit)
    chosen = list(Evaluation.objects.filter(unit_id=unit_id, period_start__lt=period.end,
                                            period_end__gt=period.start).order_by("pk"))
    readable = {e.pk for e in chosen if access.can_open(user, e)} if chosen else set()
    out["kutipan_boleh"] = bool(readable)
    for evaluation in chosen:
        project = current_project(evaluation)
        links = {c.guid: _chain_links(project, c) for c in project.codes}
        types = {s.guid: s.type for s in project.sources}
        for c in project.codings:
            chain = links.get(c.code, set())
            for (kind, key), keys in wanted.items():
                if chain & keys:
                    ev = out[kind][key]
                    ev["koding"] += 1
                    ev["sikap"][c.stance] = ev["sikap"].get(c.stance, 0) + 1
                    ev["jenis_sumber"][types[c.source]] = ev["jenis_sumber"].get(types[c.source], 0) + 1
                    if evaluation.pk in readable:
                        ev["_codings"].append((evaluation.pk, c))
    for kind in ("dimensions", "inhibitors"):
        for ev in out[kind].values():
            picked = ev.pop("_codings")
            if not out["kutipan_boleh"]:
                continue
            rows = []
            by_eval: dict[int, list[records.Coding]] = defaultdict(list)
            for pk, c in picked:
                by_eval[pk].append(c)
            for evaluation in chosen:
                if evaluation.pk not in by_eval:
                    continue
                project = current_project(evaluation)
                for q in triangulation.strongest_quotes(project, by_eval[evaluation.pk], limit=quotes):
                    src = project.source(q.source)
                    people = [project.informant(g) for g in (src.informants if src else ())]
                    rows.append({"teks": q.text, "sikap": q.stance, "sumber": src.name if src else "",
                                 "jenis": src.type if src else "",
                                 "informan": [informant_voice(i) for i in people if i is not None]})
            ev["kutipan"] = rows[:quotes]
    return out
