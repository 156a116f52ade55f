"""Under the Content-Security-Policy, the signed-in pages that run script work in a real browser:
the scorecard's charts (vega, expression interpreter) and /api/docs (vendored Swagger UI), with no
CSP violation in the console and no request leaving the server."""

from __future__ import annotations

import pytest

from tests.browser import page  # noqa: F401  (fixture)
from tests.test_dashboard import data  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(pg):
    seen = {"console": [], "errors": [], "outside": [], "failed": []}
    pg.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: seen["errors"].append(str(e)))
    pg.on("requestfailed", lambda r: seen["failed"].append(r.url))
    pg.on("request", lambda r: None if r.url.startswith((pg.base_url, "data:")) else seen["outside"].append(r.url))
    return seen


def _sign_in(pg, username):
    pg.goto(pg.base_url + "/masuk/")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", "rahasia-sekali")
    pg.click("button[type=submit]")
    pg.wait_for_selector(".who")
    assert username in pg.inner_text(".who")  # signed in


def _csp_violations(seen):
    return [m for m in seen["console"] if "Content Security Policy" in m or "Content-Security-Policy" in m]


def test_scorecard_and_api_docs_run_under_the_csp(page, users, data):  # noqa: F811
    from kinerja.register.models import Target

    # a target, so the dimension chart has a score to draw (an unrated card shows a note instead)
    Target.objects.create(unit=users["kasi"].unit, year=2023, indicator="tingkat_penyelesaian", value=50)
    seen = _watch(page)
    _sign_in(page, "kasi")
    response = page.goto(page.base_url + "/kinerja/?tahun=2023")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for name in ("trend", "dimensions", "inhibitors"):
        page.wait_for_selector(f"#chart-{name} canvas, #chart-{name} svg")
    # the language switch is a static script now (no inline onchange): it still submits
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")

    response = page.goto(page.base_url + "/api/docs")
    assert "content-security-policy" in response.headers
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    assert page.locator(".swagger-ui .opblock").count() > 5
    assert "Kinerja API" in page.inner_text(".swagger-ui .info")

    # the Django admin's own pages run under the same policy
    page.goto(page.base_url + "/admin/login/")
    page.wait_for_selector("#login-form")

    assert _csp_violations(seen) == []
    assert seen["errors"] == [] and seen["failed"] == [] and seen["outside"] == []
