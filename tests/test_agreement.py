"""Inter-coder agreement: paragraph units, kappa, percent agreement, Krippendorff's alpha."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from kinerja.evidence.analysis.agreement import (
    agreement_report,
    cohen_kappa,
    krippendorff_alpha_nominal,
    paragraph_units,
    percent_agreement,
    unit_values,
)
from kinerja.evidence.analysis.records import Code, Coding, Project, Source

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example:
# 4 coders x 12 units, None = missing.
NA = None
KRIPPENDORFF_2011: list[list[int | None]] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],  # A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],  # B
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],  # C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],  # D
]


def _package_alpha(rows: Sequence[Sequence[int | None]]) -> float:
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def test_krippendorff_2011_example_gives_0_743() -> None:
    alpha = krippendorff_alpha_nominal(KRIPPENDORFF_2011)
    assert alpha is not None
    assert round(alpha, 3) == 0.743
    assert alpha == pytest.approx(_package_alpha(KRIPPENDORFF_2011), abs=1e-12)


def test_alpha_works_with_string_categories() -> None:
    rows = [["a" if v == 1 else ("b" if v == 2 else v) for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha_nominal(rows) == pytest.approx(krippendorff_alpha_nominal(KRIPPENDORFF_2011))


def test_alpha_perfect_agreement_is_one_and_constant_data_undefined() -> None:
    assert krippendorff_alpha_nominal([[1, 0, 1], [1, 0, 1]]) == pytest.approx(1.0)
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]) is None
    assert krippendorff_alpha_nominal([[0, 0, None], [0, None, 0], [None, 0, 0]]) is None
    # nothing pairable: every unit has a single value
    assert krippendorff_alpha_nominal([[1, None], [None, 0]]) is None
    assert krippendorff_alpha_nominal([]) is None


def test_alpha_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError):
        krippendorff_alpha_nominal([[1, 0], [1]])


cell = st.one_of(st.none(), st.integers(min_value=0, max_value=3))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=2, max_value=5).flatmap(
        lambda coders: st.integers(min_value=1, max_value=15).flatmap(
            lambda units: st.lists(
                st.lists(cell, min_size=units, max_size=units), min_size=coders, max_size=coders
            )
        )
    )
)
def test_alpha_matches_krippendorff_package(rows: list[list[int | None]]) -> None:
    ours = krippendorff_alpha_nominal(rows)
    if ours is None:
        # undefined for us: the package either refuses or returns nan
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = _package_alpha(rows)
        except (ValueError, ZeroDivisionError):
            return
        assert math.isnan(theirs)
    else:
        assert ours == pytest.approx(_package_alpha(rows), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=30).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n),
            st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n),
        )
    )
)
def test_kappa_matches_sklearn(pair: tuple[list[str], list[str]]) -> None:
    a, b = pair
    ours = cohen_kappa(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cohen_kappa_score(a, b)
    if ours is None:
        assert math.isnan(theirs)
        assert len(set(a) | set(b)) == 1
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_kappa_skips_missing_units_and_is_undefined_without_variation() -> None:
    assert cohen_kappa([1, 0, None, 1], [1, 0, 1, None]) == pytest.approx(1.0)
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None
    assert cohen_kappa([None], [1]) is None
    # opposite constants are defined: no agreement beyond chance, none observed
    assert cohen_kappa([1, 1], [0, 0]) == pytest.approx(0.0)


def test_percent_agreement_over_all_pairs_of_coders_and_units() -> None:
    # unit 1: 3 pairs agree; unit 2: a=b, a!=c, b!=c -> 1 of 3; unit 3: only a, b present, agree
    data: list[list[int | None]] = [[1, 1, 0], [1, 1, 0], [1, 0, None]]
    assert percent_agreement(data) == pytest.approx(100 * 5 / 7)
    assert percent_agreement([[1, None], [None, 1]]) is None


# ---------------------------------------------------------------- paragraph units


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in paragraph_units(text)]


def test_paragraphs_are_text_between_blank_lines() -> None:
    text = "Satu baris.\nMasih paragraf satu.\n\nParagraf dua.\n   \t\nParagraf tiga."
    assert _texts(text) == ["Satu baris.\nMasih paragraf satu.", "Paragraf dua.", "Paragraf tiga."]
    spans = paragraph_units(text)
    assert spans[0] == (0, len("Satu baris.\nMasih paragraf satu."))


def test_without_blank_lines_each_line_is_a_unit() -> None:
    text = "P: Apa kendalanya?\nI: Anggaran terbatas.\n\n"
    assert _texts(text) == ["P: Apa kendalanya?", "I: Anggaran terbatas."]
    assert _texts("a\r\nb\rc") == ["a", "b", "c"]


def test_units_are_trimmed_and_empty_units_skipped() -> None:
    text = "\n\n  Pertama  \n\n\n\n  Kedua\n\n"
    spans = paragraph_units(text)
    assert [text[s:e] for s, e in spans] == ["Pertama", "Kedua"]
    assert paragraph_units("") == []
    assert paragraph_units(" \n\t\n") == []
    assert _texts("satu saja") == ["satu saja"]


def test_units_count_code_points_with_crlf_and_astral_characters() -> None:
    text = "Anak 😀 senang\r\n\r\nSelesai"
    spans = paragraph_units(text)
    assert spans == [(0, 13), (17, 24)]
    assert [text[s:e] for s, e in spans] == ["Anak 😀 senang", "Selesai"]


# ---------------------------------------------------------------- per-code report

G = "00000000-0000-4000-8000-{:012d}".format


def _project() -> Project:
    s1 = Source(G(1), "W1", "wawancara", "Paragraf satu.\n\nParagraf dua.\n\nParagraf tiga.")
    s2 = Source(G(2), "W2", "wawancara", "Baris A\nBaris B")
    s3 = Source(G(3), "O1", "observasi", "Hanya satu pengkode.\n\nLagi.")
    code_a = Code(G(10), "anggaran")
    code_b = Code(G(11), "komunikasi")
    p1 = (0, 14)  # "Paragraf satu."
    # p2 = (16, 29) "Paragraf dua." is coded by nobody
    p3 = (31, 45)
    codings = [
        # ani: anggaran in p1 and p3 of s1, line 1 of s2
        Coding(G(100), s1.guid, p1[0], p1[1], code_a.guid, "ani"),
        Coding(G(101), s1.guid, p3[0] + 3, p3[0] + 6, code_a.guid, "ani"),
        Coding(G(102), s2.guid, 0, 7, code_a.guid, "ani"),
        # budi: anggaran in p1 only (span crossing into nothing else), komunikasi in s2 line 2
        Coding(G(103), s1.guid, 2, 5, code_a.guid, "budi"),
        Coding(G(104), s2.guid, 8, 15, code_b.guid, "budi"),
        # a coding that ends exactly where p2 starts does not touch p2
        Coding(G(105), s1.guid, 14, 16, code_b.guid, "budi"),
        # s3 coded by ani only: not compared
        Coding(G(106), s3.guid, 0, 5, code_a.guid, "ani"),
    ]
    return Project(codes=(code_a, code_b), sources=(s1, s2, s3), codings=tuple(codings))


def test_unit_values_mark_applied_units_and_skip_sources_coded_by_one_coder() -> None:
    project = _project()
    assert [t for t in (s.text for s in project.sources)][0][16:29] == "Paragraf dua."
    units, values = unit_values(project, G(10))
    assert [(g, span) for g, span in units] == [
        (G(1), (0, 14)),
        (G(1), (16, 29)),
        (G(1), (31, 45)),
        (G(2), (0, 7)),
        (G(2), (8, 15)),
    ]
    assert values == {"ani": [1, 0, 1, 1, 0], "budi": [1, 0, 0, 0, 0]}
    _, values_b = unit_values(project, G(11))
    # the 14-16 coding touches only the blank line between p1 and p2, whitespace trimmed away
    assert values_b == {"ani": [0, 0, 0, 0, 0], "budi": [0, 0, 0, 0, 1]}


def test_report_matches_spec_shape_and_oracles() -> None:
    report = agreement_report(_project())
    assert [r["kode"] for r in report] == ["anggaran", "komunikasi"]
    first = report[0]
    assert list(first) == ["kode", "unit", "alpha", "persen_setuju", "kappa"]
    assert first["unit"] == 5
    ani, budi = [1, 0, 1, 1, 0], [1, 0, 0, 0, 0]
    assert first["persen_setuju"] == pytest.approx(60.0)
    assert first["kappa"] == {"ani/budi": pytest.approx(cohen_kappa_score(ani, budi))}
    assert first["alpha"] == pytest.approx(_package_alpha([ani, budi]))


def test_report_undefined_when_every_unit_has_the_same_value() -> None:
    s = Source(G(1), "W1", "wawancara", "Satu.\n\nDua.")
    used, unused = Code(G(10), "dipakai"), Code(G(11), "tidak_dipakai")
    codings = (
        Coding(G(100), s.guid, 0, 5, used.guid, "ani"),
        Coding(G(101), s.guid, 0, 5, used.guid, "budi"),
    )
    report = agreement_report(Project(codes=(used, unused), sources=(s,), codings=codings))
    by_code = {r["kode"]: r for r in report}
    assert by_code["tidak_dipakai"] == {
        "kode": "tidak_dipakai",
        "unit": 2,
        "alpha": None,
        "persen_setuju": 100.0,
        "kappa": {"ani/budi": None},
    }
    assert by_code["dipakai"]["alpha"] == pytest.approx(1.0)
    assert by_code["dipakai"]["kappa"] == {"ani/budi": pytest.approx(1.0)}


def test_report_three_coders_pairs_sorted_and_missing_data() -> None:
    s1 = Source(G(1), "W1", "wawancara", "a\n\nb\n\nc")
    s2 = Source(G(2), "W2", "wawancara", "d\n\ne")
    code = Code(G(10), "saran")
    codings = (
        Coding(G(100), s1.guid, 0, 1, code.guid, "citra"),
        Coding(G(101), s1.guid, 0, 1, code.guid, "ani"),
        Coding(G(102), s1.guid, 3, 4, code.guid, "budi"),
        Coding(G(103), s2.guid, 0, 1, code.guid, "ani"),
        Coding(G(104), s2.guid, 0, 1, code.guid, "budi"),
        # citra did not code s2: missing for its units
    )
    (row,) = agreement_report(Project(codes=(code,), sources=(s1, s2), codings=codings), digits=4)
    assert list(row["kappa"]) == ["ani/budi", "ani/citra", "budi/citra"]
    ani = [1, 0, 0, 1, 0]
    budi = [0, 1, 0, 1, 0]
    citra = [1, 0, 0, None, None]
    assert row["unit"] == 5
    assert row["kappa"]["ani/citra"] == pytest.approx(1.0)
    assert row["kappa"]["ani/budi"] == pytest.approx(round(cohen_kappa_score(ani, budi), 4))
    assert row["alpha"] == pytest.approx(round(_package_alpha([ani, budi, citra]), 4))
    assert row["persen_setuju"] == pytest.approx(round(100 * 7 / 11, 4))


def test_report_with_one_coder_has_nothing_to_compare() -> None:
    s = Source(G(1), "W1", "wawancara", "a\n\nb")
    code = Code(G(10), "saran")
    not_codable = Code(G(11), "Dimensi", codable=False)
    report = agreement_report(
        Project(codes=(code, not_codable), sources=(s,), codings=(Coding(G(100), s.guid, 0, 1, code.guid, "ani"),))
    )
    assert report == [{"kode": "saran", "unit": 0, "alpha": None, "persen_setuju": None, "kappa": {}}]
