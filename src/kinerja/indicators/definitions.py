"""Metadata of every measure of indicators.md (id, names, unit, direction), in the spec's order.

Frameworks, scorecards, the CLI and the API read names and directions from here, so a measure is
described once. `core` marks the measures of the spec's machine output; the `anak_layanan_*`
counts are extra measures used by the SPM framework."""

from __future__ import annotations

from dataclasses import dataclass

from kinerja import vocab

UP, DOWN, NONE = "up", "down", "none"
DIRECTIONS = (UP, DOWN, NONE)


@dataclass(frozen=True)
class MeasureUnit:
    id: str
    en: str


CASES = MeasureUnit("kasus", "cases")
PCT = MeasureUnit("%", "%")
PER_FTE = MeasureUnit("kasus/FTE", "cases/FTE")
RUPIAH = MeasureUnit("Rp", "Rp")
INDEX = MeasureUnit("indeks 25-100", "index 25-100")
PER_100 = MeasureUnit("per 100 kasus", "per 100 cases")
HOURS = MeasureUnit("jam", "h")
DAYS = MeasureUnit("hari", "d")
ACTIONS = MeasureUnit("tindakan", "actions")
CHILDREN = MeasureUnit("anak", "children")


@dataclass(frozen=True)
class Measure:
    id: str
    name_id: str
    name_en: str
    unit: MeasureUnit
    direction: str
    integer: bool = False  # a count, shown without decimals
    case_based: bool = True  # computed at the individual level (records tied to a case)
    yearly: bool = False  # uses yearly rows: null unless the period is one calendar year
    level: str = "unit"  # "unit", or "process" for the durasi_* measures
    core: bool = True  # one of the spec's measures (keys of the machine output)

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id

    def unit_label(self, lang: str = "id") -> str:
        return self.unit.en if lang.startswith("en") else self.unit.id

    @property
    def number_kind(self) -> str:
        """How kinerja.numbers shows its values to people: counts whole, rupiah as money."""
        if self.integer:
            return "count"
        return "money" if self.unit == RUPIAH else "decimal"


STAGE_PAIRS: tuple[tuple[str, str], ...] = (
    ("pendekatan_awal", "asesmen"),
    ("asesmen", "rencana_intervensi"),
    ("rencana_intervensi", "intervensi"),
    ("intervensi", "terminasi"),
)
OBSTACLES: tuple[str, ...] = ("anggaran", "komunikasi", "sarana_prasarana", "sdm")


def durasi_id(a: str, b: str) -> str:
    return f"durasi_{a}_{b}_median_hari"


def spm_count_id(service: str) -> str:
    return f"anak_layanan_{service}"


_M = Measure
_MEASURES: list[Measure] = [
    _M("kasus_masuk", "Kasus masuk", "Cases received", CASES, NONE, integer=True),
    _M("kasus_ditangani", "Kasus ditangani", "Cases handled", CASES, NONE, integer=True),
    _M("kasus_selesai", "Kasus selesai", "Cases resolved", CASES, UP, integer=True),
    _M("tingkat_penyelesaian", "Tingkat penyelesaian kasus", "Resolution rate", PCT, UP),
    _M("pertumbuhan_penyelesaian", "Pertumbuhan penyelesaian kasus", "Growth in resolved cases", PCT, UP),
    _M("kasus_selesai_per_peksos", "Kasus selesai per pekerja sosial", "Resolved cases per social worker",
       PER_FTE, UP, case_based=False, yearly=True),
    _M("biaya_per_kasus_selesai", "Biaya per kasus selesai", "Cost per resolved case", RUPIAH, DOWN,
       case_based=False, yearly=True),
    _M("ikm", "Indeks Kepuasan Masyarakat (IKM)", "Community satisfaction index (IKM)", INDEX, UP,
       case_based=False),
    _M("rasio_peksos_bersertifikat", "Rasio pekerja sosial bersertifikat", "Certified social workers", PCT, UP,
       case_based=False, yearly=True),
    _M("pengaduan_per_100_kasus", "Pengaduan per 100 kasus", "Complaints per 100 cases", PER_100, DOWN,
       case_based=False),
    _M("waktu_respon_median_jam", "Median waktu respon", "Median response time", HOURS, DOWN),
    _M("respon_tepat_waktu", "Respon tepat waktu", "Responses on time", PCT, UP),
    _M("waktu_asesmen_median_hari", "Median waktu sampai asesmen", "Median time to assessment", DAYS, DOWN),
    _M("pengaduan_selesai_tepat_waktu", "Pengaduan selesai tepat waktu", "Complaints resolved on time", PCT, UP,
       case_based=False),
    _M("kepatuhan_sop", "Kepatuhan pada SOP", "Procedure compliance", PCT, UP),
    _M("rencana_disetujui", "Rencana intervensi disetujui sebelum intervensi",
       "Case plans approved before intervention", PCT, UP),
    _M("kelengkapan_dokumentasi", "Kelengkapan dokumentasi", "Documentation complete", PCT, UP),
    _M("realisasi_anggaran", "Realisasi anggaran", "Budget realisation", PCT, NONE, case_based=False, yearly=True),
    _M("capaian_spm", "Capaian SPM", "Minimum service standard coverage", PCT, UP),
    _M("capaian_target", "Capaian target kinerja", "Target achievement", PCT, UP, case_based=False, yearly=True),
    _M("hunian_rumah_aman", "Tingkat hunian rumah aman", "Safe-house occupancy", PCT, NONE, case_based=False,
       yearly=True),
    _M("waktu_tanggap_rujukan_median_jam", "Median waktu tanggap rujukan", "Median referral acknowledgement time",
       HOURS, DOWN),
    _M("rujukan_tanpa_respon", "Rujukan tanpa respon", "Referrals without response", PCT, DOWN),
    *[
        _M(f"kendala_{k}", f"Tindakan terkendala {vocab.KENDALA.label(k, 'id').lower()}",
           f"Actions with obstacle: {vocab.KENDALA.label(k, 'en').lower()}", ACTIONS, DOWN, integer=True)
        for k in OBSTACLES
    ],
    _M("kasus_terkendala", "Kasus terkendala", "Cases with obstacles", PCT, DOWN),
    _M("rasio_kesetaraan_respon", "Rasio kesetaraan respon (L/P)", "Response equity ratio (boys/girls)", PCT, UP),
    *[
        _M(durasi_id(a, b), f"Median durasi {vocab.TAHAP.label(a, 'id').lower()} ke {vocab.TAHAP.label(b, 'id').lower()}",
           f"Median time from {vocab.TAHAP.label(a, 'en').lower()} to {vocab.TAHAP.label(b, 'en').lower()}",
           DAYS, DOWN, level="process")
        for a, b in STAGE_PAIRS
    ],
    *[
        _M(spm_count_id(s), f"Anak menerima layanan {vocab.LAYANAN.label(s, 'id').lower()}",
           f"Children served: {vocab.LAYANAN.label(s, 'en').lower()}", CHILDREN, UP, integer=True, core=False)
        for s in vocab.SPM_SERVICES
    ],
]

MEASURES: dict[str, Measure] = {m.id: m for m in _MEASURES}
CORE_IDS: tuple[str, ...] = tuple(m.id for m in _MEASURES if m.core)
ALL_IDS: tuple[str, ...] = tuple(MEASURES)
PROCESS_IDS: tuple[str, ...] = tuple(m.id for m in _MEASURES if m.level == "process")


def get(measure_id: str) -> Measure:
    try:
        return MEASURES[measure_id]
    except KeyError:
        raise KeyError(f"unknown measure {measure_id!r}") from None
