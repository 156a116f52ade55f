"""Small builders for hand-made register data in tests."""

from __future__ import annotations

import datetime as dt
import itertools

_seq = itertools.count(1)


def child(unit, name=None, nik=None, sex="P", age=12, key=None):
    from kinerja.register import services
    from kinerja.register.models import Child

    n = next(_seq)
    c = Child(unit=unit, child_key=key or f"K{n}", pseudonym=f"A-2020-{n:04d}", sex=sex, age_at_report=age)
    services.set_identity(c, name=name, nik=nik)
    c.save()
    return c


def case(unit, worker=None, reported=dt.datetime(2020, 3, 1, 3, tzinfo=dt.UTC), number=None, child_obj=None, **kw):
    from kinerja.register.models import Case

    n = next(_seq)
    return Case.objects.create(
        unit=unit, number=number or f"2020/{n:04d}", child=child_obj or child(unit), category=kw.pop("category", "kekerasan"),
        referral_source=kw.pop("referral_source", "kepolisian"), risk=kw.pop("risk", "sedang"),
        reported_at=reported, worker=worker, **kw,
    )
