"""Shared fixtures: a small unit tree and one user per role."""

from __future__ import annotations

import os

import pytest

from tests.browser import browser  # noqa: F401  (the browser fixture, for every browser test)


def pytest_report_header(config):
    return f"kinerja test backend: {os.environ.get('KINERJA_TEST_BACKEND', 'sqlite')}"


@pytest.fixture
def units(db):
    from kinerja.register.models import Unit

    dinas = Unit.objects.create(code="14.71-DINSOS", name="Dinas Sosial Kota Pekanbaru", region_code="14.71")
    bidang = Unit.objects.create(code="14.71-RESOS", name="Bidang Rehabilitasi Sosial", parent=dinas,
                                 region_code="14.71")
    seksi = Unit.objects.create(code="14.71-RESOS-ANAK", name="Seksi Rehabilitasi Sosial Anak", parent=bidang,
                                region_code="14.71")
    other = Unit.objects.create(code="14.72-RESOS-ANAK", name="Seksi Anak Kota Lain", region_code="14.72")
    return {"dinas": dinas, "bidang": bidang, "seksi": seksi, "other": other}


@pytest.fixture
def users(units):
    from kinerja.register.models import Staff

    def make(username, role, unit):
        return Staff.objects.create_user(username=username, password="rahasia-sekali", role=role, unit=unit,
                                         full_name=username.title())

    return {
        "peksos": make("peksos1", "pekerja_sosial", units["seksi"]),
        "peksos2": make("peksos2", "pekerja_sosial", units["seksi"]),
        "kasi": make("kasi", "kepala_seksi", units["seksi"]),
        "pimpinan": make("kabid", "pimpinan", units["bidang"]),
        "evaluator": make("peneliti", "evaluator", units["dinas"]),
        "admin": make("admin1", "admin", units["dinas"]),
        "other_kasi": make("kasi_lain", "kepala_seksi", units["other"]),
    }


@pytest.fixture(autouse=True)
def _engine_statements_checked():
    """The indicator engine compiles each query shape once (measures._Statement); in every test it
    also compiles each statement afresh and refuses any difference."""
    from kinerja.indicators import measures

    measures.CHECK_STATEMENTS = True
    yield
