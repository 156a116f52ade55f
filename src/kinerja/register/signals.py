"""Keeps the derived stage times of a case (services.refresh_stage_times) true to its actions on
every save and delete of an action through the ORM: forms, the admin, the API, tests. The import
writes actions in bulk without signals and refreshes the cases it touched itself.

Every save and delete of a record a figure is made from advances its unit's data version
(register.dataversion), and of the unit it left when it moved; a unit made, moved or removed
advances the tree's. The import and services.move_cases write without signals and advance the
versions themselves."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

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
    refresh_stage_times(Case.objects.filter(pk__in={instance.case_id, old} - {None}))
    instance._loaded_case_id = instance.case_id  # type: ignore[attr-defined]


@receiver(post_delete, sender=Action, dispatch_uid="kinerja_action_deleted")
def action_deleted(sender: type[Action], instance: Action, **_: Any) -> None:
    refresh_stage_times(Case.objects.filter(pk=instance.case_id))


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


def _stored_unit(sender: Any, instance: Any, **_: Any) -> None:
    """The unit the record is stored under before this save (a record may move to another unit)."""
    pk = instance.pk
    instance._dv_stored_unit = (sender.objects.filter(pk=pk).values_list("unit_id", flat=True).first()
                                if pk is not None and not instance._state.adding else None)


def _record_written(sender: Any, instance: Any, **_: Any) -> None:
    dataversion.advance([getattr(instance, "unit_id", None), getattr(instance, "_dv_stored_unit", None)])


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
