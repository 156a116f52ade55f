"""Sign-in lockouts (django-axes): the page a locked-out user sees, and an audit-chain entry for
every lockout and every unlock by the server operator.

Axes counts failed sign-ins per account and per address (KINERJA_LOCKOUT_FAILURES within
KINERJA_LOCKOUT_MINUTES); once either reaches the limit, every attempt for that account or from
that address is refused, the right password included, until the period ends or the operator runs
`kinerja unlock`."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKOUT_ACTION = "lockout"
UNLOCK_ACTION = "unlock"


def _minutes() -> str:
    minutes = float(settings.KINERJA.lockout_minutes)
    return str(int(minutes)) if minutes.is_integer() else f"{minutes:g}"


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in comes from, for the lockout by address. Behind a reverse proxy
    (KINERJA_BEHIND_PROXY=1) every request comes from the proxy, so the address is the last entry of
    X-Forwarded-For, the one the proxy appended (earlier entries are whatever the client claimed)."""
    if settings.KINERJA.behind_proxy:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """A page in the user's language (429), not a bare 403: what happened and when to try again."""
    return render(request, "registration/lockout.html",
                  {"minutes": _minutes(), "failures": settings.KINERJA.lockout_failures}, status=429)


@receiver(user_locked_out, dispatch_uid="kinerja_user_locked_out")
def audit_lockout(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None,
                  **_: Any) -> None:
    """One entry per lockout. Axes also sends this signal for each attempt refused while the lockout
    lasts; those are not new lockouts (and auditing each would let a script flood the chain)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    from kinerja.register.services import audit

    audit("system", LOCKOUT_ACTION, f"akun:{(username or '')[:190]}", "",
          {"address": ip_address or "", "path": request.path, "failures": failures, "minutes": _minutes()})


def unlock(username: str | None = None, address: str | None = None, operator: str = "operator") -> int:
    """Clear the failed sign-ins of an account and/or an address (the operator's `kinerja unlock`);
    audited. Returns how many attempt records were removed."""
    from axes.utils import reset

    from kinerja.register.services import audit

    if not username and not address:
        raise ValueError("nama pengguna atau alamat diperlukan / a username or an address is needed")
    count = 0
    if username:
        count += int(reset(username=username) or 0)
    if address:
        count += int(reset(ip=address) or 0)
    record = f"akun:{username[:190]}" if username else f"alamat:{address}"
    audit(operator, UNLOCK_ACTION, record, "", {"address": address or "", "records": count})
    return count
