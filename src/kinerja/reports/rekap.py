"""Rekapitulasi Respon Kasus: per year, cases received, responded to (an initial-approach action)
and resolved, each broken down by category, sex, age group at report, referral source, closure
reason and kecamatan at report, with totals and the change on the year before.

The public form (a suppressed audience of indicators.gate) hides small cells so that no child can
be singled out, and makes sure nothing hidden comes back by differencing:
- the yearly totals of cases received and resolved are the gate's own figures (the dashboard and
  the API show the same), responded cases follow the same rule; across years, where exactly one
  year is hidden the smallest other year is hidden too, so the total over the years gives nothing;
- each breakdown (values x years) is suppressed by kinerja.suppression.suppress (small cells,
  then complementary cells until no row or column has exactly one hidden cell); a year whose
  total is hidden is hidden whole in every breakdown, and then the totals over years of its rows
  are hidden too (they would give the hidden cells back);
- shares and changes derived from a hidden figure are hidden with it.
With the category filter the totals are the filtered cases' own, suppressed the same way."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kinerja import charts, vocab
from kinerja.indicators import gate
from kinerja.indicators.periods import Period, wib_date
from kinerja.reports import document as doc
from kinerja.reports import specs
from kinerja.reports.texts import t
from kinerja.suppression import SECONDARY, suppress

MEASURES = ("received", "responded", "resolved")
DIMENSIONS = ("category", "sex", "age", "source", "closure", "kecamatan")
AGE_GROUPS = ("0_5", "6_12", "13_17", "18")
UNKNOWN = "?"
OPEN = "-"

Progress = Callable[[str], None]


@dataclass
class _Case:
    reported: int  # WIB year
    closed: int | None
    resolved: bool
    responded: bool
    keys: dict[str, str]


def _age_group(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    if age <= 5:
        return "0_5"
    if age <= 12:
        return "6_12"
    if age <= 17:
        return "13_17"
    return "18"


def _age(age_at_report: int | None, birth: dt.date | None, reported: dt.date) -> int | None:
    if age_at_report is not None:
        return age_at_report
    if birth is None:
        return None
    return reported.year - birth.year - ((reported.month, reported.day) < (birth.month, birth.day))


def load_cases(unit_ids: Sequence[int], years: Sequence[int], kategori: Sequence[str] | None) -> list[_Case]:
    """The cases reported or closed in the years, with the fields the recap counts (no identity)."""
    from django.db.models import Q

    from kinerja.register.models import Case

    span = Period(Period.year(min(years)).start, Period.year(max(years)).end)
    qs = Case.objects.filter(unit_id__in=list(unit_ids)).filter(
        Q(reported_at__gte=span.start_utc, reported_at__lt=span.end_utc)
        | Q(closed_at__gte=span.start_utc, closed_at__lt=span.end_utc))
    if kategori:
        qs = qs.filter(category__in=list(kategori))
    rows = qs.values_list("reported_at", "closed_at", "closure_reason", "first_pendekatan_awal", "category",
                          "referral_source", "kecamatan", "age_at_report", "child__sex", "child__birth_date")
    out = []
    for reported, closed, reason, first_pa, category, source, kec, age, sex, birth in rows.iterator():
        day = wib_date(reported)
        out.append(_Case(
            reported=day.year, closed=wib_date(closed).year if closed else None,
            resolved=bool(closed) and reason in vocab.RESOLVED_REASONS, responded=first_pa is not None,
            keys={"category": category, "sex": sex or UNKNOWN, "age": _age_group(_age(age, birth, day)),
                  "source": source or UNKNOWN, "closure": reason or OPEN,
                  "kecamatan": (kec or "").strip() or UNKNOWN}))
    return out


def _counts(cases: list[_Case], years: Sequence[int]) -> dict[str, dict[str, Counter[tuple[str, int]]]]:
    """measure -> dimension -> (value, year) -> count; dimension "" is the year total."""
    out: dict[str, dict[str, Counter[tuple[str, int]]]] = {m: defaultdict(Counter) for m in MEASURES}
    ys = set(years)
    for c in cases:
        hits = []
        if c.reported in ys:
            hits.append(("received", c.reported))
            if c.responded:
                hits.append(("responded", c.reported))
        if c.resolved and c.closed in ys:
            hits.append(("resolved", c.closed))
        for m, y in hits:
            out[m][""][("", y)] += 1
            for d in DIMENSIONS:
                out[m][d][(c.keys[d], y)] += 1
    return out


def _values(dim: str, seen: set[str], lang: str) -> list[tuple[str, str]]:
    """(code, label) rows of a breakdown: the whole vocabulary, then unknown values only if met."""
    def vocab_rows(v: vocab.Vocabulary) -> list[tuple[str, str]]:
        return [(c, v.label(c, lang)) for c in v.codes]

    if dim == "category":
        rows = vocab_rows(vocab.KATEGORI)
    elif dim == "sex":
        rows = vocab_rows(vocab.JENIS_KELAMIN)
    elif dim == "age":
        rows = [(g, t(lang, f"age_{g}")) for g in AGE_GROUPS if g != "18" or g in seen]
    elif dim == "source":
        rows = vocab_rows(vocab.SUMBER_RUJUKAN)
    elif dim == "closure":
        rows = [*vocab_rows(vocab.ALASAN_PENUTUPAN), (OPEN, t(lang, "open"))]
    else:
        rows = [(k, k) for k in sorted(seen - {UNKNOWN})]
    known = {c for c, _ in rows}
    rows += [(v, v) for v in sorted(seen - known - {UNKNOWN})]
    if UNKNOWN in seen:
        rows.append((UNKNOWN, t(lang, "unknown")))
    return rows


def _complement_years(values: dict[int, int], hidden: set[int]) -> set[int]:
    """Hide the smallest other non-zero year while exactly one non-zero year is hidden, so the
    total over the years cannot give it back."""
    hidden = set(hidden)
    while sum(1 for y in hidden if values[y]) == 1:
        free = [(values[y], y) for y in values if y not in hidden and values[y]]
        if not free:
            break
        hidden.add(min(free)[1])
    return hidden


def protect(values: list[list[int]], hidden: set[tuple[int, int]], forced: set[int], k: int
            ) -> tuple[set[tuple[int, int]], set[int]]:
    """Complementary suppression of a breakdown whose `forced` columns (years whose total is hidden)
    are hidden whole, on top of suppress()'s pattern: until no row or column has exactly one hidden
    non-zero cell, hide the smallest other non-zero cell of that line; a row with no such cell
    hides its total over the years instead, and the totals over the years are then protected the
    same way (their sum, the grand total, is shown), a small total being hidden in any case.
    Returns the hidden cells and row totals."""
    n_rows = len(values)
    n_cols = len(values[0]) if values else 0
    hidden = set(hidden) | {(r, c) for r in range(n_rows) for c in forced if values[r][c]}
    totals_hidden: set[int] = set()

    def line(cells: list[tuple[int, int]]) -> tuple[int, int] | None:
        """The cell to hide next in a line with exactly one hidden non-zero cell (None: all settled)."""
        if sum(1 for rc in cells if rc in hidden and values[rc[0]][rc[1]]) != 1:
            return None
        free = [(values[r][c], r, c) for r, c in cells if (r, c) not in hidden and values[r][c] > 0]
        return (min(free)[1], min(free)[2]) if free else (-1, -1)

    changed = True
    while changed:
        changed = False
        for r in range(n_rows):
            if r in totals_hidden:
                continue
            nxt = line([(r, c) for c in range(n_cols)])
            if nxt == (-1, -1):
                totals_hidden.add(r)
                changed = True
            elif nxt is not None:
                hidden.add(nxt)
                changed = True
        for c in range(n_cols):
            nxt = line([(r, c) for r in range(n_rows)])
            if nxt is not None and nxt != (-1, -1):
                hidden.add(nxt)
                changed = True
    sums = [sum(row) for row in values]
    totals_hidden |= {r for r in range(n_rows) if 1 <= sums[r] < k}
    while sum(1 for r in totals_hidden if sums[r]) == 1:
        free = [(sums[r], r) for r in range(n_rows) if r not in totals_hidden and sums[r]]
        if not free:
            break
        totals_hidden.add(min(free)[1])
    return hidden, totals_hidden


class _Suppressor:
    """Which yearly totals a suppressed audience may see, per measure (see the module's docstring)."""

    def __init__(self, audience: gate.Audience, unit: Any, years: Sequence[int],
                 totals: dict[str, dict[int, int]], filtered: bool) -> None:
        self.a = audience
        self.k = audience.k
        self.hidden: dict[str, set[int]] = {m: set() for m in MEASURES}
        if not audience.suppressed:
            return
        if filtered:
            for m in MEASURES:
                self.hidden[m] = {y for y, v in totals[m].items() if 1 <= v < self.k}
        else:
            pub = gate.Publisher(audience)
            for y in years:
                shown = pub.publish(unit, Period.year(y), {"kasus_masuk": totals["received"][y],
                                                           "kasus_selesai": totals["resolved"][y]})
                if shown["kasus_masuk"] != totals["received"][y]:
                    self.hidden["received"].add(y)
                if shown["kasus_selesai"] != totals["resolved"][y]:
                    self.hidden["resolved"].add(y)
            self.hidden["responded"] = {y for y, v in totals["responded"].items() if 1 <= v < self.k}
        # responded cases are a part of the received ones: hidden with them
        self.hidden["responded"] |= self.hidden["received"]
        self.totals = totals
        self.settle()

    def settle(self) -> None:
        for m in MEASURES:
            self.hidden[m] = _complement_years(self.totals[m], self.hidden[m])
        self.hidden["responded"] |= self.hidden["received"]
        self.hidden["responded"] = _complement_years(self.totals["responded"], self.hidden["responded"])

    def grand(self, m: str, v: int) -> Any:
        """The total over the years: hidden when it would give back the one hidden year (no other
        non-zero year could be hidden with it)."""
        if not self.a.suppressed:
            return v
        if 1 <= v < self.k or sum(1 for y in self.hidden[m] if self.totals[m][y]) == 1:
            return f"<{self.k}" if 1 <= v < self.k else SECONDARY
        return v

    def total(self, m: str, y: int, v: int) -> Any:
        if y not in self.hidden[m]:
            return v
        return f"<{self.k}" if 1 <= v < self.k else SECONDARY


def build_rekap(unit: Any, years: Sequence[int], *, audience: gate.Audience, lang: str = "id",
                kategori: Sequence[str] | None = None, progress: Progress | None = None) -> doc.Document:
    """The recap of `unit` (with its descendants) over calendar `years`. `kategori` restricts the
    cases to those categories (None: every category)."""
    from kinerja.register.selectors import descendant_unit_ids

    step = progress or (lambda _s: None)
    years = sorted(set(years))
    for y in years:
        gate.check_request(audience, Period.year(y))
    step("cases")
    cases = load_cases(descendant_unit_ids(unit), years, kategori)
    counts = _counts(cases, years)
    totals = {m: {y: counts[m][""][("", y)] for y in years} for m in MEASURES}
    sup = _Suppressor(audience, unit, years, totals, filtered=bool(kategori))
    step("tables")
    # breakdowns: a first pass finds the years whose total a table cannot show, then the final pass
    tables: dict[tuple[str, str], tuple[list[tuple[str, str]], Any]] = {}
    for _round in range(2):
        changed = False
        for m in MEASURES:
            for dm in DIMENSIONS:
                seen = {v for v, _y in counts[m][dm]}
                rows = _values(dm, seen, lang)
                matrix = [[counts[m][dm][(code, y)] for y in years] for code, _ in rows]
                st = suppress(matrix, audience.k) if audience.suppressed and matrix else None
                if st is not None:
                    for j, y in enumerate(years):
                        if st.column_totals[j] == SECONDARY and y not in sup.hidden[m]:
                            sup.hidden[m].add(y)
                            changed = True
                tables[(m, dm)] = (rows, st)
        if not changed:
            break
        sup.settle()

    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
    d = doc.Document(kind="rekap", title=t(lang, "rekap_title"), subtitle=f"{unit.name}", unit_code=unit.code,
                     unit_name=unit.name, period=span, lang=lang, publik=audience.suppressed)
    d.cover = [(t(lang, "unit"), f"{unit.code} · {unit.name}"), (t(lang, "years"), span),
               (t(lang, "categories"), ", ".join(vocab.KATEGORI.label(k, lang) for k in kategori) if kategori
                else t(lang, "all_categories")),
               (t(lang, "edition"), t(lang, "publik") if audience.suppressed else t(lang, "internal"))]
    year_cols = [doc.Column(str(y), str(y), "count") for y in years]

    # -- the totals by year
    summary = doc.Section("ringkasan", t(lang, "summary"))
    shown = {m: {y: sup.total(m, y, totals[m][y]) for y in years} for m in MEASURES}
    any_hidden = any(sup.hidden[m] for m in MEASURES)
    grand_true = {m: sum(totals[m].values()) for m in MEASURES}
    grand = {m: sup.grand(m, grand_true[m]) for m in MEASURES}
    summary.add(doc.Paragraph(t(lang, "rekap_summary", years=span, unit=unit.name,
                                received=_fmt(grand["received"], lang), responded=_fmt(grand["responded"], lang),
                                resolved=_fmt(grand["resolved"], lang)), "lead"))
    resolved_seq = [shown["resolved"][y] for y in years]
    if len(years) > 1 and all(isinstance(v, int) for v in resolved_seq):
        rising = all(b > a for a, b in zip(resolved_seq, resolved_seq[1:], strict=False))
        summary.add(doc.Paragraph(t(lang, "rekap_rising" if rising else "rekap_not_rising",
                                    first=_fmt(resolved_seq[0], lang), y0=years[0],
                                    last=_fmt(resolved_seq[-1], lang), y1=years[-1])))
        d.data["resolved_rising"] = rising
    if any_hidden:
        summary.add(doc.Paragraph(t(lang, "rekap_hidden"), "note"))
    cols = [doc.Column("tahun", t(lang, "year")), doc.Column("received", t(lang, "received"), "count"),
            doc.Column("received_change", t(lang, "change"), "change:count"),
            doc.Column("responded", t(lang, "responded"), "count"),
            doc.Column("response_share", t(lang, "response_share"), "percent"),
            doc.Column("resolved", t(lang, "resolved"), "count"),
            doc.Column("resolved_change", t(lang, "change"), "change:count")]
    year_rows: list[list[doc.Cell]] = []
    for i, y in enumerate(years):
        rec, res, resp = shown["received"][y], shown["resolved"][y], shown["responded"][y]
        year_rows.append([doc.Cell(str(y)), doc.Cell(rec, "count"),
                     doc.Cell(_change(shown["received"], years, i), "change:count", True), doc.Cell(resp, "count"),
                     doc.Cell(_share(totals["responded"][y], totals["received"][y], resp, rec, audience), "percent"),
                     doc.Cell(res, "count"), doc.Cell(_change(shown["resolved"], years, i), "change:count", True)])
    total_row = [doc.Cell(t(lang, "total")), doc.Cell(grand["received"], "count"), doc.Cell(None, "text", True),
                 doc.Cell(grand["responded"], "count"),
                 doc.Cell(_share(grand_true["responded"], grand_true["received"], grand["responded"],
                                 grand["received"], audience), "percent"),
                 doc.Cell(grand["resolved"], "count"), doc.Cell(None, "text", True)]
    totals_table = doc.Table("jumlah_per_tahun", t(lang, "totals"), cols, year_rows, total_row)
    totals_table.chart = doc.Chart(
        t(lang, "totals"), specs.lines_chart(
            [{"tahun": str(y), "seri": t(lang, m), "nilai": shown[m][y]} for m in MEASURES for y in years],
            t(lang, "totals"), t(lang, "count")),
        kind="line", series=[1, 3, 5])
    summary.add(totals_table)
    d.sections.append(summary)
    d.data["totals"] = {m: {str(y): shown[m][y] for y in years} for m in MEASURES}
    d.data["resolved_by_year"] = {str(y): shown["resolved"][y] for y in years}

    # -- one section per measure, one table per breakdown
    for m in MEASURES:
        sec = doc.Section(m, t(lang, m))
        for dim in DIMENSIONS:
            rows_of, st = tables[(m, dim)]
            matrix = [[counts[m][dim][(code, y)] for y in years] for code, _ in rows_of]
            body = []
            if st is not None:
                forced = {j for j, y in enumerate(years) if y in sup.hidden[m]}
                hidden, hidden_totals = protect(matrix, {(r, j) for r, row in enumerate(st.suppressed)
                                                         for j, h in enumerate(row) if h}, forced, audience.k)
            for r, (_code, label) in enumerate(rows_of):
                cells = [doc.Cell(label)]
                for j, v in enumerate(matrix[r]):
                    hide = st is not None and (r, j) in hidden
                    cells.append(doc.Cell((f"<{audience.k}" if v < audience.k else SECONDARY) if hide and v else v,
                                          "count"))
                row_total: Any = sum(matrix[r])
                if st is not None and (r in hidden_totals or st.row_totals[r] == SECONDARY):
                    row_total = SECONDARY
                cells.append(doc.Cell(row_total, "count"))
                body.append(cells)
            total = [doc.Cell(t(lang, "total")), *(doc.Cell(shown[m][y], "count") for y in years),
                     doc.Cell(grand[m], "count")]
            title = t(lang, "by", what=t(lang, m), dim=t(lang, f"dim_{dim}"))
            table = doc.Table(f"{m}_{dim}", title, [doc.Column("nilai", t(lang, f"dim_{dim}").capitalize()),
                                                    *year_cols, doc.Column("jumlah", t(lang, "total"), "count")],
                              body, total)
            if dim == "category" and len(years) > 1:
                table.chart = doc.Chart(
                    t(lang, "chart_by_category", what=t(lang, m)),
                    specs.stacked_bars([{"tahun": str(y), "seri": row[0].value, "nilai": row[j + 1].value}
                                        for row in body for j, y in enumerate(years)],
                                       t(lang, "chart_by_category", what=t(lang, m))),
                    kind="column", series=list(range(1, len(years) + 1)))
            sec.add(table)
        d.sections.append(sec)
        step(m)

    notes = doc.Section("catatan", t(lang, "notes"))
    notes.add(doc.Paragraph(t(lang, "rekap_def")))
    if audience.suppressed:
        notes.add(doc.Paragraph(t(lang, "suppression_note", k=audience.k, kmax=audience.k - 1)))
    d.sections.append(notes)
    # the trend chart of the dashboard, for the resolved cases (same spec builder)
    d.data["trend_resolved"] = charts.trend_chart([{"year": y, "value": shown["resolved"][y]} for y in years],
                                                  t(lang, "resolved"), t(lang, "resolved"))
    return d


def _fmt(v: Any, lang: str) -> str:
    from kinerja.numbers import format_number

    return format_number(v, lang, "count")


def _change(series: dict[int, Any], years: Sequence[int], i: int) -> Any:
    if i == 0:
        return None
    now, before = series[years[i]], series[years[i - 1]]
    if not isinstance(now, int) or not isinstance(before, int):
        return SECONDARY
    return now - before


def _share(num: int, den: int, shown_num: Any, shown_den: Any, audience: gate.Audience) -> Any:
    if not den:
        return None
    if audience.suppressed and (not isinstance(shown_num, int) or not isinstance(shown_den, int)
                                or 1 <= num < audience.k or 1 <= den - num < audience.k):
        return SECONDARY
    return num / den * 100.0
