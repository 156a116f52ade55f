"""Indonesian search through the Sastrawi stemmer, and code suggestions."""

from __future__ import annotations

from kinerja.evidence.analysis.records import Code, Coding, Project, Source
from kinerja.evidence.analysis.textsearch import (
    CodeSuggester,
    SearchIndex,
    query_stems,
    snippet,
    stem,
    suggest_codes,
    tokens,
)

G = "00000000-0000-4000-8000-{:012d}".format

S1 = Source(G(1), "W1", "wawancara", "Menurut saya anggaran untuk rumah aman belum memadai.")
S2 = Source(G(2), "W2", "wawancara", "Proses penganggaran tahun ini terlambat karena revisi DPA.")
S3 = Source(G(3), "D1", "dokumentasi", "Kegiatan pendampingan dianggarkan dalam DPA 2023.\n\nKoordinasi dengan polisi.")
S4 = Source(G(4), "O1", "observasi", "Petugas berkoordinasi dengan UPTD PPA melalui telepon.")


def test_word_forms_share_one_stem() -> None:
    assert stem("anggaran") == stem("penganggaran") == stem("dianggarkan") == stem("ANGGARAN")
    assert stem("koordinasi") == stem("berkoordinasi")
    assert stem("2023") == "2023"
    hits = stem.cache_info().hits
    stem("penganggaran")
    assert stem.cache_info().hits == hits + 1  # cached: Sastrawi is slow


def test_tokens_have_code_point_offsets_and_drop_stop_words() -> None:
    text = "Anak 😀 dan anggaran-nya"
    toks = tokens(text)
    assert [(t.word, text[t.start : t.end]) for t in toks] == [("Anak", "Anak"), ("anggaran-nya", "anggaran-nya")]
    assert "dan" in [t.word for t in tokens(text, drop_stop_words=False)]
    assert query_stems("yang dan") == ["yang", "dan"]  # a query of stop words only still searches


def test_each_word_form_finds_all_three_sources() -> None:
    index = SearchIndex([S1, S2, S3, S4])
    for query in ("anggaran", "penganggaran", "dianggarkan"):
        hits = index.search(query)
        assert {h.source for h in hits} == {G(1), G(2), G(3)}, query
    hit = next(h for h in index.search("anggaran") if h.source == G(3))
    (start, end), = hit.positions
    assert S3.text[start:end] == "dianggarkan"
    assert "dianggarkan" in hit.snippet


def test_all_words_by_default_any_on_request() -> None:
    index = SearchIndex([S1, S2, S3, S4])
    assert [h.source for h in index.search("anggaran DPA")] in ([G(2), G(3)], [G(3), G(2)])
    assert {h.source for h in index.search("anggaran koordinasi", match_all=False)} == {G(1), G(2), G(3), G(4)}
    both = next(h for h in index.search("anggaran koordinasi") if h.source == G(3))
    assert [S3.text[s:e] for s, e in both.positions] == ["dianggarkan", "Koordinasi"]
    assert index.search("") == []
    assert index.search("tidak ada kata ini zzzz") == []


def test_ranking_and_limit_and_reindex() -> None:
    extra = Source(G(5), "W3", "wawancara", "Anggaran, anggaran, anggaran.")
    index = SearchIndex([S1, S2, extra])
    hits = index.search("anggaran", limit=2)
    assert len(hits) == 2 and hits[0].source == G(5)
    index.add(G(5), "Tidak relevan.")
    assert G(5) not in {h.source for h in index.search("anggaran")}
    index.remove(G(1))
    assert len(index) == 2
    assert {h.source for h in index.search("anggaran")} == {G(2)}


def test_snippet_is_short_and_marks_cuts() -> None:
    text = "kata " * 50 + "anggaran" + " kata" * 50
    start = text.index("anggaran")
    snip = snippet(text, start, start + 8, width=20)
    assert snip.startswith("…") and snip.endswith("…") and "anggaran" in snip
    assert len(snip) < 60
    assert snippet("anggaran", 0, 8) == "anggaran"


def _project() -> Project:
    codes = (
        Code(G(10), "anggaran", "Kendala dana dan pembiayaan kegiatan"),
        Code(G(11), "komunikasi", "Koordinasi antarinstansi dan penyampaian informasi"),
        Code(G(12), "sarana_prasarana", "Kendaraan, rumah aman, gedung"),
        Code(G(13), "Kendala", codable=False),
    )
    coded = Source(G(20), "W", "wawancara", "Mobil operasional sering rusak di jalan.")
    return Project(
        codes=codes,
        sources=(coded,),
        codings=(Coding(G(30), coded.guid, 0, 39, G(12), "ani"),),
    )


def test_suggestions_rank_by_name_description_and_earlier_codings() -> None:
    project = _project()
    top = suggest_codes(project, "Penganggaran kegiatan penjangkauan sangat terbatas.")
    assert top[0].name == "anggaran"
    assert stem("anggaran") in top[0].matched
    coord = suggest_codes(project, "Kami berkoordinasi dengan kepolisian setiap minggu.")
    assert coord[0].name == "komunikasi"
    # 'mobil' appears only in text coded earlier with sarana_prasarana
    learned = suggest_codes(project, "Mobilnya rusak lagi, mobil cadangan tidak ada.")
    assert learned[0].name == "sarana_prasarana"
    assert all(s.name != "Kendala" for s in suggest_codes(project, "kendala"))  # not codable
    assert suggest_codes(project, "zzzz qqqq") == []


def test_suggester_is_reusable_and_limited() -> None:
    suggester = CodeSuggester(_project())
    passage = "Anggaran untuk rumah aman dan koordinasi."
    results = suggester.suggest(passage, limit=2)
    assert len(results) == 2
    assert results == suggester.suggest(passage, limit=2)
    assert results[0].score >= results[1].score > 0
