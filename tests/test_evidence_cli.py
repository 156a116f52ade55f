"""`kinerja evidence ...` on the demo sample: machine output shapes, a QDPX round trip, refusals."""

from __future__ import annotations

import json

import pytest

from kinerja.cli import build_parser, main
from kinerja.evidence.analysis import refiqda
from kinerja.evidence.models import Code, Coding, Informant, Memo, Source
from kinerja.register.models import AuditEntry, Staff
from tests.evidence_factories import (  # noqa: F401
    evaluation_fixture,
    evidence_counts,
    sample_evaluation_fixture,
    sample_fixture,
)

pytestmark = pytest.mark.django_db

SUBCOMMANDS = {"import", "export-qdpx", "import-qdpx", "export-qdc", "import-qdc", "export-segments", "codebook",
               "matrix", "agreement", "search"}


def _json(capsys, argv: list[str]):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_evidence_subcommands_are_listed_with_help():
    parser = build_parser()
    top = next(a for a in parser._actions if a.dest == "command")
    assert "evidence" in top.choices
    evidence = top.choices["evidence"]
    sub = next(a for a in evidence._actions if a.dest == "evidence_command")
    assert SUBCOMMANDS <= set(sub.choices)
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert all(helps[name] for name in SUBCOMMANDS)


def test_agreement_json_shape_on_the_sample(sample, capsys):
    rows = _json(capsys, ["evidence", "agreement", "--format", "json"])
    codable = Code.objects.filter(codable=True).count()
    assert len(rows) == codable
    assert [r["kode"] for r in rows] == sorted(r["kode"] for r in rows)
    for row in rows:
        assert set(row) == {"kode", "unit", "alpha", "persen_setuju", "kappa"}
        assert list(row["kappa"]) == ["peneliti1/peneliti2"]
        assert isinstance(row["unit"], int) and row["unit"] > 0
    by = {r["kode"]: r for r in rows}
    for factor in ("anggaran", "komunikasi", "sarana_prasarana", "sdm"):
        assert 0.6 <= by[factor]["alpha"] <= 0.97, by[factor]
        assert 0.6 <= by[factor]["kappa"]["peneliti1/peneliti2"] <= 0.97
        assert 90 <= by[factor]["persen_setuju"] < 100
    # a dimension coded only through its sub-codes: every unit 0 for both coders -> undefined
    assert by["produktivitas"]["alpha"] is None and by["produktivitas"]["kappa"]["peneliti1/peneliti2"] is None
    assert by["produktivitas"]["persen_setuju"] == 100.0
    mean_alpha = sum(r["alpha"] for r in rows if r["alpha"] is not None) / sum(r["alpha"] is not None for r in rows)
    assert 0.6 <= mean_alpha <= 0.95


def test_agreement_for_one_code_and_unknown_code(sample, capsys):
    rows = _json(capsys, ["evidence", "agreement", "--code", "anggaran", "--format", "json"])
    assert [r["kode"] for r in rows] == ["anggaran"]
    assert main(["evidence", "agreement", "--code", "tidak_ada"]) == 1
    err = capsys.readouterr().err
    assert "Kode tidak dikenal: tidak_ada" in err and "Unknown code: tidak_ada" in err
    assert main(["evidence", "agreement"]) == 0
    assert "alpha" in capsys.readouterr().out


def test_matrix_json_shape_and_triangulation_on_the_sample(sample, capsys):
    rows = _json(capsys, ["evidence", "matrix", "--format", "json"])
    assert len(rows) == Code.objects.count()
    by = {r["kode"]: r for r in rows}
    for row in rows:
        assert {"kode", "jenis_sumber", "informan", "triangulasi_metode", "triangulasi_sumber", "konvergen"} <= set(row)
        assert set(row["jenis_sumber"]) == {"wawancara", "observasi", "dokumentasi"}
        assert "kutipan" not in row  # no transcript text in the machine output
    for factor in ("anggaran", "komunikasi", "sarana_prasarana"):
        assert by[factor]["triangulasi_metode"] and by[factor]["triangulasi_sumber"], by[factor]
        assert all(by[factor]["jenis_sumber"].values())
    assert by["anggaran"]["konvergen"] and by["sarana_prasarana"]["konvergen"]
    assert not by["komunikasi"]["konvergen"]  # coordination works inside, fails with partners: flagged
    assert by["anggaran"]["sikap"]["mendukung"] == 0 < by["anggaran"]["sikap"]["menghambat"]
    assert "IA-07 · NA, 14 th" in by["sarana_prasarana"]["informan"]  # a child: initials and age only
    assert not by["target_tercapai"]["triangulasi_sumber"]  # one informant only
    silent = [r for r in rows if not r["sikap"]["mendukung"] and not r["sikap"]["menghambat"]]
    assert silent and all(r["konvergen"] is None for r in silent)  # no evidence: no verdict, JSON null
    assert main(["evidence", "matrix"]) == 0
    out = capsys.readouterr().out
    assert "konvergen" in out and "tidak ada bukti" in out


def test_search_matches_word_forms(sample, capsys):
    hits = _json(capsys, ["evidence", "search", "penganggaran", "--format", "json"])
    titles = {h["judul"] for h in hits}
    assert {"Rekapitulasi pagu dan realisasi 2022-2024", "Wawancara Kepala Bidang Rehabilitasi Sosial"} <= titles
    assert all(set(h) == {"uid", "judul", "skor", "posisi", "cuplikan"} for h in hits)
    assert main(["evidence", "search", "kendaraan operasional"]) == 0
    assert "Ringkasan LKjIP" in capsys.readouterr().out


def _state(qdpx: bytes) -> dict[str, object]:
    """What a QDPX holds, as comparable tuples."""
    project = refiqda.read_qdpx(qdpx).project
    return {
        "codes": sorted((c.guid, c.name, c.description, c.colour, c.parent, c.link, c.codable) for c in project.codes),
        "sources": sorted((s.guid, s.name, s.type, s.text, s.date, s.informants) for s in project.sources),
        "codings": sorted((c.guid, c.source, c.start, c.end, c.code, c.coder, c.stance, c.memo) for c in project.codings),
        "informants": sorted((i.guid, i.code, i.role, i.key_informant, i.is_child, i.consent_recorded)
                             for i in project.informants),
        "memos": sorted((m.guid, m.text, m.target_kind, m.target, m.author) for m in project.memos),
    }


def test_qdpx_round_trip_into_an_empty_workspace(sample, users, tmp_path, capsys):
    first = tmp_path / "satu.qdpx"
    assert main(["evidence", "export-qdpx", str(first), "--user", "peneliti", "--reason", "arsip penelitian"]) == 0
    before = _state(first.read_bytes())
    assert len(before["sources"]) == 12 and len(before["codings"]) == Coding.objects.count() > 150

    # empty the workspace, the sample's coders included
    Memo.objects.all().delete()
    Coding.objects.all().delete()
    Source.objects.all().delete()
    Informant.objects.all().delete()
    Code.objects.all().update(parent=None)
    Code.objects.all().delete()
    Staff.objects.filter(username__in=["peneliti1", "peneliti2"]).delete()

    assert main(["evidence", "import-qdpx", str(first)]) == 0
    out = capsys.readouterr().out
    assert "Diimpor: 12 sumber" in out and "2 pengkode baru" in out
    assert not Staff.objects.get(username="peneliti1").is_active
    child = Informant.objects.get(code="IA-07")
    assert (child.is_child, child.initials, child.age, child.consent_recorded) == (True, "NA", 14, True)

    second = tmp_path / "dua.qdpx"
    assert main(["evidence", "export-qdpx", str(second), "--user", "peneliti", "--reason", "arsip penelitian"]) == 0
    assert _state(second.read_bytes()) == before
    assert second.read_bytes() == first.read_bytes()  # deterministic: the same project, the same bytes
    assert AuditEntry.objects.filter(action="ekspor_bukti_qdpx").count() == 2


def test_qdc_export_and_import(sample, tmp_path, capsys):
    path = tmp_path / "kode.qdc"
    assert main(["evidence", "export-qdc", str(path)]) == 0
    assert b"urn:QDA-XML:codebook:1.0" in path.read_bytes()
    assert main(["evidence", "import-qdc", str(path)]) == 0
    assert "19 sudah ada" in capsys.readouterr().out


def test_import_files_from_the_command_line(users, evaluation, tmp_path, capsys):
    good = tmp_path / "wawancara_kasi.txt"
    good.write_text("Anggaran terbatas.\n\nMobil dinas hanya satu.\n", encoding="utf-8")
    bad = tmp_path / "rekaman.mp3"
    bad.write_bytes(b"ID3")
    assert main(["evidence", "import", str(good), str(bad), "--type", "wawancara"]) == 1
    err = capsys.readouterr().err
    assert "rekaman.mp3" in err and "tidak didukung" in err and "not supported" in err
    assert Source.objects.count() == 0
    assert main(["evidence", "import", str(good), "--informant", "IK-09"]) == 1
    assert "IK-09" in capsys.readouterr().err
    assert main(["evidence", "import", str(good), "--type", "observasi", "--user", "kasi", "--date", "2024-11-12"]) == 0
    source = Source.objects.get()
    assert (source.type, source.title, source.created_by.username, str(source.date)) == (
        "observasi", "wawancara_kasi", "kasi", "2024-11-12")


def test_cli_refusals_are_bilingual_and_write_nothing(sample, users, tmp_path, capsys):
    before = evidence_counts()
    target = tmp_path / "x.qdpx"
    assert main(["evidence", "export-qdpx", str(target), "--user", "kabid", "--reason", "ingin tahu"]) == 1
    err = capsys.readouterr().err
    assert "tidak boleh" in err and "may not" in err
    assert main(["evidence", "export-qdpx", str(target), "--user", "tidak_ada", "--reason", "ingin tahu"]) == 1
    assert "tidak ditemukan" in capsys.readouterr().err
    assert main(["evidence", "export-qdpx", str(target), "--user", "peneliti", "--reason", "x"]) == 1
    assert "alasan" in capsys.readouterr().err
    assert main(["evidence", "import-qdpx", str(tmp_path / "tidak-ada.qdpx")]) == 1
    err = capsys.readouterr().err
    assert "tidak dapat dibaca" in err and "cannot read" in err
    broken = tmp_path / "rusak.qdpx"
    broken.write_bytes(b"bukan zip")
    assert main(["evidence", "import-qdpx", str(broken)]) == 1
    assert "not a valid zip" in capsys.readouterr().err
    assert not target.exists()
    assert evidence_counts() == before
    with pytest.raises(SystemExit):  # argparse: --reason is required
        main(["evidence", "export-qdpx", str(target), "--user", "peneliti"])


def test_export_segments_command(sample, users, tmp_path):
    path = tmp_path / "segmen.xlsx"
    assert main(["evidence", "export-segments", str(path), "--user", "kasi", "--reason", "rapat evaluasi"]) == 0
    assert path.read_bytes().startswith(b"PK")
    assert AuditEntry.objects.exclude(action__startswith="account_").get().action == "ekspor_bukti_segmen"


def test_import_qdpx_maps_users_only_when_told(sample, users, tmp_path, capsys):
    """A project whose user is named like an existing account (``kasi``) gets a workspace coder of
    its own; --map-user credits the codings to the account explicitly."""
    from kinerja.evidence.analysis import records
    from kinerja.evidence.models import Coding, ImportedCoder

    def project(n: int) -> bytes:
        code = Code.objects.get(name="anggaran")
        return refiqda.write_qdpx(records.Project(
            users=(records.User(f"00000000-0000-4000-8000-{n:012d}", "kasi"),),
            codes=(records.Code(str(code.uid), "anggaran"),),
            sources=(records.Source(f"00000000-0000-4000-8000-{n + 1:012d}", f"Impor {n}", "observasi",
                                    "Anggaran kurang."),),
            codings=(records.Coding(f"00000000-0000-4000-8000-{n + 2:012d}", f"00000000-0000-4000-8000-{n + 1:012d}",
                                    0, 8, str(code.uid), "kasi", "menghambat"),)))

    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    first.write_bytes(project(900))
    second.write_bytes(project(910))
    assert main(["evidence", "import-qdpx", str(first)]) == 0
    out = capsys.readouterr().out
    assert "1 pengkode baru" in out and "1 new coders" in out
    coding = Coding.objects.get(uid="00000000-0000-4000-8000-000000000902")
    assert coding.coder != users["kasi"] and coding.coder.username == "kasi~impor"
    assert ImportedCoder.objects.get(name="kasi").account == coding.coder
    assert main(["evidence", "import-qdpx", str(second), "--map-user", "kasi"]) == 1
    assert "--map-user must be QDA_NAME=USERNAME" in capsys.readouterr().err
    assert main(["evidence", "import-qdpx", str(second), "--map-user", "kasi=kasi"]) == 0
    assert "1 coders mapped to accounts" in capsys.readouterr().out
    assert Coding.objects.get(uid="00000000-0000-4000-8000-000000000912").coder == users["kasi"]
