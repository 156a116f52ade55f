"""Identity never reaches logs or error pages."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory

from kinerja.logfilter import NoIdentityFilter


def test_filter_drops_request_and_masks_niks():
    req = RequestFactory().post("/kasus/1/identitas/", {"nik": "1471010101100001"})
    rec = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "failed for %s", ("1471010101100001",), None)
    rec.request = req
    assert NoIdentityFilter().filter(rec)
    assert rec.request is None
    assert "1471010101100001" not in rec.getMessage()


@pytest.mark.django_db
def test_server_error_page_and_log_carry_no_identity(client, users, caplog, monkeypatch, settings):
    from kinerja.register import views

    settings.DEBUG = False

    def boom(*a, **k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(views, "_case_context", boom)
    client.raise_request_exception = False
    client.force_login(users["kasi"])
    with caplog.at_level(logging.ERROR):
        r = client.post("/kasus/1/identitas/", {"alasan": "Nama anak Siti Rahma NIK 1471014101100001"})
    assert r.status_code == 500
    assert b"Siti" not in r.content and b"1471014101100001" not in r.content
    assert any(rec.name == "django.request" for rec in caplog.records)
    logged = "\n".join(rec.getMessage() + repr(getattr(rec, "request", None)) for rec in caplog.records)
    assert "Siti" not in logged and "1471014101100001" not in logged
