"""The JSON API (django-ninja, OpenAPI at /api/docs). Session auth with CSRF, like the web UI;
every router checks the role through kinerja.register.permissions."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from kinerja.register.api import router as register_router

api = NinjaAPI(
    title="Kinerja API",
    version="1",
    description="Register kasus, indikator kinerja dan bukti evaluasi / case register, indicators and evidence",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/kasus/", register_router)


def _mount_optional() -> None:
    from kinerja.commands import api_routers

    for prefix, router in api_routers():
        api.add_router(prefix, router)


_mount_optional()
