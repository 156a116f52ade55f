"""Bad input to the register and evidence endpoints and to the case list page: a clear 400 in both
languages, never a 500, and refused before any work (the search or query behind it never runs)."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from kinerja.evidence import api as evidence_api
from kinerja.register import limits
from tests import factories
from tests.evidence_factories import evaluation_fixture, sample_evaluation_fixture, sample_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(units, users):
    return [factories.case(units["seksi"], worker=users["peksos"], number=f"2020/{i:04d}") for i in range(3)]


def _as(client, user):
    client.force_login(user)
    return client


def _bilingual_400(response) -> str:
    assert response.status_code == 400, response.content[:500]
    detail = response.json()["detail"]
    assert isinstance(detail, str) and " / " in detail, detail
    return detail


# --------------------------------------------------------------------------- /api/kasus/


@pytest.mark.parametrize("query,field", [
    ("offset=99999999999999999999999", "offset"),
    ("offset=-1", "offset"),
    (f"offset={limits.MAX_OFFSET + 1}", "offset"),
    ("limit=0", "limit"),
    ("limit=-5", "limit"),
    (f"limit={limits.MAX_LIST_LIMIT + 1}", "limit"),
    ("limit=99999999999999999999999", "limit"),
    ("limit=abc", "limit"),
    ("offset=1e400", "offset"),
])
def test_case_list_api_refuses_out_of_range_paging(client, users, cases, query, field):
    detail = _bilingual_400(_as(client, users["kasi"]).get(f"/api/kasus/?{query}"))
    assert detail.startswith("Masukan tidak sah") and "Invalid input" in detail and field in detail


def test_case_list_api_paging_at_the_bounds_works(client, users, cases):
    c = _as(client, users["kasi"])
    assert len(c.get(f"/api/kasus/?limit={limits.MAX_LIST_LIMIT}").json()) == 3
    assert c.get(f"/api/kasus/?offset={limits.MAX_OFFSET}").json() == []
    assert [r["nomor_kasus"] for r in c.get("/api/kasus/?limit=1&offset=1").json()] == ["2020/0001"]


@pytest.mark.parametrize("case_id", ["99999999999999999999999", "0", "-3", "abc", str(2**63)])
def test_case_api_refuses_impossible_ids(client, users, cases, case_id):
    _bilingual_400(_as(client, users["kasi"]).get(f"/api/kasus/{case_id}"))


def test_case_api_unknown_but_possible_id_is_404(client, users, cases):
    assert _as(client, users["kasi"]).get(f"/api/kasus/{limits.MAX_ID}").status_code == 404


def test_validation_errors_never_echo_the_input(client, users, cases):
    """The value may be a name or a NIK typed in the wrong box: the message names the field only."""
    detail = _bilingual_400(_as(client, users["kasi"]).get("/api/kasus/?limit=RahmatHidayat1471010101100001"))
    assert "Rahmat" not in detail and "1471010101100001" not in detail and "limit" in detail


def test_anonymous_still_gets_401_not_a_validation_message(client, cases):
    assert client.get("/api/kasus/?offset=99999999999999999999999").status_code == 401


# --------------------------------------------------------------------------- /api/bukti/


@pytest.fixture
def no_search(monkeypatch):
    """Proof that a refusal comes before any work: the search itself must never run."""
    def refuse(*args, **kwargs):
        raise AssertionError("the search ran")

    monkeypatch.setattr(evidence_api.selectors, "search", refuse)
    monkeypatch.setattr(evidence_api.selectors, "suggestions", refuse)


def test_a_49_mb_search_query_is_refused_before_it_is_read(client, users, sample, no_search):
    body = json.dumps({"q": "anggaran " * (49 * 1024 * 1024 // 9)})
    r = _as(client, users["evaluator"]).post("/api/bukti/evaluasi/sampel-anak-2024/cari", body, content_type="application/json")
    detail = _bilingual_400(r)
    assert str(evidence_api.MAX_BODY_BYTES) in detail


def test_a_search_query_over_the_cap_is_refused(client, users, sample, no_search):
    c = _as(client, users["evaluator"])
    q = "anggaran " * (evidence_api.MAX_QUERY_CHARS // 9 + 1)
    detail = _bilingual_400(c.post("/api/bukti/evaluasi/sampel-anak-2024/cari", {"q": q}, content_type="application/json"))
    assert "q" in detail and str(evidence_api.MAX_QUERY_CHARS) in detail


def test_a_search_query_at_the_cap_runs(client, users, sample):
    q = "anggaran".ljust(evidence_api.MAX_QUERY_CHARS)
    r = _as(client, users["evaluator"]).post("/api/bukti/evaluasi/sampel-anak-2024/cari", {"q": q}, content_type="application/json")
    assert r.status_code == 200 and r.json(), r.content[:300]


@pytest.mark.parametrize("payload", [
    {"q": "anggaran", "batas": 0},
    {"q": "anggaran", "batas": evidence_api.MAX_SEARCH_HITS + 1},
    {"q": "anggaran", "batas": 10**30},
    {"q": ["anggaran"]},
    {},
])
def test_search_parameters_out_of_range(client, users, sample, no_search, payload):
    _bilingual_400(_as(client, users["evaluator"]).post("/api/bukti/evaluasi/sampel-anak-2024/cari", payload, content_type="application/json"))


@pytest.mark.parametrize("payload", [
    {"teks": "x" * (evidence_api.MAX_PASSAGE_CHARS + 1)},
    {"teks": "anggaran", "batas": evidence_api.MAX_SUGGESTIONS + 1},
    {"teks": "anggaran", "batas": 0},
    {"sumber": "not-a-uuid", "mulai": 0, "selesai": 5},
    {"sumber": "00000000-0000-4000-8000-000000000000", "mulai": -1, "selesai": 5},
    {"sumber": "00000000-0000-4000-8000-000000000000", "mulai": 0, "selesai": 10**40},
])
def test_suggestion_parameters_out_of_range(client, users, sample, no_search, payload):
    _bilingual_400(_as(client, users["evaluator"]).post("/api/bukti/evaluasi/sampel-anak-2024/saran-kode", payload,
                                                        content_type="application/json"))


@pytest.mark.parametrize("change", [
    {"mulai": 99999999999999999999999},
    {"mulai": -1},
    {"selesai": evidence_api.MAX_OFFSET + 1},
    {"memo": "m" * (evidence_api.MAX_MEMO_CHARS + 1)},
    {"sikap": "s" * 100},
    {"kode": "bukan-uuid"},
])
def test_coding_parameters_out_of_range_write_nothing(client, users, sample, change):
    from kinerja.evidence.models import Code, Coding, Source

    source = Source.objects.order_by("pk").first()
    code = Code.objects.filter(codable=True).order_by("pk").first()
    before = Coding.objects.count()
    payload = {"sumber": str(source.uid), "kode": str(code.uid), "mulai": 0, "selesai": 5, **change}
    _bilingual_400(_as(client, users["evaluator"]).post("/api/bukti/evaluasi/sampel-anak-2024/koding", payload, content_type="application/json"))
    assert Coding.objects.count() == before


def test_a_coding_inside_the_bounds_is_written(client, users, sample):
    from kinerja.evidence.models import Code, Coding, Source

    source = Source.objects.order_by("pk").first()
    code = Code.objects.filter(codable=True).order_by("pk").first()
    before = Coding.objects.count()
    r = _as(client, users["evaluator"]).post("/api/bukti/evaluasi/sampel-anak-2024/koding", {
        "sumber": str(source.uid), "kode": str(code.uid), "mulai": 0, "selesai": 5, "memo": "m" * 100},
        content_type="application/json")
    assert r.status_code == 201 and Coding.objects.count() == before + 1


@pytest.mark.parametrize("url", [
    "/api/bukti/evaluasi/sampel-anak-2024/matriks?kutipan=11",
    "/api/bukti/evaluasi/sampel-anak-2024/matriks?kutipan=-1",
    "/api/bukti/evaluasi/sampel-anak-2024/matriks?kutipan=99999999999999999999999",
    f"/api/bukti/evaluasi/sampel-anak-2024/kesepakatan?kode={'k' * (evidence_api.MAX_NAME_CHARS + 1)}",
    "/api/bukti/evaluasi/sampel-anak-2024/sumber/not-a-uuid/teks",
])
def test_evidence_query_parameters_out_of_range(client, users, sample, url):
    _bilingual_400(_as(client, users["evaluator"]).get(url))


def test_evidence_query_parameters_at_the_bounds_work(client, users, sample):
    c = _as(client, users["evaluator"])
    rows = c.get(f"/api/bukti/evaluasi/sampel-anak-2024/matriks?kutipan={evidence_api.MAX_QUOTES}").json()
    assert rows and any(row["kutipan"] for row in rows)
    assert c.get("/api/bukti/evaluasi/sampel-anak-2024/kesepakatan").status_code == 200


# --------------------------------------------------------------------------- the case list page


def _message(msgid: str, **values) -> str:
    from django.conf import settings
    from django.utils.html import escape

    with translation.override(settings.LANGUAGE_CODE):
        return escape(translation.gettext(msgid) % values)


@pytest.mark.parametrize("params", [
    {"q": "a" * (limits.MAX_SEARCH_CHARS + 1)},
    {"q": "x" * 1_000_000},
])
def test_case_list_refuses_an_overlong_search(client, users, cases, params):
    r = _as(client, users["kasi"]).get("/", params)
    assert r.status_code == 400
    html = r.content.decode()
    assert _message("The search text is too long (at most %(n)s characters).", n=limits.MAX_SEARCH_CHARS) in html
    assert "2020/0000" not in html  # no query ran: no rows


@pytest.mark.parametrize("cursor", ["abc", "0", "-1", "1" * 5000, "MTIzNA", "bm90LWEtbnVtYmVy", "x.y", "é"])
def test_case_list_refuses_a_page_cursor_it_did_not_make(client, users, cases, cursor):
    r = _as(client, users["kasi"]).get("/", {"setelah": cursor})
    assert r.status_code == 400
    assert _message("This page link is not valid any more; start again from the first page.") in r.content.decode()


@pytest.mark.parametrize("params", [{"tahun": "20201"}, {"tahun": "1" * 5000}, {"tahun": "abcd"}, {"tahun": "0001"},
                                    {"kategori": "x"}, {"risiko": "x" * 1000}, {"petugas": "1" * 40}, {"status": "z"}])
def test_case_list_refuses_a_filter_value_that_cannot_exist(client, users, cases, params):
    r = _as(client, users["kasi"]).get("/", params)
    assert r.status_code == 400 and "2020/0001" not in r.content.decode()


def test_case_list_search_at_the_cap_runs(client, users, cases):
    r = _as(client, users["kasi"]).get("/", {"q": "2" * limits.MAX_SEARCH_CHARS})
    assert r.status_code == 200 and "2020/0001" not in r.content.decode()
    r = _as(client, users["kasi"]).get("/", {"q": "2020/0001"})
    assert r.status_code == 200 and "2020/0001" in r.content.decode() and "2020/0002" not in r.content.decode()


# --------------------------------------------------------------------------- /api/indikator/ (bounds in indicators)

# Each of these was a 500, or seconds of CPU and gigabytes of memory, before the indicator
# endpoints bounded years and dates ahead of any work.
INDICATOR_HOSTILE = [
    "/api/indikator/measures?mulai=0001-01-01&selesai=9999-12-31",
    "/api/indikator/scorecard?mulai=0001-01-01&selesai=9999-12-31",
    "/api/indikator/measures?year=0",
    "/api/indikator/measures?year=-1",
    "/api/indikator/measures?year=10000",
    "/api/indikator/measures?year=99999999999999999999999",
    "/api/indikator/trend?years=9999-10001&measure=kasus_masuk",
    "/api/indikator/trend?years=0-100000000&measure=kasus_masuk",
]


@pytest.mark.parametrize("url", INDICATOR_HOSTILE)
def test_indicator_periods_out_of_range_are_400(client, users, url):
    r = _as(client, users["kasi"]).get(url)
    assert r.status_code == 400, r.content[:300]
    assert " / " in r.json()["detail"]


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b'{"q": "anggaran"', b"[]", b'"anggaran"'])
def test_a_body_that_is_not_the_json_object_asked_for_is_400(client, users, sample, no_search, raw):
    """JSON that does not parse is refused by django-ninja's parser (its own English message)."""
    r = _as(client, users["evaluator"]).post("/api/bukti/evaluasi/sampel-anak-2024/cari", raw, content_type="application/json")
    assert r.status_code == 400 and isinstance(r.json()["detail"], str), r.content[:300]
