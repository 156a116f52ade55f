"""Keeps the derived stage times of a case (services.refresh_stage_times) true to its actions on
every save and delete of an action through the ORM: forms, the admin, the API, tests. The import
writes actions in bulk without signals and refreshes the cases it touched itself.

Every save and delete of a record a figure is made from advances its unit's data version
(register.dataversion), and of the unit it left when it moved; a unit made, moved or removed
advances the tree's. The import and services.move_cases write without signals and advance the
versions themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from kinerja.register import dataversion
from kinerja.register.models import (
    Action,
    BudgetLine,
    Case,
    Child,
    Complaint,
    Facility,
    Referral,
    Staffing,
    SurveyResponse,
    Target,
    Unit,
)
from kinerja.register.services import STAGE_TIME_SOURCES, refresh_stage_times


@receiver(post_save, sender=Action, dispatch_uid="kinerja_action_saved")
def action_saved(sender: type[Action], instance: Action, update_fields: Any = None, **_: Any) -> None:
    if update_fields is not None and not STAGE_TIME_SOURCES.intersection(update_fields):
        return  # e.g. key rotation re-encrypting notes: nothing the stage times are made from
    # an action moved to another case leaves its old case's times stale: that case is refreshed too
    old = getattr(instance, "_loaded_case_id", None)
    _refresh({instance.case_id, old} - {None})
    instance._loaded_case_id = instance.case_id  # type: ignore[attr-defined]


@receiver(post_delete, sender=Action, dispatch_uid="kinerja_action_deleted")
def action_deleted(sender: type[Action], instance: Action, **_: Any) -> None:
    _refresh({instance.case_id})


DERIVED = (*Case.FIRST_FIELDS.values(), "plan_approved_at")
# which derived times the engine reads in which year (indicators.measures): the first response and
# assessment in the report's year (fam_response, fam_cases' documented); every one of them in the
# closure's year (fam_closed); the first intervensi and the plan's approval in the years of the
# case's intervensi actions (fam_plan)
AT_REPORT = {"first_pendekatan_awal", "first_asesmen"}
AT_INTERVENSI = {"first_intervensi", "plan_approved_at"}


def _refresh(case_ids: set[int]) -> None:
    """Refresh the cases' derived times; where they changed, the figures of the years that read
    them may change too (register.dataversion), not only those of the action's own year."""
    cases = Case.objects.filter(pk__in=case_ids)
    before = {row[0]: row[1:] for row in cases.values_list("pk", *DERIVED)}
    refresh_stage_times(cases)
    for pk, unit, reported, closed, *after in cases.values_list("pk", "unit_id", "reported_at", "closed_at", *DERIVED):
        old = before.get(pk)
        changed = {name for name, a, b in zip(DERIVED, old or (), after, strict=False) if a != b}
        if not changed:
            continue
        years = dataversion.year_of(closed)
        if changed & AT_REPORT:
            years |= dataversion.year_of(reported)
        if changed & AT_INTERVENSI:
            for t in Action.objects.filter(case_id=pk, stage="intervensi").values_list("time", flat=True):
                years |= dataversion.year_of(t)
        dataversion.advance([unit], years)


def _flag_identity_change(sender: Any, instance: Any, history_instance: Any, **_: Any) -> None:
    """History rows keep no encrypted value (excluded_fields); the write services mark the record
    with `_identity_changed` when its notes or comment changed, and the row says only that."""
    if hasattr(history_instance, "identity_changed"):
        history_instance.identity_changed = bool(getattr(instance, "_identity_changed", False))


def _connect_history_flags() -> None:
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(_flag_identity_change, dispatch_uid="kinerja_history_identity_flag")


_connect_history_flags()


# -- the data version (see register.dataversion) ------------------------------------------------
FIGURE_SOURCES = (Case, Action, Referral, SurveyResponse, Complaint, BudgetLine, Staffing, Facility, Target)
# the field(s) that place a record in a year (register.dataversion): a record counts in that year only
TIMES: dict[Any, tuple[str, ...]] = {
    Action: ("time",), Referral: ("sent_at",), SurveyResponse: ("date",), Complaint: ("received_at",),
    BudgetLine: ("year",), Staffing: ("year",), Facility: ("year",), Target: ("year",),
}


def _stored_unit(sender: Any, instance: Any, **_: Any) -> None:
    """The unit the record is stored under before this save (a record may move to another unit),
    and the times that placed it in its years."""
    pk = instance.pk
    fields = ("unit_id", *(("reported_at", "closed_at") if sender is Case else TIMES.get(sender, ())))
    instance._dv_stored = (sender.objects.filter(pk=pk).values(*fields).first() or {}
                           if pk is not None and not instance._state.adding else {})


def _years(sender: Any, instance: Any, stored: dict[str, Any]) -> set[int] | None:
    """The years whose figures this write can change (None: every year)."""
    if sender is Case:
        now = timezone.now()
        extra = [instance.reported_at, instance.closed_at or now]
        if stored:
            extra += [stored["reported_at"], stored["closed_at"] or now]
        return dataversion.years_of_case([instance.pk] if instance.pk is not None else [], extra)
    fields = TIMES.get(sender)
    if fields is None:
        return None
    years: set[int] = set()
    for name in fields:
        for value in (getattr(instance, name, None), stored.get(name)):
            if isinstance(value, (dt.date, dt.datetime)) or value is None:
                years |= dataversion.year_of(value)
            else:
                years.add(int(value))
    return years


def _record_written(sender: Any, instance: Any, **_: Any) -> None:
    stored = getattr(instance, "_dv_stored", None) or {}
    dataversion.advance([getattr(instance, "unit_id", None), stored.get("unit_id")], _years(sender, instance, stored))


def _child_written(sender: Any, instance: Child, **_: Any) -> None:
    """A child's sex is in the equity measure of the units of their cases."""
    if instance.pk is not None:
        dataversion.advance(Case.objects.filter(child_id=instance.pk).values_list("unit_id", flat=True).distinct())


def _unit_written(sender: Any, instance: Unit, update_fields: Any = None, **_: Any) -> None:
    if update_fields is not None and "parent" not in update_fields and "parent_id" not in update_fields:
        return  # a name or region code: no figure changes
    dataversion.advance_tree()


for _model in FIGURE_SOURCES:
    pre_save.connect(_stored_unit, sender=_model, dispatch_uid=f"kinerja_dv_pre_{_model.__name__}")
    post_save.connect(_record_written, sender=_model, dispatch_uid=f"kinerja_dv_save_{_model.__name__}")
    post_delete.connect(_record_written, sender=_model, dispatch_uid=f"kinerja_dv_delete_{_model.__name__}")
post_save.connect(_child_written, sender=Child, dispatch_uid="kinerja_dv_save_child")
post_save.connect(_unit_written, sender=Unit, dispatch_uid="kinerja_dv_save_unit")
post_delete.connect(_unit_written, sender=Unit, dispatch_uid="kinerja_dv_delete_unit")
