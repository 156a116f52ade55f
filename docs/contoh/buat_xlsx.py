"""Make contoh.xlsx from the CSV files beside it: one sheet per table, as Excel users keep it.

Every cell is read the way an import reads it, then written with its type: dates and times as date
cells (times in WIB), numbers as numbers, identifiers (nomor_kasus, kode_anak, nik) and codes as
text. Run from the project root: `python docs/contoh/buat_xlsx.py` (needs openpyxl, a dependency).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl

from kinerja.register.tabular import reading, tables
from kinerja.register.tabular.messages import ErrorLog
from kinerja.register.tabular.values import WIB

HERE = Path(__file__).resolve().parent


def cell(value: object) -> object:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, dt.datetime):
        return value.astimezone(WIB).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def main(folder: Path = HERE, out: Path = HERE / "contoh.xlsx") -> Path:
    source = reading.open_source(folder)
    errors = ErrorLog()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in tables.ORDER:
        if table.name not in source.tables():
            continue
        reader, rows = reading.read_table(source, table, errors)
        assert reader is not None
        header = [c for c in table.names if c in reader.present]
        sheet = book.create_sheet(table.name)
        sheet.append(header)
        for _, values, _ in rows:
            sheet.append([cell(values.get(c)) for c in header])
        for column in sheet.iter_cols(min_row=2):
            for c in column:
                if isinstance(c.value, dt.datetime):
                    c.number_format = "DD/MM/YYYY HH:MM"
                elif isinstance(c.value, dt.date):
                    c.number_format = "DD/MM/YYYY"
                elif isinstance(c.value, str):
                    c.number_format = "@"  # text, so a spreadsheet never turns a NIK into a number
    if errors:
        raise SystemExit("\n".join(e.message() for e in errors.errors))
    book.save(out)
    return out


if __name__ == "__main__":
    print(main())
