"""The tables of the import/export format (docs/import-format.md), as data.

Plain Python, shared by the reader and checks (reading, values, rules), the database side (writing,
export) and anything else that writes the format (the generator), so the column lists exist once.
Column names are the users' Indonesian ones; the model fields are English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds understood by kinerja.register.tabular.values.parse_value.
TEXT, CODE, DATE, TIME, BOOL, MONEY, INT, DECIMAL, NUMBER, NIK = (
    "text", "code", "date", "time", "bool", "money", "int", "decimal", "number", "nik",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    vocab: str | None = None  # vocabulary name in kinerja.vocab.ALL, for CODE columns
    max_length: int | None = None  # of the model field, so PostgreSQL never truncates or fails
    minimum: float | None = None  # for INT, DECIMAL, NUMBER
    maximum: float | None = None
    identity: bool = False  # special personal data: only in identity exports, masked in error messages
    quasi: bool = False  # a quasi-identifier (the birth date): only in identity exports, shown in errors
    identifier: bool = False  # a key written as text: a number cell (digits or leading zeros lost) is refused


@dataclass(frozen=True)
class Table:
    name: str  # file name without .csv, also the XLSX sheet name
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # natural key replaced by --update
    replace_by: tuple[str, ...] = ()  # tables without a natural key: rows of this group replace old ones
    column_map: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_map", {c.name: c for c in self.columns})

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def identity_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.identity)

    def export_columns(self, identity: bool) -> tuple[str, ...]:
        """The columns an export writes: a default export leaves out identity and quasi-identifiers."""
        return tuple(c.name for c in self.columns if identity or not (c.identity or c.quasi))


def _unit(name: str = "kode_unit") -> Column:
    return Column(name, required=name == "kode_unit", max_length=64)


def _user(name: str, required: bool = False) -> Column:
    return Column(name, required=required, max_length=150)


def _year() -> Column:
    return Column("tahun", INT, required=True, minimum=1900, maximum=2200)


UNIT = Table("unit", (
    _unit(),
    Column("nama", required=True, max_length=200),
    _unit("induk"),
    Column("kode_wilayah", max_length=20),
), key=("kode_unit",))

PEGAWAI = Table("pegawai", (
    _user("username", required=True),
    Column("nama", required=True, max_length=200),
    _unit(),
    Column("peran", CODE, required=True, vocab="peran"),
), key=("username",))

KASUS = Table("kasus", (
    _unit(),
    Column("nomor_kasus", required=True, max_length=64, identifier=True),
    Column("kode_anak", required=True, max_length=64, identifier=True),
    Column("nama_anak", identity=True, max_length=500),
    Column("nik", NIK, identity=True),
    Column("jenis_kelamin", CODE, required=True, vocab="jenis_kelamin"),
    Column("tanggal_lahir", DATE, quasi=True),
    Column("usia", INT, minimum=0, maximum=99),
    Column("disabilitas", BOOL),
    Column("kecamatan", max_length=100),
    Column("kategori", CODE, required=True, vocab="kategori"),
    Column("sumber_rujukan", CODE, required=True, vocab="sumber_rujukan"),
    Column("tingkat_risiko", CODE, required=True, vocab="tingkat_risiko"),
    Column("dilaporkan_pada", TIME, required=True),
    _user("peksos"),
    Column("persetujuan", BOOL),
    Column("ditutup_pada", TIME),
    Column("alasan_penutupan", CODE, vocab="alasan_penutupan"),
), key=("kode_unit", "nomor_kasus"))

# Columns of kasus.csv that belong to the child: they must not contradict across its cases (an empty
# cell never does). The report columns are per case, as the child was at that report; the child's
# current values are those of its latest case that states them.
CHILD_COLUMNS = ("jenis_kelamin", "tanggal_lahir", "nama_anak", "nik")
REPORT_COLUMNS = ("usia", "kecamatan", "disabilitas")

TINDAKAN = Table("tindakan", (
    _unit(),
    Column("nomor_kasus", required=True, max_length=64, identifier=True),
    Column("tahap", CODE, required=True, vocab="tahap"),
    Column("layanan", CODE, vocab="layanan"),
    Column("waktu", TIME, required=True),
    _user("petugas"),
    Column("biaya", MONEY),
    _user("disetujui_oleh"),
    Column("disetujui_pada", TIME),
    Column("kendala", CODE, vocab="kendala"),
    Column("catatan", identity=True),
), replace_by=("kode_unit", "nomor_kasus"))

RUJUKAN = Table("rujukan", (
    _unit(),
    Column("nomor_kasus", required=True, max_length=64, identifier=True),
    Column("mitra", CODE, required=True, vocab="mitra"),
    Column("dikirim_pada", TIME, required=True),
    Column("diterima_pada", TIME),
    Column("hasil", CODE, vocab="hasil"),
), replace_by=("kode_unit", "nomor_kasus"))

SKM_COLUMNS = tuple(f"u{i}" for i in range(1, 10))

SURVEI = Table("survei", (
    _unit(),
    Column("tanggal", DATE, required=True),
    Column("jenis_responden", CODE, vocab="jenis_responden"),
    *(Column(u, INT, minimum=1, maximum=4) for u in SKM_COLUMNS),
), replace_by=("kode_unit", "tanggal"))

PENGADUAN = Table("pengaduan", (
    _unit(),
    Column("diterima_pada", TIME, required=True),
    Column("diselesaikan_pada", TIME),
    Column("kanal", CODE, vocab="kanal"),
    Column("pokok", max_length=200),
), replace_by=("kode_unit", "diterima_pada"))

ANGGARAN = Table("anggaran", (
    _unit(),
    _year(),
    Column("kegiatan", required=True, max_length=200),
    Column("pagu", MONEY, required=True),
    Column("realisasi", MONEY, required=True),
), key=("kode_unit", "tahun", "kegiatan"))

SDM = Table("sdm", (
    _unit(),
    _year(),
    Column("peksos", DECIMAL, required=True, minimum=0, maximum=9_999_999),
    Column("peksos_bersertifikat", DECIMAL, required=True, minimum=0, maximum=9_999_999),
), key=("kode_unit", "tahun"))

SARANA = Table("sarana", (
    _unit(),
    _year(),
    Column("kapasitas_rumah_aman", INT, required=True, minimum=0, maximum=2_147_483_647),
    Column("hari_rawat", INT, required=True, minimum=0, maximum=2_147_483_647),
    Column("kendaraan", INT, minimum=0, maximum=2_147_483_647),
), key=("kode_unit", "tahun"))

TARGET = Table("target", (
    _unit(),
    _year(),
    Column("indikator", required=True, max_length=64),
    Column("target", NUMBER, required=True),
    _user("username"),  # a social worker's own target; empty: the unit's
), key=("kode_unit", "tahun", "indikator"))

# Dependency order: a table only refers to tables before it.
ORDER: tuple[Table, ...] = (UNIT, PEGAWAI, KASUS, TINDAKAN, RUJUKAN, SURVEI, PENGADUAN, ANGGARAN, SDM, SARANA, TARGET)
BY_NAME: dict[str, Table] = {t.name: t for t in ORDER}
IDENTITY_COLUMNS: tuple[str, ...] = ("nama_anak", "nik", "catatan")
