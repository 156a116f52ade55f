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
