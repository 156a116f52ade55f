"""Synthetic datasets in the import format (docs/import-format.md), for demos, tests and benchmarks.

Why it exists: real case records are special personal data and may never leave the office, yet the
register, the indicators and the importer need realistic data to be shown, tested and measured on.
Everything here is invented and marked "(sintetis)"; nothing is derived from any real child.

Design constraints:
- deterministic: one `random.Random` per section seeded from a string (SHA-512 seeding, so neither
  PYTHONHASHSEED nor the clock matters) -> the same seed gives byte-identical files;
- streaming: each case, with its actions and referrals, is written as soon as it is made; only
  per-section and per-year counters are kept, so a million cases need no more memory than a thousand;
- plain Python (no Django), so `kinerja generate` and the benchmarks run without a database.

Unit 1 is Pekanbaru-like (kode wilayah 14.71) and tells the story of the case study: tens of cases
a year, more of them resolved every year, held back mostly by budget, communication and facilities.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
import random
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kinerja import vocab
from kinerja.register.tabular import tables

__all__ = ["COLUMNS", "TARGET_MEASURES", "Stats", "demo_dataset", "generate"]

# -- the import format ---------------------------------------------------------------------------
# The order in which this module writes each table's cells (the format lets columns come in any order);
# checked against kinerja.register.tabular.tables, the one definition of the format, when this module is imported.
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("kode_unit", "nama", "induk", "kode_wilayah"),
    "pegawai": ("username", "nama", "kode_unit", "peran"),
    "kasus": ("kode_unit", "nomor_kasus", "kode_anak", "nama_anak", "nik", "jenis_kelamin", "tanggal_lahir",
              "usia", "disabilitas", "kecamatan", "kategori", "sumber_rujukan", "tingkat_risiko",
              "dilaporkan_pada", "peksos", "persetujuan", "ditutup_pada", "alasan_penutupan"),
    "tindakan": ("kode_unit", "nomor_kasus", "tahap", "layanan", "waktu", "petugas", "biaya", "disetujui_oleh",
                 "disetujui_pada", "kendala", "catatan"),
    "rujukan": ("kode_unit", "nomor_kasus", "mitra", "dikirim_pada", "diterima_pada", "hasil"),
    "survei": ("kode_unit", "tanggal", "jenis_responden", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"),
    "pengaduan": ("kode_unit", "diterima_pada", "diselesaikan_pada", "kanal", "pokok"),
    "anggaran": ("kode_unit", "tahun", "kegiatan", "pagu", "realisasi"),
    "sdm": ("kode_unit", "tahun", "peksos", "peksos_bersertifikat"),
    "sarana": ("kode_unit", "tahun", "kapasitas_rumah_aman", "hari_rawat", "kendaraan"),
    "target": ("kode_unit", "tahun", "indikator", "target", "username"),
}

if {name: set(cols) for name, cols in COLUMNS.items()} != {t.name: set(t.names) for t in tables.ORDER}:
    raise AssertionError("generator columns differ from kinerja.register.tabular.tables")

# Measure ids of indicators.md that get a yearly target (Perjanjian Kinerja) for each section.
TARGET_MEASURES: tuple[str, ...] = (
    "kasus_selesai", "tingkat_penyelesaian", "respon_tepat_waktu", "waktu_respon_median_jam",
    "waktu_asesmen_median_hari", "ikm", "capaian_spm", "realisasi_anggaran", "kepatuhan_sop",
    "rencana_disetujui", "kelengkapan_dokumentasi", "pengaduan_selesai_tepat_waktu", "rujukan_tanpa_respon",
    "rasio_peksos_bersertifikat", "kasus_selesai_per_peksos",
)

SLA_HOURS = {"tinggi": 24}  # others: 72, as the default of indicators.md
SLA_OTHER_HOURS = 72
STORY_REGION = "14.71"


# -- result ---------------------------------------------------------------------------------------
@dataclass
class Stats:
    """Row counts per table, and the resolved cases per year of the story section."""

    out_dir: Path
    seed: int
    years: tuple[int, int]
    counts: dict[str, int] = field(default_factory=lambda: {t: 0 for t in COLUMNS})
    story_unit: str = ""
    resolved_by_year: dict[int, int] = field(default_factory=dict)

    def __getitem__(self, table: str) -> int:
        return self.counts[table]

    def __str__(self) -> str:
        lines = [f"Data sintetis / synthetic data (seed {self.seed}, {self.years[0]}-{self.years[1]}) -> {self.out_dir}"]
        lines.append("  " + ", ".join(f"{t} {n:,}" for t, n in self.counts.items()))
        if self.story_unit:
            per_year = ", ".join(f"{y}: {n}" for y, n in sorted(self.resolved_by_year.items()))
            lines.append(f"  kasus selesai per tahun / resolved per year ({self.story_unit}): {per_year}")
        return "\n".join(lines)


# -- public API -----------------------------------------------------------------------------------
def generate(out_dir: Path, units: int, years: tuple[int, int], cases: int, seed: int,
             extra_services: int = 0) -> Stats:
    """Write `cases` cases spread over `units` sections (each with its Dinas and Bidang) and the
    inclusive range `years`, with every other table, into out_dir. Unit 1 is Pekanbaru-like.
    `extra_services` adds that many intervention services to every case that reaches intervention
    (a heavier action load for benchmarks: 4 turns about 7 actions per case into about 10)."""
    first, last = years
    if units < 1 or cases < 0 or last < first:
        raise ValueError("units >= 1, cases >= 0 and a year range first <= last are needed")
    plan = random.Random(f"kinerja-generator:{seed}:plan")
    regions = _regions()
    sizes = [1.0] + [math.exp(plan.gauss(0.0, 0.6)) for _ in range(units - 1)]
    per_unit = _apportion(cases, sizes)
    sections: list[_Section] = []
    for i in range(units):
        region = next(regions)
        growth = 0.12 if i == 0 else plan.uniform(-0.03, 0.12)
        per_year = _apportion(per_unit[i], [1.0 + growth * k for k in range(last - first + 1)])
        sections.append(_Section(i + 1, region, tuple(per_year), story=(i == 0)))
    params = f"units={units} cases={cases}" + (f" extra_services={extra_services}" if extra_services else "")
    return _write(Path(out_dir), sections, years, seed, params=params, extra_services=extra_services)


def demo_dataset(out_dir: Path, seed: int = 2016) -> Stats:
    """The built-in sample: one Pekanbaru-like section, 2016-2025, from 40 to 90 cases a year."""
    years = (2016, 2025)
    counts = tuple(round(40 + 50 * k / 9) for k in range(10))
    section = _Section(1, STORY_REGION, counts, story=True)
    return _write(Path(out_dir), [section], years, seed, params="demo_dataset")


# -- plan -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Section:
    index: int
    region: str
    cases_per_year: tuple[int, ...]
    story: bool

    @property
    def code(self) -> str:
        return f"{self.region}-RESOS-ANAK"


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split total into integers proportional to weights (largest remainder; ties by position)."""
    s = sum(weights)
    if total == 0 or s <= 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


_PROVINCES = ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
              "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
              "91", "92", "94", "95", "96", "97")
# per province: a city (71..99) before every three regencies (01..69)
_NUMBERS = tuple(n for k in range(29) for n in (71 + k, 3 * k + 1, 3 * k + 2, 3 * k + 3) if n <= 69 or n == 71 + k)


def _regions() -> Iterator[str]:
    """Plausible kode wilayah (province.regency, cities from 71): 14.71 first, then round-robin."""
    yield STORY_REGION
    for number in _NUMBERS:
        for province in _PROVINCES:
            code = f"{province}.{number:02d}"
            if code != STORY_REGION:
                yield code
    raise ValueError("more units than plausible region codes")


# -- vocabulary weights -------------------------------------------------------------------------------
class _Table:
    """A weighted choice table, drawn with one random() and a bisect (fast and deterministic)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, weights: Mapping[str, float]):
        self.items = tuple(weights)
        acc, cum = 0.0, []
        for w in weights.values():
            acc += w
            cum.append(acc)
        self.cum, self.total = tuple(cum), acc

    def __call__(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _check(v: vocab.Vocabulary, weights: Mapping[str, float]) -> _Table:
    unknown = [c for c in weights if c not in v]
    if unknown:
        raise AssertionError(f"{v.name}: {unknown}")
    return _Table(weights)


KATEGORI_W = _check(vocab.KATEGORI, {"eksploitasi_ekonomi": 28, "anak_jalanan": 22, "kekerasan": 21,
                                     "eksploitasi_seksual": 14, "perdagangan_anak": 6, "lainnya": 9})
_SOURCES = {
    "eksploitasi_ekonomi": {"laporan_masyarakat": 30, "penjangkauan": 30, "kepolisian": 8, "uptd_ppa": 6,
                            "sekolah": 10, "layanan_pengaduan": 8, "fasilitas_kesehatan": 2, "lainnya": 6},
    "anak_jalanan": {"penjangkauan": 55, "laporan_masyarakat": 25, "kepolisian": 5, "layanan_pengaduan": 7,
                     "sekolah": 2, "lainnya": 6},
    "kekerasan": {"laporan_masyarakat": 28, "kepolisian": 18, "uptd_ppa": 18, "sekolah": 12,
                  "fasilitas_kesehatan": 12, "layanan_pengaduan": 8, "lainnya": 4},
    "eksploitasi_seksual": {"kepolisian": 40, "uptd_ppa": 20, "laporan_masyarakat": 18, "penjangkauan": 8,
                            "fasilitas_kesehatan": 6, "layanan_pengaduan": 5, "lainnya": 3},
    "perdagangan_anak": {"kepolisian": 55, "uptd_ppa": 20, "laporan_masyarakat": 15, "layanan_pengaduan": 5,
                         "lainnya": 5},
    "lainnya": {"laporan_masyarakat": 35, "penjangkauan": 15, "sekolah": 12, "fasilitas_kesehatan": 12,
                "uptd_ppa": 8, "kepolisian": 5, "layanan_pengaduan": 5, "lainnya": 8},
}
SUMBER_W = {k: _check(vocab.SUMBER_RUJUKAN, w) for k, w in _SOURCES.items()}
RISIKO_W = {k: _check(vocab.TINGKAT_RISIKO, w) for k, w in {
    "eksploitasi_ekonomi": {"tinggi": 20, "sedang": 55, "rendah": 25},
    "anak_jalanan": {"tinggi": 12, "sedang": 50, "rendah": 38},
    "kekerasan": {"tinggi": 45, "sedang": 40, "rendah": 15},
    "eksploitasi_seksual": {"tinggi": 75, "sedang": 22, "rendah": 3},
    "perdagangan_anak": {"tinggi": 85, "sedang": 15},
    "lainnya": {"tinggi": 10, "sedang": 45, "rendah": 45},
}.items()}
GIRL_SHARE = {"eksploitasi_ekonomi": 0.4, "anak_jalanan": 0.3, "kekerasan": 0.55, "eksploitasi_seksual": 0.82,
              "perdagangan_anak": 0.65, "lainnya": 0.5}
AGE_RANGE = {"eksploitasi_ekonomi": (8, 17), "anak_jalanan": (6, 16), "kekerasan": (4, 17),
             "eksploitasi_seksual": (12, 17), "perdagangan_anak": (11, 17), "lainnya": (3, 17)}

_SERVICE_BASE = {"permakanan": 14, "bimbingan_fisik_mental_sosial": 14, "bimbingan_sosial_keluarga": 10,
                 "sandang": 7, "perbekalan_kesehatan": 6, "akses_pendidikan_kesehatan": 7, "fasilitasi_dokumen": 5,
                 "penelusuran_keluarga": 5, "rujukan": 4, "reunifikasi_reintegrasi": 3, "alat_bantu": 1,
                 "dukungan_psikososial": 8, "rumah_aman": 4, "pendampingan_hukum": 3, "vokasional": 3}
_SERVICE_BOOST: dict[str, dict[str, float]] = {
    "eksploitasi_seksual": {"rumah_aman": 3, "dukungan_psikososial": 2, "pendampingan_hukum": 2},
    "perdagangan_anak": {"rumah_aman": 3, "pendampingan_hukum": 3, "penelusuran_keluarga": 2, "fasilitasi_dokumen": 2},
    "anak_jalanan": {"permakanan": 1.5, "sandang": 2, "akses_pendidikan_kesehatan": 1.5, "vokasional": 1.5},
    "eksploitasi_ekonomi": {"akses_pendidikan_kesehatan": 2, "vokasional": 2},
    "kekerasan": {"dukungan_psikososial": 2, "perbekalan_kesehatan": 2, "pendampingan_hukum": 1.5},
    "lainnya": {},
}
LAYANAN_W = {k: _check(vocab.LAYANAN, {s: w * boost.get(s, 1) for s, w in _SERVICE_BASE.items()})
             for k, boost in _SERVICE_BOOST.items()}
REINTEGRASI_W = _Table({"reunifikasi_reintegrasi": 60, "penelusuran_keluarga": 20, "bimbingan_sosial_keluarga": 10,
                        "": 10})
LANJUT_W = _Table({"bimbingan_sosial_keluarga": 40, "akses_pendidikan_kesehatan": 20, "vokasional": 10,
                   "bimbingan_fisik_mental_sosial": 10, "": 20})
COST_RANGE = {"permakanan": (150_000, 1_500_000), "sandang": (150_000, 600_000), "alat_bantu": (500_000, 3_000_000),
              "perbekalan_kesehatan": (100_000, 750_000), "bimbingan_fisik_mental_sosial": (50_000, 500_000),
              "bimbingan_sosial_keluarga": (50_000, 400_000), "fasilitasi_dokumen": (20_000, 150_000),
              "akses_pendidikan_kesehatan": (100_000, 2_000_000), "penelusuran_keluarga": (100_000, 1_500_000),
              "reunifikasi_reintegrasi": (200_000, 3_000_000), "rujukan": (50_000, 500_000),
              "dukungan_psikososial": (50_000, 750_000), "pendampingan_hukum": (100_000, 1_000_000),
              "rumah_aman": (300_000, 4_500_000), "vokasional": (500_000, 3_500_000)}
if set(COST_RANGE) != set(vocab.LAYANAN.codes) or set(_SERVICE_BASE) != set(vocab.LAYANAN.codes):
    raise AssertionError("every service needs a weight and a cost range")

# Obstacles by stage: budget, communication and facilities lead; staff comes clearly after them.
KENDALA_W = {k: _check(vocab.KENDALA, w) for k, w in {
    "pendekatan_awal": {"sarana_prasarana": 35, "komunikasi": 30, "anggaran": 20, "sdm": 10, "lainnya": 5},
    "asesmen": {"komunikasi": 35, "sarana_prasarana": 20, "sdm": 18, "anggaran": 15, "lainnya": 12},
    "rencana_intervensi": {"anggaran": 40, "komunikasi": 30, "sdm": 12, "sarana_prasarana": 12, "lainnya": 6},
    "intervensi": {"anggaran": 42, "sarana_prasarana": 28, "komunikasi": 18, "sdm": 7, "lainnya": 5},
    "reintegrasi": {"komunikasi": 40, "anggaran": 30, "sarana_prasarana": 15, "sdm": 10, "lainnya": 5},
    "terminasi": {"komunikasi": 32, "anggaran": 25, "sdm": 18, "sarana_prasarana": 10, "lainnya": 15},
    "bimbingan_lanjut": {"anggaran": 35, "komunikasi": 30, "sarana_prasarana": 20, "sdm": 10, "lainnya": 5},
}.items()}
MITRA_W = {k: _check(vocab.MITRA, w) for k, w in {
    "eksploitasi_seksual": {"kepolisian": 30, "uptd_ppa": 25, "rumah_sakit": 20, "panti_provinsi": 10, "lksa": 5,
                            "dukcapil": 5, "lainnya": 5},
    "perdagangan_anak": {"kepolisian": 35, "uptd_ppa": 20, "panti_provinsi": 15, "dukcapil": 15, "rumah_sakit": 5,
                         "lainnya": 10},
    "kekerasan": {"kepolisian": 25, "uptd_ppa": 25, "rumah_sakit": 30, "lksa": 10, "lainnya": 10},
    "anak_jalanan": {"lksa": 30, "dinas_pendidikan": 25, "panti_provinsi": 15, "dukcapil": 20, "lainnya": 10},
    "eksploitasi_ekonomi": {"dinas_pendidikan": 35, "lksa": 25, "dukcapil": 20, "uptd_ppa": 10, "lainnya": 10},
    "lainnya": {"rumah_sakit": 20, "lksa": 20, "dukcapil": 20, "dinas_pendidikan": 20, "lainnya": 20},
}.items()}
REFERRAL_P = {"eksploitasi_seksual": 0.6, "perdagangan_anak": 0.8, "kekerasan": 0.5, "anak_jalanan": 0.25,
              "eksploitasi_ekonomi": 0.25, "lainnya": 0.2}
UNRESOLVED_W = _check(vocab.ALASAN_PENUTUPAN, {"hilang_kontak": 55, "pindah_wilayah": 26, "lainnya": 17,
                                                "meninggal": 2})
RESPONDEN_W = _check(vocab.JENIS_RESPONDEN, {"keluarga": 65, "mitra": 25, "anak": 10})
KANAL_W = _check(vocab.KANAL_PENGADUAN, {"whatsapp": 30, "telepon": 25, "langsung": 20, "sp4n_lapor": 12,
                                          "surat": 8, "lainnya": 5})
HOUR_W = _Table({str(h): w for h, w in enumerate(
    (1, 1, 1, 1, 1, 2, 3, 6, 10, 11, 11, 10, 8, 10, 10, 9, 7, 6, 5, 5, 4, 3, 2, 1))})
# resolved reasons by (trafficking or sexual exploitation, aged 16 or more)
RESOLVED_W = {(special, adult): _check(vocab.ALASAN_PENUTUPAN, {
    "reunifikasi_keluarga": 45, "tujuan_tercapai": 25, "dirujuk_lembaga": 22 + (15 if special else 0),
    "mandiri_dewasa": 10 if adult else 0}) for special in (False, True) for adult in (False, True)}

POKOK = ("Keterlambatan penjangkauan", "Perkembangan kasus tidak diinformasikan", "Sikap petugas",
         "Prosedur rujukan berbelit", "Layanan rumah aman", "Jadwal kunjungan berubah",
         "Permintaan pendampingan hukum", "Informasi persyaratan layanan")
KEGIATAN = (("Penjangkauan dan respon kasus anak", 0.22), ("Rehabilitasi sosial anak di rumah aman", 0.26),
            ("Pemenuhan kebutuhan dasar anak", 0.24), ("Bimbingan dan pelatihan vokasional anak", 0.14),
            ("Koordinasi dan rujukan lintas sektor", 0.14))

# -- names -------------------------------------------------------------------------------------------
_GIVEN_L = ("Ahmad", "Budi", "Dedi", "Fajar", "Hendra", "Joko", "Rizki", "Rudi", "Agus", "Andi", "Bayu", "Dimas",
            "Eko", "Fauzi", "Gilang", "Hadi", "Iqbal", "Rahmat", "Wahyu", "Yusuf", "Arif", "Doni", "Ilham", "Reza")
_GIVEN_P = ("Ayu", "Dewi", "Fitri", "Indah", "Lestari", "Nur", "Putri", "Rina", "Sari", "Siti", "Wulan", "Yuni",
            "Intan", "Mega", "Nadia", "Rani", "Tari", "Ratna", "Dinda", "Aulia", "Salsa", "Citra", "Anisa", "Lia")
_SYL = ("ra", "di", "wa", "ti", "ka", "ma", "ni", "sa", "pu", "tra", "har", "dar", "sya", "fi", "la", "yan", "to",
        "no", "su", "ri", "ha", "ba", "gus", "se", "mi", "ju", "lan", "dan", "ar", "in")
_END_L = ("wan", "to", "di", "man", "ri", "yanto", "ansyah")
_END_P = ("wati", "ni", "sih", "yanti", "ah", "ningsih", "sari")
_PLACE_A = ("Suka", "Bukit", "Tanjung", "Sungai", "Teluk", "Pasir", "Koto", "Lubuk", "Tebing", "Padang", "Air",
            "Batu", "Sei", "Muara", "Rimbo", "Simpang")
_PLACE_B = ("Jaya", "Makmur", "Baru", "Indah", "Raya", "Sari", "Mulya", "Tinggi", "Panjang", "Putih", "Hijau",
            "Damai", "Permai", "Harapan", "Sentosa", "Rejo")
_PEKANBARU_KECAMATAN = ("Sukajadi", "Senapelan", "Pekanbaru Kota", "Sail", "Lima Puluh", "Bukit Raya",
                        "Marpoyan Damai", "Tenayan Raya", "Payung Sekaki", "Tampan", "Rumbai", "Rumbai Pesisir")


def _person(rng: random.Random, girl: bool) -> str:
    given = rng.choice(_GIVEN_P if girl else _GIVEN_L)
    if rng.random() < 0.2:
        return given
    stem = "".join(rng.choice(_SYL) for _ in range(rng.randint(1, 2)))
    return f"{given} {stem.capitalize()}{rng.choice(_END_P if girl else _END_L)}"


def _place(rng: random.Random) -> str:
    return f"{rng.choice(_PLACE_A)} {rng.choice(_PLACE_B)}"


# -- notes (catatan) ------------------------------------------------------------------------------------
_TEMPAT = ("persimpangan jalan", "pasar", "terminal", "rumah keluarga", "kantor polisi", "warung internet",
           "rumah kos", "pelabuhan", "sekolah")
_NOTES = {
    "pendekatan_awal": ("Anak dijangkau di {t} bersama petugas setempat.", "Laporan dicek lewat telepon, tim turun ke {t}.",
                        "Anak dijemput dari {t} dan dibawa ke kantor.", "Kontak pertama dengan keluarga di {t}."),
    "asesmen": ("Asesmen awal: kebutuhan dasar dan kondisi psikologis dicatat.",
                "Wawancara dengan anak dan keluarga; anak mau bercerita.",
                "Asesmen lanjutan menunggu hasil pemeriksaan kesehatan.", "Genogram keluarga disusun."),
    "rencana_intervensi": ("Rencana disusun bersama keluarga.", "Rencana memuat layanan dasar, pendampingan dan rujukan.",
                           "Rencana diajukan ke kepala seksi."),
    "intervensi": ("Layanan diberikan sesuai rencana.", "Anak mengikuti bimbingan kelompok; kehadiran baik.",
                   "Kunjungan rumah; orang tua mendukung.", "Anak kembali mengikuti kegiatan belajar."),
    "reintegrasi": ("Anak dipulangkan ke keluarga didampingi petugas.", "Kunjungan rumah untuk persiapan keluarga.",
                    "Keluarga besar bersedia menerima anak."),
    "terminasi": ("Tujuan rencana tercapai; kasus diusulkan ditutup.", "Evaluasi akhir bersama keluarga.",
                  "Keluarga tidak dapat dihubungi lagi; kasus diusulkan ditutup."),
    "bimbingan_lanjut": ("Kunjungan pemantauan; anak kembali bersekolah.", "Pemantauan lewat telepon; kondisi stabil.",
                         "Keluarga diarahkan ke program bantuan sosial."),
}
_KENDALA_NOTES = {
    "anggaran": ("Dana operasional belum cair; layanan menunggu anggaran.",
                 "Biaya transportasi sementara ditalangi petugas.", "Pagu kegiatan habis sebelum akhir tahun."),
    "komunikasi": ("Koordinasi dengan mitra belum tersambung; surat belum dibalas.",
                   "Informasi dari pelapor tidak lengkap, perlu konfirmasi ulang.",
                   "Jadwal dengan instansi lain berbenturan."),
    "sarana_prasarana": ("Kendaraan operasional dipakai kegiatan lain.", "Rumah aman penuh, anak dititipkan sementara.",
                         "Ruang konseling belum tersedia."),
    "sdm": ("Petugas menangani banyak kasus; kunjungan dijadwalkan ulang.", "Belum ada psikolog pendamping."),
    "lainnya": ("Cuaca buruk, kunjungan ditunda.", "Anak sakit, kegiatan ditunda."),
}


def _note(rng: random.Random, stage: str, kendala: str) -> str:
    if kendala:
        text = rng.choice(_KENDALA_NOTES[kendala])
    else:
        text = rng.choice(_NOTES[stage]).replace("{t}", rng.choice(_TEMPAT))
    return "(sintetis) " + text


# -- output ------------------------------------------------------------------------------------------
class _Out:
    """The eleven CSV files, open together so each row is written the moment it is made.
    With no folder it only counts (used to try a section's story before writing it)."""

    def __init__(self, out_dir: Path | None):
        self.counts = {t: 0 for t in COLUMNS}
        self._files: list[TextIO] = []
        self._writers: dict[str, Any] = {}
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            for table, cols in COLUMNS.items():
                fh = open(out_dir / f"{table}.csv", "w", encoding="utf-8", newline="")
                self._files.append(fh)
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(cols)
                self._writers[table] = w

    def row(self, table: str, values: Sequence[object]) -> None:
        self.counts[table] += 1
        w = self._writers.get(table)
        if w is not None:
            w.writerow(values)

    def close(self) -> None:
        for fh in self._files:
            fh.close()


def _t(value: dt.datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="minutes")


def _num(x: float) -> str:
    return f"{round(x, 1):g}"


@dataclass
class _Child:
    key: str
    name: str
    nik: str
    girl: bool
    birth: dt.date
    birth_known: bool
    disability: bool
    kecamatan: str
    last_seen: dt.datetime


@dataclass
class _Case:
    """One case while it is being made (a handful of actions; written and dropped at once)."""

    number: str
    child: _Child
    category: str
    source: str
    risk: str
    reported: dt.datetime
    worker: str
    consent: bool
    closed: dt.datetime | None = None
    reason: str = ""
    actions: list[tuple[Any, ...]] = field(default_factory=list)
    referrals: list[tuple[Any, ...]] = field(default_factory=list)


# -- a section ----------------------------------------------------------------------------------------
class _SectionWriter:
    """Writes one section (with its Dinas and Bidang) year by year; holds only O(staff) state and a
    short ring of recent children (a child may come back with a new case)."""

    def __init__(self, section: _Section, years: tuple[int, int], seed: int, attempt: int, out: _Out,
                 extra_services: int = 0):
        self.s = section
        self.extra_services = extra_services
        self.first, self.last = years
        self.end = dt.datetime(self.last + 1, 1, 1)
        self.out = out
        # names and the unit tree do not depend on the attempt: a retried story keeps its people
        names = random.Random(f"kinerja-generator:{seed}:names:{section.index}")
        self.rng = random.Random(f"kinerja-generator:{seed}:unit:{section.index}:{attempt}")
        self.region_digits = section.region.replace(".", "")
        if section.region == STORY_REGION:
            self.city = "Kota Pekanbaru"
            self.kecamatan: tuple[str, ...] = _PEKANBARU_KECAMATAN
        else:
            kind = "Kota" if int(section.region.split(".")[1]) >= 71 else "Kabupaten"
            self.city = f"{kind} {''.join(names.choice(_SYL) for _ in range(3)).capitalize()}"
            self.kecamatan = tuple(dict.fromkeys(_place(names) for _ in range(names.randint(6, 14))))
        busiest = max(section.cases_per_year, default=0)
        n_workers = max(2, min(60, round(busiest / 25)))
        suffix = self.region_digits
        self.workers = [f"peksos{i + 1:02d}.{suffix}" for i in range(n_workers)]
        self.kasi = f"kasi.{suffix}"
        self.staff = [(w, _person(names, names.random() < 0.5), "seksi", "pekerja_sosial") for w in self.workers]
        self.staff += [(self.kasi, _person(names, names.random() < 0.5), "seksi", "kepala_seksi"),
                       (f"kabid.{suffix}", _person(names, names.random() < 0.5), "bidang", "pimpinan"),
                       (f"evaluator.{suffix}", _person(names, names.random() < 0.5), "dinas", "evaluator"),
                       (f"admin.{suffix}", _person(names, names.random() < 0.5), "dinas", "admin")]
        self.size = names.uniform(0.8, 1.2)
        # year profile: the story section improves steadily; others drift either way
        if section.story:
            self.res0, self.res1 = 0.52, 0.88
            self.delay0, self.delay1 = 1.25, 0.8
        else:
            self.res0 = names.uniform(0.5, 0.75)
            self.res1 = min(0.9, max(0.4, self.res0 + names.uniform(-0.1, 0.22)))
            self.delay0 = names.uniform(0.9, 1.4)
            self.delay1 = self.delay0 * names.uniform(0.6, 1.1)
        self.recent: deque[_Child] = deque(maxlen=256)
        self.n_children = 0
        self.resolved_by_year = {y: 0 for y in range(self.first, self.last + 1)}

    # -- tree and staff ----------------------------------------------------------------------------
    def write_tree(self) -> None:
        r = self.s.region
        codes = {"dinas": f"{r}-DINSOS", "bidang": f"{r}-RESOS", "seksi": self.s.code}
        self.out.row("unit", (codes["dinas"], f"Dinas Sosial {self.city} (sintetis)", "", r))
        self.out.row("unit", (codes["bidang"], f"Bidang Rehabilitasi Sosial {self.city} (sintetis)", codes["dinas"], r))
        self.out.row("unit", (codes["seksi"], f"Seksi Rehabilitasi Sosial Anak {self.city} (sintetis)",
                              codes["bidang"], r))
        for username, name, level, role in self.staff:
            self.out.row("pegawai", (username, name, codes[level], role))

    # -- years --------------------------------------------------------------------------------------
    def _progress(self, year: int) -> float:
        return (year - self.first) / max(1, self.last - self.first)

    def write_year(self, year: int) -> None:
        n = self.s.cases_per_year[year - self.first]
        start = dt.datetime(year, 1, 1)
        days = (dt.datetime(year + 1, 1, 1) - start).days
        rng = self.rng
        progress = self._progress(year)
        p_resolved = self.res0 + (self.res1 - self.res0) * progress
        # exactly round(p * n) of the year's cases are meant to end resolved, chosen by selection
        # sampling (Knuth's algorithm S): the yearly share is exact without holding the year in memory
        quota = round(p_resolved * n)
        cur = 1.0
        for i in range(n, 0, -1):  # ascending sorted uniforms, one at a time (no list of n)
            cur *= (1.0 - rng.random()) ** (1.0 / i)
            day = min(days - 1, int((1.0 - cur) * days))
            reported = start + dt.timedelta(days=day, hours=int(HOUR_W(rng)), minutes=rng.randrange(60))
            resolve = rng.random() * i < quota
            quota -= resolve
            self._case(year, n - i + 1, reported, resolve, p_resolved)
        self._yearly(year, n)

    def _child(self, category: str, reported: dt.datetime) -> _Child:
        rng = self.rng
        if self.recent and rng.random() < 0.07:
            c = self.recent[rng.randrange(len(self.recent))]
            if _age(c.birth, reported.date()) < 18 and (reported - c.last_seen).days >= 90:
                c.last_seen = reported  # the same child reported again, months later
                return c
        self.n_children += 1
        girl = rng.random() < GIRL_SHARE[category]
        lo, hi = AGE_RANGE[category]
        age = rng.randint(lo, hi)
        birth = reported.date() - dt.timedelta(days=age * 365 + rng.randrange(1, 360))
        birth_known = rng.random() < 0.78
        nik = ""
        if birth_known and rng.random() < 0.35 + 0.45 * self._progress(reported.year):
            kec = rng.randint(1, min(99, len(self.kecamatan)))
            nik = (f"{self.region_digits}{kec:02d}{birth.day + (40 if girl else 0):02d}{birth.month:02d}"
                   f"{birth.year % 100:02d}{rng.randint(1, 9999):04d}")
        name = _person(rng, girl) if rng.random() < 0.88 else ""
        child = _Child(f"ANK-{self.n_children:05d}", name, nik, girl, birth, birth_known, rng.random() < 0.06,
                       rng.choice(self.kecamatan), reported)
        if birth_known:  # only these may come back: the usia column of a later case would differ
            self.recent.append(child)
        return child

    def _delay(self, median_hours: float, sigma: float) -> dt.timedelta:
        minutes = median_hours * 60.0 * math.exp(self.rng.gauss(0.0, sigma))
        return dt.timedelta(minutes=max(1, min(int(minutes), 400 * 24 * 60)))

    def _kendala(self, stage: str, p: float) -> str:
        return KENDALA_W[stage](self.rng) if self.rng.random() < p else ""

    def _case(self, year: int, seq: int, reported: dt.datetime, resolve: bool, p_resolved: float) -> None:
        """One case through the stages of Permensos 9/2015, with the slips real registers show:
        late or missing first responses, missing or out-of-order steps, unapproved plans."""
        rng, end = self.rng, self.end
        progress = self._progress(year)
        category = KATEGORI_W(rng)
        child = self._child(category, reported)
        risk = RISIKO_W[category](rng)
        source = SUMBER_W[category](rng)
        worker = rng.choice(self.workers)
        consent = rng.random() < 0.78 + 0.17 * progress
        c = _Case(f"RSA-{year}-{seq:04d}", child, category, source, risk, reported, worker, consent)
        p_kendala = (0.24 - 0.07 * progress) * self.size
        delay_factor = self.delay0 + (self.delay1 - self.delay0) * progress

        # the outcome is drawn first: resolved, not resolved (stopping after some step), or running
        if resolve:
            special = category in ("perdagangan_anak", "eksploitasi_seksual")
            outcome, reason = "resolved", RESOLVED_W[special, _age(child.birth, reported.date()) >= 16](rng)
        elif rng.random() >= 0.03 / max(0.03, 1.0 - p_resolved):  # ~3% of all cases simply keep running
            outcome, reason = "unresolved", UNRESOLVED_W(rng)
        else:
            outcome, reason = "running", ""
        stop_after = rng.choice(("pendekatan_awal", "asesmen", "intervensi", "intervensi"))

        def act(stage: str, when: dt.datetime, service: str = "", cost: int | None = None,
                approved: dt.datetime | None = None) -> bool:
            """Record an action unless it falls after the data ends (False: the story stops there)."""
            if when >= end:
                return False
            kendala = self._kendala(stage, p_kendala)
            note = _note(rng, stage, kendala) if (kendala and rng.random() < 0.6) or rng.random() < 0.2 else ""
            if approved is not None and approved >= end:
                approved = None
            c.actions.append((stage, service, when, worker, cost, self.kasi if approved else "", approved,
                              kendala, note))
            return True

        def close(when: dt.datetime, why: str, terminasi: bool) -> None:
            if when < end:
                if terminasi:
                    act("terminasi", when, approved=when + self._delay(20, 0.8) if rng.random() < 0.85 else None)
                c.closed, c.reason = when, why

        def give_up(t: dt.datetime) -> None:
            if outcome == "unresolved":
                close(t + self._delay(30 * 24, 0.8), reason, terminasi=rng.random() < 0.5)
            self._emit(c)

        t = reported
        if rng.random() < 0.03:  # no first response recorded at all
            if outcome == "unresolved" or rng.random() < 0.5:
                close(reported + self._delay(45 * 24, 0.6), reason if outcome == "unresolved" else "hilang_kontak",
                      terminasi=rng.random() < 0.3)
                return self._emit(c)
        else:
            sla = SLA_HOURS.get(risk, SLA_OTHER_HOURS)
            t = reported + self._delay(sla / 4.0 * delay_factor, 1.0)
            early_asesmen = rng.random() < 0.03  # assessment dated before the first approach
            if early_asesmen:
                act("asesmen", reported + (t - reported) / 2)
            if not act("pendekatan_awal", t, cost=_cost(rng, 50_000, 300_000) if rng.random() < 0.3 else None):
                return self._emit(c)
            if rng.random() < 0.2:
                act("pendekatan_awal", t + self._delay(48, 0.6))
        if outcome != "resolved" and stop_after == "pendekatan_awal":
            return give_up(t)

        if rng.random() >= 0.03:  # asesmen, sometimes missing
            t = t + self._delay(72 * delay_factor, 0.8)
            if not act("asesmen", t):
                return self._emit(c)
        if outcome != "resolved" and stop_after == "asesmen":
            return give_up(t)

        # referrals to partner agencies; a case closed as dirujuk_lembaga has an accepted one
        must_accept = reason == "dirujuk_lembaga"
        n_ref = (1 if must_accept or rng.random() < REFERRAL_P[category] else 0) + (rng.random() < 0.15)
        sent = t
        for k in range(n_ref):
            sent = sent + self._delay(48, 1.0)
            if sent >= end:
                break
            forced = must_accept and k == 0
            p_silent = 0.0 if forced else 0.22 - 0.12 * progress
            u = rng.random()
            result = ("tanpa_respon" if u < p_silent else
                      "ditolak" if u < p_silent + 0.07 and not forced else "diterima")
            ack = None if result == "tanpa_respon" else sent + self._delay(36, 1.1)
            if ack is not None and ack >= end:
                ack, result = None, ""  # still waiting when the data ends
            c.referrals.append((MITRA_W[category](rng), sent, ack, result))

        plan_time = None
        if rng.random() >= 0.03:  # rencana intervensi, approved by the section head (mostly)
            t = t + self._delay(120 * delay_factor, 0.7)
            plan_time = t
            approved = t + self._delay(24, 0.9) if rng.random() < 0.93 else None
            if not act("rencana_intervensi", t, approved=approved):
                return self._emit(c)
            if approved is not None:
                t = max(t, approved)

        n_services = rng.randint(1, 3) + (risk == "tinggi") + (rng.random() < 0.3) + self.extra_services
        for k in range(n_services):  # intervensi: services (mostly SPM), with costs
            if k == 0 and plan_time is not None and rng.random() < 0.04:
                when = plan_time - (plan_time - reported) / 3  # service given before the plan existed
            else:
                t = t + self._delay(7 * 24, 0.9)
                when = t
            service = LAYANAN_W[category](rng)
            lo, hi = COST_RANGE[service]
            if not act("intervensi", when, service, _cost(rng, lo, hi) if rng.random() < 0.85 else None):
                return self._emit(c)
        if c.referrals and rng.random() < 0.5:
            lo, hi = COST_RANGE["rujukan"]
            act("intervensi", c.referrals[0][1], "rujukan", _cost(rng, lo, hi))
        if outcome != "resolved":
            return give_up(t)

        if reason in ("reunifikasi_keluarga", "tujuan_tercapai") and rng.random() < 0.85:
            for _ in range(rng.randint(1, 2)):
                t = t + self._delay(14 * 24, 0.7)
                service = REINTEGRASI_W(rng)
                lo, hi = COST_RANGE.get(service, (0, 0))
                if not act("reintegrasi", t, service, _cost(rng, lo, hi) if service else None):
                    break
        t = t + self._delay(7 * 24, 0.7)
        close(t, reason, terminasi=rng.random() >= 0.04)
        if c.closed is not None and rng.random() < 0.6:
            for _ in range(rng.randint(1, 2)):
                t = t + self._delay(60 * 24, 0.6)
                service = LANJUT_W(rng)
                lo, hi = COST_RANGE.get(service, (0, 0))
                act("bimbingan_lanjut", t, service, _cost(rng, lo, hi) if service and rng.random() < 0.5 else None)
        self._emit(c)

    def _emit(self, c: _Case) -> None:
        out, unit, child = self.out, self.s.code, c.child
        if c.closed is not None and c.reason in vocab.RESOLVED_REASONS:
            self.resolved_by_year[c.closed.year] += 1
        age = "" if child.birth_known else str(_age(child.birth, c.reported.date()))
        out.row("kasus", (unit, c.number, child.key, child.name, child.nik, "P" if child.girl else "L",
                          child.birth.isoformat() if child.birth_known else "", age,
                          "ya" if child.disability else "tidak", child.kecamatan, c.category, c.source, c.risk,
                          _t(c.reported), c.worker, "ya" if c.consent else "tidak", _t(c.closed), c.reason))
        for stage, service, when, by, cost, approver, approved, kendala, note in c.actions:
            out.row("tindakan", (unit, c.number, stage, service, _t(when), by, "" if cost is None else cost,
                                 approver, _t(approved), kendala, note))
        for partner, sent, ack, result in c.referrals:
            out.row("rujukan", (unit, c.number, partner, _t(sent), _t(ack), result))

    # -- yearly tables --------------------------------------------------------------------------------
    def _yearly(self, year: int, n: int) -> None:
        rng, out, unit = self.rng, self.out, self.s.code
        progress = self._progress(year)
        start = dt.datetime(year, 1, 1)
        days = (dt.datetime(year + 1, 1, 1) - start).days

        # SKM survey: mostly 3; completion time and facilities rated lowest, improving over the years
        for _ in range(max(8, round(n * 0.5))):
            scores: list[object] = []
            for element in range(1, 10):
                low = {3: 0.08, 9: 0.12}.get(element, 0.0) * (1.0 - 0.5 * progress)
                u = rng.random()
                if u < 0.02:
                    scores.append("")
                    continue
                p1, p2, p4 = 0.02 + low / 3, 0.13 + low - 0.04 * progress, 0.2 + 0.1 * progress
                scores.append(1 if u < p1 else 2 if u < p1 + p2 else 4 if u > 1.0 - p4 else 3)
            date = (start + dt.timedelta(days=rng.randrange(days))).date()
            out.row("survei", (unit, date.isoformat(), RESPONDEN_W(rng), *scores))

        # complaints: a few per hundred cases; most settled within 14 days
        for _ in range(round(n * rng.uniform(0.03, 0.08)) + rng.randint(0, 2)):
            received = start + dt.timedelta(days=rng.randrange(days), hours=int(HOUR_W(rng)),
                                            minutes=rng.randrange(60))
            resolved: dt.datetime | None = None
            if rng.random() < 0.92:
                resolved = received + self._delay(6 * 24 * (1.2 - 0.4 * progress), 0.9)
                if resolved >= self.end:
                    resolved = None
            out.row("pengaduan", (unit, _t(received), _t(resolved), KANAL_W(rng), rng.choice(POKOK)))

        # budget: tight allocations, mostly spent
        per_case = 3_200_000 * (1.04 ** (year - self.first))
        total = max(25_000_000, n * per_case) * rng.uniform(0.9, 1.1)
        for kegiatan, share in KEGIATAN:
            pagu = int(total * share) // 1000 * 1000
            realisasi = int(pagu * rng.uniform(0.8, 0.99)) // 1000 * 1000
            out.row("anggaran", (unit, year, kegiatan, pagu, realisasi))

        # staffing: certified share rising
        fte = len(self.workers) - (0.5 if rng.random() < 0.3 else 0.0)
        certified = min(fte, math.floor(fte * (0.25 + 0.35 * progress + rng.uniform(-0.05, 0.05)) * 2) / 2)
        out.row("sdm", (unit, year, _num(fte), _num(max(0.0, certified))))

        # facilities: a small safe house, well used
        beds = max(4, round(len(self.workers) * 1.5)) + (2 if progress >= 0.5 else 0)
        bed_days = int(beds * days * rng.uniform(0.6, 0.95))
        out.row("sarana", (unit, year, beds, bed_days, 1 + (len(self.workers) > 6) + (progress >= 0.5)))

        # targets (Perjanjian Kinerja)
        p_res = self.res0 + (self.res1 - self.res0) * progress
        selesai = max(1, round(n * p_res * 0.95))
        targets = {
            "kasus_selesai": selesai, "tingkat_penyelesaian": 55 + 25 * progress,
            "respon_tepat_waktu": 80 + 15 * progress, "waktu_respon_median_jam": 24 - 12 * progress,
            "waktu_asesmen_median_hari": 7 - 3 * progress, "ikm": 76 + 9 * progress,
            "capaian_spm": 90 + 10 * progress, "realisasi_anggaran": 95, "kepatuhan_sop": 75 + 15 * progress,
            "rencana_disetujui": 90 + 8 * progress, "kelengkapan_dokumentasi": 80 + 15 * progress,
            "pengaduan_selesai_tepat_waktu": 80 + 15 * progress, "rujukan_tanpa_respon": 20 - 10 * progress,
            "rasio_peksos_bersertifikat": 30 + 30 * progress, "kasus_selesai_per_peksos": selesai / max(1.0, fte),
        }
        assert tuple(targets) == TARGET_MEASURES
        for measure, value in targets.items():
            out.row("target", (unit, year, measure, _num(value), ""))

    def write_all(self) -> None:
        self.write_tree()
        for year in range(self.first, self.last + 1):
            self.write_year(year)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _cost(rng: random.Random, lo: int, hi: int) -> int:
    """Log-uniform between lo and hi, in whole thousands of rupiah."""
    if hi <= 0:
        return 0
    value = math.exp(rng.uniform(math.log(max(lo, 1000)), math.log(hi)))
    return int(value) // 1000 * 1000


def _story_score(resolved: dict[int, int]) -> tuple[int, int]:
    """(year-on-year rises, smallest rise): the story wants every year to beat the one before."""
    values = [resolved[y] for y in sorted(resolved)]
    rises = [b - a for a, b in zip(values, values[1:], strict=False)]
    return sum(1 for r in rises if r > 0), min(rises, default=0)


def _write(out_dir: Path, sections: list[_Section], years: tuple[int, int], seed: int, params: str,
           extra_services: int = 0) -> Stats:
    stats = Stats(out_dir, seed, years)
    out = _Out(out_dir)
    try:
        for section in sections:
            attempt = 0
            if section.story and years[1] > years[0]:
                attempt = _story_attempt(section, years, seed, extra_services)
            writer = _SectionWriter(section, years, seed, attempt, out, extra_services)
            writer.write_all()
            if section.story:
                stats.story_unit, stats.resolved_by_year = section.code, dict(writer.resolved_by_year)
    finally:
        out.close()
    stats.counts = dict(out.counts)
    _write_notice(out_dir, seed, years, params, stats)
    return stats


def _story_attempt(section: _Section, years: tuple[int, int], seed: int, extra_services: int = 0) -> int:
    """Dry-run the story section (counting only) until resolved cases rise every year; the best
    attempt wins when none does (too few cases for a strict rise). Costs one extra pass, no memory."""
    total = sum(section.cases_per_year)
    tries = max(3, min(40, 200_000 // max(1, total)))  # a bounded amount of extra work
    best, best_score = 0, (-1, -(10**9))
    for attempt in range(tries):
        dry = _SectionWriter(section, years, seed, attempt, _Out(None), extra_services)
        dry.write_all()
        score = _story_score(dry.resolved_by_year)
        if score > best_score:
            best, best_score = attempt, score
        if score[0] == years[1] - years[0]:
            break
    return best


def _write_notice(out_dir: Path, seed: int, years: tuple[int, int], params: str, stats: Stats) -> None:
    text = (
        "DATA SINTETIS\n"
        "Seluruh data di folder ini sintetis: dibuat oleh program (kinerja.generator) dengan seed "
        f"{seed}, tahun {years[0]}-{years[1]} ({params}). Tidak ada anak, petugas, NIK atau kejadian yang "
        "nyata; kemiripan dengan orang atau kasus sungguhan hanya kebetulan. Nama unit ditandai "
        "\"(sintetis)\", begitu pula catatan tindakan. Jangan dipakai sebagai data resmi.\n\n"
        "SYNTHETIC DATA\n"
        "All data in this folder is synthetic: generated by a program (kinerja.generator) with seed "
        f"{seed}, years {years[0]}-{years[1]} ({params}). No child, staff member, NIK or event is real; "
        "any resemblance to real people or cases is coincidental. Unit names are marked \"(sintetis)\", "
        "and so are action notes. Do not use it as official data.\n\n"
        + "\n".join(f"{t}.csv: {n} baris / rows" for t, n in stats.counts.items())
        + "\n"
    )
    (out_dir / "SINTETIS.txt").write_text(text, encoding="utf-8")
