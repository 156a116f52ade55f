"""URLs for the indicator API tests: the project's own API when it mounts the indicator router,
otherwise a test-only NinjaAPI with the same session auth at the same /api/indikator/ prefix."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from kinerja.indicators.api import router


def _mounted() -> bool:
    from kinerja.commands import api_routers

    return any(r is router for _, r in api_routers())


if _mounted():
    from kinerja.urls import urlpatterns  # noqa: F401
else:
    api = NinjaAPI(auth=django_auth, urls_namespace="indikator-test")
    api.add_router("/indikator/", router)
    urlpatterns = [path("api/", api.urls)]
