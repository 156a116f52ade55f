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
    back = c.get(url)  # a reload of the reveal address goes back to the case page, revealing nothing
    assert back.status_code == 302 and back["Location"] == f"/kasus/{data['own'].pk}/"
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


def _gettext(msgid: str) -> str:
    """The message as the page shows it in the default language (escaped like the template does)."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.html import escape

    with translation.override(settings.LANGUAGE_CODE):
        return escape(translation.gettext(msgid))


REASON_REFUSED = ("State the reason for revealing this identity in words (at most 500 characters): "
                  "at least 5 letters or digits, with a word of 3 or more letters.")


@pytest.mark.parametrize("reason", [".....", "     ", "\t\n \u00a0 ", "aaaaa", "aaaaaaaaaaaa", "12345", "a.b.c.d.e",
                                    "x y z 1 2", "ab 12 cd", "!!!!!!!!!!", "kunjungan " * 60])
def test_reveal_refuses_a_reason_that_says_nothing(client, users, data, reason):
    from kinerja.register.models import AuditEntry

    r = login(client, users["peksos"]).post(f"/kasus/{data['own'].pk}/identitas/", {"alasan": reason})
    html = r.content.decode()
    assert r.status_code == 400 and _gettext(REASON_REFUSED) in html
    assert "Rahmat" not in html and "1471010101100001" not in html
    assert AuditEntry.objects.exclude(action__startswith="account_").count() == 0


@pytest.mark.parametrize("reason", ["cek KK", "kunjungan rumah", "rujukan ke RS 2", "Sidang 12/3"])
def test_reveal_accepts_a_short_real_reason(client, users, data, reason):
    from kinerja.register.models import AuditEntry

    r = login(client, users["peksos"]).post(f"/kasus/{data['own'].pk}/identitas/", {"alasan": reason})
    assert r.status_code == 200 and "Rahmat Hidayat" in r.content.decode()
    assert AuditEntry.objects.exclude(action__startswith="account_").get().reason == reason


@pytest.fixture
def twins(units, users, data):
    """The child of `data` registered again in the section (another worker's case) and in another
    city's unit, all with the same NIK."""
    nik = "1471010101100001"
    here = factories.child(units["seksi"], name="Rahmat H.", nik=nik, sex="L")
    factories.case(units["seksi"], worker=users["peksos2"], child_obj=here, number="2020/0100")
    away = factories.child(units["other"], name="Rahmat", nik=nik, sex="L")
    away_case = factories.case(units["other"], child_obj=away, number="2020/0200")
    return {"here": here, "away": away, "away_case": away_case}


ELSEWHERE = "A record with the same NIK exists in another unit: ask that unit."


def test_same_nik_warning_for_a_social_worker_names_only_records_of_their_unit(client, users, data, twins):
    html = login(client, users["peksos"]).get(f"/kasus/{data['own'].pk}/").content.decode()
    assert twins["here"].pseudonym in html
    assert twins["away"].pseudonym not in html and "14.72" not in html and "Kota Lain" not in html
    assert _gettext(ELSEWHERE) not in html


def test_same_nik_warning_for_a_section_head_says_another_unit_without_naming_it(client, users, data, twins):
    html = login(client, users["kasi"]).get(f"/kasus/{data['own'].pk}/").content.decode()
    assert twins["here"].pseudonym in html and _gettext(ELSEWHERE) in html
    assert twins["away"].pseudonym not in html and "14.72" not in html and "Kota Lain" not in html
    # and from the other side: the other unit's head learns no pseudonym or unit of this section
    html = login(client, users["other_kasi"]).get(f"/kasus/{twins['away_case'].pk}/").content.decode()
    assert _gettext(ELSEWHERE) in html
    assert data["child"].pseudonym not in html and twins["here"].pseudonym not in html and "14.71" not in html


def test_same_nik_warning_is_not_shown_to_roles_that_cannot_reveal(client, users, data, twins):
    html = login(client, users["pimpinan"]).get(f"/kasus/{data['own'].pk}/").content.decode()
    assert twins["here"].pseudonym not in html and twins["away"].pseudonym not in html
    assert _gettext(ELSEWHERE) not in html


def test_same_nik_selector_scopes_by_the_users_units(users, data, twins):
    from kinerja.register import selectors

    assert selectors.same_nik_for(users["peksos"], data["child"]) == ([twins["here"]], False)
    assert selectors.same_nik_for(users["kasi"], data["child"]) == ([twins["here"]], True)
    assert selectors.same_nik_for(users["other_kasi"], twins["away"]) == ([], True)
    assert selectors.same_nik_for(users["pimpinan"], data["child"]) == ([], False)
    assert selectors.same_nik_for(users["evaluator"], data["child"]) == ([], False)


def test_a_returning_child_is_shown_with_each_case_s_own_age(units):
    """The age on a case comes from that case's report (a child who comes back has an age per case),
    carried forward to today; the child record keeps only the latest."""
    import datetime as dt

    from kinerja.register import selectors

    kid = factories.child(units["seksi"], age=15)  # the child's current value: the latest case's
    first = factories.case(units["seksi"], child_obj=kid, reported=dt.datetime(2018, 3, 1, 3, tzinfo=dt.UTC),
                           age_at_report=11)
    later = factories.case(units["seksi"], child_obj=kid, reported=dt.datetime(2022, 3, 1, 3, tzinfo=dt.UTC),
                           age_at_report=15)
    on = dt.date(2022, 6, 1)
    assert selectors.case_child_label(first, on).endswith(", 15 th")  # 11 in March 2018, four birthdays later
    assert selectors.case_child_label(later, on).endswith(", 15 th")
    assert selectors.case_child_label(first, dt.date(2018, 6, 1)).endswith(", 11 th")
