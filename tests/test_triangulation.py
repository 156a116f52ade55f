"""Triangulation matrix, roll-up, frequencies and co-occurrence."""

from __future__ import annotations

import json

from kinerja.evidence.analysis.records import Code, Coding, Informant, Project, Source, check_project
from kinerja.evidence.analysis.triangulation import (
    code_matrix,
    cooccurrence,
    frequency_by_role,
    frequency_by_source_type,
    group_key,
    matrix_json,
    rollup,
    strongest_quotes,
)

G = "00000000-0000-4000-8000-{:012d}".format

KASI = Informant(G(1), "IK-01", "Kepala Seksi", key_informant=True)
PEKSOS = Informant(G(2), "IK-02", "Pekerja Sosial")
PEKSOS2 = Informant(G(3), "IK-03", "Pekerja Sosial")

W1 = Source(G(10), "Wawancara Kasi", "wawancara",
            "Anggaran kami kecil sekali.\n\nKoordinasi dengan polisi lancar.", informants=(KASI.guid,))
W2 = Source(G(11), "Wawancara Peksos", "wawancara",
            "Dana operasional sering terlambat cair.\n\nRumah aman penuh.", informants=(PEKSOS.guid,))
W3 = Source(G(12), "Wawancara kelompok", "wawancara", "Kami berdua setuju anggaran cukup.",
            informants=(PEKSOS.guid, PEKSOS2.guid))
O1 = Source(G(13), "Observasi kantor", "observasi", "Mobil dinas hanya satu dan rusak.")
D1 = Source(G(14), "DPA 2023", "dokumentasi", "Pagu kegiatan rehabilitasi anak Rp 50 juta.")

KENDALA = Code(G(20), "Kendala", codable=False)
ANGGARAN = Code(G(21), "anggaran", parent=KENDALA.guid, link="kendala:anggaran")
DANA = Code(G(22), "dana_terlambat", parent=ANGGARAN.guid)
SARANA = Code(G(23), "sarana", parent=KENDALA.guid, link="kendala:sarana_prasarana")
KOMUNIKASI = Code(G(24), "komunikasi")
LEPAS = Code(G(25), "lepas")


def _project(extra: tuple[Coding, ...] = ()) -> Project:
    codings = (
        Coding(G(100), W1.guid, 0, 27, ANGGARAN.guid, "ani", "menghambat"),
        Coding(G(101), W2.guid, 0, 39, DANA.guid, "ani", "menghambat"),
        Coding(G(102), D1.guid, 0, 43, ANGGARAN.guid, "ani", "netral"),
        Coding(G(103), O1.guid, 0, 33, SARANA.guid, "budi", "menghambat"),
        Coding(G(104), W2.guid, 41, 58, SARANA.guid, "ani", "menghambat"),
        Coding(G(105), W1.guid, 29, 61, KOMUNIKASI.guid, "ani", "mendukung"),
        Coding(G(106), W1.guid, 9, 20, KOMUNIKASI.guid, "budi", "netral"),
        *extra,
    )
    return Project(
        codes=(KENDALA, ANGGARAN, DANA, SARANA, KOMUNIKASI, LEPAS),
        sources=(W1, W2, W3, O1, D1),
        informants=(KASI, PEKSOS, PEKSOS2),
        codings=codings,
    )


def test_fixture_is_consistent() -> None:
    assert check_project(_project()) == []


def test_matrix_json_has_spec_keys_and_counts() -> None:
    rows = {r["kode"]: r for r in matrix_json(_project())}
    assert list(rows) == ["Kendala", "anggaran", "dana_terlambat", "komunikasi", "lepas", "sarana"]
    anggaran = rows["anggaran"]
    assert {"kode", "jenis_sumber", "informan", "triangulasi_metode", "triangulasi_sumber", "konvergen"} <= set(
        anggaran
    )
    assert anggaran["jenis_sumber"] == {"wawancara": 1, "observasi": 0, "dokumentasi": 1}
    assert anggaran["informan"] == {"IK-01": 1}
    assert anggaran["triangulasi_metode"] is True
    assert anggaran["triangulasi_sumber"] is False  # one informant only
    assert anggaran["konvergen"] is True  # neutral stances do not break convergence
    assert anggaran["sikap"] == {"mendukung": 0, "menghambat": 1, "netral": 1}
    # sarana: interview + observation, one interview informant
    assert rows["sarana"]["triangulasi_metode"] is True
    assert rows["sarana"]["triangulasi_sumber"] is False
    # an unused code: nothing triangulated, vacuously convergent
    assert rows["lepas"]["jenis_sumber"] == {"wawancara": 0, "observasi": 0, "dokumentasi": 0}
    assert rows["lepas"]["triangulasi_metode"] is False
    json.dumps(list(rows.values()))  # serialisable as the CLI prints it


def test_no_quote_text_in_json_output() -> None:
    dumped = json.dumps(matrix_json(_project()))
    assert "Anggaran kami kecil" not in dumped


def test_source_triangulation_needs_two_interview_informants() -> None:
    project = _project(extra=(Coding(G(107), W3.guid, 0, 10, KOMUNIKASI.guid, "ani", "menghambat"),))
    rows = {r.key: r for r in code_matrix(project)}
    kom = rows["komunikasi"]
    # W1 (IK-01) and W3 (IK-02, IK-03): three distinct interview informants
    assert kom.source_triangulation is True
    assert kom.by_informant == {"IK-01": 2, "IK-02": 1, "IK-03": 1}
    assert kom.method_triangulation is False  # interviews only
    # mendukung and menghambat: diverges
    assert kom.converges is False
    assert kom.stances == {"mendukung": 1, "menghambat": 1, "netral": 1}


def test_informants_of_observations_do_not_count_for_source_triangulation() -> None:
    obs = Source(G(15), "Observasi rapat", "observasi", "Rapat koordinasi.", informants=(PEKSOS.guid,))
    project = Project(
        codes=(KOMUNIKASI,),
        sources=(W1, obs),
        informants=(KASI, PEKSOS),
        codings=(
            Coding(G(100), W1.guid, 0, 5, KOMUNIKASI.guid, "ani"),
            Coding(G(101), obs.guid, 0, 5, KOMUNIKASI.guid, "ani"),
        ),
    )
    (row,) = code_matrix(project)
    assert row.by_informant == {"IK-01": 1, "IK-02": 1}
    assert row.source_triangulation is False
    assert row.method_triangulation is True


def test_strongest_quotes_prefer_key_informant_distinct_voices_and_length() -> None:
    project = _project(
        extra=(
            Coding(G(108), W2.guid, 0, 4, ANGGARAN.guid, "budi", "menghambat"),  # same voice as 101
            Coding(G(109), W3.guid, 0, 34, ANGGARAN.guid, "budi", "mendukung"),
        )
    )
    codings = [c for c in project.codings if c.code in {ANGGARAN.guid, DANA.guid}]
    quotes = strongest_quotes(project, codings, limit=5)
    assert quotes[0].informants == ("IK-01",)  # key informant first
    assert quotes[0].text == "Anggaran kami kecil sekali."
    assert [q.coding for q in quotes] == [G(100), G(101), G(109), G(102)]
    # 109 adds IK-03; 108 adds no new voice and is left out; the document is a voice of its own
    assert quotes[-1].informants == ()
    short = strongest_quotes(project, codings, limit=1, max_chars=10)
    assert short[0].text == "Anggaran…"


def test_rollup_groups_by_link_or_parent() -> None:
    project = _project()
    assert group_key(project, DANA) == "kendala:anggaran"  # inherits the parent's link
    assert group_key(project, ANGGARAN) == "kendala:anggaran"
    assert group_key(project, KOMUNIKASI) == "komunikasi"  # unlinked root rolls up to itself
    assert group_key(project, KENDALA) == "Kendala"
    groups = {g.key: g for g in rollup(project)}
    anggaran = groups["kendala:anggaran"]
    assert set(anggaran.codes) == {ANGGARAN.guid, DANA.guid}
    assert anggaran.codings == 3
    assert anggaran.by_source_type == {"wawancara": 2, "observasi": 0, "dokumentasi": 1}
    assert anggaran.source_triangulation is True  # IK-01 and IK-02 across both codes
    assert anggaran.method_triangulation is True
    assert groups["kendala:sarana_prasarana"].by_source_type["observasi"] == 1


def test_frequencies_by_source_type_and_role() -> None:
    project = _project(extra=(Coding(G(107), W3.guid, 0, 10, KOMUNIKASI.guid, "ani"),))
    by_type = frequency_by_source_type(project)
    assert by_type[SARANA.guid] == {"wawancara": 1, "observasi": 1, "dokumentasi": 0}
    by_role = frequency_by_role(project)
    # W3 has two Pekerja Sosial: the coding counts once for the role
    assert by_role[KOMUNIKASI.guid] == {"Kepala Seksi": 2, "Pekerja Sosial": 1}
    assert by_role[LEPAS.guid] == {}


def test_cooccurrence_needs_overlap_inside_a_paragraph_unit() -> None:
    project = _project()
    # anggaran 0-27 and komunikasi 9-20 overlap in W1's first paragraph
    pairs = cooccurrence(project)
    key = tuple(sorted((ANGGARAN.guid, KOMUNIKASI.guid)))
    assert pairs == {key: 1}
    # restricted to one coder, the two codings are never together
    assert cooccurrence(project, coder="ani") == {}
    # same unit but not overlapping: no co-occurrence
    adjacent = Project(
        codes=(ANGGARAN, SARANA),
        sources=(O1,),
        codings=(
            Coding(G(100), O1.guid, 0, 10, ANGGARAN.guid, "ani"),
            Coding(G(101), O1.guid, 10, 20, SARANA.guid, "ani"),
        ),
    )
    assert cooccurrence(adjacent) == {}


def test_cooccurrence_counts_each_unit_once_per_pair() -> None:
    src = Source(G(10), "W", "wawancara", "aaaa bbbb\n\ncccc dddd")
    project = Project(
        codes=(ANGGARAN, SARANA),
        sources=(src,),
        codings=(
            Coding(G(100), src.guid, 0, 20, ANGGARAN.guid, "ani"),  # spans both paragraphs
            Coding(G(101), src.guid, 0, 4, SARANA.guid, "ani"),
            Coding(G(102), src.guid, 5, 9, SARANA.guid, "ani"),
            Coding(G(103), src.guid, 11, 15, SARANA.guid, "ani"),
        ),
    )
    assert cooccurrence(project) == {(ANGGARAN.guid, SARANA.guid): 2}


def test_no_verdict_without_a_non_neutral_coding() -> None:
    """evidence.md: a code with no non-neutral coding has no verdict ("tidak ada bukti"), never
    "converges"; neither has a code with no codings at all."""
    only_neutral = Coding(G(120), D1.guid, 0, 4, LEPAS.guid, "ani", "netral")
    rows = {r.key: r for r in code_matrix(_project())}
    assert rows["lepas"].codings == 0 and rows["lepas"].converges is None
    assert rows["Kendala"].converges is None  # not codable, no codings
    assert rows["anggaran"].converges is True  # one polar stance, neutral ones beside it
    assert rows["komunikasi"].converges is True  # mendukung and netral
    against = Coding(G(121), W2.guid, 0, 4, KOMUNIKASI.guid, "ani", "menghambat")
    rows = {r.key: r for r in code_matrix(_project((only_neutral, against)))}
    assert rows["lepas"].codings == 1 and rows["lepas"].converges is None
    assert rows["komunikasi"].converges is False
    dumped = {r["kode"]: r for r in json.loads(json.dumps(matrix_json(_project((only_neutral, against)))))}
    assert dumped["lepas"]["konvergen"] is None and dumped["anggaran"]["konvergen"] is True
    assert dumped["komunikasi"]["konvergen"] is False
