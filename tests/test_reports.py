"""The reports read back: the PDF's text, the XLSX's cells and the public recap's tables are
checked against the figures they were made from (the scorecard JSON, the gate's rules), and the
sample's report against the story the case study tells."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from kinerja import cli, numbers
from kinerja.indicators import definitions as defs
from kinerja.indicators import gate
from tests.evidence_factories import sample_fixture  # noqa: F401
from tests.indicator_factories import H, act, case, wib

pytestmark = pytest.mark.django_db
SECTION = "14.71-RESOS-ANAK"


@pytest.fixture
def demo(tmp_path, settings):
    """The sample of `kinerja demo`: the Pekanbaru-like section 2016-2025 and the evidence sample."""
    from kinerja import generator
    from kinerja.evidence.demo import load_sample
    from kinerja.register.models import Unit
    from kinerja.register.tabular import writing

    generator.demo_dataset(tmp_path / "demo")
    assert writing.import_path(tmp_path / "demo").ok
    assert load_sample(io.StringIO())
    return Unit.objects.get(code=SECTION)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _page_png(pdf: Path, page: int, out: Path) -> Path:
    """One page rendered by poppler's pdftoppm (what an office's viewer would show)."""
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out)], check=True, timeout=120)
    return out.with_suffix(".png")


def _ink(png: Path) -> float:
    """Share of the page's pixels that are not white."""
    from PIL import Image

    hist = Image.open(png).convert("L").histogram()
    return sum(hist[:200]) / sum(hist)


def _page_of(pdf_bytes: bytes, needle: str, after: int = 2) -> int:
    from pypdf import PdfReader

    for n, page in enumerate(PdfReader(io.BytesIO(pdf_bytes)).pages, 1):
        if n > after and needle in page.extract_text():
            return n
    raise AssertionError(f"{needle!r} on no page")


# -- the sample: the PDF, the XLSX and the story -----------------------------------------------


def test_sample_evaluation_pdf_shows_the_scorecard_and_its_pages_are_drawn(demo, tmp_path, capsys):
    from kinerja.indicators.commands import fmt_number
    from kinerja.indicators.scorecard import scorecard

    out = tmp_path / "kinerja.pdf"
    code = cli.main(["report", "kinerja", "--unit", SECTION, "--year", "2024", "--format", "pdf",
                     "--output", str(out), "--lang", "id"])
    printed, err = capsys.readouterr()
    assert code == 0, err
    assert printed.strip() == str(out) and "7/7" in err  # the path, and the progress bar on stderr
    data = out.read_bytes()
    text = " ".join(_pdf_text(data).split())
    card = scorecard(demo, 2024, lang="id")
    assert numbers.format_number(card["score"], "id") in text and card["rating_label"] in text
    for d in card["dimensions"]:
        assert d["name"] in text and numbers.format_number(d["score"], "id") in text
        for m in d["measures"]:
            kind = defs.get(m["id"]).number_kind
            assert numbers.format_number(m["value"], "id", kind) in text, m["id"]
            if kind != "money":  # as `kinerja scorecard` prints it
                assert fmt_number(m["value"], "id", defs.get(m["id"]).integer) in text, m["id"]
            if m["achievement"] is not None:
                assert numbers.format_number(m["achievement"], "id") in text, m["id"]
    # the case study's inhibiting factors lead, and the report says so
    top = [i["id"] for i in card["inhibitors"][:3]]
    assert set(top) == {"anggaran", "komunikasi", "sarana_prasarana"}, top
    assert "Faktor yang paling menahan kinerja:" in text
    for i in card["inhibitors"][:3]:
        assert i["name"] in text
    # quotes with the informant's role and stance; the child's quote in the internal edition only
    assert "Pekerja Sosial" in text and "menghambat" in text
    # contents, running header and page numbers
    assert "Daftar isi" in text and f"{SECTION}" in text and re.search(r"\b3 / \d+\b", text)
    # page 1 and a dimension page drawn by poppler, not blank
    cover = _page_png(out, 1, tmp_path / "p1")
    dim_page = _page_png(out, _page_of(data, "Tren Tingkat penyelesaian kasus"), tmp_path / "dim")
    assert 0.01 < _ink(cover) < 0.5 and 0.03 < _ink(dim_page) < 0.6


def test_sample_xlsx_matches_the_scorecard_json_cell_for_cell(demo, tmp_path, capsys):
    import openpyxl

    from kinerja.reports.render import SCORECARD_COLUMNS

    code = cli.main(["scorecard", "--unit", SECTION, "--year", "2024", "--format", "json", "--lang", "en"])
    card = json.loads(capsys.readouterr()[0])
    assert code == 0
    out = tmp_path / "k.xlsx"
    assert cli.main(["report", "kinerja", "--unit", SECTION, "--year", "2024", "--format", "xlsx",
                     "--output", str(out), "--lang", "en"]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["kartu_kinerja"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == SCORECARD_COLUMNS
    expected = [(d["id"], m) for d in card["dimensions"] for m in d["measures"]]
    for (dim_id, m), row in zip(expected, rows[1:], strict=False):
        want = tuple(dim_id if k == "dimensi" else m.get(k) for k in SCORECARD_COLUMNS)
        # a spreadsheet keeps 15 significant digits: numbers agree to that, everything else exactly
        for got, exp in zip(row, want, strict=True):
            if isinstance(exp, float):
                assert got == pytest.approx(exp, rel=1e-14, abs=1e-12)
            else:
                assert got == exp
    assert len(rows) >= len(expected) + 1
    # each dimension's table: native numbers with a number format
    sheet = wb["dimensi_produktivitas"]
    value = sheet.cell(row=4, column=2)
    first = card["dimensions"][0]["measures"][0]
    assert value.value == first["value"] and value.number_format == "#,##0.00"
    with zipfile.ZipFile(out) as zf:  # the native Excel charts are in the file
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())


def test_sample_recap_resolved_cases_rise_every_year(demo):
    from kinerja.reports import render
    from kinerja.reports.rekap import build_rekap

    d = build_rekap(demo, range(2016, 2026), audience=gate.operator(False), lang="en")
    resolved = [d.data["resolved_by_year"][str(y)] for y in range(2016, 2026)]
    assert all(b > a for a, b in zip(resolved, resolved[1:], strict=False)), resolved
    html = render.html(d)
    assert "Resolved cases rose every year" in html and "<svg" not in html and "data:image/svg+xml" in html


# -- the public recap of small counts -----------------------------------------------------------


@pytest.fixture
def small(units, users):
    """Seksi 2019-2021 with small groups: a lone street child in one kecamatan, a couple of boys."""
    from kinerja.register.models import Case

    u = units["seksi"]
    made = []
    plan = {2019: 9, 2020: 3, 2021: 12}
    for year, n in plan.items():
        for i in range(n):
            c = case(u, wib(year, 2, 1 + i), closed=wib(year, 9, 1) if i % 2 == 0 else None, sex="L" if i < 2 else "P")
            Case.objects.filter(pk=c.pk).update(kecamatan="Rumbai" if i == 0 else "Tampan",
                                                category="anak_jalanan" if i == 0 else "kekerasan",
                                                age_at_report=4 if i == 1 else 14)
            if i != 2:
                act(c, "pendekatan_awal", wib(year, 2, 1 + i) + H)
            made.append(c)
    return u


def _known(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _relations(d):
    """Every sum relation a reader can form from the public recap: each breakdown's rows (cells =
    row total) and columns (cells = the year's total), and each measure's years (= the total)."""
    rels = []
    for table in d.tables():
        if table.id == "jumlah_per_tahun":
            for col in (1, 3, 5):
                rels.append(("years", [r[col].value for r in table.rows], table.total[col].value))
            continue
        body = [[c.value for c in r[1:]] for r in table.rows]
        for r in body:
            rels.append((table.id, r[:-1], r[-1]))
        for j in range(len(body[0]) if body else 0):
            rels.append((table.id, [r[j] for r in body], table.total[j + 1].value))
    return rels


def test_public_recap_hides_small_counts_and_nothing_comes_back(small, users):
    from kinerja.reports.rekap import build_rekap

    audience = gate.audience_for("evaluator", k=5)
    d = build_rekap(small, [2019, 2020, 2021], audience=audience, lang="id")
    internal = build_rekap(small, [2019, 2020, 2021], audience=gate.operator(False), lang="id")
    cells = [c.value for t in d.tables() for r in [*t.rows, *([t.total] if t.total else [])] for c in r[1:]]
    assert "<5" in cells
    assert not [v for v in cells if _known(v) and 1 <= v < 5], "a small count is shown"
    # 2020 has three cases: hidden whole, with its partner year, so the total over the years gives nothing
    totals = d.tables()[0]
    assert totals.rows[1][1].value == "<5" and not _known(totals.rows[0][1].value) or not _known(totals.rows[2][1].value)
    for name, parts, total in _relations(d):
        unknown = [p for p in [*parts, total] if not _known(p)]
        assert len(unknown) != 1, (name, parts, total)
    # the year totals are the same in every table (no table shows what another hides)
    by_year = {m: [r[col].value for r in totals.rows] for m, col in (("received", 1), ("responded", 3),
                                                                      ("resolved", 5))}
    for table in d.tables()[1:]:
        m = table.id.split("_", 1)[0]
        assert [c.value for c in table.total[1:-1]] == by_year[m], table.id
    # what is shown is true: the internal edition has the same numbers where the public one shows one
    for pub, inn in zip(d.tables(), internal.tables(), strict=True):
        for pr, ir in zip(pub.rows, inn.rows, strict=True):
            for pc, ic in zip(pr, ir, strict=True):
                assert not _known(pc.value) or pc.value == ic.value
    # and every chart carries no more than its table
    for table in d.tables():
        if table.chart is not None:
            values = [p.get("nilai") for p in table.chart.spec["data"]["values"]]
            assert not [v for v in values if _known(v) and 1 <= v < 5]


def test_public_recap_csv_and_the_cli(small, tmp_path, capsys):
    out = tmp_path / "rekap"
    code = cli.main(["report", "rekap", "--unit", SECTION, "--years", "2019-2021", "--format", "csv", "--publik",
                     "--output", str(out)])
    printed, err = capsys.readouterr()
    assert code == 0, err and printed.strip() == str(out)
    files = sorted(p.name for p in out.iterdir())
    assert "jumlah_per_tahun.csv" in files and "received_kecamatan.csv" in files and len(files) == 19
    text = (out / "received_kecamatan.csv").read_text(encoding="utf-8-sig")
    assert "Rumbai" in text and "<5" in text
    assert not re.search(r",[1-4](,|\r?\n)", "".join((out / f).read_text(encoding="utf-8-sig") for f in files))
    # the internal edition shows the lone child's kecamatan count
    code = cli.main(["report", "rekap", "--unit", SECTION, "--years", "2019-2021", "--format", "csv",
                     "--output", str(tmp_path / "in")])
    assert code == 0
    assert re.search(r"Rumbai,1,1,1,3", (tmp_path / "in" / "received_kecamatan.csv").read_text(encoding="utf-8-sig"))


def test_category_filter_and_bad_input(small, tmp_path, capsys):
    from kinerja.reports.rekap import build_rekap

    d = build_rekap(small, [2019, 2020, 2021], audience=gate.operator(False), lang="en", kategori=["anak_jalanan"])
    assert d.data["totals"]["received"] == {"2019": 1, "2020": 1, "2021": 1}
    pub = build_rekap(small, [2019, 2020, 2021], audience=gate.operator(True), lang="en", kategori=["anak_jalanan"])
    assert set(pub.data["totals"]["received"].values()) == {"<5"}
    assert not _known(pub.tables()[0].total[1].value)  # three hidden years: the total is one child's
    code = cli.main(["report", "rekap", "--unit", SECTION, "--years", "2019-2021", "--kategori", "bukan",
                     "--format", "csv", "--output", str(tmp_path / "x")])
    assert code == 2 and "kategori tidak dikenal / unknown category: bukan" in capsys.readouterr()[1]
    with pytest.raises(SystemExit) as exc:  # argparse refuses: csv is for the recap's tables
        cli.main(["report", "kinerja", "--unit", SECTION, "--year", "2020", "--format", "csv"])
    assert exc.value.code == 2 and "invalid choice: 'csv'" in capsys.readouterr()[1]
    code = cli.main(["report", "rekap", "--unit", "TIDAK-ADA", "--years", "2020", "--format", "html"])
    assert code == 2 and "unit tidak dikenal / unknown unit" in capsys.readouterr()[1]
    assert not (tmp_path / "x").exists()


def test_public_evaluation_has_no_child_quotes_no_staff_names_and_suppressed_cells(small, sample, tmp_path):
    from kinerja.evidence import selectors as ev_selectors
    from kinerja.evidence.models import Coding, Evaluation
    from kinerja.reports import render
    from kinerja.reports.evaluation import build_kinerja

    # the sample evaluation covers 2023-2025; the small register's year 2020 is given its evidence
    evidence = ev_selectors.current_project(Evaluation.objects.get(code="sampel-anak-2024"))
    audience = gate.audience_for("evaluator", k=5)
    d = build_kinerja(small, 2020, audience=audience, lang="id", evidence=evidence)
    html = render.html(d)
    internal = render.html(build_kinerja(small, 2020, audience=gate.operator(False), lang="id", evidence=evidence))
    coders = set(Coding.objects.values_list("coder__username", flat=True))
    assert coders and all(c in internal for c in coders)
    assert not any(c in html for c in coders) and "Pengkode 1" in html
    assert "Anak korban" in internal and "NA, 14 th" in internal
    assert "NA, 14 th" not in html and "Kutipan dari informan anak tidak dimuat" in html
    assert "&lt;5" in html
    # the evidence workspace's own counts (documents, paragraphs compared) are not counts of children
    about_children = [t for t in d.tables() if t.id not in ("sumber", "kesepakatan")]
    shown = [c.value for t in about_children for r in [*t.rows, *([t.total] if t.total else [])] for c in r
             if c.kind in ("count", "change:count")]
    assert not [v for v in shown if _known(v) and 1 <= v < 5]
    card = d.data["scorecard"]
    assert card["score"] == "*" or card["score"] is None or isinstance(card["score"], float)
    # a reader without transcript rights gets no quotes at all
    no_texts = render.html(build_kinerja(small, 2020, audience=gate.operator(False), lang="en", texts=False,
                                         evidence=evidence))
    assert "<blockquote" not in no_texts and "Quotes are not shown to your role." in no_texts


def test_recommendation_rules(tmp_path):
    from kinerja.reports import recommendations

    card = {"dimensions": [{"id": "produktivitas", "score": 60.0, "rating": "kurang", "measures": [
        {"id": "respon_tepat_waktu", "value": 50.0, "achievement": 55.0, "rating": "kurang"},
        {"id": "kepatuhan_sop", "value": "*", "achievement": "*", "rating": "*"}]}],
        "inhibitors": [{"id": "anggaran", "rank": 1, "share": 40.0, "measures": []},
                       {"id": "sdm", "rank": 3, "share": 10.0, "measures": []}]}
    rules = recommendations.load(recommendations.SHIPPED)
    got = {(r.target, r.ref) for r in recommendations.applying(rules, card)}
    assert ("ukuran", "respon_tepat_waktu") in got and ("faktor", "anggaran") in got
    assert ("dimensi", "produktivitas") in got
    assert ("ukuran", "kepatuhan_sop") not in got  # hidden: a rule never fires on a suppressed figure
    assert ("faktor", "sdm") not in got  # rank 3, the rule asks for the first two
    bad = tmp_path / "r.toml"
    bad.write_text('[[aturan]]\nukuran = "ikm"\njika = "skor < 3"\nid = "a"\nen = "b"\n', encoding="utf-8")
    with pytest.raises(recommendations.RuleError, match="ukuran hanya punya"):
        recommendations.load(bad)


# -- the web page -------------------------------------------------------------------------------


def test_reports_page_downloads_through_the_gate(small, users, client):
    client.force_login(users["kasi"])
    page = client.get("/laporan/")
    assert page.status_code == 200 and b"data-report-form" in page.content
    # the plain download (the form without script; with script see test_reports_web)
    r = client.get("/laporan/", {"jenis": "rekap", "unit": SECTION, "tahun_awal": 2019, "tahun_akhir": 2021,
                                 "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith('attachment; filename="rekap-')
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb["jumlah_per_tahun"].cell(row=5, column=2).value == 3  # 2020: three cases, inside the unit
    r = client.get("/laporan/", {"jenis": "rekap", "unit": SECTION, "tahun_awal": 2019, "tahun_akhir": 2021,
                                 "format": "csv"})
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert any(n.endswith("/jumlah_per_tahun.csv") for n in zf.namelist())
    client.force_login(users["evaluator"])  # always the public edition, whatever the form says
    r = client.get("/laporan/", {"jenis": "rekap", "unit": SECTION, "tahun_awal": 2019, "tahun_akhir": 2021,
                                 "format": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb["jumlah_per_tahun"].cell(row=5, column=2).value == "<5"
    r = client.get("/laporan/", {"jenis": "rekap", "unit": "14.72-RESOS-ANAK", "tahun_awal": 2019,
                                 "tahun_akhir": 2021, "format": "pdf"})
    assert r.status_code == 400  # not the evaluator's unit
    r = client.get("/laporan/", {"jenis": "kinerja", "unit": SECTION, "tahun": "20x0", "format": "pdf"})
    assert r.status_code == 400


def test_evaluation_report_filtered_by_category(small, tmp_path, capsys):
    """The engine's category filter reaches the evaluation report; the public edition refuses it
    (one category beside all categories would give small counts back by subtraction)."""
    import openpyxl

    out = tmp_path / "kinerja.xlsx"
    assert cli.main(["report", "kinerja", "--unit", SECTION, "--year", "2021", "--kategori", "anak_jalanan",
                     "--format", "xlsx", "--output", str(out)]) == 0
    cells = [c for row in openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True) for c in row]
    assert "anak_jalanan" in " ".join(str(c) for c in cells if c)  # the filter is named in the report
    capsys.readouterr()
    code = cli.main(["report", "kinerja", "--unit", SECTION, "--year", "2021", "--kategori", "anak_jalanan",
                     "--publik", "--format", "html", "--output", str(tmp_path / "p.html")])
    assert code != 0 and not (tmp_path / "p.html").exists()
