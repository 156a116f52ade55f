"""Case work through the JSON API: with the session of the sign-in form and its CSRF token, and with
a personal token (no CSRF); per-field bilingual 400, 403 for a role, 404 outside one's cases, 409
with the current values for a stale version."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from kinerja.register import casework
from kinerja.register.models import Action, ApiToken, Case
from tests import factories
from tests.indicator_factories import wib

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(units, users):
    return factories.case(units["seksi"], worker=users["peksos"], reported=wib(2024, 3, 1, 9))


def sign_in(username: str) -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/masuk/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    r = browser.post("/masuk/", {"username": username, "password": "rahasia-sekali", "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    return browser, browser.cookies["csrftoken"].value


def post(client: Client, url: str, body: dict, method: str = "post", **headers: str):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", headers=headers)


def test_session_writes_need_the_csrf_token(case, users):
    browser, csrf = sign_in("peksos1")
    url = f"/api/kasus/{case.pk}/tindakan"
    body = {"tahap": "asesmen", "waktu": "2024-03-02T10:00", "catatan": "kunjungan rumah"}
    refused = post(browser, url, body)
    assert refused.status_code == 403 and not Action.objects.exists()
    made = post(browser, url, body, **{"X-CSRFToken": csrf})
    assert made.status_code == 201, made.content
    assert made.json()["tahap"] == "asesmen" and made.json()["petugas"] == "peksos1" and made.json()["ada_catatan"]
    assert "kunjungan rumah" not in made.content.decode()
    assert Action.objects.get().time == wib(2024, 3, 2, 10)


def test_rules_are_per_field_and_bilingual(case, users):
    browser, csrf = sign_in("peksos1")
    r = post(browser, f"/api/kasus/{case.pk}/tindakan", {"tahap": "asesmen", "layanan": "permakanan",
                                                          "waktu": "2024-01-01T10:00"}, **{"X-CSRFToken": csrf})
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert set(errors) == {"waktu", "layanan"}
    assert "sebelum waktu laporan kasus" in errors["waktu"][0] and "before the case's report time" in errors["waktu"][0]


def test_roles_and_other_units(case, users, units):
    worker, csrf = sign_in("peksos1")
    plan = post(worker, f"/api/kasus/{case.pk}/rencana", {"catatan": "rencana"}, **{"X-CSRFToken": csrf})
    assert plan.status_code == 201
    pid = plan.json()["id"]
    refused = post(worker, f"/api/kasus/persetujuan/{pid}", {"versi": 1, "setuju": True}, **{"X-CSRFToken": csrf})
    assert refused.status_code == 403 and " / " in refused.json()["detail"]
    other, other_csrf = sign_in("kasi_lain")
    assert post(other, f"/api/kasus/{case.pk}/tindakan", {"tahap": "asesmen"},
                **{"X-CSRFToken": other_csrf}).status_code == 404
    head, head_csrf = sign_in("kasi")
    ok = post(head, f"/api/kasus/persetujuan/{pid}", {"versi": 1, "setuju": True}, **{"X-CSRFToken": head_csrf})
    assert ok.status_code == 200 and ok.json()["keputusan"] == "disetujui"
    case.refresh_from_db()
    assert case.plan_approved_at is not None


def test_a_stale_version_is_a_409_with_the_current_values(case, users):
    head, csrf = sign_in("kasi")
    first = post(head, f"/api/kasus/{case.pk}", {"versi": 1, "tingkat_risiko": "tinggi"}, "patch",
                 **{"X-CSRFToken": csrf})
    assert first.status_code == 200 and first.json()["versi"] == 2
    second = post(head, f"/api/kasus/{case.pk}", {"versi": 1, "tingkat_risiko": "rendah"}, "patch",
                  **{"X-CSRFToken": csrf})
    assert second.status_code == 409
    assert second.json()["current"]["tingkat_risiko"] == "tinggi" and second.json()["current"]["versi"] == 2
    assert Case.objects.get(pk=case.pk).risk == "tinggi"


def test_a_personal_token_writes_without_csrf_and_is_kept_only_hashed(case, users):
    browser, csrf = sign_in("peksos1")
    page = browser.post("/token-api/", {"nama": "aplikasi lapangan", "csrfmiddlewaretoken": csrf})
    assert page.status_code == 200
    token = re.search(r"(knj_[A-Za-z0-9_\-]+)", page.content.decode()).group(1)
    record = ApiToken.objects.get(user=users["peksos"])
    assert token not in record.key_hash and record.key_hash == casework._token_hash(token)
    assert token not in browser.get("/token-api/").content.decode()  # shown once
    app = Client(enforce_csrf_checks=True)
    r = post(app, f"/api/kasus/{case.pk}/rujukan", {"mitra": "uptd_ppa", "dikirim_pada": "2024-03-02T08:00"},
             Authorization=f"Bearer {token}")
    assert r.status_code == 201, r.content
    assert app.get("/api/kasus/", headers={"Authorization": f"Bearer {token}"}).json()[0]["id"] == case.pk
    rid = r.json()["id"]
    ack = post(app, f"/api/kasus/rujukan/{rid}", {"versi": 1, "diterima_pada": "2024-03-03T08:00", "hasil": "diterima"},
               "patch", Authorization=f"Bearer {token}")
    assert ack.status_code == 200 and ack.json()["hasil"] == "diterima"
    assert browser.post(f"/token-api/{record.pk}/cabut/", {"csrfmiddlewaretoken": csrf}).status_code == 302
    gone = post(app, f"/api/kasus/{case.pk}/rujukan", {"mitra": "uptd_ppa"}, Authorization=f"Bearer {token}")
    # a revoked or unknown token is no credential: the request is treated as an unsigned-in POST
    assert gone.status_code in (401, 403)
    assert post(app, f"/api/kasus/{case.pk}/rujukan", {"mitra": "uptd_ppa"},
                Authorization="Bearer knj_bukan-token").status_code in (401, 403)
    assert app.get("/api/kasus/", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    from kinerja.register.models import Referral

    assert Referral.objects.count() == 1


def test_tokens_are_not_in_the_admin(users):
    from django.contrib import admin

    from kinerja.register.models import ApiToken as Model

    assert Model not in admin.site._registry


def test_register_a_case_through_the_api(users):
    browser, csrf = sign_in("kasi")
    r = post(browser, "/api/kasus/", {"nomor_kasus": "API-1", "kategori": "anak_jalanan",
                                      "sumber_rujukan": "penjangkauan", "tingkat_risiko": "rendah",
                                      "jenis_kelamin": "L", "usia": 10, "nik": "1471010101150001",
                                      "nama_anak": "Budi Santoso", "peksos": "peksos2"}, **{"X-CSRFToken": csrf})
    assert r.status_code == 201, r.content
    assert "Budi" not in r.content.decode() and "1471010101150001" not in r.content.decode()
    case = Case.objects.get(number="API-1")
    assert case.worker == users["peksos2"] and r.json()["kasus"]["anak"].startswith(case.child.pseudonym)
