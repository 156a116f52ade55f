"""Framework files: shipped ones load as indicators.md describes them; bad files are reported with
file, line and measure; an office's own files in the data folder are picked up."""

from __future__ import annotations

import dataclasses

import pytest

from kinerja.indicators import definitions as defs
from kinerja.indicators import frameworks
from kinerja.indicators.frameworks import FrameworkError, load_all, load_file, loads

SHIPPED = {"dwiyanto", "nasucha", "spm", "sakip", "individu"}


@pytest.fixture
def empty_dir(tmp_path):
    d = tmp_path / "none"
    d.mkdir()
    return d


def test_every_shipped_framework_loads(empty_dir):
    found = load_all(empty_dir)
    assert set(found) == SHIPPED
    for fw in found.values():
        assert fw.dimensions and fw.name("id") and fw.name("en")
        for mid in fw.measure_ids():
            assert mid in defs.MEASURES
    assert frameworks.get(None, empty_dir).id == "dwiyanto"


def test_dwiyanto_is_as_specified(empty_dir):
    fw = frameworks.get("dwiyanto", empty_dir)
    assert [(d.name_id, d.measures) for d in fw.dimensions] == [
        ("Produktivitas", ("tingkat_penyelesaian", "kasus_selesai_per_peksos", "biaya_per_kasus_selesai",
                           "pertumbuhan_penyelesaian")),
        ("Kualitas layanan", ("ikm", "rasio_peksos_bersertifikat", "pengaduan_per_100_kasus")),
        ("Responsivitas", ("waktu_respon_median_jam", "respon_tepat_waktu", "waktu_asesmen_median_hari",
                           "pengaduan_selesai_tepat_waktu")),
        ("Responsibilitas", ("kepatuhan_sop", "rencana_disetujui", "kelengkapan_dokumentasi")),
        ("Akuntabilitas", ("capaian_target", "realisasi_anggaran", "capaian_spm")),
    ]
    assert [(i.id, i.obstacle, i.measures) for i in fw.inhibitors] == [
        ("anggaran", "anggaran", ("kendala_anggaran", "biaya_per_kasus_selesai", "realisasi_anggaran")),
        ("komunikasi", "komunikasi", ("kendala_komunikasi", "waktu_tanggap_rujukan_median_jam",
                                      "rujukan_tanpa_respon")),
        ("sarana_prasarana", "sarana_prasarana", ("kendala_sarana_prasarana", "hunian_rumah_aman")),
        ("sdm", "sdm", ("kendala_sdm", "rasio_peksos_bersertifikat")),
    ]
    assert all(d.weight == 1 and d.weight_of(m) == 1 for d in fw.dimensions for m in d.measures)
    assert fw.direction("realisasi_anggaran") == "none"


def test_nasucha_reads_budget_realisation_as_lower_is_better(empty_dir):
    fw = frameworks.get("nasucha", empty_dir)
    assert [d.name_id for d in fw.dimensions] == ["Pelayanan", "Ekonomi", "Efisiensi", "Efektivitas", "Kesetaraan"]
    assert fw.direction("realisasi_anggaran") == "down"
    assert fw.direction("tingkat_penyelesaian") == "up"
    assert [d.measures for d in fw.dimensions] == [
        ("kasus_ditangani", "capaian_spm"), ("realisasi_anggaran",), ("biaya_per_kasus_selesai",),
        ("tingkat_penyelesaian", "capaian_target"), ("rasio_kesetaraan_respon",)]


def test_spm_and_sakip(empty_dir):
    spm = frameworks.get("spm", empty_dir)
    assert spm.dimensions[0].measures == ("capaian_spm",)
    assert len(spm.dimensions[1].measures) == 11
    assert all(not defs.get(m).core for m in spm.dimensions[1].measures)
    sakip = frameworks.get("sakip", empty_dir)
    assert sakip.dimensions[0].targeted and sakip.dimensions[0].measures == ()


def test_unknown_measure_names_file_line_and_measure(tmp_path):
    path = tmp_path / "rusak.toml"
    path.write_text(
        'id = "rusak"\n'
        'name_id = "Rusak"\n'
        "\n"
        "[[dimensions]]\n"
        'id = "satu"\n'
        'measures = ["tingkat_penyelesaian",\n'
        '            "kasus_hilang"]\n',
        encoding="utf-8",
    )
    with pytest.raises(FrameworkError) as err:
        load_file(path)
    assert str(err.value) == f"{path}:7: unknown measure 'kasus_hilang'"


@pytest.mark.parametrize("text, line, words", [
    ('id = "x"\nwarna = "merah"\n[[dimensions]]\nid = "a"\nmeasures = ["ikm"]\n', 2, "unknown key 'warna'"),
    ('id = "x"\n[directions]\nikm = "sideways"\n[[dimensions]]\nid = "a"\nmeasures = ["ikm"]\n', 3,
     "direction of 'ikm'"),
    ('id = "x"\n[directions]\nikm_lama = "up"\n[[dimensions]]\nid = "a"\nmeasures = ["ikm"]\n', 3,
     "unknown measure 'ikm_lama'"),
    ('id = "x"\n[[dimensions]]\nid = "a"\nmeasures = ["ikm"]\nweights = { ikm = 2, kepatuhan_sop = 1 }\n', 5,
     "not a measure of dimension 'a'"),
    ('id = "x"\n[[dimensions]]\nid = "a"\nmeasures = ["ikm"]\n[[inhibitors]]\nid = "b"\nobstacle = "cuaca"\n', 7,
     "unknown obstacle 'cuaca'"),
    ('id = "x"\n[[dimensions]]\nid = "a"\nmeasures = ["ikm"]\nbobot = 2\n', 5, "unknown key 'bobot'"),
])
def test_other_bad_files_name_the_line(tmp_path, text, line, words):
    path = tmp_path / "f.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as err:
        load_file(path)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert words in str(err.value)


def test_invalid_toml_and_empty_framework_name_the_file(tmp_path):
    path = tmp_path / "salah.toml"
    path.write_text('id = "x\n', encoding="utf-8")
    with pytest.raises(FrameworkError, match="salah.toml: not valid TOML"):
        load_file(path)
    path.write_text('id = "x"\n', encoding="utf-8")
    with pytest.raises(FrameworkError, match="at least one"):
        load_file(path)


def test_weights_rating_scale_and_defaults_from_text():
    fw = loads(
        'name_id = "Uji"\n'
        "[[dimensions]]\n"
        'id = "a"\n'
        "weight = 2\n"
        'measures = ["ikm", "kepatuhan_sop"]\n'
        "weights = { ikm = 3 }\n"
        "[[rating]]\nminimum = 80\ncode = \"baik\"\nname_en = \"Good\"\n"
        "[[rating]]\ncode = \"buruk\"\n",
        name="uji.toml",
    )
    assert fw.id == "uji" and fw.name("en") == "Uji"
    d = fw.dimensions[0]
    assert (d.weight, d.weight_of("ikm"), d.weight_of("kepatuhan_sop")) == (2.0, 3.0, 1.0)
    assert fw.scale.rate(80).code == "baik" and fw.scale.rate(10).code == "buruk"
    assert fw.scale.rate(80).label("id") == "baik" and fw.scale.rate(80).label("en") == "Good"


def test_user_framework_in_data_dir(settings, tmp_path):
    settings.KINERJA = dataclasses.replace(settings.KINERJA, data_dir=tmp_path)
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "kota.toml").write_text(
        'id = "kota"\nname_id = "Kerangka Kota"\nname_en = "City framework"\n'
        '[[dimensions]]\nid = "cepat"\nname_id = "Kecepatan"\nmeasures = ["waktu_respon_median_jam"]\n',
        encoding="utf-8",
    )
    # a user file with a shipped id replaces the shipped one
    (tmp_path / "frameworks" / "nasucha.toml").write_text(
        'id = "nasucha"\nname_id = "Nasucha versi kota"\n[[dimensions]]\nid = "a"\nmeasures = ["ikm"]\n',
        encoding="utf-8",
    )
    found = load_all()
    assert set(found) == SHIPPED | {"kota"}
    assert found["kota"].name("en") == "City framework"
    assert found["kota"].source == tmp_path / "frameworks" / "kota.toml"
    assert found["nasucha"].name("id") == "Nasucha versi kota"
    assert frameworks.get("kota").dimensions[0].name("id") == "Kecepatan"
    with pytest.raises(FrameworkError, match="unknown framework 'tidak_ada'"):
        frameworks.get("tidak_ada")
    (tmp_path / "frameworks" / "rusak.toml").write_text(
        '[[dimensions]]\nid = "a"\nmeasures = ["ikm", "xyz"]\n', encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"rusak\.toml:3: unknown measure 'xyz'"):
        load_all()


def test_every_shipped_framework_reports_the_four_inhibiting_factors():
    """The obstacles are recorded on actions whatever the framework: every framework shows them."""
    shipped = frameworks.load_all(extra_dir=frameworks.SHIPPED_DIR)
    assert {"dwiyanto", "nasucha", "spm", "sakip", "individu"} <= set(shipped)
    for fw in shipped.values():
        assert sorted(i.obstacle for i in fw.inhibitors) == sorted(defs.OBSTACLES), fw.id
        assert {f"kendala_{o}" for o in defs.OBSTACLES} <= set(fw.measure_ids()), fw.id
