"""Schemathesis drives every JSON API operation from its OpenAPI schema, signed in as each role
through the real login form (session cookie and CSRF token as a browser gets them), over seeded
cases, actions and an evidence workspace: no server error, every response matches its declared
schema, and the run reaches the code, shown by counting statuses: the operations a role may use
answer 2xx, the others 403/404, nothing 401, no POST stopped by CSRF.

Generated values are steered to real objects (case ids, source and code uids, unit codes, measure
ids, years) most of the time, so path and query parameters hit records instead of 404s; the rest
stay as schemathesis drew them. Hypothesis runs derandomized, so a failure reproduces."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from contextlib import contextmanager

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from kinerja.wsgi import application
from tests import factories
from tests import indicator_factories as ind
from tests.evidence_factories import evaluation_fixture, sample_evaluation_fixture, sample_fixture  # noqa: F401

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
OPERATIONS = {f"{r.ok().method.upper()} {r.ok().path}": r.ok() for r in schema.get_all_operations()}
EXAMPLES = 8  # per operation and role: 14 operations x 5 roles stay within a minute or two

KASUS = {"GET /api/kasus/", "GET /api/kasus/{case_id}"}
# case work: generated bodies mostly break a rule (400) or name a stale version (409); these are
# checked for schema conformance and no server error, and tests/test_casework_api.py for effects
CASEWORK = {"POST /api/kasus/", "PATCH /api/kasus/{case_id}", "POST /api/kasus/{case_id}/petugas",
            "POST /api/kasus/{case_id}/tindakan", "PATCH /api/kasus/tindakan/{action_id}",
            "POST /api/kasus/{case_id}/rujukan", "PATCH /api/kasus/rujukan/{referral_id}",
            "POST /api/kasus/{case_id}/rencana", "POST /api/kasus/{case_id}/penutupan",
            "POST /api/kasus/persetujuan/{approval_id}"}
INDIKATOR = {"GET /api/indikator/measures", "GET /api/indikator/scorecard", "GET /api/indikator/trend",
             "GET /api/indikator/frameworks"}
EV = "/api/bukti/evaluasi/{evaluasi}"
# an evaluation's members and its unit's section head use all of it; nobody else any of it
EVIDENCE = {"GET /api/bukti/evaluasi", f"GET {EV}/sumber", f"GET {EV}/kode", f"GET {EV}/matriks",
            f"GET {EV}/kesepakatan", f"GET {EV}/sumber/{{uid}}/teks", f"POST {EV}/koding", f"POST {EV}/cari",
            f"POST {EV}/saran-kode", f"GET {EV}/koding/{{uid}}/riwayat"}
# a coding is changed or removed by its own coder only: the sample's codings are not the test users'
OWN_CODINGS = {f"PATCH {EV}/koding/{{uid}}", f"DELETE {EV}/koding/{{uid}}"}
# What each role may use (domain.md); every other operation must refuse it (403, or 404 for a
# case outside its remit). Evaluator and admin get the case list, empty.
MAY_USE = {
    "peksos": KASUS | INDIKATOR,
    "kasi": KASUS | INDIKATOR | EVIDENCE,
    "pimpinan": KASUS | INDIKATOR,
    "evaluator": {"GET /api/kasus/"} | INDIKATOR | EVIDENCE,
    "admin": {"GET /api/kasus/"},
}
WORDS = ["anggaran", "rumah aman", "pekerja sosial", "koordinasi", "tempat tidur", "rujukan"]


def test_the_schema_lists_every_operation_this_test_expects():
    assert set(OPERATIONS) == KASUS | INDIKATOR | EVIDENCE | OWN_CODINGS | CASEWORK


@pytest.fixture
def world(units, users, sample):
    """Cases with the five procedure stages in the section and the unit above it, one case in
    another city's unit, and the demo evidence sample."""
    from kinerja.evidence.models import Code, Coding, Source
    from kinerja.register.models import Case

    cases = []
    for year in (2022, 2023, 2024):
        for i in range(4):
            worker = users["peksos"] if i % 2 == 0 else users["peksos2"]
            case = ind.case(units["seksi"], ind.wib(year, 1 + i * 2, 3), worker=worker,
                            closed=ind.wib(year, 2 + i * 2, 20) if i < 3 else None)
            ind.full_procedure(case, ind.wib(year, 1 + i * 2, 4))
            cases.append(case)
    factories.case(units["bidang"])
    factories.case(units["other"])
    sources = list(Source.objects.values_list("uid", "length"))
    return {
        "case_ids": list(Case.objects.values_list("pk", flat=True)),
        "sources": [(str(uid), length) for uid, length in sources],
        "codes": [str(u) for u in Code.objects.filter(codable=True).values_list("uid", flat=True)],
        "codings": [str(u) for u in Coding.objects.values_list("uid", flat=True)[:50]],
        "code_names": list(Code.objects.filter(codable=True).values_list("name", flat=True)),
        "units": units, "users": users,
    }


def sign_in(username: str) -> tuple[str, str]:
    """The login form with CSRF enforced, as a browser does it: returns the session id and the CSRF
    token the signed-in session holds (Django rotates it at login)."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/masuk/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    refused = browser.post("/masuk/", {"username": username, "password": "rahasia-sekali"})
    assert refused.status_code == 403  # no token: the login form itself is CSRF-protected
    r = browser.post("/masuk/", {"username": username, "password": "rahasia-sekali", "csrfmiddlewaretoken": token})
    assert r.status_code == 302, r.content[:500]
    return browser.cookies["sessionid"].value, browser.cookies["csrftoken"].value


@contextmanager
def wsgi_db():
    """Like Django's test client, keep the test's database connection open across WSGI requests
    (the test client reconnects the signal after each of its own requests: sign in first)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def steer(case, data, role: str, world: dict) -> None:
    """Point most generated values at real objects; leave some as generated."""
    user = world["users"][role]
    units = world["units"]

    def often() -> bool:
        return data.draw(st.integers(0, 9)) < 8

    path = case.path_parameters if isinstance(case.path_parameters, dict) else None
    query = case.query if isinstance(case.query, dict) else None
    body = case.body if isinstance(case.body, dict) else None
    if path is not None and "case_id" in path and often():
        path["case_id"] = data.draw(st.sampled_from(world["case_ids"]))
    if path is not None and "evaluasi" in path and often():
        path["evaluasi"] = "sampel-anak-2024"
    if path is not None and "uid" in path and often():
        if "/koding/" in case.path:
            path["uid"] = data.draw(st.sampled_from(world["codings"]))
        else:
            path["uid"] = data.draw(st.sampled_from(world["sources"]))[0]
    if case.path.startswith("/api/indikator/") and query is not None and often():
        for key in ("mulai", "selesai", "year", "unit", "worker", "framework", "measure", "years"):
            query.pop(key, None)
        if role == "kasi":
            query["unit"] = data.draw(st.sampled_from([units["seksi"].code, units["seksi"].code, None]))
            if data.draw(st.booleans()):
                query["worker"] = data.draw(st.sampled_from(["peksos1", "peksos2"]))
        elif role in ("pimpinan", "evaluator"):
            query["unit"] = data.draw(st.sampled_from([user.unit.code, units["seksi"].code]))
        if case.path.endswith("/trend"):
            from kinerja.indicators import definitions as defs

            measures = [m for m in defs.MEASURES if role in ("kasi", "peksos") or m not in defs.PROCESS_IDS]
            query["measure"] = data.draw(st.sampled_from(measures))
            first = data.draw(st.integers(2018, 2024))
            query["years"] = f"{first}-{data.draw(st.integers(first, 2025))}"
        elif data.draw(st.booleans()):
            query["year"] = data.draw(st.integers(2020, 2025))
        else:  # a whole month, quarter or half: what every audience may ask for
            year, months = data.draw(st.integers(2021, 2025)), data.draw(st.sampled_from([1, 3, 6]))
            first = data.draw(st.sampled_from(range(1, 13, months)))
            after = dt.date(year + (first + months > 12), (first + months - 1) % 12 + 1, 1)
            query["mulai"], query["selesai"] = dt.date(year, first, 1).isoformat(), after.isoformat()
        if case.path.endswith("/scorecard"):
            query["framework"] = data.draw(st.sampled_from(["sakip", "spm", "dwiyanto", "nasucha", "individu"]))
        for key in [k for k, v in query.items() if v is None]:
            del query[key]
    if case.path == EV + "/kesepakatan" and query is not None and often():
        query["kode"] = data.draw(st.sampled_from(world["code_names"]))
    if body is not None and case.path == EV + "/koding" and often():
        uid, length = data.draw(st.sampled_from(world["sources"]))
        start = data.draw(st.integers(0, length - 2))
        body.update(sumber=uid, kode=data.draw(st.sampled_from(world["codes"])), mulai=start,
                    selesai=data.draw(st.integers(start + 1, min(length, start + 400))),
                    sikap=data.draw(st.sampled_from(["mendukung", "menghambat", "netral"])))
    if body is not None and case.path == EV + "/cari" and often():
        body["q"] = data.draw(st.sampled_from(WORDS))
    if body is not None and case.path == EV + "/saran-kode" and often():
        if data.draw(st.booleans()):
            body.clear()
            body["teks"] = " ".join(data.draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5)))
        else:
            uid, length = data.draw(st.sampled_from(world["sources"]))
            start = data.draw(st.integers(0, length - 2))
            body.clear()
            body.update(sumber=uid, mulai=start, selesai=min(length, start + data.draw(st.integers(1, 600))))


def _run_operation(name, operation, role, world, mode, examples, credentials, seen, failures) -> None:
    sessionid, csrftoken = credentials

    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case, data):
        if mode is GenerationMode.POSITIVE:
            steer(case, data, role, world)
        response = case.call(cookies={"sessionid": sessionid, "csrftoken": csrftoken},
                             headers={"X-CSRFToken": csrftoken})
        seen[response.status_code] += 1
        if "CSRF" in response.text:
            failures.append(f"{name}: refused by CSRF: {response.text[:200]}")
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except Exception as exc:  # every check failure, with the request that reproduces it
            failures.append(f"{name} -> {response.status_code}: {str(exc)[:300]}\n    {case.as_curl_command()}")

    run()


def fuzz(role: str, world: dict, mode: GenerationMode, examples: int) -> tuple[dict[str, Counter], list[str]]:
    """Run every operation as `role`; statuses counted per operation, failed checks listed with a
    curl line that reproduces them."""
    sessionid, csrftoken = sign_in(world["users"][role].username)
    statuses: dict[str, Counter] = {}
    failures: list[str] = []
    for name, operation in OPERATIONS.items():
        with wsgi_db():
            _run_operation(name, operation, role, world, mode, examples, (sessionid, csrftoken),
                           statuses.setdefault(name, Counter()), failures)
    return statuses, failures


@pytest.mark.parametrize("role", list(MAY_USE))
def test_every_role_reaches_the_code_and_gets_no_server_error(role, world):
    statuses, failures = fuzz(role, world, GenerationMode.POSITIVE, EXAMPLES)
    report = "\n".join(f"{name}: {dict(c)}" for name, c in statuses.items())
    assert not failures, "\n".join(failures) + "\n" + report
    total = sum(statuses.values(), Counter())
    for name in CASEWORK:
        assert set(statuses[name]) <= {200, 201, 400, 403, 404, 409}, report
    assert total[401] == 0, report  # signed in: the session got through on every request
    allowed = sum((statuses[n] for n in MAY_USE[role]), Counter())
    ok = sum(n for status, n in allowed.items() if 200 <= status < 300)
    assert ok >= 0.6 * sum(allowed.values()), report
    for name in MAY_USE[role]:
        assert any(200 <= s < 300 for s in statuses[name]), f"{name} never answered 2xx to {role}\n{report}"
    for name in set(OPERATIONS) - MAY_USE[role] - CASEWORK:
        assert set(statuses[name]) <= {400, 403, 404} and statuses[name][403] + statuses[name][404] > 0, report


def test_writes_get_past_csrf_and_are_refused_without_the_token(world):
    """The session's CSRF token is what lets a POST through: the same POST without it is 403."""
    sessionid, csrftoken = sign_in("kasi")
    with wsgi_db():
        _writes(world, sessionid, csrftoken)


def _writes(world, sessionid, csrftoken):
    operation = OPERATIONS[f"POST {EV}/cari"]
    case = operation.Case(path_parameters={"evaluasi": "sampel-anak-2024"},
                          body={"q": "anggaran", "semua_kata": True, "batas": 5})
    without = case.call(cookies={"sessionid": sessionid, "csrftoken": csrftoken})
    assert without.status_code == 403 and "CSRF" in without.text
    with_token = case.call(cookies={"sessionid": sessionid, "csrftoken": csrftoken}, headers={"X-CSRFToken": csrftoken})
    assert with_token.status_code == 200 and with_token.json(), with_token.text
    coding = OPERATIONS[f"POST {EV}/koding"].Case(path_parameters={"evaluasi": "sampel-anak-2024"}, body={
        "sumber": world["sources"][0][0], "kode": world["codes"][0], "mulai": 0, "selesai": 5})
    assert coding.call(cookies={"sessionid": sessionid, "csrftoken": csrftoken}).status_code == 403
    made = coding.call(cookies={"sessionid": sessionid, "csrftoken": csrftoken}, headers={"X-CSRFToken": csrftoken})
    assert made.status_code == 201 and made.json()["pengkode"] == "kasi", made.text


@pytest.mark.parametrize("role", ["kasi", "evaluator"])
def test_malformed_input_is_a_400_never_a_500(role, world):
    """Negative generation: values that break the schema. Every answer is a client error."""
    statuses, failures = fuzz(role, world, GenerationMode.NEGATIVE, EXAMPLES // 2)
    report = "\n".join(f"{name}: {dict(c)}" for name, c in statuses.items())
    assert not failures, "\n".join(failures) + "\n" + report
    total = sum(statuses.values(), Counter())
    assert total[400] > 0 and total[422] == 0, report
    assert all(400 <= s < 500 or 200 <= s < 300 for s in total), report
