"""User accounts and the separation of duties of domain.md ('Roles and what each may see').

An `admin` keeps the accounts of `admin`, `pimpinan` and `evaluator` only: the roles that can reveal
a child's identity (`kepala_seksi`, `pekerja_sosial`) are granted, moved and reset by the server
operator (`kinerja user ...`). A password reset leaves no usable password, only a one-time code shown
once to whoever resets; the user signs in with it and must choose a new password themselves.

The rule lives in one place, `check_change`, called by the services below, by the admin's forms
(for a clear message) and by a pre_save guard on Staff (so no form, view or script slips past it).
Every change of an account is written to the audit chain by the post_save receiver here, whatever
the path (admin, CLI, sign-in pages, the demo, tests); the actor is whoever `acting_as` names:
the signed-in user (kinerja.register.account_middleware), the operator (CLI) or 'system'."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import getpass
import secrets
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kinerja import vocab
from kinerja.register import permissions
from kinerja.register.models import Staff, Unit

# roles whose holders can reveal a child's identity: never granted, moved or reset by an admin
IDENTITY_ROLES = frozenset({permissions.KASI, permissions.PEKSOS})
# the accounts an admin keeps
ADMIN_MANAGED_ROLES = frozenset({permissions.ADMIN, permissions.PIMPINAN, permissions.EVALUATOR})

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or over the phone
CODE_LENGTH = 12  # 60 bits


class AccountError(ValueError):
    """Bad input (unknown user, role or unit, a weak password): the message names the valid choices."""


class AccountDenied(PermissionDenied):
    """The actor's role may not make this change of an account."""


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who changes an account: the server operator (every power), a signed-in user (their role's
    powers only) or the system (the demo loader, tests, a shell; no request, no role)."""

    name: str
    user: Staff | None = None
    operator: bool = False
    via: str = ""
    os_user: str = ""

    @property
    def role(self) -> str:
        return permissions.role_of(self.user) if self.user is not None else ""


SYSTEM = Actor("system", via="system")
_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("kinerja_account_actor", default=SYSTEM)


def operator(via: str = "cli") -> Actor:
    """The server operator: whoever runs `kinerja user ...` on the server (the OS account is kept)."""
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        os_user = ""
    return Actor("operator", operator=True, via=via, os_user=os_user)


def user_actor(user: Staff, via: str = "web") -> Actor:
    return Actor(user.get_username(), user=user, via=via)


def current_actor() -> Actor:
    return _actor.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


# -- the rule -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class State:
    """What of an account the separation of duties and the audit chain look at."""

    username: str
    role: str
    unit_id: int | None
    is_active: bool
    password: str
    reset_code_hash: str
    is_staff: bool
    is_superuser: bool


WATCHED = tuple(f.name for f in dataclasses.fields(State))
# names a save(update_fields=...) may use for them; last_login alone is not an account change
WATCHED_UPDATE_FIELDS = frozenset(WATCHED) | {"unit", "reset_code_expires", "must_change_password"}


def state_of(user: Staff) -> State:
    return State(**{f: getattr(user, f) for f in WATCHED})


def stored_state(pk: int | None) -> State | None:
    if pk is None:
        return None
    row = Staff.objects.filter(pk=pk).values(*WATCHED).first()
    return State(**row) if row else None


def _role_label(role: str) -> str:
    return vocab.PERAN.label(role, translation.get_language() or "id")


def _admin_roles_text() -> str:
    return ", ".join(_role_label(r) for r in vocab.PERAN if r in ADMIN_MANAGED_ROLES)


def check_change(actor: Actor, before: State | None, after: State, target_pk: int | None = None) -> None:
    """Raise AccountDenied unless `actor` may turn the account `before` (None: a new one) into
    `after`. The operator and the system may do anything; a user may change their own password; an
    admin may change the accounts of admin, pimpinan and evaluator into such accounts; nobody else
    changes accounts."""
    if actor.operator or actor.user is None:
        return
    changed = {f for f in WATCHED if before is None or getattr(before, f) != getattr(after, f)}
    if not changed:
        return
    own = before is not None and target_pk is not None and actor.user.pk == target_pk
    if own and changed <= {"password", "reset_code_hash"} and not after.reset_code_hash:
        return  # choosing one's own password, or using one's own one-time code
    if actor.role == permissions.ADMIN:
        if before is not None and before.role in IDENTITY_ROLES:
            raise AccountDenied(
                _("The account %(username)s has the role %(role)s, which can reveal children's identity. "
                  "Only the server operator (kinerja user ...) changes it or resets its password, "
                  "not an administrator.") % {"username": before.username, "role": _role_label(before.role)})
        if after.role in IDENTITY_ROLES:
            raise AccountDenied(
                _("An administrator may not give the role %(role)s: it can reveal children's identity and "
                  "is granted by the server operator (kinerja user set-role). Roles an administrator may "
                  "give: %(roles)s.") % {"role": _role_label(after.role), "roles": _admin_roles_text()})
        if after.is_superuser and not (before is not None and before.is_superuser):
            raise AccountDenied(_("Only the server operator makes a superuser."))
        return
    raise AccountDenied(_("Your role may not change user accounts."))


def check_proposal(actor: Actor, user: Staff | None, **values: Any) -> None:
    """check_change for a form: the stored account (None: a new one) with the proposed values."""
    before = stored_state(user.pk) if user is not None and user.pk else None
    base = before or State(username="", role="", unit_id=None, is_active=True, password="", reset_code_hash="",
                           is_staff=False, is_superuser=False)
    after = dataclasses.replace(base, **values)
    check_change(actor, before, after, user.pk if user is not None else None)


def admin_may_manage(user: Staff) -> bool:
    """Whether an admin may edit this account at all (its stored role decides, not a proposed one)."""
    stored = stored_state(user.pk)
    return stored is None or (stored.role in ADMIN_MANAGED_ROLES and not stored.is_superuser)


# -- look-ups with messages that name the choices --------------------------------------------------
def find_user(username: str) -> Staff:
    user = Staff.objects.filter(username=username).first()
    if user is None:
        raise AccountError(f"Pengguna tidak ditemukan / user not found: {username} "
                           "(daftar / list: kinerja user list)")
    return user


def find_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        codes = list(Unit.objects.order_by("code").values_list("code", flat=True)[:21])
        shown = ", ".join(codes[:20]) + (", ..." if len(codes) > 20 else "")
        raise AccountError(f"Unit tidak ditemukan / unit not found: {code} (pilihan / choices: {shown or '-'})")
    return unit


def check_role(role: str) -> None:
    if role not in vocab.PERAN:
        raise AccountError(f"Peran tidak dikenal / unknown role: {role} "
                           f"(pilihan / choices: {', '.join(vocab.PERAN.codes)})")


# -- services --------------------------------------------------------------------------------------
def save_account(actor: Actor, user: Staff) -> Staff:
    """Save an account changed in memory, as `actor`: the rule is checked against the stored account,
    is_staff follows the role (the Django admin is for the admin role only), the change is audited."""
    before = stored_state(user.pk)
    user.is_staff = user.role == permissions.ADMIN
    check_change(actor, before, state_of(user), user.pk)
    with acting_as(actor), transaction.atomic():
        user.save()
    return user


def add_user(username: str, role: str, unit_code: str | None, password: str, full_name: str = "",
             actor: Actor | None = None) -> Staff:
    """A new account with a password the operator typed (`kinerja user add`)."""
    check_role(role)
    unit = find_unit(unit_code) if unit_code else None
    if unit is None and role != permissions.ADMIN:
        raise AccountError("Peran ini perlu --unit / this role needs --unit")
    if Staff.objects.filter(username=username).exists():
        raise AccountError(f"Pengguna sudah ada / user exists: {username}")
    user = Staff(username=username, role=role, unit=unit, full_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("; ".join(exc.messages)) from exc
    user.set_password(password)
    return save_account(actor or current_actor(), user)


def set_role(actor: Actor, username: str, role: str) -> Staff:
    check_role(role)
    user = find_user(username)
    if role != permissions.ADMIN and user.unit_id is None:
        raise AccountError(f"Peran ini perlu unit / this role needs a unit: kinerja user move {username} --unit KODE")
    user.role = role
    return save_account(actor, user)


def move(actor: Actor, username: str, unit_code: str) -> Staff:
    user = find_user(username)
    user.unit = find_unit(unit_code)
    return save_account(actor, user)


def set_active(actor: Actor, username: str, active: bool) -> Staff:
    user = find_user(username)
    user.is_active = active
    return save_account(actor, user)


def random_password() -> str:
    return secrets.token_urlsafe(12)


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def issue_code(user: Staff) -> tuple[str, dt.datetime]:
    """Replace the password (not saved) by a one-time code: random, kept only as a hash, valid for
    KINERJA_RESET_CODE_HOURS; at sign-in with it the user must choose a new password."""
    code = new_code()
    expires = timezone.now() + dt.timedelta(hours=settings.KINERJA.reset_code_hours)
    user.set_unusable_password()
    user.reset_code_hash = make_password(_normalise_code(code))
    user.reset_code_expires = expires
    user.must_change_password = True
    return code, expires


def reset_password(actor: Actor, user: Staff | str) -> tuple[str, dt.datetime]:
    """Reset a password: the old one stops working, and the code returned is shown once to `actor`
    and passed on to the user, who then chooses a password nobody else knows."""
    if isinstance(user, str):
        user = find_user(user)
    check_proposal(actor, user, reset_code_hash="pending")  # a clear refusal before anything changes
    code, expires = issue_code(user)
    save_account(actor, user)
    return code, expires


def sign_in_with_code(username: str, code: str) -> Staff:
    """The account whose one-time code this is, the code now used up (it works once). Raises
    AccountError, in the user's language, for a wrong, used or expired code."""
    user = Staff.objects.filter(username=username, is_active=True).first()
    wrong = AccountError(_("The username or the one-time code is wrong, or the code was already used. "
                           "Ask the administrator or the server operator for a new code."))
    if user is None or not user.reset_code_hash:
        make_password(_normalise_code(code))  # about as slow as a real check: no hint who exists
        raise wrong
    if not check_password(_normalise_code(code), user.reset_code_hash):
        raise wrong
    if user.reset_code_expires is None or user.reset_code_expires <= timezone.now():
        raise AccountError(_("This one-time code has expired. Ask the administrator or the server operator "
                             "for a new code."))
    user.reset_code_hash, user.reset_code_expires = "", None
    with acting_as(user_actor(user)), transaction.atomic():
        user.save(update_fields=["reset_code_hash", "reset_code_expires"])
    return user


def password_chosen(user: Staff) -> None:
    """The user chose their own password (not saved): the forced change is over."""
    user.must_change_password = False
    user.reset_code_hash, user.reset_code_expires = "", None


def list_accounts(role: str | None = None, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Username, role, unit and whether active; never a password or code."""
    qs = Staff.objects.select_related("unit").order_by("username")
    if role:
        check_role(role)
        qs = qs.filter(role=role)
    if unit_code:
        qs = qs.filter(unit=find_unit(unit_code))
    return [{"username": u.username, "role": u.role, "unit": u.unit.code if u.unit else "",
             "active": u.is_active, "must_change_password": u.must_change_password} for u in qs]


# -- the guard and the audit, on every save of an account -------------------------------------------
_SKIP = object()


@receiver(pre_save, sender=Staff, dispatch_uid="kinerja_account_checked")
def _account_checked(sender: type[Staff], instance: Staff, raw: bool = False, update_fields: Any = None,
                     **_: Any) -> None:
    if raw or (update_fields is not None and not WATCHED_UPDATE_FIELDS.intersection(update_fields)):
        instance._account_before = _SKIP  # type: ignore[attr-defined]
        return
    instance.is_staff = instance.role == permissions.ADMIN  # the Django admin is for the admin role only
    before = stored_state(instance.pk)
    check_change(current_actor(), before, state_of(instance), instance.pk)
    instance._account_before = before  # type: ignore[attr-defined]
    # set_password() keeps the raw password until the save; a hash written directly does not
    instance._account_password_set = getattr(instance, "_password", None) is not None  # type: ignore[attr-defined]


@receiver(post_save, sender=Staff, dispatch_uid="kinerja_account_audited")
def _account_audited(sender: type[Staff], instance: Staff, **_: Any) -> None:
    before = instance.__dict__.pop("_account_before", _SKIP)
    if before is _SKIP:
        return
    password_set = instance.__dict__.pop("_account_password_set", False)
    for action, detail in account_changes(before, instance, password_set):
        audit_account(current_actor(), action, instance.username, detail)


@receiver(post_delete, sender=Staff, dispatch_uid="kinerja_account_deleted")
def _account_deleted(sender: type[Staff], instance: Staff, **_: Any) -> None:
    audit_account(current_actor(), "account_delete", instance.username, {"role": instance.role})


def _unit_codes(*ids: int | None) -> dict[int | None, str]:
    codes: dict[int | None, str] = {None: ""}
    codes.update(Unit.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "code"))
    return codes


def account_changes(before: State | None, user: Staff, password_set: bool) -> list[tuple[str, dict[str, Any]]]:
    """The audit entries for one save: (action, detail). Details name roles, units and how a password
    changed, never a password, a hash or a code."""
    after = state_of(user)
    codes = _unit_codes(after.unit_id, before.unit_id if before else None)
    if before is None:
        sign_in = ("one_time_code" if after.reset_code_hash else
                   "password" if user.has_usable_password() else "none")
        return [("account_create", {"role": after.role, "unit": codes[after.unit_id], "active": after.is_active,
                                    "sign_in": sign_in})]
    out: list[tuple[str, dict[str, Any]]] = []
    if before.username != after.username:
        out.append(("account_rename", {"from": before.username, "to": after.username}))
    if before.role != after.role:
        out.append(("account_role", {"from": before.role, "to": after.role}))
    if before.unit_id != after.unit_id:
        out.append(("account_unit", {"from": codes[before.unit_id], "to": codes[after.unit_id]}))
    if before.is_active != after.is_active:
        out.append(("account_activate" if after.is_active else "account_deactivate", {}))
    if before.is_superuser != after.is_superuser:
        out.append(("account_superuser", {"to": after.is_superuser}))
    if after.reset_code_hash and after.reset_code_hash != before.reset_code_hash:
        expires = user.reset_code_expires
        out.append(("account_password_reset", {"code_expires": expires.astimezone(dt.UTC).isoformat(
            timespec="seconds") if expires else ""}))
    elif before.password != after.password:
        how = ("disabled" if not user.has_usable_password() else
               ("own" if current_actor().name == after.username else "set") if password_set else "hash_upgrade")
        out.append(("account_password_change", {"how": how}))
    elif before.reset_code_hash and not after.reset_code_hash:
        out.append(("account_reset_code_used", {}))
    return out


def audit_account(actor: Actor, action: str, username: str, detail: dict[str, Any]) -> None:
    from kinerja.register import services

    detail = {**detail, "via": actor.via} if actor.via else dict(detail)
    if actor.os_user:
        detail["os_user"] = actor.os_user
    services.audit(actor.name, action, f"akun:{username}", "", detail)


def audit_import(actor: Actor, created: list[str], before: dict[str, State]) -> int:
    """Audit accounts written in bulk (the CSV import, which bypasses model signals): `created` are
    the new usernames, `before` the stored states of the updated ones, read before the update."""
    count = 0
    users = Staff.objects.filter(username__in=[*created, *before]).in_bulk(field_name="username")
    for name in created:
        for action, detail in account_changes(None, users[name], False):
            audit_account(actor, action, name, detail)
            count += 1
    for name, old in before.items():
        for action, detail in account_changes(old, users[name], False):
            audit_account(actor, action, name, detail)
            count += 1
    return count


def states_by_username(usernames: list[str]) -> dict[str, State]:
    """Stored states of these accounts, for audit_import."""
    return {row["username"]: State(**row) for row in Staff.objects.filter(username__in=usernames).values(*WATCHED)}
