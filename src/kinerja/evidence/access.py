"""Who sees an evaluation: the one place that decides it (evidence.md: an evaluation's sources are
read by its members and by its unit's section head, nobody else).

Every service, selector, page, API operation and command asks here. A person whose role cannot
work with evidence at all is refused (403); a person who could but is not in the evaluation is
told it does not exist (404), so a section head of another unit learns nothing about it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kinerja.evidence.models import Evaluation
from kinerja.register import permissions
from kinerja.register.models import Staff


class Operator:
    """The person at the server's command line: they hold the database and the key file already,
    so CLI commands without ``--user`` act as the operator instead of as a role."""

    username = "cli"

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = Operator()
Actor = Staff | Operator


def require_role(actor: object) -> None:
    """Evaluators and section heads work with evidence (permissions.CAN_SEE_EVIDENCE)."""
    if actor is OPERATOR:
        return
    permissions.require(actor, permissions.CAN_SEE_EVIDENCE, _("work in the evidence workspace"))


def visible_evaluations(actor: object) -> QuerySet[Evaluation]:
    """The evaluations ``actor`` may open: all for the operator; for an evaluator or section head
    those they are a member of, and for a section head also every evaluation of their own unit."""
    if actor is OPERATOR:
        return Evaluation.objects.all()
    if not isinstance(actor, Staff) or not actor.is_active or permissions.role_of(actor) not in permissions.CAN_SEE_EVIDENCE:
        return Evaluation.objects.none()
    rule = Q(members=actor)
    if actor.role == permissions.KASI and actor.unit_id:
        rule |= Q(unit_id=actor.unit_id)
    return Evaluation.objects.filter(pk__in=Evaluation.objects.filter(rule).values("pk"))


def can_open(actor: object, evaluation: Evaluation) -> bool:
    return actor is OPERATOR or visible_evaluations(actor).filter(pk=evaluation.pk).exists()


def require(actor: object, evaluation: Evaluation) -> Evaluation:
    """``evaluation`` if ``actor`` may open it; PermissionDenied for a role without evidence
    rights, Evaluation.DoesNotExist (a 404) for anyone else outside it."""
    require_role(actor)
    if not can_open(actor, evaluation):
        raise Evaluation.DoesNotExist("evaluation not visible")
    return evaluation


def get(actor: object, key: Any) -> Evaluation:
    """The evaluation named by its uid or its code, if ``actor`` may open it (see :func:`require`)."""
    require_role(actor)
    rows = visible_evaluations(actor)
    text = str(key).strip()
    try:
        import uuid

        return rows.get(uid=uuid.UUID(text))
    except (ValueError, AttributeError):
        return rows.get(code=text)
