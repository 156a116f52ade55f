"""Every page in a real browser, at a desktop width and at a phone's 360 px, signed in as each role:
no page is wider than the screen, and axe-core finds no serious or critical accessibility
violation on the register's pages.

axe-core is vendored under tests/vendor (tests only, never served) and injected into the page; the
browser context bypasses the Content-Security-Policy for that injection only (the pages' own
scripts are still the ones the policy allows)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.browser import AXE, AXE_RUN
from tests.indicator_factories import D, H, act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 360)
# Pages checked with axe and for width (the performance page and its charts among them); the
# case page is checked for width here (its forms have an axe test of their own), and /api/docs is
# the vendored Swagger UI, a desktop tool whose own layout is not ours to restyle.
OWN = {"/", "/saya/", "/persetujuan/", "/beban-kerja/", "/audit/", "/masuk/", "/tidak-ada/", "/boom/", "/kinerja/"}
PAGES = {
    "peksos": ["/saya/", "/", "/kasus/{case}/", "/kinerja/", "/persetujuan/", "/tidak-ada/"],
    "kasi": ["/", "/?terlambat=1&status=terbuka", "/kasus/{case}/", "/persetujuan/", "/beban-kerja/", "/audit/",
             "/kinerja/"],
    "pimpinan": ["/", "/audit/", "/kinerja/"],
    "evaluator": ["/", "/kinerja/"],
    "admin": ["/", "/tidak-ada/"],
}



@pytest.fixture
def world(units, users):
    """A section with work in every state: new, overdue, a plan waiting, a referral unanswered,
    reveals in the audit log, staffing for the caseload."""
    from kinerja.register import services
    from kinerja.register.models import Referral, Staffing

    now = dt.datetime.now(dt.UTC)
    first = None
    for i in range(30):
        c = factories.case(units["seksi"], worker=users["peksos"] if i % 3 else users["peksos2"],
                           reported=now - (i * 5 + 1) * D - i * H, risk=("tinggi", "sedang", "rendah")[i % 3],
                           category=("kekerasan", "anak_jalanan", "eksploitasi_ekonomi")[i % 3])
        first = first or c
        if i % 2:
            act(c, "pendekatan_awal", c.reported_at + H, obstacle="anggaran")
        if i % 4 == 1:
            act(c, "asesmen", c.reported_at + D)
            act(c, "rencana_intervensi", c.reported_at + 2 * D)
        if i % 5 == 1:
            Referral.objects.create(case=c, partner="uptd_ppa", sent_at=c.reported_at + D)
    kid = first.child
    services.audit("peksos1", "reveal_identity", f"anak:{units['seksi'].code}:{kid.pseudonym}",
                   "kunjungan rumah untuk asesmen keluarga")
    services.audit("kasi", "export_identity", "export:kasus-2024-dengan-nama-file-yang-panjang-sekali.csv",
                   "permintaan kepolisian")
    Staffing.objects.create(unit=units["seksi"], year=now.year, social_workers=2.5, certified=1)
    return {"case": first.pk}


def _page(browser, live_server, width: int, lang: str = "id-ID"):
    context = browser.new_context(locale=lang, bypass_csp=True, viewport={"width": width, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return context, pg


def _sign_in(pg, base: str, username: str) -> None:
    pg.goto(base + "/masuk/")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", "rahasia-sekali")
    pg.click("button[type=submit]")
    pg.wait_for_load_state()
    assert "/masuk/" not in pg.url


def _check(pg, path: str, width: int, problems: list[str]) -> None:
    width_now = pg.evaluate("() => document.documentElement.scrollWidth")
    if width_now > width:
        problems.append(f"{path} at {width}px is {width_now}px wide")
    if path.split("?")[0] in OWN:
        pg.add_script_tag(path=str(AXE))
        for v in pg.evaluate(AXE_RUN):
            problems.append(f"{path} at {width}px: {v}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_fits_and_passes_axe(browser, live_server, users, world, role, width):
    context, pg = _page(browser, live_server, width)
    try:
        _sign_in(pg, live_server.url, users[role].username)
        problems: list[str] = []
        for path in PAGES[role]:
            path = path.format(case=world["case"])
            response = pg.goto(live_server.url + path)
            assert response is not None and response.status in (200, 403, 404), (path, response.status)
            pg.wait_for_load_state("networkidle")
            _check(pg, path, width, problems)
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["id-ID", "en-US"])
def test_signed_out_pages_fit_and_pass_axe(browser, live_server, users, lang, width):
    """The sign-in page, a 404 and the 500 page (its HTML, served under the live server's origin so
    its stylesheet loads as in production)."""
    from django.utils import translation

    from kinerja.register.views import error_500

    with translation.override(lang[:2]):
        html = error_500(None).content.decode()  # the 500 page needs no request
    context, pg = _page(browser, live_server, width, lang)
    try:
        pg.route(live_server.url + "/boom/", lambda route: route.fulfill(status=500, body=html,
                                                                         content_type="text/html"))
        problems: list[str] = []
        for path in ("/masuk/", "/tidak-ada/", "/boom/"):
            pg.goto(live_server.url + path)
            pg.wait_for_load_state("networkidle")
            _check(pg, path, width, problems)
        assert problems == []
        assert pg.locator("link[rel=icon]").count() == 1
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_and_the_filters(browser, live_server, users, world):
    context, pg = _page(browser, live_server, 360)
    try:
        _sign_in(pg, live_server.url, "kasi")
        pg.goto(live_server.url + "/")
        pg.keyboard.press("Tab")
        skip = pg.locator("a.skip")
        assert skip.evaluate("el => el === document.activeElement")
        assert skip.bounding_box()["x"] >= 0  # shown on focus, not left off screen
        pg.keyboard.press("Enter")
        pg.wait_for_url("**#main")  # the hash changes after the key press, not with it
        # the overdue filter is a labelled control a keyboard reaches and toggles
        box = pg.get_by_label(pg.locator("label[for=f-terlambat]").inner_text())
        box.focus()
        pg.keyboard.press("Space")
        pg.wait_for_selector("#rows table")
        assert box.is_checked()
    finally:
        context.close()


def test_a_refused_filter_shows_its_message_without_a_reload(browser, live_server, users, world):
    context, pg = _page(browser, live_server, 360)
    try:
        _sign_in(pg, live_server.url, "kasi")
        pg.goto(live_server.url + "/")
        pg.fill("#f-tahun", "12")  # htmx asks as the user types
        pg.locator("#rows p.error[role=alert]").wait_for()
        assert pg.locator("#rows table").count() == 0
        pg.fill("#f-tahun", str(dt.datetime.now(dt.UTC).year))
        pg.locator("#rows table").wait_for()
        assert pg.locator("#rows p.error").count() == 0
    finally:
        context.close()
