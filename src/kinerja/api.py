"""The JSON API (django-ninja, OpenAPI at /api/docs). Session auth with CSRF, like the web UI;
every router checks the role through kinerja.register.permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.openapi.docs import _csrf_needed
from ninja.security import django_auth

from kinerja.register.api import router as register_router


class LocalSwagger(Swagger):
    """/api/docs from the vendored Swagger UI (static/kinerja/vendor/swagger-ui), never a CDN: the
    page works offline, and its start-up script is a static file, as the Content-Security-Policy
    (script-src 'self') requires."""

    template = "kinerja/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = dict(self.settings, url=self.get_openapi_url(api, kwargs))
        context = {"swagger_settings": settings, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)


api = NinjaAPI(
    title="Kinerja API",
    version="1",
    description="Register kasus, indikator kinerja dan bukti evaluasi / case register, indicators and evidence",
    auth=django_auth,
    urls_namespace="api",
    docs=LocalSwagger(),
)
api.add_router("/kasus/", register_router)


def _mount_optional() -> None:
    from kinerja.commands import api_routers

    for prefix, router in api_routers():
        api.add_router(prefix, router)


_mount_optional()
