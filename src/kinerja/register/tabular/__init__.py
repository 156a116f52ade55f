"""The office's table format (docs/import-format.md): one room for reading, checking, writing and export.

tables (the columns, as data), messages (RowError and its text in Indonesian and English), values
(one cell into a value), rules (checks between the columns of a row), reading (CSV folders and XLSX
workbooks, streamed) are plain Python; writing (an import into the database, all or nothing) and
export use Django and depend on the plain part, never the other way round.
"""
