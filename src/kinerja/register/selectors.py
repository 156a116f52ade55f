"""Reads from the register, filtered by what the user's role may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from kinerja import identity
from kinerja.register import permissions
from kinerja.register.models import Case, Child, Staff, Unit


def descendant_unit_ids(unit: Unit | int) -> list[int]:
    """The unit and all units below it (the tree is small: one query, walked in Python)."""
    root = unit if isinstance(unit, int) else unit.pk
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, stack = [], [root]
    while stack:
        u = stack.pop()
        out.append(u)
        stack.extend(children.get(u, []))
    return out


def cases_for(user: Staff) -> QuerySet[Case]:
    """Cases a user may open: a social worker their own; a section head their unit's; a division or
    office head their unit and below (shown by pseudonym); evaluator and admin none."""
    role = permissions.role_of(user)
    qs = Case.objects.select_related("child", "unit", "worker")
    if role == permissions.PEKSOS:
        return qs.filter(worker=user, unit_id=user.unit_id)
    if role == permissions.KASI and user.unit_id:
        return qs.filter(unit_id__in=descendant_unit_ids(user.unit_id))
    if role == permissions.PIMPINAN and user.unit_id:
        return qs.filter(unit_id__in=descendant_unit_ids(user.unit_id))
    return qs.none()


def child_label(child: Child, on: dt.date | None = None, first_report: dt.date | None = None) -> str:
    on = on or timezone.localdate()
    age = identity.age_on(child.birth_date, child.age_at_report, first_report, on)
    return identity.display(child.pseudonym, child.initials, age, get_language() or "id")
