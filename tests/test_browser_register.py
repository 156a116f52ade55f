"""A person's path through the register in a real browser: log in, find a case, reveal with a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser import page  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_filter_open_case_and_reveal(page, units, users):  # noqa: F811
    from kinerja.register.models import AuditEntry

    child = factories.child(units["seksi"], name="Putri Ayu", nik="1471014101100001")
    case = factories.case(units["seksi"], worker=users["peksos"], child_obj=child, number="2021/0042")
    factories.case(units["seksi"], worker=users["peksos"], number="2021/0043")

    page.goto(page.base_url + "/")
    assert "/masuk/" in page.url
    page.fill("input[name=username]", "peksos1")
    page.fill("input[name=password]", "rahasia-sekali")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Register kasus')")
    assert page.locator("table.cases tbody tr").count() == 2

    page.fill("input[name=q]", "0042")  # htmx swaps the rows without reloading
    # a locator wait, not wait_for_function: that evaluates a string, which the page's CSP forbids
    expect(page.locator("table.cases tbody tr")).to_have_count(1)
    assert "Putri" not in page.content()

    page.click("text=2021/0042")
    page.wait_for_selector(f"text={child.pseudonym}")
    page.fill("input[name=alasan]", "verifikasi data keluarga")
    page.click("button:has-text('Buka identitas')")
    page.wait_for_selector("text=Putri Ayu")
    assert "Putri" not in page.url and "alasan" not in page.url
    assert AuditEntry.objects.filter(action="reveal_identity", record__contains=child.pseudonym).count() == 1
    assert case.number in page.content()
