"""The reports' own words in both languages. Reports are written in the language asked for
(`--lang`), not the active request language, so the texts live here rather than in gettext."""

from __future__ import annotations

T: dict[str, dict[str, str]] = {
    "id": {
        "rekap_title": "Rekapitulasi Respon Kasus", "kinerja_title": "Laporan Evaluasi Kinerja",
        "unit": "Unit", "period": "Periode", "years": "Tahun", "year": "Tahun", "framework": "Kerangka penilaian",
        "categories": "Kategori kasus", "all_categories": "semua kategori", "made": "Disusun",
        "edition": "Versi", "publik": "publik (sel kecil disembunyikan)", "internal": "internal unit",
        "synthetic": "DATA SINTETIS: bukan data anak sungguhan",
        "contents": "Daftar isi", "page": "Halaman", "total": "Jumlah", "unknown": "tidak diketahui",
        "open": "belum ditutup", "received": "Kasus masuk", "responded": "Kasus direspon",
        "resolved": "Kasus selesai", "response_share": "Kasus direspon (%)",
        "change": "Perubahan", "change_of": "Perubahan {what}",
        "by": "{what} menurut {dim}", "summary": "Ringkasan",
        "dim_category": "kategori", "dim_sex": "jenis kelamin", "dim_age": "kelompok umur saat lapor",
        "dim_source": "sumber rujukan", "dim_closure": "alasan penutupan", "dim_kecamatan": "kecamatan saat lapor",
        "age_0_5": "0-5 tahun", "age_6_12": "6-12 tahun", "age_13_17": "13-17 tahun", "age_18": "18 tahun ke atas",
        "notes": "Catatan", "totals": "Jumlah per tahun",
        "suppression_note": "Angka 1 sampai {kmax} ditampilkan sebagai <{k}; angka yang dapat mengembalikannya "
                            "(lewat jumlah baris, kolom atau tahun lain) ditampilkan sebagai *.",
        "rekap_def": "Kasus masuk: kasus yang dilaporkan pada tahun itu. Kasus direspon: kasus masuk tahun itu yang "
                     "sudah mendapat tindakan pendekatan awal. Kasus selesai: kasus yang ditutup pada tahun itu "
                     "dengan alasan selesai (reunifikasi keluarga, dirujuk ke lembaga, tujuan tercapai, mandiri/dewasa). "
                     "Umur dan kecamatan adalah yang tercatat saat laporan. Tahun menurut tanggal WIB.",
        "rekap_rising": "Kasus selesai naik setiap tahun, dari {first} pada {y0} menjadi {last} pada {y1}.",
        "rekap_not_rising": "Kasus selesai tidak naik setiap tahun: {first} pada {y0} dan {last} pada {y1}.",
        "rekap_summary": "Selama {years}, {unit} menerima {received} kasus, merespon {responded} di antaranya, "
                         "dan menyelesaikan {resolved} kasus.",
        "rekap_hidden": "Sebagian angka disembunyikan karena terlalu kecil untuk dipublikasikan.",
        "chart_by_category": "{what} per kategori",
        # evaluation
        "cover_line": "Evaluasi kinerja {unit} tahun {year}",
        "overall": "Skor keseluruhan", "rating": "Predikat", "score": "Skor", "method": "Metode",
        "measure": "Indikator", "value": "Nilai", "munit": "Satuan", "target": "Target", "achievement": "Capaian",
        "previous": "Tahun sebelumnya", "not_rated": "tidak dinilai",
        "records_used": "Data yang dipakai", "record": "Catatan", "count": "Jumlah",
        "rec_cases": "Kasus ditangani", "rec_received": "Kasus masuk", "rec_actions": "Tindakan",
        "rec_referrals": "Rujukan", "rec_surveys": "Responden survei kepuasan", "rec_complaints": "Pengaduan",
        "informants": "Informan", "informant": "Informan", "role": "Peran", "key": "Informan kunci",
        "reason": "Alasan dipilih", "yes": "ya", "no": "tidak",
        "sources": "Sumber data", "source_type": "Jenis sumber", "n_sources": "Sumber", "n_codings": "Koding",
        "coders": "Pengkode dan kesepakatan", "code": "Kode", "units_compared": "Unit dibandingkan",
        "alpha": "Alpha Krippendorff", "agree": "Persen setuju",
        "coders_line": "Pengkode: {coders}. Median alpha Krippendorff atas kode yang dapat dihitung: {alpha}.",
        "coder": "Pengkode",
        "steps": "Langkah analisis",
        "step1": "Menyiapkan dan mentranskripsi data (wawancara, observasi, dokumen).",
        "step2": "Membaca seluruh data untuk memperoleh gambaran umum.",
        "step3": "Mengkode data dengan buku kode dimensi Dwiyanto, faktor penghambat dan saran.",
        "step4": "Mendeskripsikan latar dan tema dari hasil koding.",
        "step5": "Menghubungkan tema dengan indikator kuantitatif (matriks triangulasi).",
        "step6": "Menafsirkan makna temuan dan menyusun rekomendasi.",
        "method_intro": "Evaluasi memadukan indikator yang dihitung dari catatan kasus {unit} periode {period} "
                        "dengan bukti kualitatif yang dikode dan ditriangulasi (studi kasus; informan dipilih "
                        "secara purposif).",
        "dimension": "Dimensi", "evidence": "Bukti kualitatif", "verdict": "Simpulan", "trend": "Tren {what}",
        "tri_method": "triangulasi metode", "tri_source": "triangulasi sumber", "converges": "bukti searah",
        "diverges": "bukti tidak searah", "no_evidence": "tidak ada bukti", "holds": "terpenuhi",
        "fails": "tidak terpenuhi", "codings_line": "{n} koding; {flags}.",
        "stance_mendukung": "mendukung", "stance_menghambat": "menghambat", "stance_netral": "netral",
        "no_quotes": "Kutipan tidak ditampilkan untuk peran Anda.",
        "verdict_line": "{dim} dinilai {rating} dengan skor {score}.",
        "verdict_none": "{dim} tidak dinilai: tidak ada indikator dengan target.",
        "ev_support": "Bukti kualitatif umumnya mendukung penilaian ini.",
        "ev_hinder": "Bukti kualitatif lebih banyak menunjukkan masalah.",
        "ev_mixed": "Bukti kualitatif beragam.", "ev_none": "Belum ada bukti kualitatif untuk dimensi ini.",
        "weakest_measure": "Indikator terlemah: {m} (capaian {a}).",
        "inhibitors": "Faktor penghambat", "factor": "Faktor", "obstacle_actions": "Tindakan terkendala",
        "share": "Porsi (%)", "rank": "Peringkat",
        "inhibitors_line": "Faktor yang paling menahan kinerja: {top}.",
        "recommendations": "Rekomendasi", "rec_rules": "Dari indikator", "rec_saran": "Dari informan (koding saran)",
        "rec_catatan": "Catatan evaluator", "rec_none": "Tidak ada aturan rekomendasi yang terpenuhi.",
        "appendix": "Lampiran", "definitions": "Definisi indikator", "definition": "Definisi", "direction": "Arah",
        "dir_up": "naik lebih baik", "dir_down": "turun lebih baik", "dir_none": "-",
        "quality": "Catatan mutu data", "q_no_action": "Kasus masuk tanpa tindakan sama sekali",
        "q_no_age": "Kasus masuk tanpa umur atau tanggal lahir", "q_no_kecamatan": "Kasus masuk tanpa kecamatan",
        "q_no_consent": "Kasus masuk tanpa persetujuan tercatat",
        "q_unapproved": "Kasus dengan rencana intervensi yang belum disetujui",
        "q_open_old": "Kasus ditangani yang belum ditutup pada akhir tahun",
        "summary_text": "Pada {year}, {unit} memperoleh skor keseluruhan {score} dengan predikat {rating} "
                        "menurut kerangka {fw}.",
        "summary_score_hidden": "Skor keseluruhan {unit} tahun {year} menurut kerangka {fw} tidak dapat "
                                "dipublikasikan: skor itu dihitung dari angka yang terlalu kecil untuk dipublikasikan.",
        "verdict_hidden": "Skor {dim} tidak dipublikasikan: dihitung dari angka yang terlalu kecil.",
        "summary_best": "Dimensi terkuat adalah {best} ({bs}); yang terlemah {worst} ({ws}).",
        "summary_resolved": "Kasus selesai: {now} ({prev} pada tahun sebelumnya).",
        "summary_factors": "Faktor penghambat utama menurut tindakan terkendala: {top}.",
        "summary_hidden": "Sebagian angka disembunyikan karena terlalu kecil untuk dipublikasikan.",
        "child_hidden": "Kutipan dari informan anak tidak dimuat dalam versi publik.",
    },
    "en": {
        "rekap_title": "Case Response Recapitulation", "kinerja_title": "Performance Evaluation Report",
        "unit": "Unit", "period": "Period", "years": "Years", "year": "Year", "framework": "Framework",
        "categories": "Case categories", "all_categories": "all categories", "made": "Prepared",
        "edition": "Edition", "publik": "public (small cells suppressed)", "internal": "internal to the unit",
        "synthetic": "SYNTHETIC DATA: not real children's data",
        "contents": "Contents", "page": "Page", "total": "Total", "unknown": "unknown",
        "open": "not closed", "received": "Cases received", "responded": "Cases responded to",
        "resolved": "Cases resolved", "response_share": "Cases responded to (%)",
        "change": "Change", "change_of": "Change in {what}",
        "by": "{what} by {dim}", "summary": "Summary",
        "dim_category": "category", "dim_sex": "sex", "dim_age": "age group at report",
        "dim_source": "referral source", "dim_closure": "closure reason", "dim_kecamatan": "kecamatan at report",
        "age_0_5": "0-5 years", "age_6_12": "6-12 years", "age_13_17": "13-17 years", "age_18": "18 years and over",
        "notes": "Notes", "totals": "Totals by year",
        "suppression_note": "Counts from 1 to {kmax} are shown as <{k}; figures that would give them back "
                            "(through row, column or other years' totals) are shown as *.",
        "rekap_def": "Cases received: cases reported in the year. Cases responded to: cases received in the year "
                     "that have an initial-approach action. Cases resolved: cases closed in the year with a resolved "
                     "reason (family reunification, referred to an institution, goals met, came of age). Age and "
                     "kecamatan are as recorded at the report. Years follow WIB dates.",
        "rekap_rising": "Resolved cases rose every year, from {first} in {y0} to {last} in {y1}.",
        "rekap_not_rising": "Resolved cases did not rise every year: {first} in {y0} and {last} in {y1}.",
        "rekap_summary": "Over {years}, {unit} received {received} cases, responded to {responded} of them, "
                         "and resolved {resolved} cases.",
        "rekap_hidden": "Some figures are hidden because they are too small to publish.",
        "chart_by_category": "{what} by category",
        "cover_line": "Performance evaluation of {unit}, {year}",
        "overall": "Overall score", "rating": "Rating", "score": "Score", "method": "Method",
        "measure": "Measure", "value": "Value", "munit": "Unit", "target": "Target", "achievement": "Achievement",
        "previous": "Previous year", "not_rated": "not rated",
        "records_used": "Records used", "record": "Record", "count": "Count",
        "rec_cases": "Cases handled", "rec_received": "Cases received", "rec_actions": "Actions",
        "rec_referrals": "Referrals", "rec_surveys": "Satisfaction survey respondents", "rec_complaints": "Complaints",
        "informants": "Informants", "informant": "Informant", "role": "Role", "key": "Key informant",
        "reason": "Why chosen", "yes": "yes", "no": "no",
        "sources": "Sources", "source_type": "Source type", "n_sources": "Sources", "n_codings": "Codings",
        "coders": "Coders and agreement", "code": "Code", "units_compared": "Units compared",
        "alpha": "Krippendorff's alpha", "agree": "Percent agreement",
        "coders_line": "Coders: {coders}. Median Krippendorff's alpha over the codes where it is defined: {alpha}.",
        "coder": "Coder",
        "steps": "Steps of the analysis",
        "step1": "Prepare and transcribe the data (interviews, observation, documents).",
        "step2": "Read all the data to get a general sense of it.",
        "step3": "Code the data with the codebook of Dwiyanto's dimensions, inhibiting factors and recommendations.",
        "step4": "Describe the setting and the themes from the coding.",
        "step5": "Interrelate the themes with the quantitative indicators (triangulation matrix).",
        "step6": "Interpret the meaning of the findings and draw up recommendations.",
        "method_intro": "The evaluation combines indicators computed from the case records of {unit} for {period} "
                        "with qualitative evidence, coded and triangulated (case study; informants chosen by "
                        "purposive sampling).",
        "dimension": "Dimension", "evidence": "Qualitative evidence", "verdict": "Verdict", "trend": "Trend of {what}",
        "tri_method": "method triangulation", "tri_source": "source triangulation", "converges": "evidence converges",
        "diverges": "evidence diverges", "no_evidence": "no evidence", "holds": "holds",
        "fails": "does not hold", "codings_line": "{n} codings; {flags}.",
        "stance_mendukung": "supports", "stance_menghambat": "hinders", "stance_netral": "neutral",
        "no_quotes": "Quotes are not shown to your role.",
        "verdict_line": "{dim} is rated {rating} with a score of {score}.",
        "verdict_none": "{dim} is not rated: no measure has a target.",
        "ev_support": "The qualitative evidence mostly supports this rating.",
        "ev_hinder": "The qualitative evidence mostly shows problems.",
        "ev_mixed": "The qualitative evidence is mixed.", "ev_none": "There is no qualitative evidence for this dimension yet.",
        "weakest_measure": "Weakest measure: {m} (achievement {a}).",
        "inhibitors": "Inhibiting factors", "factor": "Factor", "obstacle_actions": "Actions with obstacle",
        "share": "Share (%)", "rank": "Rank",
        "inhibitors_line": "The factors that hold performance back most: {top}.",
        "recommendations": "Recommendations", "rec_rules": "From the indicators",
        "rec_saran": "From the informants (recommendation codings)",
        "rec_catatan": "Evaluator's notes", "rec_none": "No recommendation rule applies.",
        "appendix": "Appendix", "definitions": "Definitions of the measures", "definition": "Definition",
        "direction": "Direction", "dir_up": "higher is better", "dir_down": "lower is better", "dir_none": "-",
        "quality": "Data quality notes", "q_no_action": "Cases received without any action",
        "q_no_age": "Cases received without age or birth date", "q_no_kecamatan": "Cases received without kecamatan",
        "q_no_consent": "Cases received without recorded consent",
        "q_unapproved": "Cases with a case plan not yet approved",
        "q_open_old": "Cases handled still open at the end of the year",
        "summary_text": "In {year}, {unit} reached an overall score of {score}, rated {rating} "
                        "under the {fw} framework.",
        "summary_score_hidden": "The overall score of {unit} for {year} under the {fw} framework cannot be "
                                "published: it is made from figures too small to publish.",
        "verdict_hidden": "The score of {dim} is not published: it is made from figures too small to publish.",
        "summary_best": "The strongest dimension is {best} ({bs}); the weakest {worst} ({ws}).",
        "summary_resolved": "Cases resolved: {now} ({prev} the year before).",
        "summary_factors": "Main inhibiting factors by actions with obstacles: {top}.",
        "summary_hidden": "Some figures are hidden because they are too small to publish.",
        "child_hidden": "Quotes from child informants are left out of the public edition.",
    },
}


def t(lang: str, key: str, **kw: object) -> str:
    text = T["en" if lang.startswith("en") else "id"][key]
    return text.format(**kw) if kw else text


def join_names(names: list[str], lang: str) -> str:
    """"a, b dan c" / "a, b and c"."""
    if len(names) <= 1:
        return "".join(names)
    word = " and " if lang.startswith("en") else " dan "
    return ", ".join(names[:-1]) + word + names[-1]
