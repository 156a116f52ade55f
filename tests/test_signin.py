"""Sign-in and transport: lockout per account and per address (audited), the idle timeout, the
security headers on every answer, HTTPS-only settings, and the real sign-in + session + CSRF path
of the API."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from tests import factories
from tests.evidence_factories import evaluation_fixture, sample_evaluation_fixture, sample_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-sekali"


@pytest.fixture
def clock(monkeypatch):
    """Moves 'now' forward for sessions, axes and the audit chain (no sleeping)."""
    import axes.attempts
    import axes.handlers.proxy
    from django.utils import timezone

    real = timezone.now
    state = {"offset": dt.timedelta(0)}

    def now():
        return real() + state["offset"]

    monkeypatch.setattr(timezone, "now", now)
    monkeypatch.setattr(axes.handlers.proxy, "now", now)
    monkeypatch.setattr(axes.attempts, "now", now)
    return state


def _post_login(client, url, username, password, addr="10.1.1.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=addr)


def _signed_in(client) -> bool:
    from django.contrib.auth import SESSION_KEY

    return SESSION_KEY in client.session


def _lockouts():
    from kinerja.register.models import AuditEntry

    return list(AuditEntry.objects.filter(action="lockout").order_by("seq"))


@pytest.mark.parametrize("url", ["/masuk/", "/admin/login/"])
def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, users, url):
    from kinerja.register import services

    user = users["admin"]  # staff, so the admin form would accept the right password
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    for _ in range(30):
        resp = _post_login(client, url, user.username, "salah-sekali")
        assert not _signed_in(client)
    assert resp.status_code == 429
    resp = _post_login(client, url, user.username, PASSWORD)
    assert resp.status_code == 429 and not _signed_in(client)
    page = resp.content.decode()
    assert "Terlalu banyak" in page and "30 menit" in page  # the translated lockout page, not a bare 403
    assert "salah-sekali" not in page and PASSWORD not in page
    # one audit entry for the lockout, not one per refused attempt; the chain stays intact
    entries = _lockouts()
    assert len(entries) == 1
    assert entries[0].record == f"akun:{user.username}"
    detail = json.loads(entries[0].detail)
    assert detail["address"] == "10.1.1.1" and detail["failures"] == 5 and detail["path"] == url
    assert services.verify_audit() is None


def test_the_right_password_signs_in_below_the_limit(client, users):
    for _ in range(4):
        _post_login(client, "/masuk/", "kasi", "salah-sekali")
    resp = _post_login(client, "/masuk/", "kasi", PASSWORD)
    assert resp.status_code == 302 and _signed_in(client)
    assert _lockouts() == []


def test_an_address_is_locked_after_failures_across_accounts(users):
    from kinerja.register.models import AuditEntry

    attacker = Client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _post_login(attacker, "/masuk/", name, "tebak", addr="10.9.9.9")
    # from that address even a real account with its right password is refused...
    resp = _post_login(attacker, "/masuk/", "peksos1", PASSWORD, addr="10.9.9.9")
    assert resp.status_code == 429 and not _signed_in(attacker)
    # ...while the account itself is not locked: from another address it signs in
    office = Client()
    resp = _post_login(office, "/masuk/", "peksos1", PASSWORD, addr="10.2.2.2")
    assert resp.status_code == 302 and _signed_in(office)
    assert AuditEntry.objects.filter(action="lockout").count() == 1


def test_a_lockout_ends_after_the_lockout_period(client, users, clock, settings):
    for _ in range(6):
        _post_login(client, "/masuk/", "kasi", "salah-sekali")
    assert _post_login(client, "/masuk/", "kasi", PASSWORD).status_code == 429
    clock["offset"] = dt.timedelta(minutes=settings.KINERJA.lockout_minutes - 1)
    assert _post_login(client, "/masuk/", "kasi", PASSWORD).status_code == 429
    clock["offset"] = dt.timedelta(minutes=settings.KINERJA.lockout_minutes + 1)
    resp = _post_login(client, "/masuk/", "kasi", PASSWORD)
    assert resp.status_code == 302 and _signed_in(client)


def test_the_operator_clears_a_lockout_and_it_is_audited(client, users, capsys):
    from kinerja import cli
    from kinerja.register.models import AuditEntry

    for _ in range(5):
        _post_login(client, "/masuk/", "kasi", "salah-sekali")
    assert _post_login(client, "/masuk/", "kasi", PASSWORD).status_code == 429
    assert cli.main(["unlock", "kasi"]) == 0
    assert "kasi" in capsys.readouterr().out
    resp = _post_login(client, "/masuk/", "kasi", PASSWORD)
    assert resp.status_code == 302 and _signed_in(client)
    assert list(AuditEntry.objects.filter(action__in=["lockout", "unlock"]).order_by("seq")
                .values_list("action", "record")) == [("lockout", "akun:kasi"), ("unlock", "akun:kasi")]
    assert cli.main(["unlock"]) == 2


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(settings):
    from django.test import RequestFactory

    from kinerja import config
    from kinerja.register.signin import client_address

    request = RequestFactory().post("/masuk/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.3.3.3")
    assert client_address(request) == "127.0.0.1"  # no proxy declared: the header is the client's claim
    settings.KINERJA = config.Config(**{**settings.KINERJA.__dict__, "behind_proxy": True})
    assert client_address(request) == "10.3.3.3"
    assert client_address(RequestFactory().post("/masuk/", REMOTE_ADDR="10.4.4.4")) == "10.4.4.4"


def test_lockouts_cannot_be_cleared_in_the_admin(client, users):
    """Deleting attempt records in /admin/ would be an unaudited unlock: axes is not in the admin."""
    from axes.models import AccessAttempt
    from django.contrib import admin

    assert not admin.site.is_registered(AccessAttempt)
    users["admin"].is_staff = True
    users["admin"].save(update_fields=["is_staff"])
    client.force_login(users["admin"])
    assert client.get("/admin/axes/accessattempt/").status_code == 404


def test_lockout_page_in_english(client, users):
    client.cookies["django_language"] = "en"
    for _ in range(6):
        resp = _post_login(client, "/masuk/", "kasi", "salah-sekali")
    assert resp.status_code == 429
    assert "Too many failed sign-ins" in resp.content.decode()


def test_the_test_clients_login_still_works(client, users):
    """client.login() (no request) signs in; force_login too; the lockout still applies to views."""
    assert client.login(username="kasi", password=PASSWORD) is True
    assert client.get("/").status_code == 200
    assert Client().login(username="kasi", password="salah-sekali") is False


# -- idle timeout --------------------------------------------------------------------------------
def test_a_session_ends_after_the_idle_time_and_slides_while_used(client, users, clock, settings):
    idle = dt.timedelta(minutes=settings.KINERJA.session_idle_minutes)
    assert idle == dt.timedelta(minutes=30)
    assert _post_login(client, "/masuk/", "kasi", PASSWORD).status_code == 302
    for _ in range(3):  # used every 25 minutes: still signed in after 75 minutes (> the idle time)
        clock["offset"] += dt.timedelta(minutes=25)
        assert client.get("/").status_code == 200
    clock["offset"] += idle + dt.timedelta(minutes=1)
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith("/masuk/")
    assert client.get("/api/kasus/").status_code == 401


def test_requests_within_a_minute_do_not_rewrite_the_session(client, users, clock):
    from django.contrib.sessions.models import Session

    assert _post_login(client, "/masuk/", "kasi", PASSWORD).status_code == 302
    client.get("/")  # the first request after sign-in starts the idle clock
    expiry = Session.objects.get().expire_date
    clock["offset"] = dt.timedelta(seconds=30)
    client.get("/")
    assert Session.objects.get().expire_date == expiry
    clock["offset"] = dt.timedelta(seconds=90)
    client.get("/")
    assert Session.objects.get().expire_date >= expiry + dt.timedelta(seconds=89)


# -- headers -------------------------------------------------------------------------------------
@pytest.fixture
def case(units, users):
    return factories.case(units["seksi"], worker=users["peksos"])


def _csp(resp) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip() for d in resp["Content-Security-Policy"].split(";") if d.strip()}


def test_pages_and_api_answers_carry_no_store_and_the_policy(client, users, case):
    client.force_login(users["kasi"])
    answers = {
        "list": client.get("/"),
        "detail": client.get(f"/kasus/{case.pk}/"),
        "api list": client.get("/api/kasus/"),
        "api detail": client.get(f"/api/kasus/{case.pk}"),
        "scorecard": client.get("/kinerja/"),
        "login": Client().get("/masuk/"),
    }
    for name, resp in answers.items():
        assert resp.status_code == 200, name
        assert resp["Cache-Control"] == "no-store", name
        assert resp["Referrer-Policy"] == "same-origin", name
        assert resp["X-Content-Type-Options"] == "nosniff", name
        csp = _csp(resp)
        assert csp["script-src"] == "script-src 'self'", name
        assert "unsafe" not in resp["Content-Security-Policy"], name
        assert csp["default-src"] == "default-src 'none'" and csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert answers["api detail"].json()["nomor_kasus"] == case.number  # the answer reached the code
    assert case.number in answers["detail"].content.decode()


def test_pages_have_no_inline_script(client, users, case):
    import re

    client.force_login(users["kasi"])
    for url in ("/", f"/kasus/{case.pk}/", "/kinerja/", "/api/docs", "/masuk/"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), url  # nothing from another server


def test_static_files_keep_their_caching(client):
    resp = client.get("/static/kinerja/kinerja.css")
    assert resp.status_code == 200
    assert "no-store" not in resp.get("Cache-Control", "")


def test_api_docs_serve_the_vendored_swagger_ui(client, users):
    client.force_login(users["evaluator"])
    html = client.get("/api/docs").content.decode()
    assert "/static/kinerja/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/kinerja/api-docs.js" in html
    settings = json.loads(re.search(r'id="swagger-settings"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert settings["url"] == "/api/openapi.json"
    assert client.get("/static/kinerja/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_http_settings_by_default_https_settings_with_kinerja_https(monkeypatch, tmp_path):
    from kinerja import config
    from kinerja.settings import security_settings

    monkeypatch.setenv("KINERJA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KINERJA_HTTPS", raising=False)
    plain = security_settings(config.load())
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["CSRF_COOKIE_SECURE"] is False
    assert plain["SECURE_HSTS_SECONDS"] == 0 and plain["SECURE_SSL_REDIRECT"] is False
    assert plain["SECURE_PROXY_SSL_HEADER"] is None
    assert plain["SESSION_COOKIE_AGE"] == 30 * 60 and plain["AXES_FAILURE_LIMIT"] == 5
    assert plain["AXES_COOLOFF_TIME"] == dt.timedelta(minutes=30)
    monkeypatch.setenv("KINERJA_HTTPS", "1")
    monkeypatch.setenv("KINERJA_BEHIND_PROXY", "1")
    monkeypatch.setenv("KINERJA_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("KINERJA_LOCKOUT_FAILURES", "3")
    secure = security_settings(config.load())
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["CSRF_COOKIE_SECURE"] is True
    assert secure["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and secure["SECURE_SSL_REDIRECT"] is True
    assert secure["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert secure["SESSION_COOKIE_AGE"] == 15 * 60 and secure["AXES_FAILURE_LIMIT"] == 3


def _https(settings):
    from kinerja import config
    from kinerja.settings import security_settings

    cfg = config.Config(**{**settings.KINERJA.__dict__, "https": True})
    for name, value in security_settings(cfg).items():
        setattr(settings, name, value)


def test_hsts_and_secure_cookies_only_with_https(client, users, settings):
    resp = _post_login(client, "/masuk/", "kasi", PASSWORD)
    assert resp.status_code == 302
    assert "Strict-Transport-Security" not in resp
    assert not resp.cookies["sessionid"]["secure"]

    _https(settings)  # the security middleware reads its settings when a client first loads it
    resp = Client().get("/masuk/")
    assert resp.status_code == 301 and resp["Location"] == "https://testserver/masuk/"
    https = Client()
    resp = https.post("/masuk/", {"username": "kasi", "password": PASSWORD}, secure=True)
    assert resp.status_code == 302
    assert resp["Strict-Transport-Security"].startswith("max-age=31536000")
    assert resp.cookies["sessionid"]["secure"] and resp.cookies["sessionid"]["httponly"]
    assert resp.cookies["csrftoken"]["secure"]


def test_kinerja_check_passes_with_https_and_fails_without(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, KINERJA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kinerja.settings",
               KINERJA_SECRET_KEY="v3ry-l0ng-and-r4ndom-" + "x9Kq2" * 12)
    for name in ("KINERJA_DATABASE_URL", "KINERJA_DEBUG", "KINERJA_HTTPS"):
        env.pop(name, None)
    run = lambda **extra: subprocess.run([sys.executable, "-m", "kinerja", "check"], env=dict(env, **extra),  # noqa: E731
                                         capture_output=True, text=True, timeout=300)
    ok = run(KINERJA_HTTPS="1")
    assert ok.returncode == 0, ok.stderr
    assert "no issues" in ok.stdout + ok.stderr and "WARNINGS" not in ok.stderr
    plain = run()
    assert plain.returncode == 1
    assert "security.W012" in plain.stderr and "security.W004" in plain.stderr


# -- the real sign-in, session and CSRF path of the API -----------------------------------------
def test_api_post_needs_the_csrf_token_of_a_real_sign_in(users, sample):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/masuk/")
    token = page.cookies["csrftoken"].value
    # the login form itself is CSRF-protected
    assert browser.post("/masuk/", {"username": "kasi", "password": PASSWORD}).status_code == 403
    resp = browser.post("/masuk/", {"username": "kasi", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert resp.status_code == 302 and _signed_in(browser)

    body = json.dumps({"q": "dianggarkan"})
    refused = browser.post("/api/bukti/evaluasi/sampel-anak-2024/cari", body, content_type="application/json")
    assert refused.status_code == 403
    token = browser.cookies["csrftoken"].value  # rotated at sign-in
    accepted = browser.post("/api/bukti/evaluasi/sampel-anak-2024/cari", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    hits = accepted.json()
    assert hits and all("anggar" in h["cuplikan"].lower() for h in hits)
    assert accepted["Cache-Control"] == "no-store"


def test_a_locked_out_account_is_refused_with_the_right_one_time_code(client, users):
    """The one-time-code page counts its failures and honours a lockout like the password page."""
    from kinerja.register import accounts

    user = users["evaluator"]
    with accounts.acting_as(accounts.operator()):
        code, _ = accounts.reset_password(accounts.operator(), user)
    for _ in range(5):
        resp = client.post("/masuk/kode/", {"username": user.username, "code": "SALAHSALAH22"}, REMOTE_ADDR="10.1.1.2")
    assert resp.status_code == 429 and len(_lockouts()) == 1
    resp = client.post("/masuk/kode/", {"username": user.username, "code": code}, REMOTE_ADDR="10.1.1.2")
    assert resp.status_code == 429 and not _signed_in(client)
    user.refresh_from_db()
    assert user.reset_code_hash  # the code was not spent by the refused attempt


def test_the_right_one_time_code_signs_in_below_the_limit(client, users):
    from kinerja.register import accounts

    user = users["evaluator"]
    code, _ = accounts.reset_password(accounts.operator(), user)
    resp = client.post("/masuk/kode/", {"username": user.username, "code": code}, REMOTE_ADDR="10.1.1.3")
    assert resp.status_code == 302 and _signed_in(client)
