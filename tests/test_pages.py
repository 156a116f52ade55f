"""The section's working pages: the case list's filters and keyset pages, a social worker's due list,
the approvals queue, the caseload per worker, the unit's audit view, the navigation per role and the
error pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from kinerja.register import selectors
from tests import factories
from tests.indicator_factories import D, H, act, wib

pytestmark = pytest.mark.django_db


def _t(msgid: str, lang: str = "id") -> str:
    """A page text as the catalogue gives it in `lang` (the msgid itself until it is translated)."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override(lang):
        return escape(translation.gettext(msgid))


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _numbers(html: str) -> list[str]:
    return re.findall(r'href="/kasus/\d+/">([^<]+)</a>', html)


def _walk(client: Client, params: dict) -> list[str]:
    """Every case number over all pages of the list, following the `next` links."""
    seen, query = [], dict(params)
    for _ in range(100):
        r = client.get("/", query)
        assert r.status_code == 200
        html = r.content.decode()
        seen += _numbers(html)
        m = re.search(r'setelah=([A-Za-z0-9_-]+)" rel="next"', html)
        if not m:
            return seen
        query = {**params, "setelah": m.group(1)}
    raise AssertionError("the pages never end")


# -- keyset pages -------------------------------------------------------------------------------

def test_keyset_pages_have_no_duplicates_or_gaps_with_ties_in_time(units, users):
    """63 cases, many reported at the very same moment: walking the pages gives each exactly once,
    in (reported_at desc, pk desc) order."""
    same = wib(2021, 5, 1, 9)
    for i in range(63):
        factories.case(units["seksi"], worker=users["peksos"], number=f"K/{i:03d}",
                       reported=same if i % 3 else same - i * H)
    from kinerja.register.models import Case

    expected = list(Case.objects.filter(unit=units["seksi"]).order_by("-reported_at", "-pk")
                    .values_list("number", flat=True))
    got = _walk(_as(users["kasi"]), {})
    assert got == expected and len(got) == 63 and len(set(got)) == 63


def test_keyset_pages_are_stable_when_cases_arrive_meanwhile(units, users):
    """A case registered between two page loads neither repeats nor hides a row of the next page."""
    for i in range(30):
        factories.case(units["seksi"], worker=users["peksos"], number=f"S/{i:03d}", reported=wib(2021, 1, 1 + i))
    client = _as(users["kasi"])
    first = client.get("/").content.decode()
    page1 = _numbers(first)
    cursor = re.search(r'setelah=([A-Za-z0-9_-]+)" rel="next"', first).group(1)
    factories.case(units["seksi"], worker=users["peksos"], number="S/NEW", reported=wib(2021, 3, 1))
    page2 = _numbers(client.get("/", {"setelah": cursor}).content.decode())
    assert len(page1) == selectors.PAGE_SIZE and len(page2) == 30 - selectors.PAGE_SIZE
    assert set(page1) | set(page2) == {f"S/{i:03d}" for i in range(30)}
    assert "S/NEW" in _numbers(client.get("/").content.decode())


def test_the_cursor_is_opaque_and_carries_no_identity(units, users):
    kid = factories.child(units["seksi"], name="Nama Rahasia", nik="1471010101100001")
    for i in range(selectors.PAGE_SIZE + 1):
        factories.case(units["seksi"], worker=users["peksos"], child_obj=kid if i == 0 else None,
                       reported=wib(2021, 1, 1) + i * H)
    html = _as(users["kasi"]).get("/").content.decode()
    cursor = re.search(r'setelah=([A-Za-z0-9_-]+)"', html).group(1)
    assert kid.pseudonym not in cursor and "Rahasia" not in cursor
    assert selectors.decode_cursor(cursor, 2)[1] > 0
    assert selectors.decode_cursor(selectors.encode_cursor(5, 7), 2) == (5, 7)


# -- filters ------------------------------------------------------------------------------------

def test_filters_narrow_the_list(units, users):
    now = dt.datetime.now(dt.UTC)
    f = factories.case
    a = f(units["seksi"], worker=users["peksos"], number="F/A", reported=wib(2020, 6, 1), category="anak_jalanan",
          risk="tinggi")
    f(units["seksi"], worker=users["peksos2"], number="F/B", reported=wib(2021, 6, 1), risk="rendah")
    f(units["seksi"], worker=users["peksos2"], number="F/C", reported=wib(2021, 1, 1, 3), closed_at=wib(2021, 2, 1),
      closure_reason="tujuan_tercapai")
    late = f(units["seksi"], worker=users["peksos"], number="F/D", reported=now - 10 * D, risk="tinggi")
    fresh = f(units["seksi"], worker=users["peksos"], number="F/E", reported=now - H, risk="tinggi")
    f(units["other"], number="F/OTHER", reported=wib(2021, 6, 1))
    client = _as(users["kasi"])

    def numbers(**params):
        return sorted(_walk(client, params))

    assert numbers() == ["F/A", "F/B", "F/C", "F/D", "F/E"]  # never another unit's case
    assert numbers(tahun=2021) == ["F/B", "F/C"]
    # 1 January 03:00 WIB is still 2020 in UTC; the year is the WIB calendar year
    assert "F/C" not in numbers(tahun=2020)
    assert numbers(kategori="anak_jalanan") == ["F/A"]
    assert numbers(risiko="tinggi") == ["F/A", "F/D", "F/E"]
    assert numbers(status="ditutup") == ["F/C"]
    assert numbers(petugas=users["peksos2"].pk, status="terbuka") == ["F/B"]
    # F/A, F/B: reported long ago, never a first response; F/D: ten days without one; F/E: within the SLA
    assert numbers(terlambat=1) == ["F/A", "F/B", "F/D"]
    act(late, "pendekatan_awal", now - 9 * D)
    act(a, "pendekatan_awal", wib(2020, 6, 2))
    act(a, "asesmen", wib(2020, 6, 3))
    assert numbers(terlambat=1) == ["F/A", "F/B", "F/D"]  # F/A idle for years, F/D's assessment is late
    act(late, "asesmen", now - H)
    assert numbers(terlambat=1) == ["F/A", "F/B"]
    assert fresh.number not in numbers(terlambat=1)


def test_a_social_worker_sees_only_their_cases_and_no_worker_filter(units, users):
    factories.case(units["seksi"], worker=users["peksos"], number="W/1")
    factories.case(units["seksi"], worker=users["peksos2"], number="W/2")
    html = _as(users["peksos"]).get("/").content.decode()
    assert _numbers(html) == ["W/1"] and 'name="petugas"' not in html
    assert 'name="petugas"' in _as(users["kasi"]).get("/").content.decode()


# -- the worker's home --------------------------------------------------------------------------

def test_worker_home_lists_what_is_due_with_links_to_the_cases(units, users):
    now = dt.datetime.now(dt.UTC)
    new = factories.case(units["seksi"], worker=users["peksos"], number="H/NEW", risk="tinggi", reported=now - 30 * H)
    planned = factories.case(units["seksi"], worker=users["peksos"], number="H/PLAN", reported=now - 5 * D)
    act(planned, "pendekatan_awal", now - 5 * D + H)
    act(planned, "asesmen", now - 4 * D)
    act(planned, "rencana_intervensi", now - 2 * D)
    factories.case(units["seksi"], worker=users["peksos2"], number="H/OTHER", reported=now - 30 * H)
    r = _as(users["peksos"]).get("/saya/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'href="/kasus/{new.pk}/"' in html and f'href="/kasus/{planned.pk}/"' in html
    assert "H/OTHER" not in html
    assert _t("First response (initial approach) due") in html
    assert _t("Case plan awaiting the section head's approval") in html
    assert html.index("H/NEW") < html.index("H/PLAN")  # overdue first
    assert 'href="/kinerja/' in html  # their own indicators


def test_worker_home_runs_in_a_fixed_number_of_queries(units, users, django_assert_max_num_queries):
    now = dt.datetime.now(dt.UTC)
    for i in range(15):
        c = factories.case(units["seksi"], worker=users["peksos"], reported=now - (40 + i) * D)
        act(c, "pendekatan_awal", now - (39 + i) * D)
    client = _as(users["peksos"])
    client.get("/saya/")  # warm the session and the synthetic-data flag
    with django_assert_max_num_queries(12) as ctx:
        html = client.get("/saya/").content.decode()
    assert html.count('class="due') >= 15, len(ctx.captured_queries)


# -- approvals -----------------------------------------------------------------------------------

def test_approvals_queue_lists_plans_without_approval_of_the_unit_only(units, users):
    now = dt.datetime.now(dt.UTC)
    waiting = factories.case(units["seksi"], worker=users["peksos"], number="P/WAIT", reported=now - 9 * D)
    act(waiting, "rencana_intervensi", now - 2 * D)
    done = factories.case(units["seksi"], worker=users["peksos"], number="P/DONE", reported=now - 9 * D)
    act(done, "rencana_intervensi", now - 3 * D, approved=now - D, approver=users["kasi"])
    closed = factories.case(units["seksi"], worker=users["peksos"], number="P/CLOSED", reported=now - 9 * D,
                            closed_at=now - D, closure_reason="tujuan_tercapai")
    act(closed, "rencana_intervensi", now - 3 * D)
    elsewhere = factories.case(units["other"], number="P/OTHER", reported=now - 9 * D)
    act(elsewhere, "rencana_intervensi", now - 2 * D)
    html = _as(users["kasi"]).get("/persetujuan/").content.decode()
    assert _numbers(html) == ["P/WAIT"]
    assert f'href="/kasus/{waiting.pk}/"' in html
    assert _numbers(_as(users["other_kasi"]).get("/persetujuan/").content.decode()) == ["P/OTHER"]


def test_approvals_queue_lists_closures_and_drops_returned_plans(units, users):
    from kinerja.register import casework

    now = dt.datetime.now(dt.UTC)
    returned = factories.case(units["seksi"], worker=users["peksos"], number="Q/RET", reported=now - 9 * D)
    plan = casework.submit_plan(users["peksos"], returned, waktu=now - 2 * D)
    casework.decide(users["kasi"], plan, versi=plan.version, setuju=False, komentar="Lengkapi tujuan")
    closing = factories.case(units["seksi"], worker=users["peksos2"], number="Q/CLOSE", reported=now - 9 * D)
    casework.propose_closure(users["peksos2"], closing, alasan_penutupan="tujuan_tercapai", ditutup_pada=now - H)
    elsewhere = factories.case(units["other"], number="Q/OTHER", reported=now - 9 * D)
    casework.propose_closure(users["other_kasi"], elsewhere, alasan_penutupan="tujuan_tercapai",
                             ditutup_pada=now - H)
    r = _as(users["kasi"]).get("/persetujuan/")
    assert r.status_code == 200
    html = r.content.decode()
    plans, closures = html.split('id="q-penutupan"')
    assert _numbers(plans) == [] and _numbers(closures) == ["Q/CLOSE"]
    assert _t("Closures awaiting approval") in closures and "peksos2" in closures
    [approval] = selectors.pending_closures(users["kasi"])[0]
    casework.decide(users["kasi"], approval, versi=approval.version, setuju=True)
    assert _numbers(_as(users["kasi"]).get("/persetujuan/").content.decode()) == []
    assert _numbers(_as(users["other_kasi"]).get("/persetujuan/").content.decode()) == ["Q/OTHER"]


# -- caseload -------------------------------------------------------------------------------------

def test_caseload_counts_open_and_overdue_per_worker_beside_the_fte(units, users):
    from kinerja.register.models import Staffing

    now = dt.datetime.now(dt.UTC)
    for i in range(3):
        factories.case(units["seksi"], worker=users["peksos"], reported=now - (10 + i) * D)  # overdue
    ok = factories.case(units["seksi"], worker=users["peksos"], reported=now - H)
    factories.case(units["seksi"], worker=users["peksos2"], reported=now - 2 * H)
    factories.case(units["seksi"], worker=users["peksos2"], reported=now - 90 * D, closed_at=now - D,
                   closure_reason="tujuan_tercapai")
    factories.case(units["seksi"], reported=now - 3 * H)  # not assigned
    factories.case(units["other"], worker=users["peksos"], reported=now - 20 * D)  # another unit
    year = dt.datetime.now(dt.UTC).year
    Staffing.objects.create(unit=units["seksi"], year=year, social_workers=2.5, certified=1)
    load = selectors.caseload(users["kasi"], year, now)
    rows = {(r.worker.username if r.worker else None): (r.open_cases, r.overdue) for r in load.rows}
    assert rows == {"peksos1": (4, 3), "peksos2": (1, 0), None: (1, 0)}
    assert (load.open_cases, load.overdue) == (6, 3)
    assert str(load.per_fte) == "2.4"
    act(ok, "pendekatan_awal", now)
    assert selectors.caseload(users["kasi"], year, now).rows[0].open_cases == 4
    html = _as(users["kasi"]).get("/beban-kerja/", {"tahun": year}).content.decode()
    assert "2,50" in html and "2,40" in html  # FTE and open cases per FTE, written as Indonesians do
    assert _as(users["kasi"]).get("/beban-kerja/", {"tahun": "99999"}).status_code == 400


# -- the unit's audit view ------------------------------------------------------------------------

def _audit_world(units, users):
    from kinerja.register import services

    mine = factories.child(units["seksi"], name="Anak Satu", nik="1471010101100002")
    theirs = factories.child(units["other"], name="Anak Dua", nik="1472010101100003")
    services.audit("peksos1", "reveal_identity", f"anak:{units['seksi'].code}:{mine.pseudonym}",
                   "kunjungan rumah keluarga")
    services.audit("kasi_lain", "reveal_identity", f"anak:{units['other'].code}:{theirs.pseudonym}",
                   "alasan unit lain")
    services.audit("kasi", "export_identity", "export:kasus.csv", "laporan polisi")
    services.audit("kasi_lain", "export_identity", "export:lain.csv", "ekspor unit lain")
    return mine, theirs


def test_audit_view_shows_the_units_entries_and_never_another_units(units, users):
    mine, theirs = _audit_world(units, users)
    html = _as(users["kasi"]).get("/audit/").content.decode()
    assert mine.pseudonym in html and "export:kasus.csv" in html
    assert theirs.pseudonym not in html and "lain.csv" not in html and "alasan unit lain" not in html
    assert "kunjungan rumah keluarga" in html and "laporan polisi" in html  # reasons, for the section head
    other = _as(users["other_kasi"]).get("/audit/").content.decode()
    assert theirs.pseudonym in other and mine.pseudonym not in other and "kunjungan rumah" not in other


def test_audit_reason_is_for_the_units_section_head_only(units, users):
    mine, _ = _audit_world(units, users)
    r = _as(users["pimpinan"]).get("/audit/")
    html = r.content.decode()
    assert r.status_code == 200 and mine.pseudonym in html  # the division head sees the entry
    assert "kunjungan rumah keluarga" not in html and "laporan polisi" not in html
    for role in ("peksos", "evaluator", "admin"):
        r = _as(users[role]).get("/audit/")
        assert r.status_code == 403 and "kunjungan rumah" not in r.content.decode()


def test_audit_view_pages_by_keyset(units, users):
    from kinerja.register import services

    for i in range(selectors.AUDIT_PAGE_SIZE + 5):
        services.audit("peksos1", "reveal_identity", f"anak:{units['seksi'].code}:A-{i:04d}", f"alasan {i}")
    client = _as(users["kasi"])
    first = client.get("/audit/").content.decode()
    cursor = re.search(r'sebelum=([A-Za-z0-9_-]+)"', first).group(1)
    second = client.get("/audit/", {"sebelum": cursor}).content.decode()
    one = set(re.findall(r"A-\d{4}", first))
    two = set(re.findall(r"A-\d{4}", second))
    assert not one & two and len(one | two) == selectors.AUDIT_PAGE_SIZE + 5
    assert client.get("/audit/", {"sebelum": "zz"}).status_code == 400


# -- navigation and error pages -------------------------------------------------------------------

@pytest.mark.parametrize("role, shown, hidden", [
    ("peksos", ["/saya/", "/kinerja/"], ["/persetujuan/", "/beban-kerja/", "/audit/"]),
    ("kasi", ["/persetujuan/", "/beban-kerja/", "/audit/", "/kinerja/"], ["/saya/"]),
    ("pimpinan", ["/audit/", "/kinerja/"], ["/saya/", "/persetujuan/", "/beban-kerja/"]),
    ("evaluator", ["/kinerja/"], ["/saya/", "/persetujuan/", "/audit/"]),
    ("admin", ["/admin/"], ["/kinerja/", "/saya/", "/persetujuan/"]),
])
def test_navigation_shows_each_role_its_pages(units, users, role, shown, hidden):
    html = _as(users[role]).get("/").content.decode()
    nav = html[html.index("<nav"):html.index("</nav>")]
    for href in shown:
        assert f'href="{href}' in nav
    for href in hidden:
        assert f'href="{href}' not in nav
    assert 'href="#main"' in html and 'rel="icon"' in html


def test_styled_403_and_404_in_both_languages(units, users):
    client = _as(users["peksos"])
    r = client.get("/persetujuan/")
    assert r.status_code == 403 and _t("You may not open this page") in r.content.decode()
    assert 'class="error-page"' in r.content.decode()
    r = client.get("/tidak-ada/")
    assert r.status_code == 404 and _t("Page not found") in r.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = client.get("/tidak-ada/")
    assert r.status_code == 404 and "Page not found" in r.content.decode() and 'lang="en"' in r.content.decode()


def test_a_refused_form_gets_the_styled_csrf_page_in_both_languages(units, users):
    from kinerja.register.models import Action

    case = factories.case(units["seksi"], worker=users["peksos"], number="X/1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["peksos"])
    r = client.post(f"/kasus/{case.pk}/tindakan/", {"tahap": "asesmen"})
    html = r.content.decode()
    assert r.status_code == 403 and 'class="error-page"' in html
    assert _t("The form could not be sent") in html and _t("You may not open this page") not in html
    assert 'lang="id"' in html and not Action.objects.filter(case=case).exists()
    client.cookies["django_language"] = "en"
    html = client.post(f"/kasus/{case.pk}/tindakan/", {"tahap": "asesmen"}).content.decode()
    assert "The form could not be sent" in html and 'lang="en"' in html


def test_500_page_renders_without_the_database(django_db_blocker):
    """The database may be what failed: with every query blocked, the page still renders."""
    from django.test import RequestFactory
    from django.utils import translation

    from kinerja.register.views import error_500

    with django_db_blocker.block():
        with translation.override("en"):
            r = error_500(RequestFactory().get("/"))
        assert r.status_code == 500 and "Something went wrong on the server" in r.content.decode()
        assert 'lang="en"' in r.content.decode()
        with translation.override("id"):
            html = error_500(RequestFactory().get("/")).content.decode()
        assert _t("Something went wrong on the server") in html and 'lang="id"' in html


def test_400_handler_is_styled():
    from django.test import RequestFactory

    from kinerja.register.views import error_400

    r = error_400(RequestFactory().get("/"))
    assert r.status_code == 400 and "Kinerja" in r.content.decode()


def test_caseload_defaults_to_the_latest_staffing_year(units, users):
    from kinerja.register.models import Staffing

    Staffing.objects.create(unit=units["seksi"], year=2019, social_workers=4, certified=2)
    Staffing.objects.create(unit=units["seksi"], year=2021, social_workers=3, certified=1)
    Staffing.objects.create(unit=units["other"], year=2023, social_workers=9, certified=1)
    html = _as(users["kasi"]).get("/beban-kerja/").content.decode()
    assert 'value="2021"' in html and "3,00" in html


def test_a_refused_filter_comes_back_in_place_of_the_rows_for_htmx(units, users):
    from kinerja.indicators.periods import FIRST_YEAR, LAST_YEAR

    factories.case(units["seksi"], worker=users["peksos"], number="X/1")
    r = _as(users["kasi"]).get("/", {"tahun": "abcd"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 400 and "<html" not in html and "X/1" not in html
    msg = _t("The year must be a number from %(first)s to %(last)s.")
    assert msg.replace("%(first)s", str(FIRST_YEAR)).replace("%(last)s", str(LAST_YEAR)) in html
    r = _as(users["kasi"]).get("/", {"tahun": "2020"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode() and "X/1" in r.content.decode()
