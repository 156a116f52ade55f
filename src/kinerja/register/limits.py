"""Bounds on what a request to the register may ask for, checked before any query runs: a number
the database cannot hold or a page nobody will read is refused with a 400, not a 500 or a slow scan."""

from __future__ import annotations

MAX_LIST_LIMIT = 500  # cases per API page
MAX_OFFSET = 10_000_000  # far above any office's case count; below every backend's integer range
MAX_ID = 2**63 - 1  # BigAutoField: larger ids cannot exist
MAX_SEARCH_CHARS = 200  # case number or pseudonym search on the case list
