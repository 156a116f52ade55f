"""The authorization walk: every URL pattern of the URL conf (the admin's included) and every API
operation, requested as every role and anonymous, answers the status of the table below; for every
role without identity rights no identity appears in any answer, and no aggregate outlet carries an
unsuppressed small count to a role that gets suppressed figures.

A new URL pattern or API operation without a row here fails `test_every_route_has_an_expectation`.
To add one, add a row to ROUTES (Django patterns, keyed by the route as enumerated, e.g.
"kasus/<int:pk>/"; API operations keyed "METHOD /api/path" as in the OpenAPI schema), with the
statuses S(anonymous, pekerja_sosial, kepala_seksi, pimpinan, evaluator, admin) and, where needed,
query parameters, a JSON body and `aggregate=True` for outlets of figures."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kinerja.api import api
from kinerja.indicators import definitions as defs
from tests import factories
from tests.evidence_factories import evaluation_fixture, sample_evaluation_fixture, sample_fixture  # noqa: F401
from tests.indicator_factories import H, act, wib

pytestmark = pytest.mark.django_db

ROLES = ("anon", "peksos", "kasi", "pimpinan", "evaluator", "admin")
IDENTITY_ROLES = {"peksos", "kasi"}
SUPPRESSED_ROLES = {"evaluator"}
NAME, NIK = "Siti Rahmawati Kusumadewi", "1471014407100009"
K = 5


def S(anon: int, peksos: int, kasi: int, pimpinan: int, evaluator: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (anon, peksos, kasi, pimpinan, evaluator, admin), strict=True))


@dataclass
class Route:
    status: dict[str, int]
    params: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    aggregate: bool = False


LOGIN = 302  # anonymous on a page: sent to the sign-in page
ADMIN_ONLY = S(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200)  # the admin site sends non-staff to its own sign-in
ADMIN_GONE = S(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 403)  # admin is staff but has no permission there
API_NONE = S(401, 403, 403, 403, 403, 403)
YEAR = {"year": 2020}
MEMBERS_API = S(401, 403, 200, 403, 200, 403)  # an evaluation's members and its unit's section head
MEMBERS_PAGE = S(LOGIN, 403, 200, 403, 200, 403)
POST_ONLY = S(LOGIN, 405, 405, 405, 405, 405)  # a write: a GET is refused before anything is read

ROUTES: dict[str, Route] = {
    # the site
    "masuk/": Route(S(200, 200, 200, 200, 200, 200)),
    "masuk/kode/": Route(S(200, 200, 200, 200, 200, 200)),  # sign-in with a one-time code
    "kata-sandi/": Route(S(LOGIN, 200, 200, 200, 200, 200)),  # choose one's own password
    "keluar/": Route(S(405, 405, 405, 405, 405, 405)),  # sign-out is a POST
    "i18n/setlang/": Route(S(302, 302, 302, 302, 302, 302)),
    "": Route(S(LOGIN, 200, 200, 200, 200, 200)),  # the case list: empty for evaluator and admin
    "kasus/<int:pk>/": Route(S(LOGIN, 200, 200, 200, 404, 404)),
    "kasus/<int:pk>/identitas/": Route(S(LOGIN, 302, 302, 302, 404, 404)),  # a GET goes back to the case page
    # case work: a GET of a form's address goes back to the case page; pages of their own are 200
    "kasus/baru/": Route(S(LOGIN, 200, 200, 403, 403, 403)),
    "kasus/<int:pk>/tindakan/": Route(S(LOGIN, 302, 302, 302, 404, 404)),
    "kasus/<int:pk>/tindakan/<int:tid>/koreksi/": Route(S(LOGIN, 200, 200, 403, 403, 403)),
    "kasus/<int:pk>/rencana/": Route(S(LOGIN, 302, 302, 302, 404, 404)),
    "kasus/<int:pk>/rujukan/": Route(S(LOGIN, 302, 302, 302, 404, 404)),
    "kasus/<int:pk>/rujukan/<int:rid>/": Route(S(LOGIN, 302, 302, 302, 404, 404)),
    "kasus/<int:pk>/persetujuan/<int:aid>/": Route(S(LOGIN, 302, 302, 302, 404, 404)),
    "kasus/<int:pk>/penutupan/": Route(S(LOGIN, 302, 302, 302, 404, 404)),
    "kasus/<int:pk>/petugas/": Route(S(LOGIN, 302, 302, 302, 404, 404)),
    "kasus/<int:pk>/koreksi/": Route(S(LOGIN, 200, 200, 403, 403, 403)),
    "token-api/": Route(S(LOGIN, 200, 200, 200, 200, 200)),
    "token-api/<int:tid>/cabut/": Route(S(LOGIN, 302, 302, 302, 302, 302)),
    "saya/": Route(S(LOGIN, 200, 403, 403, 403, 403)),  # a social worker's own cases and what is due
    "persetujuan/": Route(S(LOGIN, 403, 200, 403, 403, 403)),  # the section head's approvals queue
    "beban-kerja/": Route(S(LOGIN, 403, 200, 403, 403, 403), YEAR),  # caseload per worker
    "audit/": Route(S(LOGIN, 403, 200, 200, 403, 403)),  # reveals, exports, account changes of the unit
    "kinerja/": Route(S(LOGIN, 200, 200, 200, 200, 403), {"tahun": 2020, "ukuran": "kasus_masuk"}, aggregate=True),
    # the reports page, asked for the recap of the walk's year as an HTML download
    "laporan/": Route(S(LOGIN, 403, 200, 200, 200, 403), {"jenis": "rekap", "unit": "{unit}", "tahun_awal": 2020,
                                                          "tahun_akhir": 2020, "format": "html"}, aggregate=True),
    # a report made in the background: started by a POST; its progress and its file are the
    # section head's (the walk's job is theirs), anyone else is told it does not exist
    "laporan/tugas/": Route(POST_ONLY),
    "laporan/tugas/<uuid:job>/": Route(S(LOGIN, 403, 200, 404, 404, 403)),
    "laporan/tugas/<uuid:job>/unduh/": Route(S(LOGIN, 403, 200, 404, 404, 403)),
    "kinerja/definisi/": Route(S(LOGIN, 200, 200, 200, 200, 403)),  # words only, no figures
    # the evaluation workspace: the sample evaluation's members (the evaluator) and its unit's section head
    "bukti/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/unggah/": Route(POST_ONLY),
    "bukti/<slug:evaluasi>/informan/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/sumber/<uuid:source>/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/sumber/<uuid:source>/saran/": Route(POST_ONLY),
    "bukti/<slug:evaluasi>/sumber/<uuid:source>/koding/": Route(POST_ONLY),
    "bukti/<slug:evaluasi>/koding/<uuid:coding>/": Route(POST_ONLY),
    "bukti/<slug:evaluasi>/koding/<uuid:coding>/hapus/": Route(POST_ONLY),
    "bukti/<slug:evaluasi>/koding/<uuid:coding>/riwayat/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/kode/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/matriks/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/kesepakatan/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/cari/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/pertukaran/": Route(MEMBERS_PAGE),
    "bukti/<slug:evaluasi>/pertukaran/ekspor/": Route(POST_ONLY),
    "bukti/<slug:evaluasi>/pertukaran/impor/": Route(POST_ONLY),
    # the API's own pages
    "api/openapi.json": Route(S(200, 200, 200, 200, 200, 200)),
    "api/docs": Route(S(200, 200, 200, 200, 200, 200)),
    "api/": Route(S(404, 404, 404, 404, 404, 404)),  # the API's root has no page of its own
    # API operations
    "GET /api/kasus/": Route(S(401, 200, 200, 200, 200, 200)),
    "GET /api/kasus/{case_id}": Route(S(401, 200, 200, 200, 404, 404)),
    # case work through the API: bodies that reach the services (201/200 where the role may; the
    # PATCH of the case runs before the assignment, which so names version 2)
    "POST /api/kasus/": Route(S(401, 201, 201, 403, 403, 403), body={
        "nomor_kasus": "W-2020-1", "kategori": "kekerasan", "sumber_rujukan": "kepolisian",
        "tingkat_risiko": "sedang", "jenis_kelamin": "P"}),
    "PATCH /api/kasus/{case_id}": Route(S(401, 200, 200, 403, 404, 404), body={"versi": 1, "kecamatan": "Sail"}),
    "POST /api/kasus/{case_id}/petugas": Route(S(401, 403, 200, 403, 404, 404),
                                                body={"versi": 2, "peksos": "peksos2"}),
    "POST /api/kasus/{case_id}/tindakan": Route(S(401, 201, 201, 403, 404, 404),
                                                 body={"tahap": "asesmen", "waktu": "2020-03-02T10:00"}),
    "PATCH /api/kasus/tindakan/{action_id}": Route(S(401, 200, 200, 403, 404, 404), body={"versi": 1, "biaya": 1000}),
    "POST /api/kasus/{case_id}/rujukan": Route(S(401, 201, 201, 403, 404, 404), body={"mitra": "uptd_ppa"}),
    "PATCH /api/kasus/rujukan/{referral_id}": Route(S(401, 200, 200, 403, 404, 404),
                                                     body={"versi": 1, "diterima_pada": "2020-03-03T10:00"}),
    "POST /api/kasus/{case_id}/rencana": Route(S(401, 201, 201, 403, 404, 404), body={"catatan": "rencana"}),
    "POST /api/kasus/{case_id}/penutupan": Route(S(401, 201, 201, 403, 404, 404),
                                                  body={"alasan_penutupan": "tujuan_tercapai"}),
    "POST /api/kasus/persetujuan/{approval_id}": Route(S(401, 403, 200, 403, 403, 403),
                                                        body={"versi": 1, "setuju": True}),
    "GET /api/indikator/measures": Route(S(401, 200, 200, 200, 200, 403), {**YEAR, "unit": "{unit}"},
                                         aggregate=True),
    "GET /api/indikator/scorecard": Route(S(401, 200, 200, 200, 200, 403), {**YEAR, "unit": "{unit}"},
                                          aggregate=True),
    "GET /api/indikator/trend": Route(S(401, 200, 200, 200, 200, 403),
                                      {"years": "2019-2020", "measure": "kasus_masuk", "unit": "{unit}"},
                                      aggregate=True),
    "GET /api/indikator/frameworks": Route(S(401, 200, 200, 200, 200, 403)),
    # evidence: the sample evaluation's members (the evaluator) and its unit's section head, nobody else
    "GET /api/bukti/evaluasi": Route(MEMBERS_API),
    "GET /api/bukti/evaluasi/{evaluasi}/sumber": Route(MEMBERS_API),
    "GET /api/bukti/evaluasi/{evaluasi}/sumber/{uid}/teks": Route(MEMBERS_API),
    "GET /api/bukti/evaluasi/{evaluasi}/kode": Route(MEMBERS_API),
    "POST /api/bukti/evaluasi/{evaluasi}/koding": Route(S(401, 403, 404, 403, 404, 403),  # reached: unknown code
                                                        body={"sumber": "{uid}", "kode": str(uuid.UUID(int=1)),
                                                              "mulai": 0, "selesai": 5}),
    # reached: a sample coder's coding, which only that coder may change or remove
    "PATCH /api/bukti/evaluasi/{evaluasi}/koding/{uid}": Route(S(401, 403, 400, 403, 400, 403), body={"sikap": "netral"}),
    "DELETE /api/bukti/evaluasi/{evaluasi}/koding/{uid}": Route(S(401, 403, 400, 403, 400, 403)),
    "GET /api/bukti/evaluasi/{evaluasi}/koding/{uid}/riwayat": Route(MEMBERS_API),
    "GET /api/bukti/evaluasi/{evaluasi}/matriks": Route(MEMBERS_API),
    "GET /api/bukti/evaluasi/{evaluasi}/kesepakatan": Route(MEMBERS_API),
    "POST /api/bukti/evaluasi/{evaluasi}/cari": Route(MEMBERS_API, body={"q": "rumah aman"}),
    "POST /api/bukti/evaluasi/{evaluasi}/saran-kode": Route(MEMBERS_API, body={"teks": "anggaran kurang"}),
}


def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out.extend(walk(p.url_patterns, prefix + str(p.pattern)))
        elif isinstance(p, URLPattern):
            out.append((prefix + str(p.pattern), p))
    return out


def django_routes() -> dict[str, Any]:
    """Every URL pattern except the API operations (walked from the OpenAPI schema instead)."""
    routes = {}
    for route, p in walk(get_resolver().url_patterns):
        if route.startswith("api/") and p.callback.__module__.startswith("ninja.operation"):
            continue
        routes[route] = p
    return routes


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_route_has_an_expectation():
    """A pattern or operation added without a row in ROUTES (or a row left for one removed) fails here."""
    found = set(django_routes()) | api_operations()
    admin = {r for r in found if r.startswith("admin/")}
    assert found - admin - set(ROUTES) == set(), "routes without an expectation"
    assert set(ROUTES) - found == set(), "expectations for routes that do not exist"
    assert admin == set(ADMIN_ROUTES), "admin routes without an expectation (or gone)"
    # the API operations are the ninja patterns of the URL conf, no more, no fewer
    ninja = [r for r, p in walk(get_resolver().url_patterns) if p.callback.__module__.startswith("ninja.operation")
             and r not in ("api/openapi.json", "api/docs", "api/")]
    assert len(set(ninja)) == len({op.split(" ", 1)[1] for op in api_operations()})


# -- the admin site: every pattern, with the models' own ----------------------------------------

ADMIN_ROUTES: dict[str, dict[str, int]] = {}  # filled below from ADMIN_TABLE


def _admin_model_routes(model: str, status_list: dict[str, int], status_add: dict[str, int],
                        status_obj: dict[str, int]) -> dict[str, dict[str, int]]:
    base = f"admin/{model}/"
    return {
        base: status_list, f"{base}add/": status_add,
        f"{base}<path:object_id>/history/": status_obj, f"{base}<path:object_id>/delete/": status_obj,
        f"{base}<path:object_id>/change/": status_obj, f"{base}<path:object_id>/": LOGIN_REDIRECT_OBJ,
    }


LOGIN_REDIRECT_OBJ = S(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 302)  # <pk>/ redirects to <pk>/change/
ADMIN_TABLE: dict[str, dict[str, int]] = {
    "admin/": ADMIN_ONLY,
    "admin/login/": S(200, 200, 200, 200, 200, 302),  # a signed-in admin goes on to the index
    "admin/logout/": S(302, 302, 302, 302, 302, 405),  # sign-out is a POST
    "admin/password_change/": ADMIN_ONLY,
    "admin/password_change/done/": ADMIN_ONLY,
    "admin/autocomplete/": S(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 403),
    "admin/jsi18n/": ADMIN_ONLY,
    "admin/r/<path:content_type_id>/<path:object_id>/": S(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 404),
    "admin/^(?P<app_label>auth|register)/$": ADMIN_ONLY,
    "admin/(?P<url>.*)$": S(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 404),
    **_admin_model_routes("auth/group", ADMIN_GONE, ADMIN_GONE, ADMIN_GONE),
    **_admin_model_routes("register/unit", ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY),
    **_admin_model_routes("register/staff", ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY),
    **{k: v for m in ("budgetline", "staffing", "facility", "target")
       for k, v in _admin_model_routes(f"register/{m}", ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY).items()},
    **_admin_model_routes("register/auditentry", ADMIN_ONLY, ADMIN_GONE, ADMIN_ONLY),
    # the walk's staff object is a social worker: an admin sees the account read-only and can
    # neither reset its password nor delete it (separation of duties)
    "admin/register/staff/<id>/password/": ADMIN_GONE,
    "admin/register/staff/<path:object_id>/delete/": ADMIN_GONE,
    "admin/register/auditentry/<path:object_id>/delete/": ADMIN_GONE,  # the chain is append-only
}
ADMIN_ROUTES.update(ADMIN_TABLE)


# -- the walk -------------------------------------------------------------------------------------

@pytest.fixture
def world(units, users, sample, monkeypatch):
    """A child with a known name and NIK in a case of the section (peksos1's), a small year of cases
    (three in 2020: every count below k), reference rows for the admin, the evidence sample, and a
    report the section head had made in the background (run at once here)."""
    from django.contrib.auth.models import Group

    from kinerja.register import services
    from kinerja.register.models import AuditEntry, BudgetLine, Facility, Staffing, Target

    kid = factories.child(units["seksi"], name=NAME, nik=NIK)
    case = factories.case(units["seksi"], worker=users["peksos"], child_obj=kid,
                          reported=wib(2020, 3, 1))
    act(case, "pendekatan_awal", wib(2020, 3, 1) + H, obstacle="anggaran")
    for i in range(2):
        c = factories.case(units["seksi"], worker=users["peksos"], reported=wib(2020, 4, 1 + i))
        act(c, "asesmen", wib(2020, 4, 2 + i), obstacle="sdm")
    seksi = units["seksi"]
    BudgetLine.objects.create(unit=seksi, year=2020, activity="Rehabilitasi", allocation=100, realisation=90)
    Staffing.objects.create(unit=seksi, year=2020, social_workers=3, certified=1)
    Facility.objects.create(unit=seksi, year=2020, safe_house_beds=6, bed_days=100, vehicles=1)
    Target.objects.create(unit=seksi, year=2020, indicator="kasus_selesai", value=10)
    Group.objects.create(name="tamu")
    if not AuditEntry.objects.exists():
        services.audit("kasi", "test", "walk", reason="walk")
    users["admin"].is_staff = True  # as `kinerja user` makes an admin
    users["admin"].save()
    from kinerja.evidence.models import Code, Coding, Source
    from kinerja.register.models import ApiToken, Approval, Referral

    referral = Referral.objects.create(case=case, partner="uptd_ppa", sent_at=wib(2020, 3, 2))
    plan = act(case, "rencana_intervensi", wib(2020, 3, 3))
    approval = Approval.objects.create(case=case, kind="rencana", action=plan, proposed_by=users["peksos"],
                                       proposed_at=wib(2020, 3, 3))
    token = ApiToken.objects.create(user=users["admin"], name="walk", prefix="knj_walk", key_hash="0" * 64,
                                    created_at=wib(2020, 3, 3))
    from kinerja.indicators import gate
    from kinerja.reports import jobs

    monkeypatch.setattr(jobs, "spawn", lambda work: work())
    job = jobs.start(users["kasi"], jobs.Order("rekap", "html", seksi, {
        "audience": gate.audience_for("kepala_seksi"), "lang": "id", "years": [2020], "kategori": None}))
    source = Source.objects.order_by("pk").first()
    return {"job": str(job.pk), "case": case, "uid": str(source.uid), "unit": seksi.code, "evaluasi": source.evaluation.code,
            "coding": str(Coding.objects.order_by("pk").first().uid),
            "code": str(Code.objects.filter(evaluation=source.evaluation).order_by("pk").first().uid),
            "action": case.tindakan.order_by("pk").first(), "referral": referral, "approval": approval,
            "token": token}


def _fill(route: str, w: dict[str, Any]) -> str:
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    path = "/" + route
    m = re.match(r"/admin/(\w+)/(\w+)/", path)
    if "<path:object_id>" in path and m and not path.startswith("/admin/r/"):
        obj = apps.get_model(m.group(1), m.group(2)).objects.order_by("pk").first()
        path = path.replace("<path:object_id>", str(obj.pk))
    if path.startswith("/admin/r/"):
        unit = w["case"].unit
        path = path.replace("<path:content_type_id>", str(ContentType.objects.get_for_model(unit).pk)).replace(
            "<path:object_id>", str(unit.pk))
    path = path.replace("<id>", str(w["case"].worker.pk))
    path = path.replace("^(?P<app_label>auth|register)/$", "register/").replace("(?P<url>.*)$", "tidak-ada/")
    path = path.replace("<int:pk>", str(w["case"].pk)).replace("{case_id}", str(w["case"].pk))
    path = path.replace("{evaluasi}", w["evaluasi"]).replace("<slug:evaluasi>", w["evaluasi"])
    path = path.replace("/koding/{uid}", "/koding/" + w["coding"]).replace("<uuid:coding>", w["coding"])
    path = path.replace("<uuid:source>", w["uid"]).replace("<uuid:code>", w["code"])
    path = path.replace("<int:tid>/koreksi", f"{w['action'].pk}/koreksi").replace("{action_id}", str(w["action"].pk))
    path = path.replace("<int:rid>", str(w["referral"].pk)).replace("{referral_id}", str(w["referral"].pk))
    path = path.replace("<int:aid>", str(w["approval"].pk)).replace("{approval_id}", str(w["approval"].pk))
    path = path.replace("<int:tid>", str(w["token"].pk))
    path = path.replace("<uuid:job>", w["job"])
    return path.replace("{uid}", w["uid"])


def _subst(value: Any, w: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.replace("{unit}", w["unit"]).replace("{uid}", w["uid"])
    if isinstance(value, dict):
        return {k: _subst(v, w) for k, v in value.items()}
    return value


def _request(client: Client, key: str, w: dict[str, Any]) -> Any:
    method, route = key.split(" ", 1) if key[:4] in ("GET ", "POST") or key.startswith(("PUT ", "PATCH ", "DELETE ")) \
        else ("GET", key)
    route = route.lstrip("/")
    entry = ROUTES.get(key)
    params = _subst(entry.params, w) if entry else {}
    path = _fill(route, w)
    if method == "GET":
        return client.get(path, params)
    body = _subst(entry.body or {}, w) if entry else {}
    return getattr(client, method.lower())(path, json.dumps(body), content_type="application/json")


COUNT_IDS = {"kasus_masuk", "kasus_ditangani", "kasus_selesai", *(f"kendala_{k}" for k in defs.OBSTACLES)}


def small_counts(text: str) -> list[str]:
    """Unsuppressed counts from 1 to k-1 in an aggregate outlet's answer (JSON, or a page's table
    cells and chart data)."""
    found: list[str] = []

    def small(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and 1 <= v < K

    def visit(node: Any, count_series: bool = False) -> None:
        if isinstance(node, dict):
            for key, v in node.items():
                if key in COUNT_IDS and small(v):
                    found.append(f"{key}={v}")
            if node.get("id") in COUNT_IDS and (small(node.get("value")) or small(node.get("previous"))):
                found.append(f"{node['id']}={node.get('value')}/{node.get('previous')}")
            if small(node.get("actions")) or small(node.get("tindakan")):
                found.append(f"obstacle count {node}")
            if count_series and (small(node.get("value")) or small(node.get("nilai"))):
                found.append(f"trend point {node}")
            series = node.get("measure") in COUNT_IDS
            for v in node.values():
                visit(v, count_series or series)
        elif isinstance(node, list):
            for v in node:
                visit(v, count_series)

    try:
        visit(json.loads(text))
    except ValueError:
        m = re.search(r'<script id="chart-specs" type="application/json">(.*?)</script>', text, re.S)
        if m:
            specs = json.loads(m.group(1))
            visit(specs["inhibitors"])
            visit(specs["trend"], True)  # the page's trend is of kasus_masuk here
        found.extend(re.findall(r'<td class="num">([1-4])</td>', text))
    return found


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_route_as_every_role(world, users, role):
    client = Client()
    if role != "anon":
        client.force_login(users[role])
    keys = sorted(set(django_routes()) | api_operations())
    got, bad = {}, []
    for key in keys:
        r = _request(client, key, world)
        got[key] = r.status_code
        expected = (ROUTES[key].status if key in ROUTES else ADMIN_ROUTES[key])[role]
        if r.status_code != expected:
            bad.append(f"{key}: {r.status_code}, expected {expected}")
        body = r.content.decode("utf-8", "replace")
        if role not in IDENTITY_ROLES:
            assert NAME not in body and NIK not in body, f"identity in {key} for {role}"
        if key in ROUTES and ROUTES[key].aggregate:
            if role in SUPPRESSED_ROLES:
                assert r.status_code == 200 and not small_counts(body), (key, small_counts(body))
            elif role == "kasi":
                assert small_counts(body), key  # inside the unit the same outlet shows them: the check bites
    assert not bad, "\n".join(bad)
