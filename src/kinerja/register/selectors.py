"""Reads from the register, filtered by what the user's role may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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


# -- the section's working lists ------------------------------------------------------------------

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50


class BadCursor(ValueError):
    """A page cursor that this server did not make (edited or truncated)."""


def encode_cursor(*parts: int) -> str:
    """An opaque page position: integers only (a time in microseconds, a key), never identity."""
    import base64

    return base64.urlsafe_b64encode(".".join(str(p) for p in parts).encode()).decode().rstrip("=")


def decode_cursor(text: str, n: int) -> tuple[int, ...]:
    import base64
    import binascii

    if not text or len(text) > 80 or not text.isascii():
        raise BadCursor(text)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        parts = tuple(int(p) for p in raw.split("."))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(text) from exc
    if len(parts) != n or any(p < 0 or p > 2**63 - 1 for p in parts):
        raise BadCursor(text)
    return parts


def _micros(moment: dt.datetime) -> int:
    return int((moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) / dt.timedelta(microseconds=1))


def _from_micros(value: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=value)


@dataclass(frozen=True)
class CaseFilters:
    """The case list's filters, already validated (the view turns the query string into these)."""

    q: str = ""
    year: int | None = None
    category: str = ""
    risk: str = ""
    status: str = ""  # "terbuka", "ditutup" or ""
    worker_id: int | None = None
    overdue: bool = False


def filtered_cases(user: Staff, f: CaseFilters, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases the user may open, narrowed by the list's filters (a year is a WIB calendar year,
    a range on reported_at, so it stays on the (unit, reported_at) index)."""
    from django.db.models import Q

    from kinerja.indicators.periods import wib_midnight
    from kinerja.register import due

    qs = cases_for(user)
    if f.q:
        qs = qs.filter(Q(number__icontains=f.q) | Q(child__pseudonym__icontains=f.q))
    if f.year is not None:
        qs = qs.filter(reported_at__gte=wib_midnight(dt.date(f.year, 1, 1)),
                       reported_at__lt=wib_midnight(dt.date(f.year + 1, 1, 1)))
    if f.category:
        qs = qs.filter(category=f.category)
    if f.risk:
        qs = qs.filter(risk=f.risk)
    if f.status == "terbuka":
        qs = qs.filter(closed_at__isnull=True)
    elif f.status == "ditutup":
        qs = qs.filter(closed_at__isnull=False)
    if f.worker_id is not None:
        qs = qs.filter(worker_id=f.worker_id)
    if f.overdue:
        qs = qs.filter(due.overdue_q(now or timezone.now(), due.Rules.from_settings()))
    return qs


@dataclass
class CasePage:
    cases: list[Case]
    next_cursor: str  # "" on the last page
    first: bool  # no cursor was given


def case_page(qs: QuerySet[Case], cursor: str = "", size: int = PAGE_SIZE) -> CasePage:
    """One page of a case list, newest report first, by keyset: the rows after the cursor's
    (reported_at, pk), so page 10 000 costs what page 1 does and a case registered meanwhile
    neither repeats nor hides a row. Raises BadCursor for a cursor this server did not make."""
    from django.db.models import Q

    qs = qs.order_by("-reported_at", "-pk")
    if cursor:
        micros, pk = decode_cursor(cursor, 2)
        at = _from_micros(micros)
        qs = qs.filter(Q(reported_at__lt=at) | Q(reported_at=at, pk__lt=pk))
    rows = list(qs[: size + 1])
    nxt = ""
    if len(rows) > size:
        rows = rows[:size]
        nxt = encode_cursor(_micros(rows[-1].reported_at), rows[-1].pk)
    return CasePage(rows, nxt, not cursor)


def unit_workers(user: Staff) -> QuerySet[Staff]:
    """The social workers of the units whose cases the user opens (for the worker filter)."""
    role = permissions.role_of(user)
    if role not in (permissions.KASI, permissions.PIMPINAN) or not user.unit_id:
        return Staff.objects.none()
    return Staff.objects.filter(unit_id__in=descendant_unit_ids(user.unit_id),
                                role=permissions.PEKSOS).order_by("username")


def worker_open_cases(user: Staff) -> list[Case]:
    """A social worker's open cases, oldest report first (the home page reads their facts next)."""
    return list(cases_for(user).filter(closed_at__isnull=True).order_by("reported_at", "pk"))


def pending_plans(user: Staff, limit: int = 200) -> tuple[list[Any], int]:
    """Case-plan actions awaiting the section head's decision (neither approved nor returned) in the units whose cases the user
    opens (open cases only), oldest first, and how many there are in all."""
    from kinerja.register.models import Action

    if permissions.role_of(user) not in permissions.CAN_APPROVE or not user.unit_id:
        return [], 0
    from django.db.models import Exists, OuterRef

    from kinerja.register.models import Approval

    returned = Approval.objects.filter(action=OuterRef("pk"), decision=Approval.RETURNED)
    qs = Action.objects.filter(unit_id__in=descendant_unit_ids(user.unit_id), stage="rencana_intervensi",
                               approved_at__isnull=True, case__closed_at__isnull=True).exclude(Exists(returned))
    rows = list(qs.select_related("case", "case__child", "case__worker", "staff").order_by("time", "pk")[:limit])
    return rows, qs.count() if len(rows) == limit else len(rows)


def pending_closures(user: Staff, limit: int = 200) -> tuple[list[Any], int]:
    """Closures proposed in the units whose cases the user opens and not yet decided, oldest first,
    and how many there are in all."""
    from kinerja.register.models import Approval

    if permissions.role_of(user) not in permissions.CAN_APPROVE or not user.unit_id:
        return [], 0
    qs = Approval.objects.filter(case__unit_id__in=descendant_unit_ids(user.unit_id), kind=Approval.CLOSURE,
                                 decision="", case__closed_at__isnull=True)
    rows = list(qs.select_related("case", "case__child", "case__worker", "proposed_by")
                .order_by("proposed_at", "pk")[:limit])
    return rows, qs.count() if len(rows) == limit else len(rows)


@dataclass
class WorkerLoad:
    worker: Staff | None  # None: cases with no worker assigned
    open_cases: int
    overdue: int


@dataclass
class Caseload:
    rows: list[WorkerLoad]
    open_cases: int
    overdue: int
    fte: Any  # Decimal, or None when no staffing row for the year
    certified: Any
    per_fte: Any  # open cases per social worker FTE, or None


def caseload(user: Staff, year: int, now: dt.datetime | None = None) -> Caseload:
    """Open and overdue cases per social worker of the section head's unit (and below), with the
    social-worker FTE the unit reported for the year: one grouped query and one staffing query."""
    from decimal import Decimal

    from django.db.models import Count, Sum

    from kinerja.register import due
    from kinerja.register.models import Staffing

    if permissions.role_of(user) != permissions.KASI or not user.unit_id:
        return Caseload([], 0, 0, None, None, None)
    units = descendant_unit_ids(user.unit_id)
    late = due.overdue_q(now or timezone.now(), due.Rules.from_settings())
    counts = {r["worker_id"]: r for r in Case.objects.filter(unit_id__in=units, closed_at__isnull=True)
              .values("worker_id").annotate(n=Count("pk"), late=Count("pk", filter=late)).order_by()}
    workers = list(unit_workers(user).filter(is_active=True))
    known = {w.pk for w in workers}
    workers += list(Staff.objects.filter(pk__in=[k for k in counts if k is not None and k not in known])
                    .order_by("username"))
    rows = [WorkerLoad(w, counts.get(w.pk, {}).get("n", 0), counts.get(w.pk, {}).get("late", 0)) for w in workers]
    if None in counts:
        rows.append(WorkerLoad(None, counts[None]["n"], counts[None]["late"]))
    staffing = Staffing.objects.filter(unit_id__in=units, year=year).aggregate(
        fte=Sum("social_workers"), certified=Sum("certified"))
    total = sum(r.open_cases for r in rows)
    fte = staffing["fte"]
    per_fte = (Decimal(total) / fte) if fte else None
    return Caseload(rows, total, sum(r.overdue for r in rows), fte, staffing["certified"], per_fte)


def latest_staffing_year(user: Staff) -> int | None:
    """The latest year the user's unit (and below) reported its staffing: the caseload's default."""
    from django.db.models import Max

    from kinerja.register.models import Staffing

    if not user.unit_id:
        return None
    return Staffing.objects.filter(unit_id__in=descendant_unit_ids(user.unit_id)).aggregate(y=Max("year"))["y"]


def unit_audit(user: Staff, cursor: str = "", size: int = AUDIT_PAGE_SIZE) -> tuple[list[Any], str]:
    """Audit entries about the section's children and staff, newest first, by keyset on seq:
    reveals of its children (`anak:<unit code>:...`), entries about its staff's accounts
    (`akun:<username>`) and everything its staff did (reveals, exports). Another unit's entries
    never appear. Raises BadCursor for a cursor this server did not make."""
    from django.db.models import Q

    from kinerja.register.models import AuditEntry

    if permissions.role_of(user) not in (permissions.KASI, permissions.PIMPINAN) or not user.unit_id:
        return [], ""
    units = descendant_unit_ids(user.unit_id)
    codes = list(Unit.objects.filter(pk__in=units).values_list("code", flat=True))
    names = list(Staff.objects.filter(unit_id__in=units).values_list("username", flat=True))
    scope = Q(username__in=names) | Q(record__in=[f"akun:{n}" for n in names])
    for code in codes:
        scope |= Q(record__startswith=f"anak:{code}:")
    qs = AuditEntry.objects.filter(scope).order_by("-seq")
    if cursor:
        (seq,) = decode_cursor(cursor, 1)
        qs = qs.filter(seq__lt=seq)
    rows = list(qs[: size + 1])
    nxt = ""
    if len(rows) > size:
        rows = rows[:size]
        nxt = encode_cursor(rows[-1].seq)
    return rows, nxt
