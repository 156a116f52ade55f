"""A case from report to closure in a real browser, at a desktop width and at a phone's 360 px.

A social worker registers a case, records the first response and the assessment and submits a plan;
the section head returns the plan once, then approves it, reassigns the case and approves the
closure the new worker proposes. At every step the worker's "what is due" list says what is next,
`kinerja measures` for the unit moves as indicators.md says, and no page is wider than the screen.
The flow runs under the pages' own Content-Security-Policy; axe-core, which has to be injected,
runs on the case page and the register form in a second context that bypasses it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser import AXE, AXE_RUN
from tests.indicator_factories import D, H, act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "2026/E2E-01"



def _year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _measures(capsys, unit_code: str) -> dict:
    """`kinerja measures --format json` for the unit and this WIB year, through the real CLI."""
    from kinerja import cli

    capsys.readouterr()
    assert cli.main(["measures", "--unit", unit_code, "--year", str(_year()), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


class Person:
    """One signed-in browser context; every page it lands on is checked for width."""

    def __init__(self, browser, base: str, username: str, width: int) -> None:
        self.base, self.width, self.visited = base, width, []
        self.context = browser.new_context(locale="id-ID", viewport={"width": width, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.go("/masuk/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "rahasia-sekali")
        self.submit(self.page.locator("form").filter(has=self.page.locator("input[name=username]")))
        assert "/masuk/" not in self.page.url

    def check_width(self) -> None:
        # a function string: Playwright sends it over the DevTools protocol, so the CSP does not block it
        wide = self.page.evaluate("() => document.documentElement.scrollWidth")
        self.visited.append(self.page.url)
        assert wide <= self.width, f"{self.page.url} is {wide}px wide at {self.width}px"

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check_width()

    def submit(self, form) -> None:
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        self.page.wait_for_load_state()
        assert self.page.locator("p.error[role=alert]").count() == 0, self.page.content()
        self.check_width()

    def case_form(self, action_tail: str):
        return self.page.locator(f"form[action$='{action_tail}']")

    def due(self) -> list[str]:
        """The worker's due items on this case, as the "what is due" list shows them."""
        self.go("/saya/")
        items = self.page.locator("ul.due-list li").filter(has_text=NUMBER)
        return [items.nth(i).locator(".what").inner_text().strip() for i in range(items.count())]


def _t(msgid: str) -> str:
    from django.utils import translation

    with translation.override("id"):
        return translation.gettext(msgid)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_case_from_report_to_closure(browser, live_server, units, users, capsys, width):
    now = dt.datetime.now(dt.UTC)
    # the unit's year so far (this WIB year, even in its first days): one case answered late, one not at all
    year_start = dt.datetime(_year(), 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    late = factories.case(units["seksi"], worker=users["peksos"], risk="tinggi",
                          reported=max(now - 3 * D, year_start + H))
    act(late, "pendekatan_awal", late.reported_at + 30 * H)
    factories.case(units["seksi"], worker=users["peksos"], risk="sedang", reported=max(now - 5 * D, year_start))
    unit = units["seksi"].code
    before = _measures(capsys, unit)
    assert (before["kasus_masuk"], before["respon_tepat_waktu"], before["kasus_selesai"]) == (2, 0.0, 0)

    base = live_server.url
    worker = Person(browser, base, "peksos1", width)
    try:
        # register: a high-risk case for a new child, the worker's own
        worker.go("/kasus/baru/")
        form = worker.page.locator("form.work-form")
        form.locator("[name=nomor_kasus]").fill(NUMBER)
        form.locator("[name=kategori]").select_option("kekerasan")
        form.locator("[name=sumber_rujukan]").select_option("kepolisian")
        form.locator("[name=tingkat_risiko]").select_option("tinggi")
        form.locator("[name=jenis_kelamin]").select_option("P")
        form.locator("[name=usia]").fill("11")
        form.locator("[name=nama_anak]").fill("Nur Aini")
        worker.submit(form)
        expect(worker.page.locator("h1")).to_contain_text(NUMBER)
        case_path = worker.page.url.removeprefix(base)
        from kinerja.register.models import Action, Case

        case = Case.objects.get(number=NUMBER)
        assert case_path == f"/kasus/{case.pk}/" and case.worker == users["peksos"]
        assert worker.due() == [_t("First response (initial approach) due")]
        after = _measures(capsys, unit)
        assert after["kasus_masuk"] == before["kasus_masuk"] + 1
        assert after["respon_tepat_waktu"] == 0.0  # no response yet counts as late

        def record(stage: str) -> None:
            worker.go(case_path)
            form = worker.case_form("/tindakan/")
            form.locator("[name=tahap]").select_option(stage)
            worker.submit(form)
            expect(worker.page.locator("ol.timeline li.tl-tindakan")).to_have_count(
                Action.objects.filter(case=case).count())

        record("pendekatan_awal")
        assert worker.due() == [_t("Assessment pending")]
        # the new case answered within 24 hours: 1 of 3 received cases on time
        assert _measures(capsys, unit)["respon_tepat_waktu"] == pytest.approx(100 / 3)
        record("asesmen")
        assert worker.due() == []

        worker.go(case_path)
        plan = worker.case_form("/rencana/")
        plan.locator("[name=catatan]").fill("Pendampingan psikososial dan sekolah kembali")
        worker.submit(plan)
        assert worker.due() == [_t("Case plan awaiting the section head's approval")]

        head = Person(browser, base, "kasi", width)
        try:
            def decide(queue: str, approve: bool, comment: str = "") -> None:
                head.go("/persetujuan/")
                rows = head.page.locator(f"#q-{queue}").locator("xpath=..").locator("tbody tr").filter(
                    has_text=NUMBER)
                expect(rows).to_have_count(1)
                with head.page.expect_navigation():
                    rows.get_by_role("link", name=NUMBER).click()
                head.check_width()
                form = head.page.locator("form[action*='/persetujuan/']")
                expect(form).to_have_count(1)
                form.locator("input[type=radio][value=%s]" % ("ya" if approve else "tidak")).check()
                if comment:
                    form.locator("textarea").fill(comment)
                head.submit(form)

            decide("rencana", approve=False, comment="Tambahkan jadwal kunjungan")
            assert worker.due() == [_t("Case plan returned: revise it and submit it again")]
            worker.go(case_path)
            expect(worker.page.locator("ol.timeline")).to_contain_text("Tambahkan jadwal kunjungan")
            plan = worker.case_form("/rencana/")
            plan.locator("[name=catatan]").fill("Pendampingan psikososial, kunjungan rumah tiap pekan")
            worker.submit(plan)
            assert worker.due() == [_t("Case plan awaiting the section head's approval")]

            decide("rencana", approve=True)
            assert worker.due() == []
            head.go("/persetujuan/")
            expect(head.page.locator("main").get_by_role("link", name=NUMBER)).to_have_count(0)

            # reassign to the second worker
            head.go(case_path)
            assign = head.case_form("/petugas/")
            assign.locator("[name=peksos]").select_option("peksos2")
            head.submit(assign)
            expect(head.page.locator("dl.facts").first).to_contain_text("peksos2")
            worker.go("/saya/")
            expect(worker.page.locator("main")).not_to_contain_text(NUMBER)

            second = Person(browser, base, "peksos2", width)
            try:
                second.go("/saya/")
                expect(second.page.locator("ul.due-list li").filter(has_text=NUMBER)).to_have_count(0)
                second.go(case_path)
                closure = second.case_form("/penutupan/")
                closure.locator("[name=alasan_penutupan]").select_option("tujuan_tercapai")
                second.submit(closure)
                assert second.due() == [_t("Closure proposed, awaiting the section head's approval")]
                assert _measures(capsys, unit)["kasus_selesai"] == before["kasus_selesai"]

                decide("penutupan", approve=True)
                expect(head.page.locator("dl.facts").first).not_to_contain_text(_t("open"))
                assert second.due() == []
                second.go("/saya/")
                expect(second.page.locator("main")).not_to_contain_text(NUMBER)
                case.refresh_from_db()
                assert case.closed_at is not None and case.closure_reason == "tujuan_tercapai"
                final = _measures(capsys, unit)
                assert final["kasus_masuk"] == before["kasus_masuk"] + 1
                assert final["kasus_selesai"] == before["kasus_selesai"] + 1
                assert final["respon_tepat_waktu"] == pytest.approx(100 / 3)
                visited = worker.visited + head.visited + second.visited
            finally:
                second.context.close()
        finally:
            head.context.close()
    finally:
        worker.context.close()
    assert len(visited) > 25  # every page above was measured


@pytest.mark.parametrize("width", [1280, 360])
def test_case_page_and_register_form_pass_axe(browser, live_server, units, users, width):
    """axe-core on the pages with the case-work forms: every field labelled, errors tied to fields."""
    now = dt.datetime.now(dt.UTC)
    case = factories.case(units["seksi"], worker=users["peksos"], reported=now - 2 * D)
    act(case, "pendekatan_awal", now - D)
    act(case, "rencana_intervensi", now - H)
    from kinerja.register import casework

    casework.send_referral(users["peksos"], case, mitra="uptd_ppa", dikirim_pada=now - H)
    casework.propose_closure(users["peksos"], case, alasan_penutupan="tujuan_tercapai", ditutup_pada=now)
    problems: list[str] = []
    for who in ("peksos1", "kasi"):
        context = browser.new_context(locale="id-ID", bypass_csp=True, viewport={"width": width, "height": 800})
        pg = context.new_page()
        pg.set_default_timeout(15000)
        try:
            pg.goto(live_server.url + "/masuk/")
            pg.fill("input[name=username]", who)
            pg.fill("input[name=password]", "rahasia-sekali")
            with pg.expect_navigation():
                pg.click("button[type=submit]")
            paths = [f"/kasus/{case.pk}/", "/kasus/baru/"]
            for path in paths:
                pg.goto(live_server.url + path)
                pg.wait_for_load_state("networkidle")
                assert pg.locator("form.work-form").count() >= 1
                pg.add_script_tag(path=str(AXE))
                problems += [f"{who} {path} at {width}px: {v}" for v in pg.evaluate(AXE_RUN)]
            # a refused form (a case number the unit has already): the errors beside their fields pass too
            pg.locator("form.work-form [name=nomor_kasus]").fill(case.number)
            pg.locator("form.work-form button[type=submit]").click()
            pg.wait_for_load_state("networkidle")
            assert pg.locator("form.work-form .errorlist").count() >= 1
            pg.add_script_tag(path=str(AXE))
            problems += [f"{who} refused register form at {width}px: {v}" for v in pg.evaluate(AXE_RUN)]
        finally:
            context.close()
    assert problems == []
