"""The messages of an import or export: every broken rule as a RowError, its text in Indonesian and English.

Plain Python. Message tables live here instead of a gettext catalogue, so the import works the same
in a command, a forked parsing process and the web, and a message never depends on a request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kinerja.register.tabular.tables import Column

# rule -> (Indonesian, English); str.format parameters come from RowError.params.
MESSAGES: dict[str, tuple[str, str]] = {
    # file and header
    "no_tables": ("tidak ada tabel yang dikenal (unit.csv, kasus.csv, ...)",
                  "no known table found (unit.csv, kasus.csv, ...)"),
    "unknown_table": ("tabel tidak dikenal; nama yang sah: {names}", "unknown table; valid names: {names}"),
    "unreadable": ("berkas tidak dapat dibaca: {detail}", "file cannot be read: {detail}"),
    "not_utf8": ("berkas bukan UTF-8 (baris ini memuat byte yang bukan UTF-8, dan berkas juga bukan Windows-1252 "
                 "yang sah); simpan ulang sebagai \"CSV UTF-8 (Comma delimited)\" (Excel: Simpan Sebagai > CSV "
                 "UTF-8; LibreOffice: Simpan Sebagai > Teks CSV, set karakter Unicode (UTF-8))",
                 "the file is not UTF-8 (this line holds bytes that are not UTF-8, and the file is not valid "
                 "Windows-1252 either); save it again as \"CSV UTF-8 (Comma delimited)\" (Excel: Save As > CSV "
                 "UTF-8; LibreOffice: Save As > Text CSV, character set Unicode (UTF-8))"),
    # a notice, not an error
    "cp1252": ("berkas bukan UTF-8; dibaca sebagai Windows-1252 (semua byte sah). Periksa huruf khusus; sebaiknya "
               "simpan sebagai \"CSV UTF-8\"",
               "the file is not UTF-8; read as Windows-1252 (every byte is valid). Check special characters; "
               "better save it as \"CSV UTF-8\""),
    "empty_file": ("berkas kosong, baris judul tidak ada", "empty file, no header row"),
    "unknown_column": ("kolom tidak dikenal; nama yang sah: {names}", "unknown column; valid names: {names}"),
    "unknown_column_near": ("kolom tidak dikenal; maksudnya '{near}'?", "unknown column; did you mean '{near}'?"),
    "missing_column": ("kolom wajib tidak ada", "required column missing"),
    "duplicate_column": ("kolom muncul dua kali", "column appears twice"),
    "unnamed_column": ("ada nilai di kolom tanpa nama", "value in a column without a name"),
    # cells
    "required": ("wajib diisi", "is required"),
    "date": ("bukan tanggal YYYY-MM-DD atau DD/MM/YYYY", "not a date YYYY-MM-DD or DD/MM/YYYY"),
    "time": ("bukan waktu ISO 8601 (mis. 2018-03-05T14:30) atau DD/MM/YYYY HH:MM",
             "not an ISO 8601 time (e.g. 2018-03-05T14:30) or DD/MM/YYYY HH:MM"),
    "date_month_day": ("tanggal ini hanya sah dalam urutan bulan/hari (lembar kerja berlokal AS); tulis DD/MM/YYYY "
                       "atau YYYY-MM-DD",
                       "this date is valid only in month/day order (a US-locale sheet); write DD/MM/YYYY or "
                       "YYYY-MM-DD"),
    "date_ambiguous": ("tanggal ini dapat dibaca hari/bulan maupun bulan/hari, dan berkas ini memakai urutan "
                       "bulan/hari ({file} baris {line}, kolom {column}); tulis YYYY-MM-DD atau format kolom "
                       "sebagai tanggal",
                       "this date reads as day/month and as month/day, and this file uses month/day order ({file} "
                       "line {line}, column {column}); write YYYY-MM-DD or format the column as dates"),
    "identifier_number": ("kolom pengenal harus berupa teks: sel ini berupa angka (lembar kerja hanya menyimpan 15 "
                          "digit dan membuang nol di depan); format kolom sebagai Teks lalu isi ulang nilainya",
                          "an identifier column must be text: this cell is a number (a spreadsheet keeps only 15 "
                          "digits and drops leading zeros); format the column as Text and enter the values again"),
    "bool": ("bukan ya/tidak (atau true/false, 1/0)", "not ya/tidak (or true/false, 1/0)"),
    "money": ("bukan jumlah rupiah bulat (angka; 'Rp', pemisah ribuan '.' dan akhiran ',00' boleh)",
              "not a whole rupiah amount (digits; 'Rp', '.' thousands separators and a ',00' tail allowed)"),
    "integer": ("bukan bilangan bulat", "not a whole number"),
    "decimal": ("bukan angka dengan paling banyak 2 desimal", "not a number with at most 2 decimals"),
    "number": ("bukan angka", "not a number"),
    "code": ("bukan kode {vocab} yang sah{choices}", "not a valid {vocab} code{choices}"),
    "too_long": ("terlalu panjang (paling banyak {max} karakter)", "too long (at most {max} characters)"),
    "range": ("harus antara {min} dan {max}", "must be between {min} and {max}"),
    "negative": ("tidak boleh negatif (harus >= 0)", "must not be negative (>= 0)"),
    "nik_digits": ("NIK harus 16 angka", "NIK must be 16 digits"),
    "nik_date": ("bagian tanggal lahir NIK tidak sah (tanggal, atau tanggal + 40 untuk perempuan)",
                 "the NIK's birth-date part is invalid (day, or day + 40 for women)"),
    # rows
    "closure_pair": ("ditutup_pada dan alasan_penutupan harus diisi keduanya atau tidak sama sekali",
                     "ditutup_pada and alasan_penutupan must both be given or both be empty"),
    "closure_before_report": ("penutupan sebelum waktu laporan kasus ({reported})",
                              "closure before the case's report time ({reported})"),
    "approval_needs_approver": ("disetujui_pada diisi tetapi disetujui_oleh kosong",
                                "disetujui_pada is given but disetujui_oleh is empty"),
    "service_stage": ("layanan hanya untuk tahap intervensi, reintegrasi atau bimbingan_lanjut (tahap: {stage})",
                      "layanan only on stages intervensi, reintegrasi or bimbingan_lanjut (stage: {stage})"),
    "certified_exceeds": ("peksos_bersertifikat melebihi peksos ({total})",
                          "peksos_bersertifikat exceeds peksos ({total})"),
    "ack_before_sent": ("diterima sebelum dikirim ({sent})", "acknowledged before it was sent ({sent})"),
    "resolved_before_received": ("diselesaikan sebelum diterima ({received})",
                                 "resolved before it was received ({received})"),
    # references (checked against this import and the database)
    "unit_unknown": ("kode_unit tidak ada (di impor ini maupun di basis data)",
                     "unit code does not exist (in this import or the database)"),
    "user_unknown": ("username tidak ada (di impor ini maupun di basis data)",
                     "username does not exist (in this import or the database)"),
    "target_worker": ("username bukan pekerja sosial unit ini", "username is not a social worker of this unit"),
    "case_unknown": ("kasus {unit}/{number} tidak ada (di impor ini maupun di basis data)",
                     "case {unit}/{number} does not exist (in this import or the database)"),
    "duplicate_in_file": ("kunci {key} sudah muncul sebelumnya di impor ini{where}",
                          "key {key} already appears earlier in this import{where}"),
    "exists": ("kunci {key} sudah ada di basis data (gunakan --update untuk mengganti)",
               "key {key} already exists in the database (use --update to replace)"),
    "unit_cycle": ("induk membentuk lingkaran", "parent forms a cycle"),
    "username": ("username hanya boleh berisi huruf, angka dan @ . + - _",
                 "a username may only hold letters, digits and @ . + - _"),
    "child_inconsistent": ("anak {child} sudah tercatat dengan {field} berbeda ({other})",
                           "child {child} is already recorded with a different {field} ({other})"),
    "before_report": ("sebelum waktu laporan kasus ({reported})", "before the case's report time ({reported})"),
    "database": ("ditolak basis data: {detail}", "rejected by the database: {detail}"),
}

# Other user-facing text of imports and exports: key -> (Indonesian, English).
TEXTS: dict[str, tuple[str, str]] = {
    "column": ("kolom", "column"),
    "value": ("nilai", "value"),
    "line_of": (" (baris {line})", " (line {line})"),
    "import_ok": ("Impor berhasil ({mode}): {counts}", "Import succeeded ({mode}): {counts}"),
    "import_failed": ("Impor dibatalkan, tidak ada yang ditulis: {n} kesalahan.",
                      "Import cancelled, nothing was written: {n} errors."),
    "more_errors": ("... dan {n} kesalahan lain", "... and {n} more errors"),
    "mode_insert": ("tambah", "insert"),
    "mode_update": ("perbarui", "update"),
    "nothing": ("tidak ada baris", "no rows"),
    "export_done": ("Diekspor ke {path}: {counts}", "Exported to {path}: {counts}"),
    "export_identity": (" (dengan identitas; tercatat di audit)", " (with identity; audited)"),
    "export_scope": ("; kasus hanya dari unit {unit} dan turunannya", "; cases only of unit {unit} and below"),
    "identity_role": ("Ekspor identitas hanya untuk kepala seksi yang aktif.",
                      "Only an active section head (kepala seksi) may export identity."),
    "identity_reason": ("Sebutkan alasan ekspor identitas (--reason).",
                        "State the reason for exporting identity (--reason)."),
    "notice": ("Catatan", "Note"),
    "too_many_rows": ("Tabel {table} punya {n} baris, lebih dari batas lembar Excel ({max}); ekspor sebagai CSV.",
                      "Table {table} has {n} rows, more than an Excel sheet holds ({max}); export as CSV."),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if (lang or "id").startswith("en") else pair[0]


def text(key: str, lang: str, **params: Any) -> str:
    return _pick(TEXTS[key], lang).format(**params)


def rule_text(rule: str, lang: str, **params: Any) -> str:
    return _pick(MESSAGES[rule], lang).format(**params)


@dataclass(slots=True)
class RowError:
    """One broken rule: where (file, line, column), what (value) and which rule, with its parameters."""

    file: str
    line: int
    column: str | None
    value: str | None
    rule: str
    params: dict[str, Any] = field(default_factory=dict)

    def rule_message(self, lang: str = "id") -> str:
        return rule_text(self.rule, lang, **self.params)

    def message(self, lang: str = "id") -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.column is not None:
            what = f"{text('column', lang)} '{self.column}'"
            if self.value is not None:
                what += f" {text('value', lang)} '{self.value}'"
            parts.append(what)
        return ": ".join(parts + [self.rule_message(lang)])

    __str__ = message


class ErrorLog:
    """All errors of one import: the first `cap` are kept, the rest only counted (memory stays flat)."""

    def __init__(self, cap: int = 1000) -> None:
        self.cap = cap
        self.errors: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.errors) < self.cap:
            self.errors.append(error)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    @property
    def more(self) -> int:
        return self.count - len(self.errors)


HIDDEN = "***"


def shown_value(column: Column | None, raw: Any) -> str | None:
    """The value as an error shows it; identity values (name, NIK, notes) never reach a message."""
    if raw is None:
        return None
    if column is not None and column.identity:
        return HIDDEN
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    return str(raw)
