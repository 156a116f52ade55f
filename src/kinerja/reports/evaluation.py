"""Laporan evaluasi kinerja: one unit and year, the framework's scorecard beside the qualitative
evidence, as the case study writes it: cover, summary, method, one section per dimension (measures,
trend, evidence, verdict), inhibiting factors, recommendations and an appendix.

Every figure passes the publication gate (one Publisher for the card, the trends and the method's
counts). The public edition (a suppressed audience) also leaves out quotes from child informants,
source titles (a child's interview is titled with initials) and staff names (coders are numbered).

`kategori` (a category filter) is passed to the engine as `kategori=` (the gate refuses it for
audiences that get suppressed figures); `evidence` is the evaluation's own Project (its sources,
informants and codings), the whole workspace when None."""

from __future__ import annotations

import statistics
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kinerja import charts, numbers
from kinerja.indicators import definitions as defs
from kinerja.indicators import gate
from kinerja.indicators.periods import Period
from kinerja.reports import document as doc
from kinerja.reports import recommendations
from kinerja.reports.texts import join_names, t
from kinerja.suppression import SECONDARY, suppress_count

Progress = Callable[[str], None]
DEFINITIONS = Path(__file__).resolve().parent / "definitions.toml"
QUOTES = 3


class ReportError(ValueError):
    """A report that cannot be made as asked (bilingual message)."""


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def measure_cells(m: dict[str, Any], lang: str) -> list[doc.Cell]:
    """A scorecard row as the report's table shows it (the dashboard's columns)."""
    kind = defs.get(m["id"]).number_kind
    arrow = {"up": " ↑", "down": " ↓"}.get(m["direction"], "")
    value = doc.Cell(m["value"], kind)
    return [
        doc.Cell(m["name"] + arrow), value, doc.Cell(m["unit"]),
        doc.Cell(m["target"], kind, blank_if_none=True),
        doc.Cell(m["achievement"], "decimal", blank_if_none=True),
        doc.Cell(m["rating_label"] if m["achievement"] is not None else "", "text"),
        doc.Cell(m["previous"], kind),
        doc.Cell(m["change"], f"change:{kind}", blank_if_none=True),
    ]


def measure_columns(lang: str) -> list[doc.Column]:
    return [doc.Column("ukuran", t(lang, "measure")), doc.Column("nilai", t(lang, "value"), "decimal"),
            doc.Column("satuan", t(lang, "munit")), doc.Column("target", t(lang, "target"), "decimal"),
            doc.Column("capaian", t(lang, "achievement") + " (%)", "decimal"),
            doc.Column("predikat", t(lang, "rating")), doc.Column("sebelumnya", t(lang, "previous"), "decimal"),
            doc.Column("perubahan", t(lang, "change"), "decimal")]


def _definitions(lang: str) -> dict[str, str]:
    data = tomllib.loads(DEFINITIONS.read_text(encoding="utf-8"))
    key = "en" if lang.startswith("en") else "id"
    return {mid: row[key] for mid, row in data.items()}


def _years_available(unit_ids: list[int], year: int) -> list[int]:
    from kinerja.indicators.periods import FIRST_YEAR
    from kinerja.register.models import Case

    found = sorted({d.year for d in Case.objects.filter(unit_id__in=unit_ids).dates("reported_at", "year")
                    if FIRST_YEAR <= d.year <= year})
    return found or [year]


class _Evidence:
    """The workspace (or an evaluation's part of it) as the report reads it."""

    def __init__(self, project: Any, *, publik: bool, texts: bool, lang: str) -> None:
        from kinerja.evidence.analysis import triangulation

        self.p = project
        self.publik, self.texts, self.lang = publik, texts, lang
        self.groups = {ev.key: ev for ev in triangulation.rollup(project, quotes=QUOTES + 3)}
        self.by_code = {i.code: i for i in project.informants}
        coders = project.coder_names()
        self.coder_label = {c: (f"{t(lang, 'coder')} {n}" if publik else c) for n, c in enumerate(coders, 1)}

    def code(self, i: Any) -> str:
        """An informant's code as the edition may show it: a child's initials and age (the label
        after the pseudonym) stay out of the public edition."""
        return i.code.split("·")[0].strip() if self.publik and i.is_child else i.code

    def child_quote(self, q: Any) -> bool:
        return any(self.by_code.get(c) is not None and self.by_code[c].is_child for c in q.informants)

    def who(self, q: Any) -> str:
        people = [self.by_code.get(c) for c in q.informants]
        parts = [f"{i.role} ({self.code(i)})" if i.role else self.code(i) for i in people if i is not None]
        if parts:
            return "; ".join(parts)
        src = self.p.source(q.source)
        return src.name if src is not None and not self.publik else (src.type if src is not None else "")

    def quotes(self, key: str) -> list[doc.Quote]:
        ev = self.groups.get(key)
        if ev is None or not self.texts:
            return []
        out = []
        for q in ev.quotes:
            if self.publik and self.child_quote(q):
                continue
            src = self.p.source(q.source)
            out.append(doc.Quote(q.text, self.who(q), t(self.lang, f"stance_{q.stance}"), q.stance,
                                 "" if self.publik or src is None else src.name))
            if len(out) >= QUOTES:
                break
        return out

    def flags(self, key: str) -> tuple[str, Any]:
        ev = self.groups.get(key)
        lang = self.lang
        if ev is None or not ev.codings:
            return t(lang, "ev_none"), None
        flags = [f"{t(lang, 'tri_method')} {t(lang, 'holds' if ev.method_triangulation else 'fails')}",
                 f"{t(lang, 'tri_source')} {t(lang, 'holds' if ev.source_triangulation else 'fails')}",
                 t(lang, "no_evidence") if ev.converges is None else t(lang, "converges" if ev.converges else "diverges")]
        return t(lang, "codings_line", n=ev.codings, flags="; ".join(flags)), ev

    def block(self, section: doc.Section, key: str) -> Any:
        line, ev = self.flags(key)
        section.add(doc.Paragraph(line))
        if self.texts:
            for q in self.quotes(key):
                section.add(q)
            if self.publik and ev is not None and any(self.child_quote(q) for q in ev.quotes):
                section.add(doc.Paragraph(t(self.lang, "child_hidden"), "note"))
        elif ev is not None and ev.codings:
            section.add(doc.Paragraph(t(self.lang, "no_quotes"), "note"))
        return ev

    def saran(self) -> list[doc.Quote]:
        """The codings of `saran` (and codes under it): the informants' own recommendations."""
        if not self.texts:
            return []
        names = {c.guid for c in self.p.codes if c.name == "saran"}
        grew = True
        while grew:
            more = {c.guid for c in self.p.codes if c.parent in names} - names
            grew = bool(more)
            names |= more
        out, seen = [], set()
        for c in sorted(self.p.codings, key=lambda c: (c.source, c.start, c.end)):
            if c.code not in names:
                continue
            src = self.p.source(c.source)
            if src is None:
                continue
            text = " ".join(src.text[c.start:c.end].split())
            informants = tuple(i.code for i in (self.p.informant(g) for g in src.informants) if i is not None)
            if text in seen or (self.publik and any(self.by_code[c2].is_child for c2 in informants)):
                continue
            seen.add(text)
            quote = type("Q", (), {"informants": informants, "source": src.guid})()
            out.append(doc.Quote(text, self.who(quote), t(self.lang, f"stance_{c.stance}"), c.stance))
        return out


def build_kinerja(unit: Any, year: int, *, audience: gate.Audience, lang: str = "id",
                  framework: str | None = None, kategori: Sequence[str] | None = None,
                  evidence: Any | None = None, texts: bool = True, catatan: str = "",
                  progress: Progress | None = None) -> doc.Document:
    """The evaluation report of `unit` (with its descendants) for calendar `year`.
    `texts`: whether the reader may see transcript quotes (a member of the evaluation, or its
    unit's section head: evidence.access.can_open)."""
    from kinerja.evidence import selectors as ev_selectors
    from kinerja.indicators import frameworks
    from kinerja.indicators.measures import compute_periods
    from kinerja.indicators.scorecard import scorecard
    from kinerja.register.selectors import descendant_unit_ids

    step = progress or (lambda _s: None)
    period = Period.year(year)
    gate.check_request(audience, period, kategori=kategori)
    fw = frameworks.get(framework)
    options: dict[str, Any] = {"kategori": list(kategori)} if kategori else {}
    step("scorecard")
    raw_card = scorecard(unit, period, framework=fw, lang=lang, **options)
    pub = gate.Publisher(audience)
    card = pub.publish(unit, period, raw_card)
    publik = audience.suppressed
    unit_ids = descendant_unit_ids(unit)

    d = doc.Document(kind="kinerja", title=t(lang, "kinerja_title"), subtitle=unit.name, unit_code=unit.code,
                     unit_name=unit.name, period=str(year), lang=lang, publik=publik)
    d.data["scorecard"] = card
    d.cover = [(t(lang, "unit"), f"{unit.code} · {unit.name}"), (t(lang, "year"), str(year)),
               (t(lang, "framework"), card["framework_name"]),
               (t(lang, "categories"), ", ".join(kategori) if kategori else t(lang, "all_categories")),
               (t(lang, "edition"), t(lang, "publik") if publik else t(lang, "internal"))]

    # -- trends: each dimension's and factor's first measure over the years available, one engine call
    step("trends")
    years = _years_available(unit_ids, year)
    heads: dict[str, str] = {}
    for group in [*card["dimensions"], *card["inhibitors"]]:
        ids = [m["id"] for m in group["measures"] if audience.process or m["id"] not in defs.PROCESS_IDS]
        if ids:
            heads[group["id"]] = ids[0]
    series: dict[str, list[dict[str, Any]]] = {}
    if heads and len(years) > 1:
        periods = [Period.year(y) for y in range(years[0], year + 1)]
        values = compute_periods([unit.pk], periods, measures=sorted(set(heads.values())), **options)
        for mid in set(heads.values()):
            raw = {"measure": mid, "series": [{"year": p.start.year, "value": v[unit.pk][mid]}
                                              for p, v in zip(periods, values, strict=True)]}
            series[mid] = pub.publish(unit, None, raw)["series"]

    step("evidence")
    if evidence is not None:
        project = evidence
    else:
        from kinerja.evidence.analysis import records

        chosen = ev_selectors.evaluation_for_report(unit, period)
        project = ev_selectors.current_project(chosen) if chosen is not None else records.Project()
    ev = _Evidence(project, publik=publik, texts=texts, lang=lang)

    # -- summary
    d.sections.append(_summary(card, lang, publik, year, unit))
    # -- method
    step("method")
    d.sections.append(_method(unit, unit_ids, period, pub, ev, lang, publik))
    # -- dimensions
    dims = doc.Section("dimensi", t(lang, "dimension"), page_break=True)
    dims.title = {"id": "Hasil per dimensi", "en": "Results by dimension"}["en" if lang.startswith("en") else "id"]
    for n, dim in enumerate(card["dimensions"]):
        sec = doc.Section(f"dimensi-{dim['id']}", dim["name"], page_break=n > 0)
        sec.add(doc.Figures([(t(lang, "score"), numbers.format_number(dim["score"], lang)),
                             (t(lang, "rating"), dim["rating_label"])]))
        table = doc.Table(f"dimensi_{dim['id']}"[:31], f"{t(lang, 'measure')} · {dim['name']}", measure_columns(lang),
                          [measure_cells(m, lang) for m in dim["measures"]], style="measures")
        sec.add(table)
        head = heads.get(dim["id"])
        if head and head in series:
            hm = defs.get(head)
            sec.add(doc.Chart(t(lang, "trend", what=hm.name(lang)),
                              charts.trend_chart(series[head], t(lang, "trend", what=hm.name(lang)),
                                                 hm.unit_label(lang))))
        sec.add(doc.Paragraph(t(lang, "evidence"), "h3"))
        e = ev.block(sec, f"dimensi:{dim['id']}")
        sec.add(doc.Paragraph(_verdict(dim, e, lang), "verdict"))
        dims.children.append(sec)
    d.sections.append(dims)
    # -- inhibiting factors
    d.sections.append(_inhibitors(card, ev, series, heads, lang))
    # -- recommendations
    step("recommendations")
    rec = doc.Section("rekomendasi", t(lang, "recommendations"))
    rules = recommendations.applying(recommendations.load(), card)
    rec.add(doc.Paragraph(t(lang, "rec_rules"), "h3"))
    rec.add(doc.BulletList([r.text(lang) for r in rules]) if rules else doc.Paragraph(t(lang, "rec_none"), "note"))
    d.data["recommendations"] = [r.text(lang) for r in rules]
    saran = ev.saran()
    if saran:
        rec.add(doc.Paragraph(t(lang, "rec_saran"), "h3"))
        for q in saran:
            rec.add(q)
    if catatan.strip():
        rec.add(doc.Paragraph(t(lang, "rec_catatan"), "h3"))
        for para in catatan.strip().split("\n\n"):
            rec.add(doc.Paragraph(" ".join(para.split())))
    d.sections.append(rec)
    # -- appendix
    step("appendix")
    d.sections.append(_appendix(card, unit_ids, period, pub, unit, lang, audience))
    return d


def _summary(card: dict[str, Any], lang: str, publik: bool, year: int, unit: Any) -> doc.Section:
    sec = doc.Section("ringkasan", t(lang, "summary"), page_break=True)
    score = numbers.format_number(card["score"], lang)
    sec.add(doc.Figures([(t(lang, "overall"), score), (t(lang, "rating"), card["rating_label"])]))
    if _num(card["score"]) or card["score"] is None:
        parts = [t(lang, "summary_text", year=year, unit=unit.name, score=score, rating=card["rating_label"],
                   fw=card["framework_name"])]
    else:
        parts = [t(lang, "summary_score_hidden", year=year, unit=unit.name, fw=card["framework_name"])]
    scored = [x for x in card["dimensions"] if _num(x["score"])]
    if len(scored) >= 2:
        best = max(scored, key=lambda x: x["score"])
        worst = min(scored, key=lambda x: x["score"])
        parts.append(t(lang, "summary_best", best=best["name"], bs=numbers.format_number(best["score"], lang),
                       worst=worst["name"], ws=numbers.format_number(worst["score"], lang)))
    resolved = next((m for x in card["dimensions"] for m in x["measures"] if m["id"] == "kasus_selesai"), None)
    if resolved is None:
        resolved = next((m for x in card["inhibitors"] for m in x["measures"] if m["id"] == "kasus_selesai"), None)
    if resolved is not None:
        parts.append(t(lang, "summary_resolved", now=numbers.format_number(resolved["value"], lang, "count"),
                       prev=numbers.format_number(resolved["previous"], lang, "count")))
    top = _top_factors(card)
    if top:
        parts.append(t(lang, "summary_factors", top=join_names([i["name"] for i in top], lang)))
    sec.add(doc.Paragraph(" ".join(parts), "lead"))
    if publik and any(m["value"] == SECONDARY or (isinstance(m["value"], str))
                      for x in card["dimensions"] for m in x["measures"]):
        sec.add(doc.Paragraph(t(lang, "summary_hidden"), "note"))
    rows = [[doc.Cell(x["name"]), doc.Cell(x["score"], "decimal"), doc.Cell(x["rating_label"])]
            for x in card["dimensions"]]
    table = doc.Table("ringkasan", t(lang, "summary"),
                      [doc.Column("dimensi", t(lang, "dimension")), doc.Column("skor", t(lang, "score"), "decimal"),
                       doc.Column("predikat", t(lang, "rating"))], rows,
                      [doc.Cell(t(lang, "overall")), doc.Cell(card["score"], "decimal"), doc.Cell(card["rating_label"])])
    table.chart = doc.Chart(t(lang, "score"), charts.dimension_chart(card["dimensions"], t(lang, "score")),
                            kind="bar", series=[1])
    sec.add(table)
    return sec


def _top_factors(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The factors that weigh most: the first three ranked with a share."""
    return [i for i in card["inhibitors"] if _num(i["share"]) and i["share"] > 0][:3]


def _verdict(dim: dict[str, Any], ev: Any, lang: str) -> str:
    if not _num(dim["score"]):
        text = t(lang, "verdict_none" if dim["score"] is None else "verdict_hidden", dim=dim["name"])
    else:
        text = t(lang, "verdict_line", dim=dim["name"], rating=dim["rating_label"].lower(),
                 score=numbers.format_number(dim["score"], lang))
    rated = [m for m in dim["measures"] if _num(m["achievement"])]
    if rated:
        weakest = min(rated, key=lambda m: m["achievement"])
        text += " " + t(lang, "weakest_measure", m=weakest["name"], a=numbers.format_number(weakest["achievement"], lang))
    if ev is None or not ev.codings or ev.converges is None:
        text += " " + t(lang, "ev_none" if ev is None or not ev.codings else "ev_mixed")
    else:
        pro, contra = ev.stances.get("mendukung", 0), ev.stances.get("menghambat", 0)
        text += " " + t(lang, "ev_support" if pro > contra else "ev_hinder" if contra > pro else "ev_mixed")
    return text


def _inhibitors(card: dict[str, Any], ev: _Evidence, series: dict[str, Any], heads: dict[str, str],
                lang: str) -> doc.Section:
    sec = doc.Section("faktor", t(lang, "inhibitors"), page_break=True)
    top = _top_factors(card)
    if top:
        sec.add(doc.Paragraph(t(lang, "inhibitors_line", top=join_names([i["name"] for i in top], lang)), "lead"))
    rows = [[doc.Cell(str(i["rank"])), doc.Cell(i["name"]), doc.Cell(i["actions"], "count", True),
             doc.Cell(i["share"], "decimal", True)] for i in card["inhibitors"]]
    table = doc.Table("faktor_penghambat", t(lang, "inhibitors"),
                      [doc.Column("peringkat", t(lang, "rank")), doc.Column("faktor", t(lang, "factor")),
                       doc.Column("tindakan", t(lang, "obstacle_actions"), "count"),
                       doc.Column("porsi", t(lang, "share"), "decimal")], rows)
    table.chart = doc.Chart(t(lang, "inhibitors"), charts.inhibitor_chart(card["inhibitors"], t(lang, "inhibitors"),
                                                                          t(lang, "obstacle_actions")),
                            kind="bar", series=[2])
    sec.add(table)
    for i in card["inhibitors"]:
        sub = doc.Section(f"faktor-{i['id']}", f"{i['rank']}. {i['name']}", page_break=False)
        sub.add(doc.Table(f"faktor_{i['id']}"[:31], f"{t(lang, 'measure')} · {i['name']}", measure_columns(lang),
                          [measure_cells(m, lang) for m in i["measures"]], style="measures"))
        ev.block(sub, f"kendala:{i['id']}")
        sec.children.append(sub)
    return sec


def _method(unit: Any, unit_ids: list[int], period: Period, pub: gate.Publisher, ev: _Evidence, lang: str,
            publik: bool) -> doc.Section:
    from django.db.models import Q

    from kinerja.evidence.analysis import agreement as agreement_mod
    from kinerja.register.models import Action, Case, Complaint, Referral, SurveyResponse

    k = pub.audience.k
    sec = doc.Section("metode", t(lang, "method"), page_break=True)
    sec.add(doc.Paragraph(t(lang, "method_intro", unit=unit.name, period=str(period.start.year))))
    cases = Case.objects.filter(unit_id__in=unit_ids)
    in_p = {"gte": period.start_utc, "lt": period.end_utc}
    received = cases.filter(reported_at__gte=in_p["gte"], reported_at__lt=in_p["lt"]).count()
    handled = cases.filter(Q(reported_at__lt=period.end_utc) & (Q(closed_at__isnull=True)
                                                                | Q(closed_at__gte=period.start_utc))).count()
    shown = pub.publish(unit, period, {"kasus_masuk": received, "kasus_ditangani": handled})

    def count(v: int) -> Any:
        return suppress_count(v, k) if publik else v

    rows = [
        (t(lang, "rec_received"), shown["kasus_masuk"]), (t(lang, "rec_cases"), shown["kasus_ditangani"]),
        (t(lang, "rec_actions"), count(Action.objects.filter(case__unit_id__in=unit_ids, time__gte=in_p["gte"],
                                                             time__lt=in_p["lt"]).count())),
        (t(lang, "rec_referrals"), count(Referral.objects.filter(case__unit_id__in=unit_ids,
                                                                  sent_at__gte=in_p["gte"], sent_at__lt=in_p["lt"]).count())),
        (t(lang, "rec_surveys"), count(SurveyResponse.objects.filter(unit_id__in=unit_ids, date__gte=period.start,
                                                                      date__lt=period.end).count())),
        (t(lang, "rec_complaints"), count(Complaint.objects.filter(unit_id__in=unit_ids, received_at__gte=in_p["gte"],
                                                                    received_at__lt=in_p["lt"]).count())),
    ]
    sec.add(doc.Table("data_dipakai", t(lang, "records_used"),
                      [doc.Column("catatan", t(lang, "record")), doc.Column("jumlah", t(lang, "count"), "count")],
                      [[doc.Cell(a), doc.Cell(b, "count")] for a, b in rows]))
    # informants
    inf_rows = []
    for i in sorted(ev.p.informants, key=lambda i: (not i.key_informant, i.role, i.code)):
        inf_rows.append([doc.Cell(ev.code(i)), doc.Cell(i.role), doc.Cell(t(lang, "yes" if i.key_informant else "no")),
                         doc.Cell(i.sampling_reason)])
    if inf_rows:
        sec.add(doc.Table("informan", t(lang, "informants"),
                          [doc.Column("kode", t(lang, "informant")), doc.Column("peran", t(lang, "role")),
                           doc.Column("kunci", t(lang, "key")), doc.Column("alasan", t(lang, "reason"))], inf_rows))
    # sources by type
    types = Counter(s.type for s in ev.p.sources)
    codings = Counter(ev.p.source(c.source).type for c in ev.p.codings if ev.p.source(c.source) is not None)
    from kinerja.evidence.analysis.records import SOURCE_TYPES

    labels = {"wawancara": {"id": "Wawancara", "en": "Interview"}, "observasi": {"id": "Observasi", "en": "Observation"},
              "dokumentasi": {"id": "Dokumentasi", "en": "Document"}}
    key = "en" if lang.startswith("en") else "id"
    sec.add(doc.Table("sumber", t(lang, "sources"),
                      [doc.Column("jenis", t(lang, "source_type")), doc.Column("sumber", t(lang, "n_sources"), "count"),
                       doc.Column("koding", t(lang, "n_codings"), "count")],
                      [[doc.Cell(labels.get(s, {}).get(key, s)), doc.Cell(types[s], "count"),
                        doc.Cell(codings[s], "count")] for s in SOURCE_TYPES],
                      [doc.Cell(t(lang, "total")), doc.Cell(sum(types.values()), "count"),
                       doc.Cell(sum(codings.values()), "count")]))
    # coders and agreement
    rows_a = agreement_mod.agreement_report(ev.p)
    alphas = [r["alpha"] for r in rows_a if r["alpha"] is not None]
    coders = [ev.coder_label[c] for c in ev.p.coder_names()]
    sec.add(doc.Paragraph(t(lang, "coders_line", coders=join_names(coders, lang) or "-",
                            alpha=numbers.format_number(statistics.median(alphas) if alphas else None, lang))))
    used = [r for r in rows_a if r["unit"]]
    if used:
        sec.add(doc.Table("kesepakatan", t(lang, "coders"),
                          [doc.Column("kode", t(lang, "code")), doc.Column("unit", t(lang, "units_compared"), "count"),
                           doc.Column("alpha", t(lang, "alpha"), "decimal"),
                           doc.Column("setuju", t(lang, "agree"), "decimal")],
                          [[doc.Cell(r["kode"]), doc.Cell(r["unit"], "count"), doc.Cell(r["alpha"], "decimal"),
                            doc.Cell(r["persen_setuju"], "decimal")] for r in used]))
    sec.add(doc.Paragraph(t(lang, "steps"), "h3"))
    sec.add(doc.BulletList([t(lang, f"step{n}") for n in range(1, 7)], ordered=True))
    return sec


def _appendix(card: dict[str, Any], unit_ids: list[int], period: Period, pub: gate.Publisher, unit: Any,
              lang: str, audience: gate.Audience) -> doc.Section:
    from django.db.models import Exists, OuterRef, Q

    from kinerja.register.models import Action, Case

    sec = doc.Section("lampiran", t(lang, "appendix"), page_break=True)
    used = list(dict.fromkeys([m["id"] for g in [*card["dimensions"], *card["inhibitors"]] for m in g["measures"]]))
    texts = _definitions(lang)
    dir_label = {"up": t(lang, "dir_up"), "down": t(lang, "dir_down")}
    sec.add(doc.Table("definisi", t(lang, "definitions"),
                      [doc.Column("ukuran", t(lang, "measure")), doc.Column("definisi", t(lang, "definition")),
                       doc.Column("satuan", t(lang, "munit")), doc.Column("arah", t(lang, "direction"))],
                      [[doc.Cell(defs.get(mid).name(lang)), doc.Cell(texts.get(mid, "")),
                        doc.Cell(defs.get(mid).unit_label(lang)),
                        doc.Cell(dir_label.get(defs.get(mid).direction, t(lang, "dir_none")))] for mid in used],
                      style="long"))
    received = Case.objects.filter(unit_id__in=unit_ids, reported_at__gte=period.start_utc,
                                   reported_at__lt=period.end_utc)
    handled = Case.objects.filter(unit_id__in=unit_ids).filter(
        Q(reported_at__lt=period.end_utc) & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.start_utc)))
    plans = Action.objects.filter(case_id=OuterRef("pk"), stage="rencana_intervensi")
    quality = [
        ("q_no_action", received.filter(~Exists(Action.objects.filter(case_id=OuterRef("pk")))).count()),
        ("q_no_age", received.filter(age_at_report__isnull=True, child__birth_date__isnull=True).count()),
        ("q_no_kecamatan", received.filter(kecamatan="").count()),
        ("q_no_consent", received.filter(consent=False).count()),
        ("q_unapproved", handled.filter(Exists(plans), plan_approved_at__isnull=True).count()),
        ("q_open_old", handled.filter(closed_at__isnull=True).count()),
    ]
    k = audience.k
    sec.add(doc.Table("mutu_data", t(lang, "quality"),
                      [doc.Column("catatan", t(lang, "record")), doc.Column("jumlah", t(lang, "count"), "count")],
                      [[doc.Cell(t(lang, key)), doc.Cell(suppress_count(n, k) if audience.suppressed else n, "count")]
                       for key, n in quality]))
    if audience.suppressed:
        sec.add(doc.Paragraph(t(lang, "suppression_note", k=k, kmax=k - 1), "note"))
    return sec
