"""Every request names its signed-in user as the actor of any account change it makes (so the
audit chain says who), and a user who must choose a new password (after a reset, or a new account)
reaches nothing but that page until they have: pages redirect there, the API answers 403."""

from __future__ import annotations

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from kinerja.register import accounts

# pages a user who must change their password may still open
ALLOWED = frozenset({"password-change", "logout", "login", "login-code", "set_language", "admin:logout"})


class AccountMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.must_change_password and not _allowed(request.path_info):
                return _hold(request)
            actor = accounts.user_actor(user, via="admin" if request.path_info.startswith("/admin/") else "web")
        else:
            actor = accounts.Actor("anonymous", via="web")
        with accounts.acting_as(actor):
            return self.get_response(request)


def _allowed(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in ALLOWED


def _hold(request):  # type: ignore[no-untyped-def]
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Kata sandi harus diganti dulu di /kata-sandi/ / "
                                       "You must choose a new password first at /kata-sandi/"}, status=403)
    url = reverse("password-change")
    nxt = request.get_full_path()
    if request.method == "GET" and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        url += "?" + urlencode({"next": nxt})
    return HttpResponseRedirect(url)
