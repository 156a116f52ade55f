"""Charts render in a real browser from the vendored Vega files (no network)."""

from __future__ import annotations

import pytest

from tests.browser import page  # noqa: F401  (fixture)
from tests.test_dashboard import data  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scorecard_charts_render(page, users, data):  # noqa: F811
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
