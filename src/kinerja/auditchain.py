"""Hash chain of the audit log: each entry carries the hash of the one before, so an edited,
deleted or reordered entry breaks the chain at that point and `kinerja audit verify` names it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "at", "username", "action", "record", "reason", "detail")


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    payload = json.dumps({k: fields[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify(entries: Iterable[Mapping[str, Any]]) -> Break | None:
    """Walk entries in seq order; the first whose link or hash does not hold, or a gap in seq."""
    prev = GENESIS
    expected_seq = 1
    for e in entries:
        if e["seq"] != expected_seq:
            return Break(expected_seq, "missing entry")
        if e["prev_hash"] != prev:
            return Break(e["seq"], "prev_hash does not match the entry before")
        if entry_hash(prev, e) != e["hash"]:
            return Break(e["seq"], "content does not match its hash")
        prev = e["hash"]
        expected_seq += 1
    return None
