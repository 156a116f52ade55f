"""The performance page: role-checked, two-decimal figures, Vega-Lite specs embedded for the charts."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests import factories


@pytest.fixture
def data(units, users):
    utc = dt.UTC
    for i in range(3):
        factories.case(units["seksi"], worker=users["peksos"], reported=dt.datetime(2023, 2, 1 + i, 3, tzinfo=utc),
                       closed_at=dt.datetime(2023, 5, 1, tzinfo=utc), closure_reason="reunifikasi_keluarga")
    factories.case(units["seksi"], worker=users["peksos2"], reported=dt.datetime(2023, 3, 1, tzinfo=utc))
    factories.case(units["seksi"], worker=users["peksos"], reported=dt.datetime(2022, 3, 1, tzinfo=utc),
                   closed_at=dt.datetime(2022, 9, 1, tzinfo=utc), closure_reason="tujuan_tercapai")


def specs(html: str) -> dict:
    m = re.search(r'<script id="chart-specs" type="application/json">(.*?)</script>', html, re.S)
    assert m, "chart specs missing"
    return json.loads(m.group(1))


def test_section_head_sees_unit_scorecard_and_trend(client, users, data):
    client.force_login(users["kasi"])
    r = client.get("/kinerja/", {"tahun": "2023", "ukuran": "kasus_selesai"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Produktivitas" in html and "Responsivitas" in html
    trend = specs(html)["trend"]["data"]["values"]
    assert trend == [{"tahun": "2022", "nilai": 1}, {"tahun": "2023", "nilai": 3}]
    assert "vega-embed.min.js" in html and "cdn" not in html.lower()


def test_social_worker_sees_only_individual_level(client, users, data):
    client.force_login(users["peksos2"])
    html = client.get("/kinerja/", {"tahun": "2023", "ukuran": "kasus_masuk"}).content.decode()
    trend = specs(html)["trend"]["data"]["values"]
    assert trend == [{"tahun": "2022", "nilai": 0}, {"tahun": "2023", "nilai": 1}]


def test_admin_has_no_performance_view_and_units_are_limited(client, users, data):
    client.force_login(users["admin"])
    assert client.get("/kinerja/").status_code == 403
    client.force_login(users["other_kasi"])
    html = client.get("/kinerja/", {"unit": "14.71-RESOS-ANAK"}).content.decode()
    assert "Seksi Rehabilitasi Sosial Anak</option>" not in html  # another city's unit is not offered


# -- the unit pages -------------------------------------------------------------------------------
@pytest.fixture
def two_sections(units, users):
    """A second section under the Bidang: 6 cases (2 resolved) beside the first one's 4 (3 resolved)."""
    from kinerja.register.models import Unit

    lain = Unit.objects.create(code="14.71-RESOS-LAIN", name="Seksi Lain", parent=units["bidang"], region_code="14.71")
    utc = dt.UTC
    for i in range(6):
        factories.case(lain, reported=dt.datetime(2023, 4, 1 + i, tzinfo=utc),
                       closed_at=dt.datetime(2023, 8, 1, tzinfo=utc) if i < 2 else None,
                       closure_reason="tujuan_tercapai" if i < 2 else "", category="eksploitasi_ekonomi")
    return lain


def _rows_of(html: str, dimension_heading: str) -> list[str]:
    """The unit names of a side-by-side table, in the order shown."""
    part = html.split(f"<h3>{dimension_heading}</h3>", 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td><a href="\?unit=[^"]*">([^<]+)</a></td>', part)


def test_leader_lands_on_the_bidang_with_its_sections_side_by_side(client, users, data, two_sections):
    client.force_login(users["pimpinan"])
    r = client.get("/kinerja/", {"tahun": "2023"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Bidang Rehabilitasi Sosial</h1>" in html
    assert "Kinerja · Kinerja" not in html and "1 Jan 2023 – 31 Des 2023" in html
    assert _rows_of(html, "Produktivitas") == ["Seksi Lain", "Seksi Rehabilitasi Sosial Anak"]
    # the rolled-up row: 5 of 10 handled cases resolved
    total = html.split("<h3>Produktivitas</h3>", 1)[1].split('<tr class="total">', 1)[1].split("</tr>", 1)[0]
    assert "50,00" in total
    # sorted by the resolution rate, high to low: 3/4 before 2/6
    r = client.get("/kinerja/", {"tahun": "2023", "urut": "tingkat_penyelesaian", "arah": "turun"})
    assert _rows_of(r.content.decode(), "Produktivitas") == ["Seksi Rehabilitasi Sosial Anak", "Seksi Lain"]
    r = client.get("/kinerja/", {"tahun": "2023", "urut": "tingkat_penyelesaian", "arah": "naik"})
    assert _rows_of(r.content.decode(), "Produktivitas") == ["Seksi Lain", "Seksi Rehabilitasi Sosial Anak"]
    # framework names, not ids; the measures link to their definitions
    assert ">Kinerja organisasi publik (Nasucha)</option>" in html and ">nasucha</option>" not in html
    assert 'href="/kinerja/definisi/#m-tingkat_penyelesaian"' in html
    # a section opens on its own scorecard, without a side-by-side table
    html = client.get("/kinerja/", {"tahun": "2023", "unit": "14.71-RESOS-LAIN"}).content.decode()
    assert "<h1>Seksi Lain</h1>" in html and 'class="compare"' not in html


def test_counts_are_whole_and_the_same_on_page_cli_and_api(client, users, data, two_sections, capsys):
    from kinerja.indicators import commands
    from kinerja.numbers import format_number

    client.force_login(users["pimpinan"])
    html = client.get("/kinerja/", {"tahun": "2023", "kerangka": "nasucha"}).content.decode()
    assert '<td class="num">10</td>' in html  # kasus_ditangani of the Bidang: 10, not "10,00"
    api = client.get("/api/indikator/scorecard", {"unit": "14.71-RESOS", "year": 2023, "framework": "nasucha"}).json()
    rate = next(m for d in api["dimensions"] for m in d["measures"] if m["id"] == "tingkat_penyelesaian")
    shown = format_number(rate["value"], "id")
    assert f'<td class="num">{shown}</td>' in html
    parser = __import__("argparse").ArgumentParser()
    sub = parser.add_subparsers()
    commands.register(sub, lambda name, handler, help, parent=None: (parent or sub).add_parser(name))
    args = parser.parse_args(["scorecard", "--unit", "14.71-RESOS", "--year", "2023", "--framework", "nasucha",
                              "--lang", "id"])
    out = __import__("io").StringIO()
    commands.scorecard_body(args, out)
    assert shown in out.getvalue() and "10" in out.getvalue()


def test_category_filter_on_the_page_shows_unit_figures_apart(client, users, data, two_sections):
    client.force_login(users["pimpinan"])
    html = client.get("/kinerja/", {"tahun": "2023", "kerangka": "nasucha",
                                    "kategori": "eksploitasi_ekonomi"}).content.decode()
    assert '<td class="num">6</td>' in html  # only the 6 exploitation cases are handled
    assert "Unit figures, all categories" in html or "semua kategori" in html.lower()
    plain = client.get("/kinerja/", {"tahun": "2023", "kerangka": "nasucha"}).content.decode()
    assert plain != html and '<td class="num">10</td>' in plain
    assert client.get("/kinerja/", {"tahun": "2023", "kategori": "bukan"}).status_code == 400


def test_evaluator_at_the_dinas_gets_the_gate_on_the_side_by_side_table(client, users, data, two_sections):
    client.force_login(users["evaluator"])
    r = client.get("/kinerja/", {"tahun": "2023", "kerangka": "nasucha"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Dinas Sosial Kota Pekanbaru</h1>" in html
    assert _rows_of(html, "Pelayanan") == ["Bidang Rehabilitasi Sosial"]
    # 10 handled cases are shown; the 4 and 6 of the sections are never given as such
    for small in (1, 2, 3, 4):
        assert f'<td class="num">{small}<br>' not in html and f'<td class="num">{small}</td>' not in html
    section = client.get("/kinerja/", {"tahun": "2023", "kerangka": "nasucha", "unit": "14.71-RESOS-ANAK"})
    assert "&lt;5" in section.content.decode()
    # no category filter in the form that leaves the unit
    assert client.get("/kinerja/", {"tahun": "2023", "kategori": "kekerasan"}).status_code == 400


def test_inhibiting_factors_have_figures_in_every_framework(client, users, data):
    from kinerja.indicators import frameworks

    client.force_login(users["kasi"])
    for fid in frameworks.load_all():
        html = client.get("/kinerja/", {"tahun": "2023", "kerangka": fid}).content.decode()
        bars = specs(html)["inhibitors"]
        assert len(bars["data"]["values"]) == 4, fid
        assert bars["encoding"]["x"]["axis"]["format"] == "d"


def test_definitions_page_has_an_anchor_per_measure(client, users):
    from kinerja.indicators import definitions

    client.force_login(users["pimpinan"])
    html = client.get("/kinerja/definisi/").content.decode()
    for mid in definitions.ALL_IDS:
        assert f'id="m-{mid}"' in html
    assert "Kasus selesai dibagi kasus ditangani" in html


def test_the_definitions_follow_the_measures_document():
    """The page's words are docs/measures.md's: regenerate dashboard/measure_texts.py when it changes."""
    from pathlib import Path

    from kinerja.dashboard.measure_texts import TEXTS
    from kinerja.indicators import definitions

    doc = " ".join((Path(__file__).parents[1] / "docs" / "measures.md").read_text(encoding="utf-8").split())
    assert set(TEXTS) == set(definitions.ALL_IDS)
    for mid, (ind, en) in TEXTS.items():
        assert ind in doc and f"*{en}*" in doc, mid


def test_category_filter_in_the_api_and_the_cli(client, users, data, two_sections):
    import argparse
    import io

    from kinerja.indicators import commands

    client.force_login(users["pimpinan"])
    r = client.get("/api/indikator/measures", {"unit": "14.71-RESOS", "year": 2023, "kategori": "eksploitasi_ekonomi"})
    assert r.status_code == 200
    body = r.json()
    assert body["kategori"] == ["eksploitasi_ekonomi"] and body["kasus_ditangani"] == 6 and body["ikm"] is None
    assert "kategori" not in client.get("/api/indikator/measures", {"unit": "14.71-RESOS", "year": 2023}).json()
    r = client.get("/api/indikator/trend", {"unit": "14.71-RESOS", "years": "2022-2023", "measure": "kasus_selesai",
                                            "kategori": "kekerasan"})
    assert [p["value"] for p in r.json()["series"]] == [1, 3]
    assert client.get("/api/indikator/measures", {"year": 2023, "kategori": "bukan"}).status_code == 400
    client.force_login(users["evaluator"])
    r = client.get("/api/indikator/scorecard", {"unit": "14.71-RESOS", "year": 2023, "kategori": "kekerasan"})
    assert r.status_code == 400 and "kategori" in r.json()["detail"]

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    commands.register(sub, lambda name, handler, help, parent=None: (parent or sub).add_parser(name))
    out = io.StringIO()
    commands.measures_body(parser.parse_args(["measures", "--unit", "14.71-RESOS", "--year", "2023", "--kategori",
                                              "eksploitasi_ekonomi,kekerasan", "--format", "json"]), out)
    got = json.loads(out.getvalue())
    assert got["kategori"] == ["eksploitasi_ekonomi", "kekerasan"] and got["kasus_ditangani"] == 10
