"""The JSON API (django-ninja, OpenAPI at /api/docs). Session auth with CSRF, like the web UI;
every router checks the role through kinerja.register.permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError
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


# Pydantic's error types, said in Indonesian (the English part is pydantic's own message).
_ID_ERRORS = {
    "missing": "wajib diisi",
    "int_parsing": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat",
    "float_parsing": "harus angka",
    "bool_parsing": "harus true atau false",
    "uuid_parsing": "harus UUID",
    "date_parsing": "harus tanggal YYYY-MM-DD",
    "date_from_datetime_parsing": "harus tanggal YYYY-MM-DD",
    "string_type": "harus teks",
    "greater_than_equal": "paling kecil {ge}",
    "less_than_equal": "paling besar {le}",
    "greater_than": "harus lebih dari {gt}",
    "less_than": "harus kurang dari {lt}",
    "string_too_short": "paling sedikit {min_length} karakter",
    "string_too_long": "paling banyak {max_length} karakter",
    "json_invalid": "JSON tidak sah",
}


def _field(loc: object) -> str:
    """`query.limit` or `body.payload.q` without the parameter-source and payload wrappers."""
    parts = [str(p) for p in (loc if isinstance(loc, (list, tuple)) else [loc])]
    while parts and parts[0] in {"query", "path", "body", "payload", "cookie", "header", "form"}:
        parts.pop(0)
    return ".".join(parts) or "-"


def bad_input_message(errors: list[dict]) -> str:
    """One bilingual sentence for schema validation errors. The input itself is never echoed: it
    may be a name or a transcript."""
    indonesian, english = [], []
    for err in errors[:5]:
        field = _field(err.get("loc", ()))
        ctx = err.get("ctx") or {}
        try:
            said = _ID_ERRORS.get(str(err.get("type")), "tidak sah").format(**ctx)
        except (KeyError, IndexError, ValueError):
            said = "tidak sah"
        indonesian.append(f"{field} {said}")
        english.append(f"{field}: {err.get('msg', 'invalid')}")
    return f"Masukan tidak sah: {'; '.join(indonesian)} / Invalid input: {'; '.join(english)}"


def _bad_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad input is the client's mistake: 400 with a message a person can act on (django-ninja's
    default is 422 with pydantic's raw error list)."""
    return api.create_response(request, {"detail": bad_input_message(exc.errors)}, status=400)


api.add_exception_handler(ValidationError, _bad_input)

BAD_INPUT_RESPONSE = {
    "description": "Masukan tidak sah / bad input",
    "content": {"application/json": {"schema": {
        "type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}}},
}


def _declare_bad_input() -> None:
    """Every operation can answer 400 (schema validation here, domain checks in the routers): the
    OpenAPI document says so, for clients and for the schema-conformance tests."""
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                if 400 in operation.response_models:
                    continue
                extra = dict(operation.openapi_extra or {})
                extra["responses"] = {**extra.get("responses", {}), 400: BAD_INPUT_RESPONSE}
                operation.openapi_extra = extra


_declare_bad_input()
