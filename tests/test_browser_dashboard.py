"""Charts render in a real browser from the vendored Vega files (no network)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import page  # noqa: F401  (fixture)
from tests.test_dashboard import data  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scorecard_charts_render(page, users, data):  # noqa: F811
    from kinerja.register.models import Target

    Target.objects.create(unit=users["kasi"].unit, year=2023, indicator="tingkat_penyelesaian", value=50)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(page.base_url + "/masuk/")
    page.fill("input[name=username]", "kasi")
    page.fill("input[name=password]", "rahasia-sekali")
    page.click("button[type=submit]")
    page.goto(page.base_url + "/kinerja/?tahun=2023")
    for name in ("trend", "dimensions", "inhibitors"):
        page.wait_for_selector(f"#chart-{name} canvas, #chart-{name} svg")
    assert errors == [] and failed == []
    assert page.locator("h3", has_text="Produktivitas").count() == 1


@pytest.mark.parametrize("width", [1280, 360])
def test_leader_compares_sections_opens_one_and_switches_framework_year_and_category(page, users, data, width):  # noqa: F811
    from kinerja.register.models import Unit
    from tests import factories

    lain = Unit.objects.create(code="14.71-RESOS-LAIN", name="Seksi Lain", parent=users["pimpinan"].unit,
                               region_code="14.71")
    import datetime as dt

    for i in range(6):
        factories.case(lain, reported=dt.datetime(2023, 4, 1 + i, tzinfo=dt.UTC), category="eksploitasi_ekonomi",
                       closed_at=dt.datetime(2023, 8, 1, tzinfo=dt.UTC) if i < 2 else None,
                       closure_reason="tujuan_tercapai" if i < 2 else "")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base_url + "/masuk/")
    page.fill("input[name=username]", "kabid")
    page.fill("input[name=password]", "rahasia-sekali")
    page.click("button[type=submit]")
    page.goto(page.base_url + "/kinerja/")
    expect(page.locator("h1")).to_have_text("Bidang Rehabilitasi Sosial")
    expect(page.locator(".who")).to_contain_text("kabid")  # signed in
    # the sections side by side, sorted by a column on the server
    table = page.locator("table.compare").first
    expect(table.locator("tbody tr")).to_have_count(3)  # two sections and the total
    table.locator("thead a", has_text="Tingkat penyelesaian kasus").click()
    expect(page).to_have_url(re.compile(r"urut=tingkat_penyelesaian"))
    # open one section
    page.locator("table.compare").first.locator("tbody a", has_text="Seksi Lain").click()
    expect(page.locator("h1")).to_have_text("Seksi Lain")
    expect(page.locator("table.compare")).to_have_count(0)
    # switch framework (by its name), year and category
    page.select_option("select[name=kerangka]", label="Kinerja organisasi publik (Nasucha)")
    page.locator("form.filters button[type=submit]").first.click()
    expect(page.locator(".subtitle")).to_contain_text("Nasucha")
    expect(page.locator("h3", has_text="Kesetaraan")).to_have_count(1)
    page.select_option("select[name=tahun]", "2022")
    page.locator("form.filters button[type=submit]").first.click()
    expect(page.locator(".subtitle")).to_contain_text("31 Des 2022")
    page.select_option("select[name=tahun]", "2023")
    page.select_option("select[name=kategori]", "kekerasan")
    page.locator("form.filters button[type=submit]").first.click()
    expect(page.locator(".subtitle")).to_contain_text("Korban kekerasan")
    handled = page.locator("tr", has=page.locator("a", has_text="Kasus ditangani")).first.locator("td.num").first
    expect(handled).to_have_text("0")  # the section's 6 cases are all exploitation cases
    page.select_option("select[name=kategori]", "")
    page.locator("form.filters button[type=submit]").first.click()
    expect(page.locator("tr", has=page.locator("a", has_text="Kasus ditangani")).first.locator("td.num").first
           ).to_have_text("6")
    expect(page.locator(".who")).to_contain_text("kabid")
    page.wait_for_selector("#chart-inhibitors svg, #chart-inhibitors canvas")
    assert errors == []
