"""The indicator API through Django's test client, with the role checks of domain.md."""

from __future__ import annotations

import pytest
from django.test import Client

from kinerja.indicators import definitions as defs
from tests.indicator_factories import H, act, case, wib

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.indicator_api_urls")]
BASE = "/api/indikator"


@pytest.fixture
def data(units, users):
    """Seksi 2020: peksos1 has 2 cases (1 resolved), peksos2 1 case, 1 unassigned; other city 1 case."""
    t = wib(2020, 3, 1)
    for worker, closed in [(users["peksos"], wib(2020, 5, 1)), (users["peksos"], None),
                           (users["peksos2"], None), (None, None)]:
        c = case(units["seksi"], t, worker=worker, closed=closed)
        act(c, "pendekatan_awal", t + H)
        act(c, "asesmen", t + 2 * H)
    case(units["other"], t)
    return units


def get(user, url, **params):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(BASE + url, params)


def test_section_head_sees_unit_process_and_individual_levels(data, users):
    r = get(users["kasi"], "/measures", unit="14.71-RESOS-ANAK", year=2020)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["unit", "mulai", "selesai", *defs.CORE_IDS]
    assert body["kasus_masuk"] == 4 and body["durasi_pendekatan_awal_asesmen_median_hari"] == pytest.approx(1 / 24)
    r = get(users["kasi"], "/measures", year=2020, worker="peksos1")  # default unit: their own
    assert r.status_code == 200 and r.json()["kasus_masuk"] == 2 and r.json()["ikm"] is None
    assert get(users["kasi"], "/measures", unit="14.72-RESOS-ANAK", year=2020).status_code == 403
    assert get(users["kasi"], "/measures", unit="14.71-DINSOS", year=2020).status_code == 403
    assert get(users["kasi"], "/measures", year=2020, worker="kasi_lain").status_code == 404


def test_social_worker_sees_only_their_own_individual_level(data, users):
    r = get(users["peksos"], "/measures", year=2020)
    assert r.status_code == 200
    assert (r.json()["kasus_masuk"], r.json()["kasus_selesai"]) == (2, 1)
    assert get(users["peksos"], "/measures", year=2020, worker="peksos1").status_code == 200
    assert get(users["peksos"], "/measures", year=2020, worker="peksos2").status_code == 403
    assert get(users["peksos"], "/measures", year=2020, unit="14.71-RESOS").status_code == 403
    r = get(users["peksos"], "/scorecard", year=2020, framework="individu")
    assert r.status_code == 200 and r.json()["worker"] == "peksos1"


@pytest.mark.parametrize("who", ["pimpinan", "evaluator"])
def test_division_head_and_evaluator_see_unit_aggregates_only(data, users, who):
    r = get(users[who], "/measures", unit="14.71-RESOS-ANAK", year=2020)
    assert r.status_code == 200
    body = r.json()
    # the evaluator is outside the section: small counts reach them suppressed
    assert body["kasus_masuk"] == (4 if who == "pimpinan" else "<5")
    assert not set(defs.PROCESS_IDS) & set(body)  # no process level
    assert get(users[who], "/measures", unit="14.71-RESOS-ANAK", year=2020, worker="peksos1").status_code == 403
    assert get(users[who], "/measures", unit="14.72-RESOS-ANAK", year=2020).status_code == 403
    card = get(users[who], "/scorecard", unit="14.71-RESOS-ANAK", year=2020, framework="individu").json()
    assert [d["measures"] for d in card["dimensions"] if d["id"] == "proses"] == [[]]
    assert get(users[who], "/trend", unit="14.71-RESOS-ANAK", years="2019-2020",
               measure="durasi_asesmen_rencana_intervensi_median_hari").status_code == 403


def test_admin_and_anonymous_see_nothing(data, users):
    assert get(users["admin"], "/measures", year=2020).status_code == 403
    assert get(users["admin"], "/frameworks").status_code == 403
    assert get(None, "/measures", year=2020).status_code == 401


def test_scorecard_trend_and_frameworks(data, users):
    r = get(users["kasi"], "/scorecard", year=2020)
    assert r.status_code == 200
    card = r.json()
    assert card["framework"] == "dwiyanto" and [d["id"] for d in card["dimensions"]][0] == "produktivitas"
    assert [i["rank"] for i in card["inhibitors"]] == [1, 2, 3, 4]
    r = get(users["pimpinan"], "/trend", unit="14.71-RESOS", years="2019-2020", measure="kasus_masuk")
    assert r.status_code == 200
    assert [(p["year"], p["value"]) for p in r.json()["series"]] == [(2019, 0), (2020, 4)]
    r = get(users["evaluator"], "/frameworks")
    assert r.status_code == 200
    assert {f["id"] for f in r.json()} >= {"dwiyanto", "nasucha", "spm", "sakip", "individu"}
    assert "source" not in r.json()[0]  # no server paths


def test_bad_requests(data, users):
    assert get(users["kasi"], "/measures").status_code == 400  # no period
    assert get(users["kasi"], "/measures", year=2020, mulai="2020-01-01", selesai="2020-02-01").status_code == 400
    assert get(users["kasi"], "/measures", mulai="2020-02-01", selesai="2020-01-01").status_code == 400
    r = get(users["kasi"], "/measures", mulai="2020-03-01", selesai="2020-03-02")
    assert r.status_code == 200 and r.json()["kasus_masuk"] == 4
    assert get(users["kasi"], "/measures", unit="TIDAK-ADA", year=2020).status_code == 404
    assert get(users["kasi"], "/scorecard", year=2020, framework="tidak_ada").status_code == 404
    assert get(users["kasi"], "/trend", years="2020", measure="tidak_ada").status_code == 404
    assert get(users["kasi"], "/trend", years="20-x", measure="ikm").status_code == 400


def test_public_form_suppresses_small_counts_and_what_derives_from_them(data, users):
    exact = get(users["kasi"], "/measures", unit="14.71-RESOS-ANAK", year=2020).json()
    public = get(users["kasi"], "/measures", unit="14.71-RESOS-ANAK", year=2020, publik="true").json()
    assert (exact["kasus_masuk"], exact["kasus_selesai"]) == (4, 1)
    assert (public["kasus_masuk"], public["kasus_ditangani"], public["kasus_selesai"]) == ("<5", "<5", "<5")
    assert exact["tingkat_penyelesaian"] == 25.0 and public["tingkat_penyelesaian"] == "*"
    assert exact["respon_tepat_waktu"] == 100.0 and public["respon_tepat_waktu"] == "*"
    assert public["kendala_anggaran"] == 0  # zeros are shown
    card = get(users["evaluator"], "/scorecard", unit="14.71-RESOS-ANAK", year=2020).json()
    rows = {m["id"]: m for d in card["dimensions"] for m in d["measures"]}
    assert rows["tingkat_penyelesaian"]["value"] == "*" and rows["tingkat_penyelesaian"]["achievement"] == "*"
