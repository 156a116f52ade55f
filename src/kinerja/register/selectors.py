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


def case_child_label(case: Case, on: dt.date | None = None) -> str:
    """The child as shown on one case: the age comes from the birth date, else from the age recorded
    at this case's report, carried forward from its WIB report date (a child who comes back has an
    age per case; the child record keeps only the latest)."""
    child = case.child
    age_at_report = case.age_at_report if case.age_at_report is not None else child.age_at_report
    reported = timezone.localdate(case.reported_at)
    age = identity.age_on(child.birth_date, age_at_report, reported, on or timezone.localdate())
    return identity.display(child.pseudonym, child.initials, age, get_language() or "id")


def same_nik(child: Child) -> QuerySet[Child]:
    """Other child records with the same NIK, found through the blind index without decrypting:
    the usual sign of one child registered twice (or moved between units)."""
    if not child.nik_index:
        return Child.objects.none()
    return Child.objects.filter(nik_index=child.nik_index).exclude(pk=child.pk).select_related("unit")


def same_nik_for(user: Staff, child: Child) -> tuple[list[Child], bool]:
    """What the duplicate-NIK warning on a case page may tell this user: the same-NIK records in the
    units whose cases the user opens (a social worker's unit; a section head's unit and below),
    and, for a section head only, whether one exists in another unit, without its pseudonym or
    unit: the other unit's records are that unit's business (domain.md), so the section head
    asks that unit. Roles that cannot reveal identity are told nothing (the warning is itself
    about identity)."""
    role = permissions.role_of(user)
    if role not in permissions.CAN_REVEAL or not user.unit_id:
        return [], False
    own = {user.unit_id} if role == permissions.PEKSOS else set(descendant_unit_ids(user.unit_id))
    records = list(same_nik(child).order_by("pseudonym", "pk"))
    mine = [c for c in records if c.unit_id in own]
    elsewhere = role == permissions.KASI and any(c.unit_id not in own for c in records)
    return mine, elsewhere


def duplicate_nik_groups(unit_ids: list[int] | None = None) -> list[list[Child]]:
    """Groups of child records that share a NIK (blind index), for a section head's clean-up."""
    from django.db.models import Count

    qs = Child.objects.exclude(nik_index="")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    dup_keys = qs.values("nik_index").annotate(n=Count("pk")).filter(n__gt=1).values_list("nik_index", flat=True)
    groups: dict[str, list[Child]] = {}
    for c in qs.filter(nik_index__in=list(dup_keys)).order_by("nik_index", "pk"):
        groups.setdefault(c.nik_index, []).append(c)
    return list(groups.values())
