"""The user documents in docs/ stay true to the code: every measure of definitions.py is described in
docs/measures.md with the same names, unit, direction and level (and nothing else is), and every
shipped framework is described in docs/frameworks.md with its dimensions and measures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kinerja.indicators import definitions as defs
from kinerja.indicators import frameworks
from kinerja.indicators.commands import level_text

ROOT = Path(__file__).resolve().parents[1]
MEASURES_MD = (ROOT / "docs" / "measures.md").read_text(encoding="utf-8")
FRAMEWORKS_MD = (ROOT / "docs" / "frameworks.md").read_text(encoding="utf-8")
DIRECTION = {defs.UP: "naik / up", defs.DOWN: "turun / down", defs.NONE: "-"}


def _expected_row(m: defs.Measure) -> list[str]:
    unit = m.unit_label("id") if m.unit_label("id") == m.unit_label("en") else f"{m.unit_label('id')} / {m.unit_label('en')}"
    return [f"`{m.id}`", m.name_id, m.name_en, unit, DIRECTION[m.direction], level_text(m, "id")]


def _summary_rows() -> list[list[str]]:
    section = MEASURES_MD.split("## Ringkasan / Summary", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| `")]
    return rows


def test_the_summary_table_is_the_measure_list_of_the_code():
    rows = _summary_rows()
    assert [r[0] for r in rows] == [f"`{mid}`" for mid in defs.ALL_IDS]  # every id, in order, none other
    for row, m in zip(rows, defs.MEASURES.values(), strict=True):
        assert row == _expected_row(m)


def test_every_measure_has_one_definition_and_every_definition_is_a_measure():
    headed = [mid for line in MEASURES_MD.splitlines() if line.startswith("### ")
              for mid in re.findall(r"`([a-z0-9_]+)`", line)]
    assert sorted(headed) == sorted(defs.ALL_IDS)
    assert len(headed) == len(set(headed))


def test_every_code_word_that_looks_like_a_measure_is_one():
    """A renamed measure leaves no stale id behind in the prose."""
    words = set(re.findall(r"`([a-z][a-z0-9_]+)`", MEASURES_MD))
    stems = ("kasus_", "tingkat_", "pertumbuhan_", "biaya_", "rasio_", "pengaduan_", "waktu_", "respon_",
             "kepatuhan_", "rencana_", "kelengkapan_", "realisasi_", "capaian_", "hunian_", "rujukan_",
             "kendala_", "durasi_", "anak_layanan_")
    looks_like = {w for w in words if w.startswith(stems)}
    assert looks_like <= set(defs.ALL_IDS), looks_like - set(defs.ALL_IDS)


def _sections() -> dict[str, str]:
    parts = re.split(r"^### `([a-z0-9_]+)`\s*$", FRAMEWORKS_MD, flags=re.M)
    return {parts[i]: parts[i + 1].split("\n## ", 1)[0] for i in range(1, len(parts), 2)}


SHIPPED = frameworks.load_all(extra_dir=Path("/nonexistent"))


def test_every_shipped_framework_is_documented_and_nothing_else():
    assert set(_sections()) == set(SHIPPED)
    assert {p.stem for p in frameworks.SHIPPED_DIR.glob("*.toml")} == set(SHIPPED)


@pytest.mark.parametrize("fid", sorted(SHIPPED))
def test_a_framework_section_names_its_dimensions_measures_and_factors(fid):
    fw = SHIPPED[fid]
    section = _sections()[fid]
    for d in fw.dimensions:
        assert f"| {d.name_id} / {d.name_en} |" in section, d.id
        row = next(line for line in section.splitlines() if line.startswith(f"| {d.name_id} / {d.name_en} |"))
        assert re.findall(r"`([a-z0-9_]+)`", row) == list(d.measures), d.id
    for i in fw.inhibitors:
        row = next(line for line in section.splitlines() if line.startswith(f"| {i.name_id} / {i.name_en} |"))
        assert f"`{i.obstacle}`" in row
        assert re.findall(r"`([a-z0-9_]+)`", row)[1:] == list(i.measures), i.id
    for mid, direction in fw.directions.items():
        assert f"`{mid}`" in section and ("lower is better" if direction == defs.DOWN else direction) in section


def test_the_example_framework_file_loads():
    example = re.search(r"```toml\n(.*?)```", FRAMEWORKS_MD, re.S)
    assert example is not None
    fw = frameworks.loads(example.group(1), "pemda.toml")
    assert fw.id == "pemda" and [d.id for d in fw.dimensions] == ["layanan", "perjanjian"]
    assert fw.dimensions[1].targeted and fw.direction("realisasi_anggaran") == defs.DOWN
    assert [b.code for b in fw.scale.bands] == ["A", "B"]


def test_readme_links_the_user_documents():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documentation = readme.split("## Documentation", 1)[1].split("\n## ", 1)[0]
    for name in ("measures.md", "frameworks.md", "import-format.md", "refi-qda.md", "security.md"):
        assert f"(docs/{name})" in documentation, name
    for name in ("measures.md", "frameworks.md"):
        assert (ROOT / "docs" / name).is_file()
