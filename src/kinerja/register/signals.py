"""Keeps the derived stage times of a case (services.refresh_stage_times) true to its actions on
every save and delete of an action through the ORM: forms, the admin, the API, tests. The import
writes actions in bulk without signals and refreshes the cases it touched itself."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kinerja.register.models import Action, Case
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
