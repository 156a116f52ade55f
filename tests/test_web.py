"""The web face: login, case list and detail by pseudonym, audited reveal by POST, JSON API."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def data(units, users):
    child = factories.child(units["seksi"], name="Rahmat Hidayat", nik="1471010101100001", sex="L")
    own = factories.case(units["seksi"], worker=users["peksos"], child_obj=child, number="2020/0001")
    other = factories.case(units["seksi"], worker=users["peksos2"], number="2020/0002")
    return {"own": own, "other": other, "child": child}


def login(client, user):
    client.force_login(user)
    return client


def test_login_page_and_wrong_password_message(client, users):
    r = client.get("/masuk/")
    assert r.status_code == 200 and b'name="password"' in r.content
    r = client.post("/masuk/", {"username": "kasi", "password": "salah"})
    assert r.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in r.content.decode()
    r = client.post("/masuk/", {"username": "kasi", "password": "rahasia-sekali"})
    assert r.status_code == 302


def test_anonymous_is_sent_to_login(client, data):
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/masuk/")


def test_case_list_shows_pseudonym_never_name(client, users, data):
    r = login(client, users["kasi"]).get("/")
    html = r.content.decode()
    assert data["child"].pseudonym in html and "· RH, " in html
    assert "Rahmat" not in html and "1471010101100001" not in html
    assert "2020/0001" in html and "2020/0002" in html


def test_social_worker_list_is_own_cases_and_other_detail_is_404(client, users, data):
    c = login(client, users["peksos"])
    html = c.get("/").content.decode()
    assert "2020/0001" in html and "2020/0002" not in html
    assert c.get(f"/kasus/{data['other'].pk}/").status_code == 404


def test_htmx_filter_returns_rows_only(client, users, data):
    r = login(client, users["kasi"]).get("/", {"q": "0002"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "<html" not in html and "2020/0002" in html and "2020/0001" not in html


def test_reveal_is_post_only_audited_and_not_cached(client, users, data):
    from kinerja.register.models import AuditEntry

    c = login(client, users["peksos"])
    url = f"/kasus/{data['own'].pk}/identitas/"
    assert c.get(url).status_code == 405
    r = c.post(url, {"alasan": ""})
    assert r.status_code == 400 and AuditEntry.objects.exclude(action__startswith="account_").count() == 0
    r = c.post(url, {"alasan": "kunjungan keluarga"})
    html = r.content.decode()
    assert r.status_code == 200 and "Rahmat Hidayat" in html and "1471010101100001" in html
    assert "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]
    assert AuditEntry.objects.exclude(action__startswith="account_").get().reason == "kunjungan keluarga"


def test_division_head_cannot_reveal(client, users, data):
    from kinerja.register.models import AuditEntry

    c = login(client, users["pimpinan"])
    assert c.get(f"/kasus/{data['own'].pk}/").status_code == 200
    r = c.post(f"/kasus/{data['own'].pk}/identitas/", {"alasan": "ingin tahu saja"})
    assert r.status_code == 403 and "Rahmat" not in r.content.decode()
    assert AuditEntry.objects.exclude(action__startswith="account_").count() == 0


def test_evaluator_sees_no_cases(client, users, data):
    html = login(client, users["evaluator"]).get("/").content.decode()
    assert "2020/0001" not in html
    assert login(client, users["evaluator"]).get(f"/kasus/{data['own'].pk}/").status_code == 404


def test_english_interface(client, users, data):
    c = login(client, users["kasi"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/").content.decode()
    assert "Case register" in html
    c.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Register kasus" in c.get("/").content.decode()


def test_api_lists_visible_cases_without_identity(client, users, data):
    r = login(client, users["peksos"]).get("/api/kasus/")
    assert r.status_code == 200
    body = r.json()
    assert [row["nomor_kasus"] for row in body] == ["2020/0001"]
    assert "Rahmat" not in r.content.decode()
    client.logout()
    assert client.get("/api/kasus/").status_code == 401


def test_openapi_schema_served(client, users):
    r = login(client, users["kasi"]).get("/api/openapi.json")
    assert r.status_code == 200 and "/api/kasus/" in r.json()["paths"]


def test_indonesian_first_whatever_the_browser_says(client, users, data):
    c = login(client, users["kasi"])
    html = c.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Register kasus" in html
