"""Evidence services: role checks, source import from every supported format, codings, the
default codebook, REFI-QDA import that writes all or nothing, audited exports."""

from __future__ import annotations

import csv
import dataclasses
import io
import uuid

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from kinerja.evidence import exchange, selectors, services
from kinerja.evidence.analysis import records, refiqda
from kinerja.evidence.models import (
    Code,
    Coding,
    Evaluation,
    ImportedCoder,
    Informant,
    Memo,
    Source,
    SourceGroup,
)
from kinerja.evidence.services import EvidenceInputError
from kinerja.register.models import AuditEntry, Staff
from tests.evidence_factories import (  # noqa: F401
    docx_bytes,
    evaluation_fixture,
    evidence_counts,
    make_evaluation,
    pdf_bytes,
    qde,
    rezip,
    sample_evaluation_fixture,
    sample_fixture,
)

pytestmark = pytest.mark.django_db

TXT = "Anggaran kami terbatas.\n\nKoordinasi dengan polisi kadang terlambat.\n"


def _all(err) -> str:
    """Every message of a refusal, in both languages."""
    return " | ".join(str(m) for m in err.value.messages)


def _codes(evaluation) -> dict[str, Code]:
    services.ensure_default_codebook(evaluation)
    return {c.name: c for c in Code.objects.filter(evaluation=evaluation)}


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("role", ["peksos", "pimpinan", "admin"])
def test_only_evaluator_and_section_head_work_in_the_workspace(users, role, evaluation):
    before = evidence_counts()
    with pytest.raises(PermissionDenied):
        services.import_source(users[role], evaluation, TXT.encode(), "w.txt", source_type="wawancara")
    with pytest.raises(PermissionDenied):
        services.add_informant(users[role], evaluation, "IK-01")
    assert evidence_counts() == before


@pytest.mark.parametrize("role", ["evaluator", "kasi"])
def test_evaluator_and_section_head_may_import(users, role, evaluation):
    source = services.import_source(users[role], evaluation, TXT.encode(), "w.txt", source_type="wawancara")
    assert source.created_by == users[role]


def test_inactive_evaluator_is_refused(users, evaluation):
    users["evaluator"].is_active = False
    users["evaluator"].save()
    with pytest.raises(PermissionDenied):
        services.import_source(users["evaluator"], evaluation, TXT.encode(), "w.txt", source_type="wawancara")


# --------------------------------------------------------------------------- sources


def test_import_txt_md_docx_pdf(users, evaluation):
    ev = users["evaluator"]
    services.add_informant(ev, evaluation, "IK-03", role="Kepala Seksi", key_informant=True)
    files = [
        ("wawancara.txt", TXT.encode("utf-8")),
        ("catatan.md", b"# Observasi\n\nMobil dinas dipakai bidang lain.\n"),
        ("laporan.docx", docx_bytes(["Realisasi anggaran 71 persen.", "Rumah aman penuh."])),
        ("sop.pdf", pdf_bytes(["Penjangkauan paling lambat 1 x 24 jam.", "Asesmen tiga hari kerja."])),
    ]
    result = services.import_sources(ev, evaluation, files, source_type="dokumentasi", informants=["IK-03"])
    assert [s.file_name for s in result.sources] == [f for f, _b in files]
    texts = {s.file_name: services.source_text(s) for s in result.sources}
    assert texts["wawancara.txt"] == TXT
    assert texts["catatan.md"].startswith("# Observasi")
    assert texts["laporan.docx"] == "Realisasi anggaran 71 persen.\n\nRumah aman penuh."
    assert "Penjangkauan paling lambat 1 x 24 jam." in texts["sop.pdf"]
    for s in result.sources:
        assert s.length == len(texts[s.file_name]) and s.type == "dokumentasi"
        assert [i.code for i in s.informants.all()] == ["IK-03"]
        assert s.title == s.file_name.rsplit(".", 1)[0]


def test_windows_1252_text_is_read_with_a_note(users, evaluation):
    result = services.import_sources(users["evaluator"], evaluation, [("lama.txt", "Caf\xe9 anggaran".encode("cp1252"))],
                                     source_type="wawancara")
    assert services.source_text(result.sources[0]) == "Café anggaran"
    assert any("Windows-1252" in n.en for n in result.notes)


@pytest.mark.parametrize(
    "files,kwargs,expect",
    [
        ([("a.txt", TXT.encode()), ("b.rtf", b"{\\rtf1 x}")], {}, ("tidak didukung", "not supported")),
        ([("besar.txt", b"x" * 2048)], {"max_bytes": 1024}, ("terlalu besar", "too large")),
        ([("rusak.docx", b"bukan zip")], {}, ("rusak", "damaged")),
        ([("scan.pdf", pdf_bytes([]))], {}, ("lapisan teks", "no text layer")),
        ([("kosong.txt", b"  \n\n ")], {}, ("tidak berisi teks", "contains no text")),
        ([("a.txt", TXT.encode())], {"informants": ["TIDAK-ADA"]}, ("Kode informan tidak dikenal", "Unknown informant")),
        ([("a.txt", TXT.encode())], {"source_type": "survei"}, ("Jenis sumber survei", "Unknown source type")),
    ],
)
def test_bad_source_files_are_refused_and_nothing_is_written(users, files, kwargs, expect, evaluation):
    before = evidence_counts()
    kwargs = {"source_type": "wawancara", **kwargs}
    with pytest.raises(EvidenceInputError) as err:
        services.import_sources(users["evaluator"], evaluation, files, **kwargs)
    text = _all(err)
    assert expect[0] in text and expect[1] in text, text
    assert evidence_counts() == before


def test_size_limit_comes_from_the_upload_setting(users, settings, evaluation):
    settings.KINERJA = dataclasses.replace(settings.KINERJA, max_upload_mb=1)
    with pytest.raises(EvidenceInputError) as err:
        services.import_source(users["evaluator"], evaluation, b"a" * (1024 * 1024 + 1), "besar.txt", source_type="wawancara")
    assert "1048576" in _all(err)
    assert Source.objects.count() == 0


# --------------------------------------------------------------------------- informants and codings


def test_child_informant_needs_consent_initials_and_age(users, evaluation):
    ev = users["evaluator"]
    with pytest.raises(EvidenceInputError) as err:
        services.add_informant(ev, evaluation, "IA-07", is_child=True, initials="NA", age=14)
    assert "persetujuan" in str(err.value.messages[0]) and "consent" in str(err.value.messages[0])
    with pytest.raises(EvidenceInputError):
        services.add_informant(ev, evaluation, "IA-07", is_child=True, consent_recorded=True)
    with pytest.raises(EvidenceInputError):
        services.add_informant(ev, evaluation, "IK-01", initials="AB")
    assert Informant.objects.count() == 0
    child = services.add_informant(ev, evaluation, "IA-07", is_child=True, initials="na", age=14, consent_recorded=True)
    assert child.label == "IA-07 · NA, 14 th"


def test_add_coding_validates_offsets_against_the_text(users, evaluation):
    ev = users["evaluator"]
    codes = _codes(evaluation)
    source = services.import_source(ev, evaluation, TXT.encode(), "w.txt", source_type="wawancara")
    coding = services.add_coding(ev, source, codes["anggaran"], 0, 8, stance="menghambat", memo="inti")
    assert services.source_text(source)[coding.start:coding.end] == "Anggaran"
    assert coding.coder == ev and services.coding_memo(coding) == "inti"
    assert coding.memo_enc is not None and b"inti" not in bytes(coding.memo_enc)
    for start, end in [(0, len(TXT) + 1), (5, 5), (-1, 3), (10, 2)]:
        with pytest.raises(EvidenceInputError) as err:
            services.add_coding(ev, source, codes["anggaran"], start, end)
        assert f"{len(TXT)} karakter" in _all(err) and f"{len(TXT)} characters" in _all(err)
    with pytest.raises(EvidenceInputError):
        services.add_coding(ev, source, codes["faktor_penghambat"], 0, 8)  # a grouping code
    with pytest.raises(EvidenceInputError):
        services.add_coding(ev, source, codes["anggaran"], 0, 8, stance="positif")
    with pytest.raises(EvidenceInputError):
        services.add_coding(ev, source, codes["anggaran"], 0, 8, coder=users["kasi"])  # not as someone else
    assert Coding.objects.count() == 1


def test_memo_is_encrypted(users, evaluation):
    ev = users["evaluator"]
    codes = _codes(evaluation)
    memo = services.add_memo(ev, evaluation, "Bandingkan dengan realisasi anggaran.", code=codes["anggaran"], title="Catatan")
    assert memo.author == ev and memo.target_kind == "code"
    assert b"realisasi" not in bytes(memo.text_enc)
    assert services.memo_text(memo) == "Bandingkan dengan realisasi anggaran."
    with pytest.raises(EvidenceInputError):
        services.add_memo(ev, evaluation, "x", code=codes["anggaran"], source=None, coding=Coding(pk=1))


# --------------------------------------------------------------------------- codebook


def test_default_codebook_has_dimensions_factors_and_saran_and_loads_once(units, users):
    evaluation = make_evaluation(units, users, code="kosong", default_codebook=False)
    created = services.ensure_default_codebook(evaluation)
    assert services.ensure_default_codebook(evaluation) == []
    assert len(created) == Code.objects.filter(evaluation=evaluation).count() == 19
    codes = {c.name: c for c in Code.objects.filter(evaluation=evaluation)}
    for dim in ("produktivitas", "kualitas_layanan", "responsivitas", "responsibilitas", "akuntabilitas"):
        assert codes[dim].link == f"dimensi:{dim}" and codes[dim].parent is None
    for factor in ("anggaran", "komunikasi", "sarana_prasarana", "sdm"):
        assert codes[factor].link == f"kendala:{factor}"
        assert codes[factor].parent == codes["faktor_penghambat"]
    assert not codes["faktor_penghambat"].codable
    subs = {"rasio_input_output": "produktivitas", "petugas": "kualitas_layanan",
            "kepuasan_masyarakat": "kualitas_layanan", "prosedur": "responsivitas",
            "keinginan_masyarakat": "responsivitas", "tanggung_jawab": "responsibilitas",
            "administrasi_pelayanan": "responsibilitas", "target_tercapai": "akuntabilitas"}
    for sub, parent in subs.items():
        assert codes[sub].parent == codes[parent] and codes[sub].link == f"dimensi:{parent}"
    assert "saran" in codes
    for c in codes.values():
        assert c.name_en and c.description_id and c.description_en and c.colour


def test_code_description_round_trips_both_languages():
    code = Code(name="anggaran", name_en="budget", description_id="Dana kurang.", description_en="Money short.")
    assert services.split_description(services.code_description(code)) == ("Dana kurang.", "budget", "Money short.")
    only_en = Code(name="x", name_en="", description_id="", description_en="Only English.")
    assert services.split_description(services.code_description(only_en)) == ("", "", "Only English.")
    assert services.split_description("Deskripsi dari alat lain") == ("Deskripsi dari alat lain", "", "")


# --------------------------------------------------------------------------- REFI-QDA

G = "00000000-0000-4000-8000-{:012d}".format


def _project(**changes) -> records.Project:
    text = "Dana pemulangan anak tidak cukup.\n\nKoordinasi dengan polisi baik."
    project = records.Project(
        users=(records.User(G(1), "ani"), records.User(G(2), "budi")),
        codes=(records.Code(G(10), "kendala", codable=False),
               records.Code(G(11), "anggaran", "Dana", "#8C564B", G(10), "kendala:anggaran")),
        informants=(records.Informant(G(20), "IK-01", "Kepala Seksi", True),),
        sources=(records.Source(G(30), "Wawancara Kasi", "wawancara", text, None, (G(20),)),),
        codings=(records.Coding(G(40), G(30), 0, 33, G(11), "ani", "menghambat", "catatan"),
                 records.Coding(G(41), G(30), 0, 15, G(11), "budi", "menghambat")),
        memos=(records.Memo(G(50), "Memo tentang sumber", "source", G(30), "judul", "ani"),),
    )
    return dataclasses.replace(project, **changes)


def test_qdpx_import_creates_inactive_coders_and_everything_else(users, evaluation):
    data = refiqda.write_qdpx(_project())
    summary = services.import_qdpx(users["evaluator"], evaluation, data)
    assert (summary.sources, summary.codings, summary.codes, summary.informants, summary.memos) == (1, 2, 2, 1, 1)
    assert sorted(summary.users_created) == ["ani", "budi"]
    for name in ("ani", "budi"):
        user = Staff.objects.get(username=name)
        assert user.role == "evaluator" and not user.is_active and not user.has_usable_password()
    coding = Coding.objects.get(uid=G(40))
    assert (coding.start, coding.end, coding.stance, coding.coder.username) == (0, 33, "menghambat", "ani")
    assert services.coding_memo(coding) == "catatan"
    assert Code.objects.get(uid=G(11)).parent.uid == uuid.UUID(G(10))
    assert Code.objects.get(uid=G(11)).link == "kendala:anggaran"
    memo = Memo.objects.get()
    assert memo.source.uid == uuid.UUID(G(30)) and memo.author.username == "ani"
    assert "Diimpor: 1 sumber, 2 koding" in summary.report() and "Imported: 1 sources" in summary.report()


def _peneliti_project() -> bytes:
    anggaran = Code.objects.get(name="anggaran")
    return refiqda.write_qdpx(_project(
        users=(records.User(G(1), "peneliti"),),
        codes=(records.Code(str(anggaran.uid), "anggaran"),),
        codings=(records.Coding(G(40), G(30), 0, 10, str(anggaran.uid), "peneliti"),),
        memos=(),
    ))


def test_qdpx_user_named_like_an_account_becomes_a_separate_workspace_coder(users, evaluation):
    """The attack: a project whose user is called like a real account (here the evaluator
    ``peneliti``, or ``kasi``) must not credit its codings to that account."""
    services.ensure_default_codebook(evaluation)
    summary = services.import_qdpx(users["kasi"], evaluation, _peneliti_project())
    assert (summary.codes, summary.codes_reused, summary.users_created) == (0, 1, ["peneliti"])
    coding = Coding.objects.get()
    assert coding.coder != users["evaluator"]
    assert coding.coder.username == "peneliti~impor" and coding.coder.full_name == "peneliti"
    assert not coding.coder.is_active and not coding.coder.has_usable_password()
    assert ImportedCoder.objects.get(name="peneliti").account == coding.coder
    assert not users["evaluator"].evidence_codings.exists()
    # the agreement and the export name the imported coder, never the account
    assert selectors.workspace_project(evaluation).coder_names() == ["peneliti~impor"]


def test_qdpx_imported_coder_is_reused_by_a_later_import_of_the_same_name(users, evaluation):
    services.ensure_default_codebook(evaluation)
    services.import_qdpx(users["kasi"], evaluation, _peneliti_project())
    other = records.Source(G(31), "Wawancara lain", "wawancara", "Dana pemulangan kurang sekali.")
    anggaran = Code.objects.get(name="anggaran")
    data = refiqda.write_qdpx(_project(
        users=(records.User(G(7), "peneliti"),), codes=(records.Code(str(anggaran.uid), "anggaran"),),
        informants=(), sources=(other,), memos=(),
        codings=(records.Coding(G(42), G(31), 0, 4, str(anggaran.uid), "peneliti"),)))
    summary = services.import_qdpx(users["kasi"], evaluation, data)
    assert summary.users_created == []
    assert {c.coder.username for c in Coding.objects.all()} == {"peneliti~impor"}
    assert ImportedCoder.objects.count() == 1


def test_qdpx_user_mapped_explicitly_is_credited_to_the_account(users, evaluation):
    services.ensure_default_codebook(evaluation)
    summary = services.import_qdpx(users["kasi"], evaluation, _peneliti_project(), user_map={"peneliti": "peneliti"})
    assert summary.users_created == [] and summary.users_mapped == ["peneliti"]
    assert Coding.objects.get().coder == users["evaluator"]
    assert not ImportedCoder.objects.exists()
    assert "1 coders mapped to accounts" in summary.report()


@pytest.mark.parametrize(("mapping", "expect"), [
    ({"peneliti": "tidak_ada"}, "no account tidak_ada"),
    ({"peneliti": "admin1"}, "cannot code in the evidence workspace"),
    ({"orang_lain": "peneliti"}, "no user orang_lain to map; its users are: peneliti"),
])
def test_qdpx_bad_user_map_writes_nothing(users, mapping, expect, evaluation):
    services.ensure_default_codebook(evaluation)
    data = _peneliti_project()
    before = evidence_counts()
    with pytest.raises(EvidenceInputError) as err:
        services.import_qdpx(users["kasi"], evaluation, data, user_map=mapping)
    assert expect in _all(err)
    assert evidence_counts() == before and not ImportedCoder.objects.exists()


def _refused_import(user, evaluation, data: bytes, *expect: str) -> None:
    before = evidence_counts()
    with pytest.raises(EvidenceInputError) as err:
        services.import_qdpx(user, evaluation, data)
    text = _all(err)
    for piece in expect:
        assert piece in text, text
    assert evidence_counts() == before


def test_qdpx_offsets_past_the_text_write_nothing(users, evaluation):
    data = refiqda.write_qdpx(_project())
    bad = rezip(data, {"project.qde": qde(data).replace('endPosition="33"', 'endPosition="900"').encode()})
    _refused_import(users["evaluator"], evaluation, bad, "di luar teks", "fall outside the text")


def test_qdpx_unknown_code_reference_writes_nothing(users, evaluation):
    data = refiqda.write_qdpx(_project())
    bad = rezip(data, {"project.qde": qde(data).replace(f'<CodeRef targetGUID="{G(11)}"', f'<CodeRef targetGUID="{G(99)}"', 1).encode()})
    _refused_import(users["evaluator"], evaluation, bad, "kode yang tidak dikenal", "unknown code")


def test_qdpx_without_project_qde_writes_nothing(users, evaluation):
    data = refiqda.write_qdpx(_project())
    _refused_import(users["evaluator"], evaluation, rezip(data, {"project.qde": None}), "tidak berisi project.qde", "no project.qde")


def test_qdpx_not_a_zip_writes_nothing(users, evaluation):
    _refused_import(users["evaluator"], evaluation, b"PK bukan arsip", "bukan arsip zip", "not a valid zip")


def test_qdpx_over_the_size_limit_writes_nothing(users, settings, evaluation):
    data = refiqda.write_qdpx(_project(sources=(dataclasses.replace(_project().sources[0],
                                                                       text="x" * (1024 * 1024) + "\n\ny"),)))
    settings.KINERJA = dataclasses.replace(settings.KINERJA, max_upload_mb=1)
    _refused_import(users["evaluator"], evaluation, data, "terlalu besar", "too large")


def test_qdpx_child_without_consent_writes_nothing(users, evaluation):
    child = records.Informant(G(21), "IA-01 · NA, 14 th", "Anak korban", is_child=True, consent_recorded=False)
    data = refiqda.write_qdpx(_project(informants=(*_project().informants, child)))
    _refused_import(users["evaluator"], evaluation, data, "persetujuan", "consent")


def test_qdpx_imported_twice_is_refused_the_second_time(users, evaluation):
    data = refiqda.write_qdpx(_project())
    services.import_qdpx(users["evaluator"], evaluation, data)
    _refused_import(users["evaluator"], evaluation, data, "sudah ada", "already in the workspace")


def test_qdpx_informant_code_in_use_by_another_writes_nothing(users, evaluation):
    services.add_informant(users["evaluator"], evaluation, "IK-01", role="Sekretaris")
    _refused_import(users["evaluator"], evaluation, refiqda.write_qdpx(_project()), "IK-01", "already has the code")


def test_qdpx_import_needs_a_workspace_role(users, evaluation):
    before = evidence_counts()
    with pytest.raises(PermissionDenied):
        services.import_qdpx(users["pimpinan"], evaluation, refiqda.write_qdpx(_project()))
    assert evidence_counts() == before


def test_qdc_round_trip_keeps_the_codebook(users, evaluation):
    services.ensure_default_codebook(evaluation)
    data = exchange.export_qdc(users["evaluator"], evaluation)
    before = {c.uid: (c.name, c.name_en, c.description_id, c.description_en, c.colour, c.link, c.parent_id and
                      Code.objects.get(pk=c.parent_id).uid, c.codable) for c in Code.objects.all()}
    assert services.import_qdc(users["evaluator"], evaluation, data).codes_reused == 19
    Code.objects.all().update(parent=None)
    Code.objects.all().delete()
    summary = services.import_qdc(users["evaluator"], evaluation, data)
    assert summary.codes == 19
    after = {c.uid: (c.name, c.name_en, c.description_id, c.description_en, c.colour, c.link, c.parent_id and
                     Code.objects.get(pk=c.parent_id).uid, c.codable) for c in Code.objects.all()}
    assert after == before
    with pytest.raises(EvidenceInputError) as err:
        services.import_qdc(users["evaluator"], evaluation, b"<CodeBook><Codes>")
    assert "XML" in _all(err)


# --------------------------------------------------------------------------- exports


def test_export_qdpx_needs_a_reason_and_a_role_and_is_audited(users, sample, sev):
    with pytest.raises(EvidenceInputError):
        exchange.export_qdpx(users["evaluator"], sev, "")
    with pytest.raises(PermissionDenied):
        exchange.export_qdpx(users["pimpinan"], sev, "laporan pimpinan")
    with pytest.raises(EvidenceInputError):
        exchange.export_qdpx(services.OPERATOR, sev, "tanpa nama pengguna")
    assert not AuditEntry.objects.exclude(action__startswith="account_").exists()
    data = exchange.export_qdpx(users["evaluator"], sev, "berbagi dengan pembimbing")
    entry = AuditEntry.objects.exclude(action__startswith="account_").get()
    assert (entry.username, entry.action, entry.reason) == ("peneliti", "ekspor_bukti_qdpx", "berbagi dengan pembimbing")
    assert '"sumber": 12' in entry.detail
    assert refiqda.read_qdpx(data).project.sources


def test_export_segments_csv_and_xlsx_are_audited(users, sample, sev):
    data = exchange.export_segments(users["kasi"], sev, "bahan rapat evaluasi", "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert tuple(rows[0]) == exchange.SEGMENT_COLUMNS
    assert len(rows) - 1 == Coding.objects.count()
    budget = [r for r in rows[1:] if r[5] == "anggaran" and r[0] == "Wawancara Sekretaris Dinas Sosial"]
    assert budget and budget[0][4] == "Sekretaris Dinas Sosial" and budget[0][6] == "menghambat"
    assert budget[0][10] == "Pagu untuk penanganan anak jauh di bawah kebutuhan lapangan."
    book = openpyxl.load_workbook(io.BytesIO(exchange.export_segments(users["kasi"], sev, "bahan rapat evaluasi", "xlsx")))
    assert book["segmen"].max_row == len(rows)
    assert [e.action for e in AuditEntry.objects.exclude(action__startswith="account_").order_by("seq")] == ["ekspor_bukti_segmen"] * 2
    with pytest.raises(EvidenceInputError):
        exchange.export_segments(users["kasi"], sev, "alasan cukup", "pdf")


def test_reencrypt_uses_the_current_key(users, sample):
    from kinerja.identity import Keyring
    from kinerja.register import keyring

    ring = keyring.keyring()
    old = ring.current
    new = ring.add_key()
    try:
        assert services.reencrypt_evidence() == Source.objects.count() + Memo.objects.count()
        source = Source.objects.first()
        assert Keyring.key_id_of(source.text_enc) == new != old
        assert "SINTETIS" in services.source_text(source)
    finally:
        ring.current = old


def test_selectors_refuse_other_roles(users, sample, sev):
    for role in ("peksos", "admin", "pimpinan"):
        for read in (selectors.source_list, selectors.codebook, selectors.matrix, selectors.agreement):
            with pytest.raises(PermissionDenied):
                read(users[role], sev)
        with pytest.raises(PermissionDenied):
            selectors.search(users[role], sev, "anggaran")
    # a section head of another unit, and an evaluator who is not a member: as if it did not exist
    outsider = Staff.objects.create_user(username="peneliti_lain", password="x-rahasia-123", role="evaluator")
    for who in (users["other_kasi"], outsider):
        for read in (selectors.source_list, selectors.codebook, selectors.matrix, selectors.agreement):
            with pytest.raises(Evaluation.DoesNotExist):
                read(who, sev)
        assert selectors.evaluations(who) == []
    # members and the unit's own section head (not a member) read it
    assert not sev.members.filter(pk=users["kasi"].pk).exists()
    assert len(selectors.source_list(users["kasi"], sev)) == len(selectors.source_list(users["evaluator"], sev)) == 12


# --------------------------------------------------------------------------- analysis


def _reference_report(project, coders=None):
    """The agreement report rebuilt the slow, obvious way: unit_values per code."""
    from itertools import combinations

    from kinerja.evidence.analysis import agreement

    coder_list = sorted(set(coders) if coders is not None else project.coder_names())
    out = []
    for code in sorted(project.codes, key=lambda c: (c.name, c.guid)):
        if not code.codable:
            continue
        units, values = agreement.unit_values(project, code.guid, coder_list)
        rows = [values[k] for k in coder_list]
        out.append({"kode": code.name, "unit": len(units),
                    "alpha": agreement.krippendorff_alpha_nominal(rows) if units else None,
                    "persen_setuju": agreement.percent_agreement(rows),
                    "kappa": {f"{a}/{b}": agreement.cohen_kappa(values[a], values[b])
                              for a, b in combinations(coder_list, 2)}})
    return out


def test_one_pass_agreement_equals_the_per_code_reference(sample, sev):
    import random

    from kinerja.evidence.analysis import agreement

    project = selectors.workspace_project(sev)
    assert agreement.agreement_report(project) == _reference_report(project)
    # three coders, one of whom skipped some sources (missing data), and a chosen pair of coders
    rng = random.Random(7)
    extra = []
    for i, c in enumerate(project.codings):
        if c.coder == "peneliti1" and rng.random() < 0.7 and not c.source.endswith(("0", "1", "2", "3")):
            extra.append(dataclasses.replace(c, guid=str(uuid.UUID(int=i)), coder="peneliti3",
                                             code=rng.choice(project.codes).guid if rng.random() < 0.2 else c.code))
    bigger = dataclasses.replace(project, codings=project.codings + tuple(extra))
    assert agreement.agreement_report(bigger) == _reference_report(bigger)
    pair = ["peneliti1", "peneliti3"]
    assert agreement.agreement_report(bigger, pair) == _reference_report(bigger, pair)


def test_analysis_sees_each_change_at_once(users, sample, sev):
    ev = users["evaluator"]
    first = {r["kode"]: r for r in selectors.matrix(ev, sev)}
    observation = Source.objects.get(title="Observasi kantor seksi dan layanan pengaduan")
    services.add_coding(ev, observation, Code.objects.get(name="saran"), 10, 40)
    second = {r["kode"]: r for r in selectors.matrix(ev, sev)}
    assert second["saran"]["jenis_sumber"]["observasi"] == first["saran"]["jenis_sumber"]["observasi"] + 1
    assert set(selectors.agreement(ev, sev, "saran")[0]["kappa"]) == {"peneliti/peneliti1", "peneliti/peneliti2",
                                                                 "peneliti1/peneliti2"}
    Staff.objects.filter(username="peneliti2").update(username="peneliti_b")
    assert "peneliti1/peneliti_b" in selectors.agreement(ev, sev, "saran")[0]["kappa"]
    Coding.objects.filter(coder=ev).delete()
    assert {r["kode"]: r for r in selectors.matrix(ev, sev)} == first


# --------------------------------------------------------------------------- other tools' projects


def test_nvivo_and_maxqda_projects_land_right_and_export_back(users, evaluation):
    """Positions counted in UTF-16 units (NVivo) land on the right text in the workspace; document
    sets become source types and groups; the export counts code points and keeps the groups."""
    from tests.test_refiqda import EMOJI_TEXT, MAXQDA_SETS, _at, _tool_qdpx

    texts = {"W": EMOJI_TEXT, "O": "Observasi: anggaran.", "D": "Dokumen anggaran.", "X": "Lain anggaran."}
    codings = [("W", "anggaran", 0, None), ("W", "polisi", 0, None), ("O", "anggaran", 0, None),
               ("D", "anggaran", 0, None), ("X", "anggaran", 0, None)]
    ids = {"g1": G(601), "g2": G(602), "g3": G(603), "g4": G(604), "g5": G(605), "w": G(710), "o": G(711),
           "d": G(712)}
    sets = MAXQDA_SETS.format(**ids).replace("{", "{{").replace("}", "}}")
    data = _tool_qdpx(texts, codings, origin="NVivo 14", unit="utf16", sets=sets)
    summary = services.import_qdpx(users["evaluator"], evaluation, data)
    assert (summary.sources, summary.codings, summary.groups) == (4, 5, 1)
    report = summary.report()
    assert "read as UTF-16 units" in report and "1 sources are in no type set" in report
    landed = sorted((c.source.title, services.source_text(c.source)[c.start:c.end]) for c in Coding.objects.all())
    assert landed == [("D", "anggaran"), ("O", "anggaran"), ("W", "anggaran"), ("W", "polisi"), ("X", "anggaran")]
    assert dict(Source.objects.values_list("title", "type")) == {
        "W": "wawancara", "O": "observasi", "D": "dokumentasi", "X": "dokumentasi"}
    group = SourceGroup.objects.get()
    assert (str(group.uid), group.name) == (G(603), "Kelurahan Sukajadi")
    assert sorted(group.sources.values_list("title", flat=True)) == ["D", "W"]
    assert {c.stance for c in Coding.objects.all()} == {"netral"}
    assert all(r["konvergen"] is None for r in selectors.matrix(users["evaluator"], evaluation))  # no stance: no verdict

    exported = exchange.export_qdpx(users["evaluator"], evaluation, "arsip penelitian")
    text = qde(exported)
    start, end = _at(EMOJI_TEXT, "polisi")
    assert f'name="polisi" startPosition="{start}" endPosition="{end}"' in text
    assert f'<Set guid="{G(603)}" name="Kelurahan Sukajadi">' in text
    back = refiqda.read_qdpx(exported)
    assert back.project.groups == (records.SourceGroup(G(603), "Kelurahan Sukajadi", (G(710), G(712))),)
    assert not any("read as" in w.en for w in back.warnings)


def test_importers_type_replaces_the_neutral_default(users, evaluation):
    from tests.test_refiqda import _tool_qdpx

    data = _tool_qdpx({"A": "Satu anggaran."}, [("A", "anggaran", 0, "anggaran")], origin="QualCoder 3.6")
    summary = services.import_qdpx(users["evaluator"], evaluation, data, default_source_type="wawancara")
    assert Source.objects.get().type == "wawancara" and "import again with --type" not in summary.report()
    with pytest.raises(EvidenceInputError) as err:
        services.import_qdpx(users["evaluator"], evaluation, data, default_source_type="video")
    assert "wawancara, observasi or dokumentasi" in _all(err)


def test_key_rotation_reaches_the_evidence_through_the_register_signal(users, sample):
    """rotate_keys (register) re-encrypts the source texts through its keys_rotated signal, and
    counts them in its total."""
    from kinerja.identity import Keyring
    from kinerja.register import events, keyring
    from kinerja.register.services import rotate_keys

    assert events.keys_rotated.has_listeners()
    ring = keyring.keyring()
    old = ring.current
    new_id, count = rotate_keys()
    try:
        assert count >= Source.objects.count() + Memo.objects.count()
        assert all(Keyring.key_id_of(blob) == new_id != old for blob in Source.objects.values_list("text_enc", flat=True))
    finally:
        ring.current = old
