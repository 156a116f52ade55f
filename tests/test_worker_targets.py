"""Targets of one worker (indicators.md): their own target from target.csv's `username` column;
otherwise a count target is the unit's divided by the unit's social-worker FTE, and any other
target is the unit's own. capaian_target stays null at the individual level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kinerja.indicators import scorecard as sc
from kinerja.indicators.measures import compute, unit_targets
from kinerja.register.tabular import export, writing
from tests.indicator_factories import case, wib
from tests.test_import import base_data, find, run


def _rows(card):
    return {m["id"]: m for d in card["dimensions"] for m in d["measures"]}


@pytest.fixture
def section(db):
    from kinerja.register.models import Staff, Staffing, Target, Unit

    unit = Unit.objects.create(code="WT-S", name="Seksi WT")
    kasi = Staff.objects.create_user(username="wt_kasi", password="x" * 12, role="kepala_seksi", unit=unit)
    ani = Staff.objects.create_user(username="wt_ani", password="x" * 12, role="pekerja_sosial", unit=unit)
    budi = Staff.objects.create_user(username="wt_budi", password="x" * 12, role="pekerja_sosial", unit=unit)
    for i in range(15):
        case(unit, wib(2025, 1, 10) + dt.timedelta(days=i), closed=wib(2025, 6, 1), worker=ani)
    for i in range(4):
        case(unit, wib(2025, 2, 10) + dt.timedelta(days=i), closed=wib(2025, 7, 1), worker=budi)
    Staffing.objects.create(unit=unit, year=2025, social_workers=5, certified=3)
    Target.objects.create(unit=unit, year=2025, indicator="kasus_selesai", value=75)
    Target.objects.create(unit=unit, year=2025, indicator="tingkat_penyelesaian", value=80)
    Target.objects.create(unit=unit, year=2025, indicator="tingkat_penyelesaian", value=50, worker=budi)
    return unit, kasi, ani, budi


def test_a_count_target_is_the_units_share_per_fte(section):
    unit, _, ani, _ = section
    card = sc.scorecard(unit, 2025, "individu", worker=ani)
    m = _rows(card)["kasus_selesai"]
    assert m["value"] == 15
    assert m["target"] == pytest.approx(15.0)  # 75 / 5 FTE
    assert m["achievement"] == pytest.approx(100.0)
    assert m["target_kind"] == sc.FTE_SHARE
    rate = _rows(card)["tingkat_penyelesaian"]
    assert rate["target"] == 80 and rate["target_kind"] == sc.UNIT


def test_a_workers_own_target_comes_first(section):
    unit, _, _, budi = section
    card = sc.scorecard(unit, 2025, "individu", worker=budi)
    rate = _rows(card)["tingkat_penyelesaian"]
    assert rate["target"] == 50 and rate["target_kind"] == sc.OWN
    assert rate["achievement"] == pytest.approx(100.0 / 50 * 100)
    assert compute(unit, dt.date(2025, 1, 1), dt.date(2026, 1, 1), worker=budi)["capaian_target"] is None


def test_the_unit_card_ignores_workers_targets(section):
    unit, *_ = section
    assert unit_targets([unit.pk], [2025])[(unit.pk, 2025)] == {"kasus_selesai": 75, "tingkat_penyelesaian": 80}
    card = sc.scorecard(unit, 2025, "dwiyanto")
    assert "target_kind" not in _rows(card)["tingkat_penyelesaian"]
    assert _rows(card)["tingkat_penyelesaian"]["target"] == 80


def test_without_staffing_a_count_target_has_no_share(section):
    from kinerja.register.models import Staffing

    unit, _, ani, _ = section
    Staffing.objects.all().delete()
    m = _rows(sc.scorecard(unit, 2025, "individu", worker=ani))["kasus_selesai"]
    assert m["target"] is None and m["achievement"] is None


def test_one_target_per_unit_year_indicator_and_worker(section):
    from kinerja.register.models import Target

    unit, _, ani, budi = section
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(unit=unit, year=2025, indicator="kasus_selesai", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(unit=unit, year=2025, indicator="tingkat_penyelesaian", value=1, worker=budi)
    Target.objects.create(unit=unit, year=2025, indicator="tingkat_penyelesaian", value=1, worker=ani)


@pytest.mark.django_db
def test_target_csv_username_imports_exports_and_must_be_a_social_worker_of_the_unit(tmp_path):
    from kinerja.register.models import Target

    data = base_data()
    seksi = data["target"][0]["kode_unit"]
    data["target"].append({"kode_unit": seksi, "tahun": "2018", "indikator": "kasus_selesai", "target": "7",
                           "username": "pk_a"})
    result = run(tmp_path, data)
    assert result.ok, result.report()
    own = Target.objects.get(worker__username="pk_a")
    assert (own.year, own.indicator, own.value, own.unit.code) == (2018, "kasus_selesai", 7.0, seksi)
    assert Target.objects.filter(worker__isnull=True).count() == 1
    rows = list(export._EXPORTERS["target"](False, None))
    assert (seksi, 2018, "kasus_selesai", 7.0, "pk_a") in rows

    bad = base_data()
    bad["target"].append({"kode_unit": seksi, "tahun": "2019", "indikator": "kasus_selesai", "target": "7",
                          "username": "ks_a"})
    before = Target.objects.count()
    failed = run(tmp_path, bad, update=True)
    assert not failed.ok and find(failed, "target_worker")
    assert Target.objects.count() == before
    assert isinstance(failed, writing.ImportResult)
