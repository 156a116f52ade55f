"""A section head follows the performance page's link to its report, asks for the PDF, watches the
progress and gets the download, in a real browser at a desktop width and a phone's 360 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import AXE, AXE_RUN, sign_in
from tests.test_reports import small  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# every text the page's status line shows, in order (installed before the form is sent)
WATCH = """() => {
  window.seenStatus = [];
  const el = document.querySelector("#laporan-kinerja [data-report-status]");
  new MutationObserver(() => window.seenStatus.push(el.textContent)).observe(el, {childList: true,
    characterData: true, subtree: true});
}"""


@pytest.mark.parametrize("width", [1280, 360])
def test_section_head_downloads_the_pdf_with_progress(browser, live_server, users, small, width, tmp_path):  # noqa: F811
    from kinerja.reports import jobs
    from kinerja.reports.models import ReportJob

    context = browser.new_context(locale="id-ID", bypass_csp=True, viewport={"width": width, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(pg, live_server.url, "kasi", "rahasia-sekali")
        # the performance page of 2020, one category: its link opens the report's form pre-filled
        pg.goto(live_server.url + "/kinerja/?tahun=2020&kategori=kekerasan")
        expect(pg.locator(".who")).to_contain_text("kasi")  # signed in
        pg.get_by_role("link", name="Unduh laporan").click()
        expect(pg).to_have_url(re.compile(r"/laporan/\?unit=14\.71-RESOS-ANAK&tahun=2020&kerangka=dwiyanto"
                                          r"&kategori=kekerasan#laporan-kinerja$"))
        section = pg.locator("#laporan-kinerja")
        expect(section.locator("select[name=tahun]")).to_have_value("2020")
        expect(section.locator("select[name=unit]")).to_have_value("14.71-RESOS-ANAK")
        expect(section.locator("input[name=kategori][value=kekerasan]")).to_be_checked()
        expect(section.locator("select[name=format]")).to_have_value("pdf")
        progress = section.get_by_role("progressbar", name="Kemajuan pembuatan laporan")
        expect(progress).to_be_hidden()
        pg.evaluate(WATCH)
        with pg.expect_download(timeout=120000) as got:
            section.get_by_role("button", name="Unduh").click()
            expect(progress).to_be_visible()
        download = got.value
        assert re.fullmatch(r"kinerja-14\.71-RESOS-ANAK-2020\.pdf", download.suggested_filename)
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        assert path.read_bytes().startswith(b"%PDF")
        status = section.locator("[data-report-status]")
        expect(status).to_have_text("Laporan siap: unduhan dimulai.")
        assert progress.evaluate("el => [el.value, el.max]") == [7, 7]
        seen = pg.evaluate("() => window.seenStatus")
        assert any(re.fullmatch(r"Langkah [1-7] dari 7: .+", s) for s in seen), seen  # real steps were shown
        assert section.get_by_role("button", name="Unduh").is_enabled()
        assert section.locator("[data-report-error]").inner_text() == ""
        # the file is gone from the server once downloaded
        job = ReportJob.objects.get()
        assert job.state == ReportJob.TAKEN and not jobs.file_path(job.pk).exists()
        # the page fits the screen and passes axe, with the progress shown
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= width
        pg.add_script_tag(path=str(AXE))
        assert pg.evaluate(AXE_RUN) == []
        assert errors == []
    finally:
        context.close()


def test_a_refused_request_shows_its_message(browser, live_server, users, small):  # noqa: F811
    """The public edition of one category is refused before any work: the message, no download."""
    from kinerja.reports.models import ReportJob

    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    try:
        sign_in(pg, live_server.url, "kasi", "rahasia-sekali")
        pg.goto(live_server.url + "/laporan/?kategori=kekerasan")
        section = pg.locator("#laporan-kinerja")
        section.get_by_label("Versi publik").check()
        section.get_by_role("button", name="Unduh").click()
        expect(section.get_by_role("alert")).to_contain_text("Angka yang keluar dari unit hanya untuk semua kategori")
        expect(section.get_by_role("progressbar")).to_be_hidden()
        assert section.get_by_role("button", name="Unduh").is_enabled()
        assert ReportJob.objects.count() == 0
    finally:
        context.close()
