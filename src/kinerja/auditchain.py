"""Hash chain of the audit log, keyed, with a head checkpoint kept outside the database.

Each entry carries the hash of the one before, so an edited, deleted or reordered entry breaks the
chain at that point. The hash is an HMAC-SHA256 under the audit key of the key file, which is not
in the database: someone who can write the database but not read the key file cannot recompute
the chain after an edit. Deleting the last entries leaves a shorter chain that is still whole, so
the head (count and last hash) is also written to a checkpoint file next to the key file after
every write, and can be printed for safekeeping elsewhere: a chain shorter than, or different
from, a head once recorded is caught.

Databases from before keyed hashes begin with unkeyed (plain SHA-256) entries, marked `sha256`;
they verify as before, but only as a prefix, and only when the key file is older than keyed hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinerja import safefile

GENESIS = "0" * 64
FIELDS = ("seq", "at", "username", "action", "record", "reason", "detail")
LEGACY = "sha256"  # unkeyed entries written before keyed hashes
KEYED = "hmac"  # HMAC-SHA256 under the audit key
HEAD_FORMAT = "kinerja-audit-head/1"
MIN_HEAD_HEX = 16  # a printed head may be copied with a shortened hash, never shorter than this

log = logging.getLogger("kinerja.audit")


def entry_hash(prev_hash: str, fields: Mapping[str, Any], key: bytes | None = None) -> str:
    """The hash of one entry: HMAC-SHA256 under `key`, or plain SHA-256 (legacy) without one."""
    payload = json.dumps({k: fields[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False, default=str)
    message = (prev_hash + "\n" + payload).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first entry where the chain does not hold; `reason` in English, `alasan` in Indonesian."""

    seq: int
    reason: str
    alasan: str = ""

    def message(self) -> str:
        return (f"Rantai audit putus pada entri {self.seq}: {self.alasan or self.reason} / "
                f"audit chain broken at entry {self.seq}: {self.reason}")


@dataclass(frozen=True)
class Head:
    """The last entry of a chain: in an intact chain its seq is also the number of entries."""

    seq: int
    hash: str
    at: str = ""

    @property
    def count(self) -> int:
        return self.seq

    def token(self) -> str:
        """The form `COUNT:HASH` that `kinerja audit verify --head` takes back."""
        return f"{self.seq}:{self.hash}"


@dataclass
class Walk:
    """What one pass over the chain found: its head, how many unkeyed entries lead it, the first
    break, and the hash at each seq asked for (to compare with recorded heads)."""

    count: int = 0
    head: Head | None = None
    legacy: int = 0
    broken: Break | None = None
    hashes: dict[int, str] = field(default_factory=dict)


def walk(entries: Iterable[Mapping[str, Any]], key: bytes | None, legacy_allowed: bool = True,
         remember: Collection[int] = ()) -> Walk:
    """Walk entries in seq order, checking each link and hash until the first break."""
    result = Walk(hashes={0: GENESIS} if 0 in remember else {})
    prev = GENESIS
    keyed_seen = False
    for e in entries:
        result.count += 1
        result.head = Head(e["seq"], e["hash"], e["at"])
        if e["seq"] in remember:
            result.hashes[e["seq"]] = e["hash"]
        if result.broken is not None:
            continue
        scheme = e.get("scheme", LEGACY)
        problem = _entry_problem(e, result.count, prev, scheme, key, keyed_seen, legacy_allowed)
        if problem is not None:
            result.broken = problem
            continue
        if scheme == LEGACY:
            result.legacy += 1
        keyed_seen = keyed_seen or scheme == KEYED
        prev = e["hash"]
    return result


def _entry_problem(e: Mapping[str, Any], expected_seq: int, prev: str, scheme: str, key: bytes | None,
                   keyed_seen: bool, legacy_allowed: bool) -> Break | None:
    seq = e["seq"]
    if seq != expected_seq:
        return Break(expected_seq, "missing entry", "entri hilang")
    if scheme not in (LEGACY, KEYED):
        return Break(seq, f"unknown hash scheme {scheme!r}", f"skema hash tidak dikenal {scheme!r}")
    if scheme == LEGACY and keyed_seen:
        return Break(seq, "an unkeyed (SHA-256) entry after keyed ones: rewritten without the audit key",
                     "entri tanpa kunci (SHA-256) sesudah entri berkunci: ditulis ulang tanpa kunci audit")
    if scheme == LEGACY and not legacy_allowed:
        return Break(seq, "an unkeyed (SHA-256) entry, but this key file never had unkeyed entries: "
                          "rewritten without the audit key",
                     "entri tanpa kunci (SHA-256), padahal berkas kunci ini tidak pernah memiliki entri "
                     "tanpa kunci: ditulis ulang tanpa kunci audit")
    if e["prev_hash"] != prev:
        return Break(seq, "prev_hash does not match the entry before", "prev_hash tidak cocok dengan entri sebelumnya")
    if scheme == KEYED and key is None:
        return Break(seq, "no audit key to check a keyed entry", "tidak ada kunci audit untuk memeriksa entri berkunci")
    if not hmac.compare_digest(entry_hash(prev, e, key if scheme == KEYED else None), e["hash"]):
        if scheme == KEYED:
            return Break(seq, "content does not match its keyed hash (edited, or hashed without this audit key)",
                         "isi tidak cocok dengan hash berkuncinya (diubah, atau di-hash tanpa kunci audit ini)")
        return Break(seq, "content does not match its hash", "isi tidak cocok dengan hash-nya")
    return None


def verify(entries: Iterable[Mapping[str, Any]], key: bytes | None = None, legacy_allowed: bool = True
           ) -> Break | None:
    """The first entry whose link, scheme or hash does not hold, or a gap in seq; None if whole."""
    return walk(entries, key, legacy_allowed).broken


def compare_head(found: Walk, ref: Head, name_id: str, name_en: str) -> tuple[Break | None, str | None]:
    """Compare a chain with a head recorded earlier (the checkpoint file, or a printed head).

    A recorded head beyond the chain's end means its last entries were deleted; a different hash at
    the recorded seq means the chain was rewritten (or this is another database). A recorded head
    behind the end is fine: entries were written since. Returns (failure, note)."""
    last = found.head.seq if found.head else 0
    if ref.seq > last:
        when = f" ({ref.at})" if ref.at else ""
        gone_en = f"entry {ref.seq} was" if ref.seq == last + 1 else f"entries {last + 1} to {ref.seq} were"
        gone_id = f"entri {ref.seq}" if ref.seq == last + 1 else f"entri {last + 1} sampai {ref.seq}"
        return Break(
            last + 1,
            f"the chain ends at entry {last}, but {name_en}{when} records {ref.seq} entries: "
            f"{gone_en} deleted, or the database was restored from an older backup",
            f"rantai berakhir pada entri {last}, padahal {name_id}{when} mencatat {ref.seq} entri: "
            f"{gone_id} dihapus, atau basis data dipulihkan dari cadangan lama",
        ), None
    actual = found.hashes.get(ref.seq)
    if actual is None or not actual.startswith(ref.hash):
        return Break(
            ref.seq,
            f"its hash differs from {name_en}: the chain was rewritten up to here, or this is another database",
            f"hash-nya berbeda dari {name_id}: rantai ditulis ulang sampai di sini, atau ini basis data lain",
        ), None
    if ref.seq < last:
        return None, (f"{name_id} cocok; {last - ref.seq} entri ditulis sesudahnya / "
                      f"{name_en} matches; {last - ref.seq} entries were written after it")
    return None, f"{name_id} cocok / {name_en} matches"


def parse_head(text: str) -> Head:
    """`COUNT:HASH` as printed by `kinerja audit head` (the hash may be shortened to 16 hex digits)."""
    count, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if (not sep or not count.strip().isdigit() or not MIN_HEAD_HEX <= len(digest) <= 64
            or any(c not in "0123456789abcdef" for c in digest)):
        raise ValueError(
            f"Kepala harus berbentuk JUMLAH:HASH (hash heksadesimal, minimal {MIN_HEAD_HEX} digit), bukan {text!r} / "
            f"a head must look like COUNT:HASH (hexadecimal hash, at least {MIN_HEAD_HEX} digits), not {text!r}")
    return Head(int(count), digest)


# -- the checkpoint file -------------------------------------------------------------------------
class CheckpointError(Exception):
    """A checkpoint file that cannot be trusted (unreadable, or its MAC does not hold)."""


@dataclass(frozen=True)
class Checkpoint:
    head: Head
    written: str


def _checkpoint_mac(key: bytes, head: Head, written: str) -> str:
    message = "\n".join([HEAD_FORMAT, str(head.seq), head.hash, head.at, written]).encode("utf-8")
    return hmac.new(key, b"kinerja-audit-head\n" + message, hashlib.sha256).hexdigest()


def read_checkpoint(path: Path, key: bytes) -> Checkpoint | None:
    """The checkpoint in `path`, None when there is no file; CheckpointError when it cannot be trusted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        head = Head(int(data["seq"]), str(data["hash"]), str(data["at"]))
        written, mac = str(data["written"]), str(data["mac"])
        if data.get("format") != HEAD_FORMAT or int(data["count"]) != head.seq:
            raise ValueError("format")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"berkas titik periksa {path} tidak terbaca / "
                              f"checkpoint file {path} cannot be read ({exc})") from exc
    if not hmac.compare_digest(_checkpoint_mac(key, head, written), mac):
        raise CheckpointError(f"MAC berkas titik periksa {path} tidak cocok: berkas diubah, atau dibuat dengan "
                              f"kunci audit lain / the MAC of checkpoint file {path} does not hold: the file was "
                              "edited, or made with another audit key")
    return Checkpoint(head, written)


def write_checkpoint(path: Path, head: Head, key: bytes, now: dt.datetime | None = None) -> Checkpoint:
    written = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    data = {"format": HEAD_FORMAT, "count": head.seq, "seq": head.seq, "hash": head.hash, "at": head.at,
            "written": written, "mac": _checkpoint_mac(key, head, written)}
    safefile.write_private(path, json.dumps(data, indent=1) + "\n")
    return Checkpoint(head, written)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def advance_checkpoint(path: Path, key: bytes, db_head: Callable[[], Head | None],
                       hash_at: Callable[[int], str | None], force: bool = False) -> Checkpoint | None:
    """Move the checkpoint to the database's head, read under the file lock so that writers in
    several processes or threads agree. It never goes backwards, and it does not move past a chain
    that no longer holds the hash it recorded (that evidence of a cut stays until an operator
    re-anchors it with `force`). Returns the checkpoint written, or None when it was left as it was."""
    with safefile.locked(lock_path(path)):
        head = db_head()
        if head is None:
            return None
        if not force:
            try:
                current = read_checkpoint(path, key)
            except CheckpointError as exc:
                log.warning("audit checkpoint left as it is: %s", exc)
                return None
            if current is not None:
                if head.seq <= current.head.seq:
                    return None
                if hash_at(current.head.seq) != current.head.hash:
                    log.warning("audit checkpoint left at entry %s: the chain no longer holds its hash",
                                current.head.seq)
                    return None
        return write_checkpoint(path, head, key)
