"""Evidence API (/api/bukti/): who may read transcripts, who may read findings, who may code."""

from __future__ import annotations

import pytest
from django.test import Client

from kinerja.evidence.models import Code, Coding, Source
from tests.evidence_factories import evaluation_fixture, sample_evaluation_fixture, sample_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
API = "/api/bukti/evaluasi/sampel-anak-2024"


def _as(client, users, role):
    client.force_login(users[role])
    return client


def _source() -> Source:
    return Source.objects.get(title="Wawancara Kepala Seksi Rehabilitasi Sosial Anak")


@pytest.mark.parametrize("role", ["peksos", "pimpinan", "admin"])
def test_source_text_is_forbidden_to_other_roles(client, users, sample, role):
    resp = _as(client, users, role).get(f"{API}/sumber/{_source().uid}/teks")
    assert resp.status_code == 403
    assert set(resp.json()) == {"detail"} and "Rumah aman" not in resp.content.decode()


@pytest.mark.parametrize("role", ["evaluator", "kasi"])
def test_evaluator_and_section_head_read_source_text(client, users, sample, role):
    resp = _as(client, users, role).get(f"{API}/sumber/{_source().uid}/teks")
    assert resp.status_code == 200
    body = resp.json()
    assert body["teks"].startswith("SINTETIS / SYNTHETIC")
    assert "Rumah aman hanya punya enam tempat tidur." in body["teks"]
    assert body["jenis"] == "wawancara" and body["tanggal"] == "2024-11-15"


def test_unknown_source_is_404_and_anonymous_is_401(client, users, sample):
    assert _as(client, users, "evaluator").get(f"{API}/sumber/00000000-0000-4000-8000-000000000000/teks").status_code == 404
    client.logout()
    assert client.get(f"{API}/sumber").status_code == 401


def test_source_list_is_metadata_for_members(client, users, sample):
    assert _as(client, users, "pimpinan").get(f"{API}/sumber").status_code == 403
    resp = _as(client, users, "kasi").get(f"{API}/sumber")
    assert resp.status_code == 200
    rows = resp.json()
    assert len(rows) == 12 and all("teks" not in r for r in rows)
    child = next(r for r in rows if r["judul"].startswith("Wawancara anak"))
    assert child["informan"] == ["IA-07 · NA, 14 th"] and child["koding"] > 0
    for role in ("peksos", "admin"):
        assert _as(client, users, role).get(f"{API}/sumber").status_code == 403


def test_codebook(client, users, sample):
    rows = _as(client, users, "evaluator").get(f"{API}/kode").json()
    assert len(rows) == 19
    names = [r["nama"] for r in rows]
    assert names.index("faktor_penghambat") < names.index("anggaran")  # parents first
    anggaran = next(r for r in rows if r["nama"] == "anggaran")
    assert anggaran["tautan"] == "kendala:anggaran" and anggaran["kedalaman"] == 1 and anggaran["koding"] > 0
    assert _as(client, users, "peksos").get(f"{API}/kode").status_code == 403


def test_add_coding_as_the_logged_in_evaluator(client, users, sample):
    source, code = _source(), Code.objects.get(name="saran")
    payload = {"sumber": str(source.uid), "kode": str(code.uid), "mulai": 0, "selesai": 8, "sikap": "netral"}
    resp = _as(client, users, "evaluator").post(f"{API}/koding", payload, content_type="application/json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["kutipan"] == "SINTETIS" and body["pengkode"] == "peneliti"
    assert Coding.objects.get(uid=body["uid"]).coder == users["evaluator"]

    too_far = {**payload, "selesai": source.length + 1}
    resp = client.post(f"{API}/koding", too_far, content_type="application/json")
    assert resp.status_code == 400
    assert f"{source.length} karakter" in resp.json()["detail"]  # default language: Indonesian

    before = Coding.objects.count()
    for role in ("pimpinan", "peksos", "admin"):
        resp = _as(client, users, role).post(f"{API}/koding", payload, content_type="application/json")
        assert resp.status_code == 403
    assert Coding.objects.count() == before


def test_matrix_quotes_only_for_roles_that_read_transcripts(client, users, sample):
    rows = _as(client, users, "evaluator").get(f"{API}/matriks?kutipan=2").json()
    anggaran = next(r for r in rows if r["kode"] == "anggaran")
    assert anggaran["triangulasi_metode"] and anggaran["triangulasi_sumber"] and anggaran["konvergen"]
    assert 1 <= len(anggaran["kutipan"]) <= 2 and all(q["teks"] for q in anggaran["kutipan"])
    rows = _as(client, users, "evaluator").get(f"{API}/matriks").json()
    assert all(r["kutipan"] is None for r in rows)
    for role in ("pimpinan", "admin"):
        assert _as(client, users, role).get(f"{API}/matriks").status_code == 403


def test_agreement(client, users, sample):
    assert _as(client, users, "pimpinan").get(f"{API}/kesepakatan?kode=komunikasi").status_code == 403
    rows = _as(client, users, "kasi").get(f"{API}/kesepakatan?kode=komunikasi").json()
    assert len(rows) == 1 and rows[0]["kode"] == "komunikasi"
    assert 0.6 <= rows[0]["alpha"] <= 0.95 and set(rows[0]["kappa"]) == {"peneliti1/peneliti2"}
    assert _as(client, users, "evaluator").get(f"{API}/kesepakatan?kode=tidak_ada").status_code == 400
    assert _as(client, users, "peksos").get(f"{API}/kesepakatan").status_code == 403


def test_search_is_post_and_for_transcript_readers(client, users, sample):
    resp = _as(client, users, "kasi").post(f"{API}/cari", {"q": "dianggarkan"}, content_type="application/json")
    assert resp.status_code == 200
    hits = resp.json()
    assert hits and all("anggar" in h["cuplikan"].lower() for h in hits)
    assert _as(client, users, "pimpinan").post(f"{API}/cari", {"q": "anggaran"},
                                               content_type="application/json").status_code == 403
    assert client.get(f"{API}/cari?q=anggaran").status_code == 405


def test_code_suggestions_for_a_passage_and_a_selection(client, users, sample):
    c = _as(client, users, "evaluator")
    resp = c.post(f"{API}/saran-kode", {"teks": "Dana kegiatan habis dan pencairan anggaran terlambat."},
                  content_type="application/json")
    assert resp.status_code == 200
    assert resp.json()[0]["kode"] == "anggaran"
    source = Source.objects.get(title="Observasi rumah aman dan penjangkauan malam")
    text = c.get(f"{API}/sumber/{source.uid}/teks").json()["teks"]
    start = text.index("Mobil yang dipakai malam itu")
    resp = c.post(f"{API}/saran-kode", {"sumber": str(source.uid), "mulai": start, "selesai": start + 120},
                  content_type="application/json")
    assert resp.json()[0]["kode"] == "sarana_prasarana"
    assert c.post(f"{API}/saran-kode", {}, content_type="application/json").status_code == 400
    assert _as(client, users, "pimpinan").post(f"{API}/saran-kode", {"teks": "anggaran"},
                                               content_type="application/json").status_code == 403


# --------------------------------------------------------------------------- one evaluation at a time


def test_a_section_head_of_another_unit_gets_404_on_every_operation(client, users, sample):
    c = _as(client, users, "other_kasi")
    source, code = _source(), Code.objects.get(name="saran")
    coding = Coding.objects.filter(source=source).first()
    assert c.get("/api/bukti/evaluasi").json() == []
    for path in ("/sumber", f"/sumber/{source.uid}/teks", "/kode", "/matriks", "/kesepakatan",
                 f"/koding/{coding.uid}/riwayat"):
        resp = c.get(API + path)
        assert resp.status_code == 404, path
        assert "SINTETIS" not in resp.content.decode()
    body = {"sumber": str(source.uid), "kode": str(code.uid), "mulai": 0, "selesai": 8}
    assert c.post(f"{API}/koding", body, content_type="application/json").status_code == 404
    assert c.post(f"{API}/cari", {"q": "anggaran"}, content_type="application/json").status_code == 404
    assert c.delete(f"{API}/koding/{coding.uid}").status_code == 404
    assert Coding.objects.filter(pk=coding.pk).exists()
    # the section's own head, not a member, opens it
    assert _as(client, users, "kasi").get("/api/bukti/evaluasi").json()[0]["kode"] == "sampel-anak-2024"


def test_change_and_remove_a_coding_keep_its_history(client, users, sample):
    c = _as(client, users, "evaluator")
    source, code = _source(), Code.objects.get(name="saran")
    body = {"sumber": str(source.uid), "kode": str(code.uid), "mulai": 0, "selesai": 8, "memo": "coba"}
    uid = c.post(f"{API}/koding", body, content_type="application/json").json()["uid"]
    other = Code.objects.get(name="anggaran")
    resp = c.patch(f"{API}/koding/{uid}", {"kode": str(other.uid), "sikap": "menghambat"},
                   content_type="application/json")
    assert resp.status_code == 200 and resp.json()["sikap"] == "menghambat" and resp.json()["kode"] == str(other.uid)
    # another member cannot rewrite or remove the evaluator's coding
    peer = _as(Client(), users, "kasi")
    assert peer.delete(f"{API}/koding/{uid}").status_code == 400
    assert c.delete(f"{API}/koding/{uid}").status_code == 204
    assert not Coding.objects.filter(uid=uid).exists() and Coding.with_removed.filter(uid=uid).exists()
    assert c.delete(f"{API}/koding/{uid}").status_code == 404  # gone from the workspace
    history = c.get(f"{API}/koding/{uid}/riwayat").json()
    assert [h["aksi"] for h in history] == ["tambah", "ubah", "hapus"]
    assert history[1]["sebelum"]["nama_kode"] == "saran" and history[1]["sesudah"]["nama_kode"] == "anggaran"
    assert all(h["oleh"] == "peneliti" for h in history)
    assert "coba" not in str(history)  # the memo's text stays out of the history
