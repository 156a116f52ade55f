"""Schemathesis drives every JSON API operation from its OpenAPI schema: no server errors, and every
response matches its declared schema. Runs as the section head, who may read most endpoints."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kinerja.wsgi import application
from tests import factories

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def session_cookie(client, units, users):
    """Like Django's test client, keep the test's database connection open across WSGI requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    factories.case(units["seksi"], worker=users["peksos"])
    client.force_login(users["kasi"])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield client.cookies["sessionid"].value
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, session_cookie):
    response = case.call(headers={"Cookie": f"sessionid={session_cookie}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
