"""Role permissions on the model layer (domain.md: roles and what each may see)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories


@pytest.fixture
def cases(units, users):
    return {
        "own": factories.case(units["seksi"], worker=users["peksos"]),
        "colleague": factories.case(units["seksi"], worker=users["peksos2"]),
        "other_city": factories.case(units["other"], worker=None),
    }


def visible(user):
    from kinerja.register import selectors

    return set(selectors.cases_for(user).values_list("number", flat=True))


def test_social_worker_sees_only_own_cases(users, cases):
    assert visible(users["peksos"]) == {cases["own"].number}


def test_section_head_sees_unit_cases_only(users, cases):
    assert visible(users["kasi"]) == {cases["own"].number, cases["colleague"].number}
    assert visible(users["other_kasi"]) == {cases["other_city"].number}


def test_division_head_sees_descendant_units_by_pseudonym(users, cases):
    assert visible(users["pimpinan"]) == {cases["own"].number, cases["colleague"].number}


@pytest.mark.parametrize("role", ["evaluator", "admin"])
def test_evaluator_and_admin_open_no_case(users, cases, role):
    assert visible(users[role]) == set()


def test_inactive_user_sees_nothing(users, cases):
    users["kasi"].is_active = False
    assert visible(users["kasi"]) == set()


def test_only_section_head_closes_cases(users, cases):
    import datetime as dt

    from kinerja.register import services

    when = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)
    for who in ("peksos", "pimpinan", "evaluator", "admin"):
        with pytest.raises(PermissionDenied):
            services.close_case(users[who], cases["own"], when, "reunifikasi_keluarga")
    services.close_case(users["kasi"], cases["own"], when, "reunifikasi_keluarga")
    cases["own"].refresh_from_db()
    assert cases["own"].resolved


def test_database_refuses_inconsistent_closure(units):
    import datetime as dt

    from django.db import IntegrityError, transaction

    from kinerja.register.models import Case

    c = factories.case(units["seksi"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=c.pk).update(closed_at=dt.datetime(2020, 6, 1, tzinfo=dt.UTC))
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=c.pk).update(closed_at=dt.datetime(2019, 6, 1, tzinfo=dt.UTC),
                                            closure_reason="reunifikasi_keluarga")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.case(units["seksi"], number=c.number)
