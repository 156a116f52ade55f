"""The derived stage times of a case (Case.FIRST_FIELDS, Case.plan_approved_at): whatever writes the
actions (the ORM, the import, update imports, the migration that fills existing cases), they equal
what the actions say. The indicator engine reads them instead of the actions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kinerja import vocab
from kinerja.register.tabular import reading
from tests.indicator_factories import D, H, act, case, wib
from tests.test_import import base_data, run

FIELDS = ("first_pendekatan_awal", "first_asesmen", "first_rencana_intervensi", "first_intervensi",
          "first_terminasi", "plan_approved_at")


def times(c) -> dict[str, dt.datetime | None]:
    c.refresh_from_db()
    return {f: getattr(c, f) for f in FIELDS}


def expected(c) -> dict[str, dt.datetime | None]:
    """Worked out in Python from the case's actions, as indicators.md defines first(c, stage)."""
    from kinerja.register.models import Action

    actions = list(Action.objects.filter(case=c))
    out: dict[str, dt.datetime | None] = {}
    for stage in ("pendekatan_awal", "asesmen", "rencana_intervensi", "intervensi", "terminasi"):
        out[f"first_{stage}"] = min((a.time for a in actions if a.stage == stage), default=None)
    out["plan_approved_at"] = min((a.approved_at for a in actions
                                   if a.stage == "rencana_intervensi" and a.approved_at is not None), default=None)
    return out


@pytest.fixture
def unit(db):
    from kinerja.register.models import Unit

    return Unit.objects.create(code="T-SEKSI", name="Seksi")


def test_saving_and_deleting_actions_keeps_the_case_times(unit):
    c = case(unit, wib(2020, 1, 1))
    assert times(c) == dict.fromkeys(FIELDS)
    t0 = wib(2020, 1, 2)
    late = act(c, "asesmen", t0 + 5 * D)
    early = act(c, "asesmen", t0 + 2 * D)
    act(c, "pendekatan_awal", t0)
    plan = act(c, "rencana_intervensi", t0 + 6 * D, approved=t0 + 8 * D)
    act(c, "rencana_intervensi", t0 + 7 * D, approved=t0 + 7 * D + H)  # the earlier approval counts
    act(c, "intervensi", t0 + 9 * D, approved=t0 + 6 * D)  # an approval on another stage does not
    assert times(c) == {"first_pendekatan_awal": t0, "first_asesmen": t0 + 2 * D,
                        "first_rencana_intervensi": t0 + 6 * D, "first_intervensi": t0 + 9 * D,
                        "first_terminasi": None, "plan_approved_at": t0 + 7 * D + H}
    early.delete()
    assert times(c)["first_asesmen"] == t0 + 5 * D
    late.time = t0 + H  # a correction moves the first assessment earlier
    late.save()
    assert times(c)["first_asesmen"] == t0 + H
    plan.approved_at = t0 + 6 * D + H
    plan.save(update_fields=["approved_at"])
    assert times(c)["plan_approved_at"] == t0 + 6 * D + H
    assert times(c) == expected(c)


def test_an_action_moved_to_another_case_refreshes_both(unit):
    from kinerja.register.models import Action

    a, b = case(unit, wib(2020, 1, 1)), case(unit, wib(2020, 1, 1))
    x = act(a, "terminasi", wib(2020, 3, 1))
    x = Action.objects.get(pk=x.pk)  # as a form would load it
    x.case = b
    x.save()
    assert times(a)["first_terminasi"] is None
    assert times(b)["first_terminasi"] == wib(2020, 3, 1)


def test_saving_fields_the_times_do_not_use_costs_no_refresh(unit):
    c = case(unit, wib(2020, 1, 1))
    a = act(c, "asesmen", wib(2020, 1, 2))
    with CaptureQueriesContext(connection) as ctx:
        a.notes_enc = b"x"
        a.save(update_fields=["notes_enc"])  # e.g. key rotation re-encrypting notes
    assert not any("first_asesmen" in q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        a.save()
    assert any("first_asesmen" in q["sql"] for q in ctx.captured_queries)


def test_deleting_a_case_with_actions_works(unit):
    from kinerja.register.models import Action, Case

    c = case(unit, wib(2020, 1, 1))
    act(c, "asesmen", wib(2020, 1, 2))
    c.delete()
    assert not Case.objects.exists() and not Action.objects.exists()


@pytest.fixture(params=["serial", "parallel"])
def import_mode(request, monkeypatch, settings):
    """Both import paths: tables parsed in this process, and in the forked second process."""
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 0)
    settings.KINERJA = dataclasses.replace(settings.KINERJA, import_parallel=request.param == "parallel")
    return request.param


@pytest.mark.django_db
def test_import_and_update_import_set_the_case_times(tmp_path, import_mode):
    from kinerja.register.models import Case

    assert run(tmp_path, base_data()).ok
    k1, k2, k3 = (Case.objects.get(number=n) for n in ("K-001", "K-002", "K-003"))
    # the file's times are WIB: 2018-03-05T15:00 is 08:00 UTC
    assert times(k1) == {
        "first_pendekatan_awal": dt.datetime(2018, 3, 5, 8, tzinfo=dt.UTC),
        "first_asesmen": dt.datetime(2018, 3, 6, 2, tzinfo=dt.UTC),
        "first_rencana_intervensi": dt.datetime(2018, 3, 7, 3, tzinfo=dt.UTC),
        "first_intervensi": dt.datetime(2018, 3, 10, 3, tzinfo=dt.UTC),
        "first_terminasi": None,
        "plan_approved_at": dt.datetime(2018, 3, 7, 5, tzinfo=dt.UTC),
    }
    assert times(k2) == {**dict.fromkeys(FIELDS), "first_pendekatan_awal": dt.datetime(2018, 2, 1, 2, tzinfo=dt.UTC)}
    assert times(k3) == dict.fromkeys(FIELDS)

    # update: K-001's actions are replaced by two; K-002's stay (no row for it in the file)
    data = base_data()
    data["tindakan"] = [
        {"kode_unit": "99.01-RESOS-ANAK", "nomor_kasus": "K-001", "tahap": "pendekatan_awal",
         "waktu": "2018-03-05T16:00", "petugas": "pk_a"},
        {"kode_unit": "99.01-RESOS-ANAK", "nomor_kasus": "K-001", "tahap": "asesmen", "waktu": "2018-03-06T10:00",
         "petugas": "pk_a"},
    ]
    assert run(tmp_path, data, update=True).ok
    assert times(k1) == {**dict.fromkeys(FIELDS), "first_pendekatan_awal": dt.datetime(2018, 3, 5, 9, tzinfo=dt.UTC),
                         "first_asesmen": dt.datetime(2018, 3, 6, 3, tzinfo=dt.UTC)}
    assert times(k2)["first_pendekatan_awal"] == dt.datetime(2018, 2, 1, 2, tzinfo=dt.UTC)
    for c in (k1, k2, k3):
        assert times(c) == expected(c)


def test_the_migration_fills_existing_cases(unit):
    from django.apps import apps

    from kinerja.register.models import Case

    c = case(unit, wib(2020, 1, 1))
    act(c, "pendekatan_awal", wib(2020, 1, 1, 5))
    act(c, "rencana_intervensi", wib(2020, 1, 3), approved=wib(2020, 1, 4))
    empty = case(unit, wib(2020, 1, 1))
    want = times(c)
    Case.objects.update(**dict.fromkeys(FIELDS))  # as a database from before migration 0004
    assert times(c) == dict.fromkeys(FIELDS)
    migration = importlib.import_module("kinerja.register.migrations.0004_case_stage_times")

    class Editor:
        connection = connection

    migration.fill(apps, Editor())
    assert times(c) == want == expected(c)
    assert want["first_pendekatan_awal"] == wib(2020, 1, 1, 5) and want["plan_approved_at"] == wib(2020, 1, 4)
    assert times(empty) == dict.fromkeys(FIELDS)


op_st = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 2), st.sampled_from(vocab.TAHAP.codes), st.integers(0, 200),
              st.none() | st.integers(0, 200)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("retime"), st.integers(0, 30), st.integers(0, 200)),
    st.tuples(st.just("approve"), st.integers(0, 30), st.none() | st.integers(0, 200)),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 2)),
)


class StageTimeProperties(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(op_st, max_size=12))
    def test_any_sequence_of_writes_leaves_the_times_true(self, ops):
        from kinerja.register.models import Action, Staff, Unit

        unit = Unit.objects.create(code="T-PROP", name="Seksi")
        approver = Staff.objects.create_user(username="kasi_t", password="x" * 12, role="kepala_seksi", unit=unit)
        cases = [case(unit, wib(2020, 1, 1)) for _ in range(3)]
        base = wib(2020, 1, 1)
        for op in ops:
            actions = list(Action.objects.order_by("pk"))
            if op[0] == "add":
                _, k, stage, hours, approved = op
                act(cases[k], stage, base + hours * H,
                    approved=base + approved * H if approved is not None else None, approver=approver)
            elif not actions:
                continue
            elif op[0] == "delete":
                actions[op[1] % len(actions)].delete()
            elif op[0] == "retime":
                a = actions[op[1] % len(actions)]
                a.time = base + op[2] * H
                a.save()
            elif op[0] == "approve":
                a = actions[op[1] % len(actions)]
                a.approved_at = base + op[2] * H if op[2] is not None else None
                a.approved_by = approver if op[2] is not None else None
                a.save(update_fields=["approved_at", "approved_by"])
            else:
                a = actions[op[1] % len(actions)]
                a.case = cases[op[2]]
                a.save()
            for c in cases:
                assert times(c) == expected(c), op
