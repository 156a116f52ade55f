"""The lockout backend for tests: django-axes as in production, except for Django's test client
`login()`, which calls authenticate() without a request (axes refuses that outright). Every sign-in
through a view (the login form, /admin/login/) has a request and meets the real lockout."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if request is None:
            return None  # the test client's login(): the next backend checks the password
        return super().authenticate(request, username, password, **kwargs)
