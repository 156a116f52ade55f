"""Playwright driving Debian's chromium (browser downloads are impossible here).

Outside CI a machine without /usr/bin/chromium skips browser tests; under CI=true it fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KINERJA_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture
def page(live_server):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: .ci/run must install chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(locale="id-ID")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.base_url = live_server.url  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()
