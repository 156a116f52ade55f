"""What each role may do (domain.md, 'Roles and what each may see'), enforced in the model layer.

Views and the API call these; they never decide access on their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

PEKSOS, KASI, PIMPINAN, EVALUATOR, ADMIN = "pekerja_sosial", "kepala_seksi", "pimpinan", "evaluator", "admin"

CAN_SEE_CASES = {PEKSOS, KASI, PIMPINAN}
CAN_REVEAL = {PEKSOS, KASI}
CAN_EXPORT_IDENTITY = {KASI}
CAN_APPROVE = {KASI}
CAN_MANAGE_REFERENCE = {ADMIN}
CAN_SEE_UNIT_INDICATORS = {KASI, PIMPINAN, EVALUATOR}
CAN_SEE_EVIDENCE = {EVALUATOR, KASI}
# reports leave the section: unit aggregates only, so not a social worker's own level (nor an admin)
CAN_SEE_REPORTS = {KASI, PIMPINAN, EVALUATOR}


def role_of(user: object) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ""
    return getattr(user, "role", "") or ""


def require(user: object, allowed: set[str], what: str) -> None:
    if role_of(user) not in allowed:
        raise PermissionDenied(_("Your role may not %(what)s.") % {"what": what})
