# ruff: noqa: E501
"""Each measure's formula in words (Indonesian, English), as docs/measures.md states them: the
definitions page shows these, and a test keeps them equal to the document."""

TEXTS: dict[str, tuple[str, str]] = {
    'kasus_masuk': (
        'Jumlah kasus yang dilaporkan dalam periode.',
        'The number of cases reported in the period.',
    ),
    'kasus_ditangani': (
        'Jumlah kasus yang aktif pada suatu saat dalam periode: dilaporkan sebelum periode berakhir dan belum ditutup ketika periode dimulai.',
        'The number of cases active at some time in the period: reported before it ends, not closed before it starts.',
    ),
    'kasus_selesai': (
        'Jumlah kasus yang ditutup dalam periode dengan alasan penutupan yang dihitung selesai.',
        'The number of cases closed in the period with a closure reason that counts as resolved.',
    ),
    'tingkat_penyelesaian': (
        'Kasus selesai dibagi kasus ditangani, dikali 100. Kosong bila tidak ada kasus ditangani.',
        'Resolved cases over handled cases, times 100. Empty when no case was handled.',
    ),
    'pertumbuhan_penyelesaian': (
        'Selisih kasus selesai periode ini dengan periode sebelumnya, dibagi kasus selesai periode sebelumnya, dikali 100. Kosong bila periode sebelumnya tidak punya kasus selesai.',
        "Resolved cases now minus resolved cases in the previous period, over the previous period's resolved cases, times 100. Empty when the previous period resolved none.",
    ),
    'kasus_selesai_per_peksos': (
        'Kasus selesai dibagi jumlah pekerja sosial (FTE, dari `sdm.csv`) tahun itu, dijumlah atas unit dan sub-unitnya. Hanya untuk satu tahun kalender; kosong tanpa baris SDM atau bila FTE 0.',
        "Resolved cases over the year's social-worker FTE (from `sdm.csv`), summed over the unit and the units below it. Calendar years only; empty without a staffing row or with 0 FTE.",
    ),
    'biaya_per_kasus_selesai': (
        'Jumlah realisasi anggaran tahun itu dibagi kasus selesai. Hanya untuk satu tahun kalender; kosong tanpa baris anggaran atau tanpa kasus selesai.',
        "The year's total budget realisation over resolved cases. Calendar years only; empty without a budget row or without resolved cases.",
    ),
    'ikm': (
        'Indeks Kepuasan Masyarakat menurut PermenPAN-RB 14/2017, dari survei bertanggal dalam periode: untuk tiap unsur u1..u9 dihitung rata-rata nilainya (nilai yang kosong diabaikan), lalu IKM = 25 x jumlah sembilan rata-rata / 9. Kosong bila ada unsur yang sama sekali tidak bernilai. Mutu: 88,31-100 A (Sangat Baik), 76,61-88,30 B (Baik), 65,00-76,60 C (Kurang Baik), 25,00-64,99 D (Tidak Baik), dinilai dari angka yang dibulatkan dua desimal.',
        'The community satisfaction index of PermenPAN-RB 14/2017, from survey responses dated in the period: the mean score of each element u1..u9 (missing scores ignored), then IKM = 25 x the sum of the nine means / 9. Empty when some element has no score at all. Quality: 88.31-100 A (very good), 76.61-88.30 B (good), 65.00-76.60 C (fair), 25.00-64.99 D (poor), judged on the value rounded to two decimals.',
    ),
    'rasio_peksos_bersertifikat': (
        'FTE pekerja sosial bersertifikat dibagi FTE pekerja sosial tahun itu, dikali 100. Hanya untuk satu tahun kalender; kosong tanpa baris SDM atau bila FTE 0.',
        'Certified social-worker FTE over social-worker FTE of the year, times 100. Calendar years only; empty without a staffing row or with 0 FTE.',
    ),
    'pengaduan_per_100_kasus': (
        'Pengaduan yang diterima dalam periode dibagi kasus ditangani, dikali 100. Kosong tanpa kasus ditangani.',
        'Complaints received in the period over handled cases, times 100. Empty when no case was handled.',
    ),
    'waktu_respon_median_jam': (
        'Median, atas kasus masuk yang sudah punya tindakan `pendekatan_awal`, dari lama (jam) antara laporan dan tindakan pendekatan awal pertama. Kosong bila tidak ada kasus seperti itu.',
        'The median, over received cases that have a `pendekatan_awal` action, of the hours from the report to the first initial-approach action. Empty when there is no such case.',
    ),
    'respon_tepat_waktu': (
        'Porsi kasus masuk yang tindakan pendekatan awal pertamanya paling lama 24 jam (risiko `tinggi`) atau 72 jam (risiko lain) sesudah laporan; kedua batas dapat diatur (`KINERJA_SLA_TINGGI_JAM`, `KINERJA_SLA_LAIN_JAM`). Kasus tanpa respon dihitung terlambat. Kosong tanpa kasus masuk.',
        'The share of received cases whose first initial-approach action came at most 24 hours (risk `tinggi`) or 72 hours (other risks) after the report; both limits are settings. A case without a response counts as late. Empty without received cases.',
    ),
    'waktu_asesmen_median_hari': (
        'Median, atas kasus masuk yang sudah punya tindakan `asesmen`, dari lama (hari) antara laporan dan asesmen pertama. Kosong bila tidak ada kasus seperti itu.',
        'The median, over received cases that have an `asesmen` action, of the days from the report to the first assessment. Empty when there is no such case.',
    ),
    'pengaduan_selesai_tepat_waktu': (
        'Porsi pengaduan yang diterima dalam periode dan diselesaikan paling lama 14 hari sesudah diterima (dapat diatur: `KINERJA_BATAS_PENGADUAN_HARI`). Kosong tanpa pengaduan.',
        'The share of complaints received in the period that were resolved at most 14 days after receipt (a setting: `KINERJA_BATAS_PENGADUAN_HARI`). Empty without complaints.',
    ),
    'kepatuhan_sop': (
        'Porsi kasus yang ditutup dalam periode (selesai atau tidak) yang mengikuti prosedur: ada tindakan pertama pendekatan awal, asesmen, rencana intervensi, intervensi dan terminasi, masing-masing tidak lebih awal dari tahap sebelumnya, dan ada rencana intervensi yang disetujui. Kosong tanpa kasus ditutup.',
        'The share of cases closed in the period (resolved or not) that followed the procedure: a first initial-approach, assessment, case-plan, intervention and termination action all exist, each no earlier than the one before, and some case plan was approved. Empty without closed cases.',
    ),
    'rencana_disetujui': (
        'Di antara kasus yang punya tindakan intervensi dalam periode: porsi yang rencana intervensinya sudah disetujui pada atau sebelum intervensi pertama. Kosong bila tidak ada intervensi dalam periode.',
        'Among cases with an intervention action in the period: the share whose case plan was approved at or before the first intervention. Empty when there was no intervention in the period.',
    ),
    'kelengkapan_dokumentasi': (
        'Porsi kasus masuk yang persetujuannya (consent) tercatat dan punya tindakan asesmen. Kosong tanpa kasus masuk.',
        'The share of received cases with consent recorded and an assessment action. Empty without received cases.',
    ),
    'realisasi_anggaran': (
        'Jumlah realisasi dibagi jumlah pagu anggaran tahun itu, dikali 100. Tanpa arah pada kerangka Dwiyanto (kerangka Nasucha membacanya "makin rendah makin baik"). Hanya untuk satu tahun kalender; kosong tanpa baris anggaran atau dengan pagu 0.',
        'Total realisation over total allocation of the year, times 100. No direction in the Dwiyanto framework (Nasucha reads it as lower is better). Calendar years only; empty without a budget row or with a zero allocation.',
    ),
    'capaian_spm': (
        'Anak yang berbeda dari kasus ditangani yang menerima, dalam periode, paling sedikit satu tindakan berupa salah satu dari sebelas layanan SPM, dibagi semua anak yang berbeda dari kasus ditangani, dikali 100. Kosong tanpa kasus ditangani.',
        'Distinct children of the handled cases who received, in the period, at least one action that is one of the eleven SPM services, over all distinct children of the handled cases, times 100. Empty without handled cases.',
    ),
    'capaian_target': (
        'Rata-rata capaian (lihat [frameworks.md](frameworks.md)) dari target yang ditetapkan untuk unit itu sendiri (bukan sub-unitnya) pada tahun itu, tanpa ukuran ini sendiri; capaian yang kosong tidak ikut. Kosong bila tidak ada capaian sama sekali, untuk periode yang bukan satu tahun, dan pada tingkat individu.',
        'The mean of the achievements (see [frameworks.md](frameworks.md)) of the targets set for the unit itself (not the units below it) for the year, leaving this measure out; empty achievements do not count. Empty when there is none, for a period that is not one calendar year, and at the individual level.',
    ),
    'hunian_rumah_aman': (
        'Hari rawat rumah aman dibagi (kapasitas tempat tidur x jumlah hari tahun itu), dikali 100. Tanpa arah. Hanya untuk satu tahun kalender; kosong tanpa baris sarana atau dengan kapasitas 0.',
        'Safe-house bed-days used over (beds x days in the year), times 100. No direction. Calendar years only; empty without a facilities row or with no beds.',
    ),
    'waktu_tanggap_rujukan_median_jam': (
        'Median, atas rujukan yang dikirim dalam periode dan sudah diterima mitra, dari lama (jam) antara dikirim dan diterima. Kosong bila tidak ada.',
        'The median, over referrals sent in the period that the partner acknowledged, of the hours from sending to acknowledgement. Empty when there are none.',
    ),
    'rujukan_tanpa_respon': (
        'Porsi rujukan yang dikirim dalam periode dengan hasil `tanpa_respon` atau tanpa waktu diterima. Kosong tanpa rujukan.',
        'The share of referrals sent in the period with result `tanpa_respon` or no acknowledgement time. Empty without referrals.',
    ),
    'kendala_anggaran': (
        'Jumlah tindakan dalam periode yang mencatat kendala itu (anggaran; komunikasi dan koordinasi; sarana dan prasarana; sumber daya manusia). Nol bila tidak ada.',
        'The number of actions in the period that recorded that obstacle (budget; communication and coordination; facilities and infrastructure; staff). Zero when there are none.',
    ),
    'kendala_komunikasi': (
        'Jumlah tindakan dalam periode yang mencatat kendala itu (anggaran; komunikasi dan koordinasi; sarana dan prasarana; sumber daya manusia). Nol bila tidak ada.',
        'The number of actions in the period that recorded that obstacle (budget; communication and coordination; facilities and infrastructure; staff). Zero when there are none.',
    ),
    'kendala_sarana_prasarana': (
        'Jumlah tindakan dalam periode yang mencatat kendala itu (anggaran; komunikasi dan koordinasi; sarana dan prasarana; sumber daya manusia). Nol bila tidak ada.',
        'The number of actions in the period that recorded that obstacle (budget; communication and coordination; facilities and infrastructure; staff). Zero when there are none.',
    ),
    'kendala_sdm': (
        'Jumlah tindakan dalam periode yang mencatat kendala itu (anggaran; komunikasi dan koordinasi; sarana dan prasarana; sumber daya manusia). Nol bila tidak ada.',
        'The number of actions in the period that recorded that obstacle (budget; communication and coordination; facilities and infrastructure; staff). Zero when there are none.',
    ),
    'kasus_terkendala': (
        'Porsi kasus ditangani yang punya paling sedikit satu tindakan dalam periode dengan kendala apa pun. Kosong tanpa kasus ditangani.',
        'The share of handled cases with at least one action in the period that recorded any obstacle. Empty without handled cases.',
    ),
    'rasio_kesetaraan_respon': (
        '`respon_tepat_waktu` dihitung terpisah untuk anak laki-laki (L) dan perempuan (P); ukuran ini adalah yang lebih kecil dibagi yang lebih besar, dikali 100 (100 = setara). Kosong bila salah satu kelompok tidak punya kasus masuk, atau bila yang lebih besar 0.',
        '`respon_tepat_waktu` computed separately for boys (L) and girls (P); this is the smaller over the larger, times 100 (100 = equal). Empty when either group has no received case, or the larger is 0.',
    ),
    'durasi_pendekatan_awal_asesmen_median_hari': (
        'Tingkat proses. Median, atas kasus yang ditutup dalam periode dan punya kedua tahap, dari lama (hari) antara tindakan pertama tahap awal dan tindakan pertama tahap berikutnya (pendekatan awal ke asesmen, asesmen ke rencana intervensi, rencana intervensi ke intervensi, intervensi ke terminasi). Negatif bila urutannya terbalik. Kosong bila tidak ada kasus seperti itu.',
        'Process level. The median, over cases closed in the period that have both stages, of the days from the first action of one stage to the first action of the next (initial approach to assessment, assessment to case plan, case plan to intervention, intervention to termination). Negative when the order is reversed. Empty when there is no such case.',
    ),
    'durasi_asesmen_rencana_intervensi_median_hari': (
        'Tingkat proses. Median, atas kasus yang ditutup dalam periode dan punya kedua tahap, dari lama (hari) antara tindakan pertama tahap awal dan tindakan pertama tahap berikutnya (pendekatan awal ke asesmen, asesmen ke rencana intervensi, rencana intervensi ke intervensi, intervensi ke terminasi). Negatif bila urutannya terbalik. Kosong bila tidak ada kasus seperti itu.',
        'Process level. The median, over cases closed in the period that have both stages, of the days from the first action of one stage to the first action of the next (initial approach to assessment, assessment to case plan, case plan to intervention, intervention to termination). Negative when the order is reversed. Empty when there is no such case.',
    ),
    'durasi_rencana_intervensi_intervensi_median_hari': (
        'Tingkat proses. Median, atas kasus yang ditutup dalam periode dan punya kedua tahap, dari lama (hari) antara tindakan pertama tahap awal dan tindakan pertama tahap berikutnya (pendekatan awal ke asesmen, asesmen ke rencana intervensi, rencana intervensi ke intervensi, intervensi ke terminasi). Negatif bila urutannya terbalik. Kosong bila tidak ada kasus seperti itu.',
        'Process level. The median, over cases closed in the period that have both stages, of the days from the first action of one stage to the first action of the next (initial approach to assessment, assessment to case plan, case plan to intervention, intervention to termination). Negative when the order is reversed. Empty when there is no such case.',
    ),
    'durasi_intervensi_terminasi_median_hari': (
        'Tingkat proses. Median, atas kasus yang ditutup dalam periode dan punya kedua tahap, dari lama (hari) antara tindakan pertama tahap awal dan tindakan pertama tahap berikutnya (pendekatan awal ke asesmen, asesmen ke rencana intervensi, rencana intervensi ke intervensi, intervensi ke terminasi). Negatif bila urutannya terbalik. Kosong bila tidak ada kasus seperti itu.',
        'Process level. The median, over cases closed in the period that have both stages, of the days from the first action of one stage to the first action of the next (initial approach to assessment, assessment to case plan, case plan to intervention, intervention to termination). Negative when the order is reversed. Empty when there is no such case.',
    ),
    'anak_layanan_permakanan': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_sandang': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_alat_bantu': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_perbekalan_kesehatan': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_bimbingan_fisik_mental_sosial': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_bimbingan_sosial_keluarga': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_fasilitasi_dokumen': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_akses_pendidikan_kesehatan': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_penelusuran_keluarga': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_reunifikasi_reintegrasi': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
    'anak_layanan_rujukan': (
        'Tambahan untuk kerangka SPM. Jumlah anak yang berbeda, dari kasus ditangani, yang menerima tindakan dengan layanan SPM itu dalam periode. Seorang anak dapat terhitung di beberapa layanan.',
        'Extra measures for the SPM framework. The number of distinct children of the handled cases who received an action with that SPM service in the period. A child may count under several services.',
    ),
}
