"""Code lists of domain.md: the stored code is Indonesian; each has an Indonesian and an English label.

Plain Python so the import validator, the generator and the indicator engine share one source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    name: str
    entries: tuple[tuple[str, str, str], ...]  # (code, Indonesian label, English label)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _, _ in self.entries)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def label(self, code: str, lang: str = "id") -> str:
        for c, id_label, en_label in self.entries:
            if c == code:
                return en_label if lang.startswith("en") else id_label
        return code

    def choices(self) -> list[tuple[str, str]]:
        """Django choices; the label follows the active language when Django is loaded."""
        return [(code, _LazyLabel(self, code)) for code in self.codes]  # type: ignore[misc]


class _LazyLabel(str):
    """A str subclass whose text is the label in the active language, resolved when shown."""

    def __new__(cls, vocab: Vocabulary, code: str) -> _LazyLabel:
        obj = super().__new__(cls, code)
        obj._vocab = vocab  # type: ignore[attr-defined]
        obj._code = code  # type: ignore[attr-defined]
        return obj

    def __str__(self) -> str:
        try:
            from django.utils.translation import get_language

            lang = get_language() or "id"
        except Exception:  # Django not configured: Indonesian first
            lang = "id"
        return self._vocab.label(self._code, lang)  # type: ignore[attr-defined]

    def __deepcopy__(self, memo: dict) -> _LazyLabel:  # Django deep-copies choices
        return self


def _v(name: str, *entries: tuple[str, str, str]) -> Vocabulary:
    return Vocabulary(name, tuple(entries))


KATEGORI = _v(
    "kategori",
    ("eksploitasi_ekonomi", "Eksploitasi ekonomi", "Economic exploitation"),
    ("eksploitasi_seksual", "Eksploitasi seksual", "Sexual exploitation"),
    ("perdagangan_anak", "Perdagangan anak", "Child trafficking"),
    ("anak_jalanan", "Anak jalanan", "Street child"),
    ("kekerasan", "Korban kekerasan", "Violence or abuse"),
    ("lainnya", "Lainnya", "Other"),
)

SUMBER_RUJUKAN = _v(
    "sumber_rujukan",
    ("laporan_masyarakat", "Laporan masyarakat", "Community report"),
    ("penjangkauan", "Penjangkauan", "Own outreach"),
    ("kepolisian", "Kepolisian", "Police"),
    ("uptd_ppa", "UPTD PPA / P2TP2A", "UPTD PPA / P2TP2A"),
    ("sekolah", "Sekolah", "School"),
    ("fasilitas_kesehatan", "Fasilitas kesehatan", "Health facility"),
    ("layanan_pengaduan", "Layanan pengaduan", "Hotline"),
    ("lainnya", "Lainnya", "Other"),
)

TINGKAT_RISIKO = _v(
    "tingkat_risiko",
    ("tinggi", "Tinggi", "High"),
    ("sedang", "Sedang", "Medium"),
    ("rendah", "Rendah", "Low"),
)

TAHAP = _v(
    "tahap",
    ("pendekatan_awal", "Pendekatan awal", "Initial approach"),
    ("asesmen", "Asesmen", "Assessment"),
    ("rencana_intervensi", "Rencana intervensi", "Case plan"),
    ("intervensi", "Intervensi", "Intervention"),
    ("reintegrasi", "Resosialisasi / reintegrasi", "Reintegration"),
    ("terminasi", "Terminasi", "Termination"),
    ("bimbingan_lanjut", "Bimbingan lanjut", "Aftercare"),
)

LAYANAN = _v(
    "layanan",
    ("permakanan", "Permakanan", "Food"),
    ("sandang", "Sandang", "Clothing"),
    ("alat_bantu", "Alat bantu", "Assistive devices"),
    ("perbekalan_kesehatan", "Perbekalan kesehatan", "Health supplies"),
    ("bimbingan_fisik_mental_sosial", "Bimbingan fisik, mental, sosial", "Physical, mental and social guidance"),
    ("bimbingan_sosial_keluarga", "Bimbingan sosial keluarga", "Family social guidance"),
    ("fasilitasi_dokumen", "Fasilitasi dokumen kependudukan", "Civil documents"),
    ("akses_pendidikan_kesehatan", "Akses pendidikan dan kesehatan", "Access to education and health"),
    ("penelusuran_keluarga", "Penelusuran keluarga", "Family tracing"),
    ("reunifikasi_reintegrasi", "Reunifikasi dan reintegrasi", "Reunification and reintegration"),
    ("rujukan", "Rujukan", "Referral"),
    ("dukungan_psikososial", "Dukungan psikososial", "Psychosocial support"),
    ("pendampingan_hukum", "Pendampingan hukum", "Legal assistance"),
    ("rumah_aman", "Rumah aman", "Safe house"),
    ("vokasional", "Pelatihan vokasional", "Vocational training"),
)
SPM_SERVICES: tuple[str, ...] = LAYANAN.codes[:11]
STAGES_WITH_SERVICE = ("intervensi", "reintegrasi", "bimbingan_lanjut")

ALASAN_PENUTUPAN = _v(
    "alasan_penutupan",
    ("reunifikasi_keluarga", "Reunifikasi keluarga", "Reunited with family"),
    ("dirujuk_lembaga", "Dirujuk ke lembaga", "Referred to an institution"),
    ("tujuan_tercapai", "Tujuan rencana tercapai", "Case-plan goals met"),
    ("mandiri_dewasa", "Mandiri / dewasa", "Came of age, independent"),
    ("hilang_kontak", "Hilang kontak", "Lost contact"),
    ("pindah_wilayah", "Pindah wilayah", "Moved away"),
    ("meninggal", "Meninggal dunia", "Died"),
    ("lainnya", "Lainnya", "Other"),
)
RESOLVED_REASONS: tuple[str, ...] = ALASAN_PENUTUPAN.codes[:4]

KENDALA = _v(
    "kendala",
    ("anggaran", "Anggaran", "Budget"),
    ("komunikasi", "Komunikasi dan koordinasi", "Communication and coordination"),
    ("sarana_prasarana", "Sarana dan prasarana", "Facilities and infrastructure"),
    ("sdm", "Sumber daya manusia", "Staff"),
    ("lainnya", "Lainnya", "Other"),
)

MITRA = _v(
    "mitra",
    ("kepolisian", "Kepolisian", "Police"),
    ("uptd_ppa", "UPTD PPA", "UPTD PPA"),
    ("rumah_sakit", "Rumah sakit", "Hospital"),
    ("panti_provinsi", "Panti sosial provinsi", "Provincial social home"),
    ("lksa", "LKSA", "Child welfare institution (LKSA)"),
    ("dinas_pendidikan", "Dinas Pendidikan", "Education office"),
    ("dukcapil", "Dukcapil", "Civil registry"),
    ("lainnya", "Lainnya", "Other"),
)

HASIL_RUJUKAN = _v(
    "hasil",
    ("diterima", "Diterima", "Accepted"),
    ("ditolak", "Ditolak", "Refused"),
    ("tanpa_respon", "Tanpa respon", "No response"),
)

JENIS_RESPONDEN = _v(
    "jenis_responden",
    ("keluarga", "Keluarga / wali", "Family or guardian"),
    ("mitra", "Mitra", "Partner agency"),
    ("anak", "Anak", "Child"),
)

JENIS_KELAMIN = _v("jenis_kelamin", ("L", "Laki-laki", "Male"), ("P", "Perempuan", "Female"))

PERAN = _v(
    "peran",
    ("pekerja_sosial", "Pekerja sosial", "Social worker"),
    ("kepala_seksi", "Kepala seksi", "Section head"),
    ("pimpinan", "Pimpinan", "Division or office head"),
    ("evaluator", "Evaluator", "Evaluator"),
    ("admin", "Administrator", "Administrator"),
)

KANAL_PENGADUAN = _v(
    "kanal",
    ("langsung", "Datang langsung", "In person"),
    ("telepon", "Telepon", "Telephone"),
    ("whatsapp", "WhatsApp", "WhatsApp"),
    ("surat", "Surat", "Letter"),
    ("sp4n_lapor", "SP4N-LAPOR!", "SP4N-LAPOR!"),
    ("lainnya", "Lainnya", "Other"),
)

SKM_ELEMENTS = _v(
    "unsur_skm",
    ("u1", "Persyaratan", "Requirements"),
    ("u2", "Prosedur", "Procedure"),
    ("u3", "Waktu penyelesaian", "Completion time"),
    ("u4", "Biaya/tarif", "Cost"),
    ("u5", "Produk layanan", "Service product"),
    ("u6", "Kompetensi pelaksana", "Staff competence"),
    ("u7", "Perilaku pelaksana", "Staff conduct"),
    ("u8", "Penanganan pengaduan", "Handling of complaints"),
    ("u9", "Sarana dan prasarana", "Facilities"),
)

ALL = {
    v.name: v
    for v in (
        KATEGORI, SUMBER_RUJUKAN, TINGKAT_RISIKO, TAHAP, LAYANAN, ALASAN_PENUTUPAN, KENDALA, MITRA,
        HASIL_RUJUKAN, JENIS_RESPONDEN, JENIS_KELAMIN, PERAN, KANAL_PENGADUAN, SKM_ELEMENTS,
    )
}
