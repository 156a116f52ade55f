"""The evaluation workspace pages through the test client (everything that works without the
browser's script), one evaluation kept apart from another, coding changes and removal with their
history, and the evidence beside a scorecard."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kinerja.cli import main
from kinerja.evidence import selectors, services
from kinerja.evidence.models import Code, Coding, CodingChange, Evaluation, Source
from kinerja.evidence.views import reader_html
from kinerja.indicators.periods import Period
from kinerja.register.models import AuditEntry
from tests.evidence_factories import (  # noqa: F401
    evaluation_fixture,
    make_evaluation,
    sample_evaluation_fixture,
    sample_fixture,
)

pytestmark = pytest.mark.django_db
EV = "/bukti/sampel-anak-2024"
HX = {"HTTP_HX_REQUEST": "true"}


def _as(users, role) -> Client:
    client = Client()
    client.force_login(users[role])
    return client


def _source() -> Source:
    return Source.objects.get(title="Wawancara Kepala Seksi Rehabilitasi Sosial Anak")


def _text(source: Source) -> str:
    return services.source_text(source)


# --------------------------------------------------------------------------- who opens what


def test_a_section_head_of_another_unit_cannot_open_the_evaluation(users, sample, sev):
    source = _source()
    coding = Coding.objects.filter(source=source).first()
    pages = ["/", "/informan/", f"/sumber/{source.uid}/", "/kode/", "/matriks/", "/kesepakatan/", "/cari/",
             "/pertukaran/", f"/koding/{coding.uid}/riwayat/"]
    outsider = _as(users, "other_kasi")
    for path in pages:
        resp = outsider.get(EV + path)
        assert resp.status_code == 404, path
        assert "SINTETIS" not in resp.content.decode() and sev.title not in resp.content.decode()
    resp = outsider.post(f"{EV}/sumber/{source.uid}/koding/", {"mulai": 0, "selesai": 8, "kode": str(Code.objects.first().uid)})
    assert resp.status_code == 404 and Coding.objects.filter(source=source).count() == source.codings.count()
    assert outsider.post(f"{EV}/pertukaran/ekspor/", {"format": "qdpx", "alasan": "ingin melihat"}).status_code == 404
    assert sev.title not in outsider.get("/bukti/").content.decode()
    for role in ("evaluator", "kasi"):  # a member, and the unit's own section head
        client = _as(users, role)
        for path in pages:
            assert client.get(EV + path).status_code == 200, (role, path)
        assert sev.title in client.get("/bukti/").content.decode()
    assert _as(users, "pimpinan").get(EV + "/").status_code == 403


def test_an_evaluation_the_evaluator_is_not_a_member_of_is_404(units, users, sample):
    other = make_evaluation(units, users, code="lain", unit="other", members=("other_kasi",))
    assert _as(users, "evaluator").get(f"/bukti/{other.code}/").status_code == 404
    assert _as(users, "other_kasi").get(f"/bukti/{other.code}/").status_code == 200


# --------------------------------------------------------------------------- sources and the reader


def test_upload_a_transcript_and_read_it(users, sample, sev):
    text = "Wawancara uji 🙂 tentang anggaran.\n\nDana pemulangan anak habis di bulan Oktober.\n"
    client = _as(users, "evaluator")
    upload = SimpleUploadedFile("uji_wawancara.txt", text.encode("utf-8"), content_type="text/plain")
    resp = client.post(f"{EV}/unggah/", {"berkas": upload, "jenis": "wawancara", "informan": ["IK-03"]})
    source = Source.objects.get(file_name="uji_wawancara.txt")
    assert resp.status_code == 302 and resp["Location"].endswith(f"/sumber/{source.uid}/")
    assert source.evaluation == sev and source.created_by == users["evaluator"]
    assert [i.code for i in source.informants.all()] == ["IK-03"]
    page = client.get(resp["Location"]).content.decode()
    assert "Dana pemulangan anak habis" in page and 'id="picker"' in page
    bad = SimpleUploadedFile("rekaman.mp3", b"ID3", content_type="audio/mpeg")
    resp = client.post(f"{EV}/unggah/", {"berkas": bad, "jenis": "wawancara"})
    assert resp.status_code == 400 and "rekaman.mp3" in resp.content.decode()


def test_the_reader_text_is_the_source_text_character_for_character(users, evaluation):
    text = "Pembuka 🙂 dengan emoji.\n\nParagraf <dua> & kutipan \"anggaran\".\r\n\r\nTiga 𝔸 akhir"
    source = services.import_source(users["evaluator"], evaluation, text.encode(), "a.txt", source_type="wawancara")
    code = Code.objects.get(evaluation=evaluation, name="anggaran")
    start = _text(source).index("anggaran")
    services.add_coding(users["evaluator"], source, code, start, start + 8)
    codings = selectors.source_codings(users["evaluator"], evaluation, source)
    stored = _text(source)
    rendered = str(reader_html(stored, codings))
    assert "🙂" in stored and "𝔸" in stored
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)) == stored
    assert rendered.count('<span class="para"') == 3
    assert '<mark class="coded" title="anggaran" data-codes="anggaran">anggaran</mark>' in rendered
    assert "<dua>" not in rendered  # escaped


def test_code_change_and_remove_through_the_pages_with_history(users, sample, sev):
    client = _as(users, "evaluator")
    source = _source()
    text = _text(source)
    start = text.index("Rumah aman hanya punya enam tempat tidur.")
    saran = Code.objects.get(evaluation=sev, name="saran")
    resp = client.post(f"{EV}/sumber/{source.uid}/koding/",
                       {"mulai": start, "selesai": start + 10, "kode": str(saran.uid), "sikap": "menghambat",
                        "memo": "coba pertama"}, **HX)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="reader-panel"' in body and "<html" not in body  # the panel only, swapped by htmx
    coding = Coding.objects.get(source=source, coder=users["evaluator"])
    assert (coding.start, coding.end, coding.code, coding.stance) == (start, start + 10, saran, "menghambat")
    assert f'data-coding="{coding.uid}"' in body

    anggaran = Code.objects.get(evaluation=sev, name="anggaran")
    resp = client.post(f"{EV}/koding/{coding.uid}/", {"kode": str(anggaran.uid), "sikap": "netral", "memo": ""}, **HX)
    assert resp.status_code == 200
    coding.refresh_from_db()
    assert coding.code == anggaran and coding.stance == "netral" and coding.memo_enc is None
    # a member who is not the coder cannot remove it
    assert _as(users, "kasi").post(f"{EV}/koding/{coding.uid}/hapus/", **HX).status_code == 400
    resp = client.post(f"{EV}/koding/{coding.uid}/hapus/", **HX)
    assert resp.status_code == 200 and f'data-coding="{coding.uid}"' not in resp.content.decode()
    assert not Coding.objects.filter(pk=coding.pk).exists() and Coding.with_removed.filter(pk=coding.pk).exists()
    history = client.get(f"{EV}/koding/{coding.uid}/riwayat/").content.decode()
    assert [c.action for c in CodingChange.objects.filter(coding=coding)] == ["tambah", "ubah", "hapus"]
    assert "coba pertama" not in history and "saran" in history and "anggaran" in history
    # a removed coding cannot be changed again
    assert client.post(f"{EV}/koding/{coding.uid}/hapus/", **HX).status_code == 404


def test_bad_offsets_and_no_code_are_refused_with_a_message(users, sample, sev):
    client = _as(users, "evaluator")
    source = _source()
    saran = Code.objects.get(evaluation=sev, name="saran")
    before = Coding.with_removed.count()
    resp = client.post(f"{EV}/sumber/{source.uid}/koding/", {"mulai": 5, "selesai": 10**6, "kode": str(saran.uid)}, **HX)
    assert resp.status_code == 400 and "karakter" in resp.content.decode()
    resp = client.post(f"{EV}/sumber/{source.uid}/koding/", {"mulai": 0, "selesai": 5, "kode": ""}, **HX)
    assert resp.status_code == 400
    other = make_evaluation_code(users)
    resp = client.post(f"{EV}/sumber/{source.uid}/koding/", {"mulai": 0, "selesai": 5, "kode": str(other.uid)}, **HX)
    assert resp.status_code == 400  # a code of another evaluation is not in this codebook
    assert Coding.with_removed.count() == before


def make_evaluation_code(users) -> Code:
    from kinerja.register.models import Unit

    other = services.create_evaluation(services.OPERATOR, code="kode-lain", title="Lain", unit=Unit.objects.get(code="14.72-RESOS-ANAK"),
                                       period_start=dt.date(2024, 1, 1), period_end=dt.date(2025, 1, 1))
    return services.add_code(services.OPERATOR, other, "hanya_di_sana")


def test_suggestions_for_a_selection(users, sample, sev):
    client = _as(users, "evaluator")
    source = Source.objects.get(title="Observasi rumah aman dan penjangkauan malam")
    text = _text(source)
    start = text.index("Mobil yang dipakai malam itu")
    resp = client.post(f"{EV}/sumber/{source.uid}/saran/", {"mulai": start, "selesai": start + 120}, **HX)
    assert resp.status_code == 200
    first = re.search(r'data-pick-code="([^"]+)"[^>]*>([^<]+)<', resp.content.decode())
    assert first.group(2) == "sarana_prasarana"
    assert Code.objects.get(evaluation=sev, uid=first.group(1)).name == "sarana_prasarana"
    assert client.post(f"{EV}/sumber/{source.uid}/saran/", {"mulai": "x"}, **HX).status_code == 400


# --------------------------------------------------------------------------- analysis, one evaluation at a time


def _matrix_row(client, code: str) -> list[str]:
    page = client.get(f"{EV}/matriks/").content.decode()
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def test_matrix_counts_the_live_codings_of_this_evaluation_only(units, users, sample, sev):
    client = _as(users, "evaluator")
    before = _matrix_row(client, "saran")
    # another evaluation's coding of a code with the same name stays out
    other = make_evaluation(units, users, code="lain", unit="other", members=("evaluator",))
    src = services.import_source(users["evaluator"], other, b"Saran: tambah dana.\n", "x.txt", source_type="wawancara")
    services.add_coding(users["evaluator"], src, Code.objects.get(evaluation=other, name="saran"), 0, 5)
    assert _matrix_row(client, "saran") == before
    source = _source()
    coding = services.add_coding(users["evaluator"], source, Code.objects.get(evaluation=sev, name="saran"), 0, 8)
    during = _matrix_row(client, "saran")
    assert int(during[0]) == int(before[0]) + 1  # one more interview coding
    services.remove_coding(users["evaluator"], coding)
    assert _matrix_row(client, "saran") == before


def test_a_trial_coder_leaves_the_default_agreement_alone_until_chosen(users, sample, sev):
    client = _as(users, "evaluator")
    default = selectors.default_coders(users["evaluator"], sev)
    assert default == ["peneliti1", "peneliti2"]
    before = selectors.agreement(users["evaluator"], sev, "saran", coders=default)
    source = _source()
    text = _text(source)
    start = text.index("Saya mengusulkan forum kasus bulanan")
    trial = services.add_coding(users["evaluator"], source, Code.objects.get(evaluation=sev, name="komunikasi"),
                                start, start + 30)
    assert selectors.default_coders(users["evaluator"], sev) == default  # coded one source: not a default coder
    page = client.get(f"{EV}/kesepakatan/").content.decode()
    assert 'value="peneliti" ' in page and 'value="peneliti" checked' not in page
    chosen = client.get(f"{EV}/kesepakatan/", {"pengkode": ["peneliti1", "peneliti2", "peneliti"]}).content.decode()
    assert "kappa peneliti/peneliti1" in chosen
    with_trial = selectors.agreement(users["evaluator"], sev, "komunikasi", coders=[*default, "peneliti"])
    without = selectors.agreement(users["evaluator"], sev, "komunikasi", coders=default)
    assert with_trial[0]["alpha"] != without[0]["alpha"]
    services.remove_coding(users["evaluator"], trial)  # undone: as if it had never been
    assert selectors.agreement(users["evaluator"], sev, "saran", coders=default) == before
    assert "peneliti" not in selectors.coders(users["evaluator"], sev)


def test_search_finds_this_evaluations_sources_only(units, users, sample, sev):
    other = make_evaluation(units, users, code="lain", unit="other", members=("evaluator",))
    services.import_source(users["evaluator"], other, b"Penganggaran rahasia kota lain.\n", "x.txt",
                           source_type="dokumentasi", title="Sumber kota lain")
    client = _as(users, "evaluator")
    resp = client.post(f"{EV}/cari/", {"q": "penganggaran"}, **HX)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "anggar" in body.lower() and "Sumber kota lain" not in body
    assert "Sumber kota lain" in client.post("/bukti/lain/cari/", {"q": "penganggaran"}).content.decode()
    assert client.get(f"{EV}/cari/?q=anggaran").content.decode().count("<li>") == 0  # the query is a POST body


def test_exports_are_audited_with_a_reason_and_of_this_evaluation(units, users, sample, sev):
    other = make_evaluation(units, users, code="lain", unit="other", members=("evaluator",))
    services.import_source(users["evaluator"], other, b"Transkrip kota lain.\n", "x.txt", source_type="observasi")
    client = _as(users, "evaluator")
    entries = AuditEntry.objects.exclude(action__startswith="account_")
    resp = client.post(f"{EV}/pertukaran/ekspor/", {"format": "qdpx", "alasan": ""})
    assert resp.status_code == 400 and not entries.exists()
    resp = client.post(f"{EV}/pertukaran/ekspor/", {"format": "qdpx", "alasan": "arsip untuk pembimbing"})
    assert resp.status_code == 200 and resp["Content-Disposition"] == 'attachment; filename="sampel-anak-2024-proyek.qdpx"'
    from tests.evidence_factories import qde

    project = qde(resp.content)
    assert "Transkrip kota lain" not in project and project.count("<TextSource ") == 12
    entry = entries.get()
    assert (entry.username, entry.action, entry.record, entry.reason) == (
        "peneliti", "ekspor_bukti_qdpx", "bukti:sampel-anak-2024", "arsip untuk pembimbing")
    csv_data = client.post(f"{EV}/pertukaran/ekspor/", {"format": "csv", "alasan": "bahan rapat"}).content.decode()
    assert csv_data.count("\n") - 1 == Coding.objects.filter(source__evaluation=sev).count()
    qdc = client.post(f"{EV}/pertukaran/ekspor/", {"format": "qdc"})
    assert qdc.status_code == 200 and b"urn:QDA-XML:codebook:1.0" in qdc.content
    assert entries.count() == 2  # the codebook carries no personal data: not audited


def test_import_a_codebook_into_an_evaluation(units, users, sample, sev):
    client = _as(users, "evaluator")
    qdc = client.post(f"{EV}/pertukaran/ekspor/", {"format": "qdc"}).content
    target = make_evaluation(units, users, code="baru", unit="seksi", default_codebook=False)
    upload = SimpleUploadedFile("kode.qdc", qdc, content_type="application/xml")
    resp = client.post("/bukti/baru/pertukaran/impor/", {"berkas": upload})
    assert resp.status_code == 200 and "19" in resp.content.decode()
    assert Code.objects.filter(evaluation=target).count() == Code.objects.filter(evaluation=sev).count() == 19


def test_codebook_add_rename_link_move_and_merge(users, evaluation):
    client = _as(users, "evaluator")
    url = f"/bukti/{evaluation.code}/kode/"
    page = client.get(url).content.decode()
    for link in ("dimensi:responsivitas", "measure:ikm", "kendala:sarana_prasarana"):  # offered by name
        assert f'<option value="{link}">' in page
    assert client.post(url, {"aksi": "tambah", "nama": "dana_darurat", "tautan": "kendala:anggaran"}).status_code == 302
    code = Code.objects.get(evaluation=evaluation, name="dana_darurat")
    parent = Code.objects.get(evaluation=evaluation, name="faktor_penghambat")
    client.post(url, {"aksi": "ubah", "kode": str(code.uid), "nama": "dana_cadangan", "tautan": "measure:serapan_anggaran"})
    client.post(url, {"aksi": "pindah", "kode": str(code.uid), "induk": str(parent.uid)})
    code.refresh_from_db()
    assert (code.name, code.link, code.parent) == ("dana_cadangan", "measure:serapan_anggaran", parent)
    resp = client.post(url, {"aksi": "pindah", "kode": str(parent.uid), "induk": str(code.uid)})
    assert resp.status_code == 400  # never under its own sub-code
    source = services.import_source(users["evaluator"], evaluation, b"Dana cadangan habis.\n", "a.txt",
                                    source_type="wawancara")
    coding = services.add_coding(users["evaluator"], source, code, 0, 4)
    target = Code.objects.get(evaluation=evaluation, name="anggaran")
    assert client.post(url, {"aksi": "gabung", "kode": str(code.uid), "ke": str(target.uid)}).status_code == 302
    coding.refresh_from_db()
    assert coding.code == target and not Code.objects.filter(pk=code.pk).exists()
    assert CodingChange.objects.filter(coding=coding, action="ubah").exists()
    assert client.post(url, {"aksi": "tambah", "nama": "x", "tautan": "bukan tautan"}).status_code == 400


def test_informants_page_adds_and_shows_a_child_as_initials_and_age(users, evaluation):
    client = _as(users, "evaluator")
    url = f"/bukti/{evaluation.code}/informan/"
    resp = client.post(url, {"kode": "IA-01", "anak": "1", "inisial": "sh", "umur": "14"})
    assert resp.status_code == 400  # no consent recorded
    assert client.post(url, {"kode": "IA-01", "anak": "1", "inisial": "sh", "umur": "14", "persetujuan": "1",
                             "alasan": "korban yang ditangani"}).status_code == 302
    assert client.post(url, {"kode": "IK-01", "peran": "Kepala Seksi", "kunci": "1"}).status_code == 302
    page = client.get(url).content.decode()
    assert "IA-01 · SH, 14 th" in page and "Kepala Seksi" in page


def test_start_an_evaluation_from_the_page(units, users):
    client = _as(users, "kasi")
    resp = client.post("/bukti/", {"kode": "anak-2025", "judul": "Evaluasi 2025", "unit": units["seksi"].code,
                                   "mulai": "2025-01-01", "selesai": "2026-01-01"})
    assert resp.status_code == 302
    created = Evaluation.objects.get(code="anak-2025")
    assert list(created.members.all()) == [users["kasi"]] and created.codes.count() == 19
    resp = client.post("/bukti/", {"kode": "lain", "judul": "Lain", "unit": units["other"].code,
                                   "mulai": "2025-01-01", "selesai": "2026-01-01"})
    assert resp.status_code == 400 and not Evaluation.objects.filter(code="lain").exists()


# --------------------------------------------------------------------------- the command line


def test_cli_takes_the_evaluation_by_code(units, users, sample, capsys):
    make_evaluation(units, users, code="lain", unit="other", members=("evaluator",))
    assert main(["evidence", "matrix", "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert "--evaluasi" in err and "lain, sampel-anak-2024" in err
    assert main(["evidence", "matrix", "--format", "json", "--evaluasi", "lain"]) == 0
    assert '"kode": "saran"' in capsys.readouterr().out
    assert main(["evidence", "matrix", "--evaluasi", "lain", "--user", "kasi"]) == 1  # not the section's
    assert "tidak ditemukan" in capsys.readouterr().err
    assert main(["evidence", "evaluations", "--user", "kasi", "--format", "json"]) == 0
    assert '"kode": "sampel-anak-2024"' in capsys.readouterr().out
    assert main(["evidence", "evaluation-add", "anak-2025", "--title", "Evaluasi 2025", "--unit", "14.71-RESOS-ANAK",
                 "--start", "2025-01-01", "--end", "2026-01-01", "--user", "peneliti"]) == 0
    assert Evaluation.objects.get(code="anak-2025").members.get() == users["evaluator"]


# --------------------------------------------------------------------------- evidence beside figures


def _card() -> dict:
    return {"dimensions": [{"id": "kualitas_layanan", "measures": [{"id": "ikm"}]},
                           {"id": "produktivitas", "measures": [{"id": "kasus_selesai"}]}],
            "inhibitors": [{"id": "anggaran", "obstacle": "anggaran"}]}


def test_evidence_beside_a_scorecard_counts_for_all_quotes_for_readers(users, units, sample, sev):
    period = Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    for_kasi = selectors.evidence_for_scorecard(users["kasi"], units["seksi"], period, _card())
    for_leader = selectors.evidence_for_scorecard(users["pimpinan"], units["seksi"], period, _card())
    budget_k, budget_l = for_kasi["inhibitors"]["anggaran"], for_leader["inhibitors"]["anggaran"]
    project = selectors.current_project(sev)
    anggaran = next(c for c in project.codes if c.name == "anggaran")
    expected = [c for c in project.codings if c.code == anggaran.guid]
    assert budget_k["koding"] == budget_l["koding"] == len(expected) > 0
    assert budget_l["sikap"] == budget_k["sikap"] and sum(budget_l["sikap"].values()) == len(expected)
    assert budget_l["kutipan"] is None and not for_leader["kutipan_boleh"]
    assert budget_k["kutipan"] and all(q["teks"] and q["informan"] for q in budget_k["kutipan"])
    quality = for_kasi["dimensions"]["kualitas_layanan"]
    voices = {v for dim in for_kasi["dimensions"].values() for q in dim["kutipan"] or [] for v in q["informan"]}
    assert quality["koding"] > 0
    assert not any("IA-07" in v for v in voices)  # a child by initials and age only, never by code
    # another period, or another unit: nothing
    later = selectors.evidence_for_scorecard(users["kasi"], units["seksi"], Period(dt.date(2030, 1, 1), dt.date(2031, 1, 1)), _card())
    assert later["inhibitors"]["anggaran"]["koding"] == 0
    elsewhere = selectors.evidence_for_scorecard(users["other_kasi"], units["other"], period, _card())
    assert elsewhere["inhibitors"]["anggaran"]["koding"] == 0


def test_the_dimension_evidence_include_shows_quotes_only_when_given(users, units, sample):
    from django.template import Context, Template
    from django.utils import translation

    period = Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    template = Template("{% load evidence_tags %}{% dimension_evidence evidence 'anggaran' 'inhibitors' %}")
    with translation.override("en"):  # the words are checked in English (Indonesian: "koding")
        kasi = template.render(Context({"evidence": selectors.evidence_for_scorecard(users["kasi"], units["seksi"], period, _card())}))
        leader = template.render(Context({"evidence": selectors.evidence_for_scorecard(users["pimpinan"], units["seksi"], period, _card())}))
        assert "<q>" in kasi and "<q>" not in leader
        assert re.search(r"\d+ codings", leader)
