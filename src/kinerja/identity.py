"""Identity protection: AES-GCM field encryption, HMAC blind index, pseudonymous display.

Identity fields (a child's name, NIK, family-card number, address, parents' names, phone) and every
free-text note are special personal data (UU 35/2014, UU 27/2022). They are stored only as
ciphertext whose associated data binds table, column and row, so a ciphertext copied into another
row or column fails to decrypt. Each ciphertext names the key that made it, so keys can be rotated.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kinerja import safefile

_VERSION = 1


class IdentityError(Exception):
    """A ciphertext that does not decrypt (wrong key, wrong row, tampered)."""


@dataclass
class Keyring:
    """Encryption keys by id, the id used for new ciphertexts, the blind-index key, and the audit key.

    The audit key (HMAC of the audit chain) never rotates with the encryption keys, so entries
    written before a rotation still verify. `audit_legacy` is true when the key file is older than
    keyed audit hashes: only then may the chain begin with unkeyed (SHA-256) entries."""

    keys: dict[str, bytes]
    current: str
    index_key: bytes
    path: Path | None = None
    audit_key: bytes | None = None
    audit_legacy: bool = False
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False, compare=False)

    def _cipher(self, kid: str) -> AESGCM:
        """One AESGCM object per key: building it per call doubled the cost of a large import."""
        cipher = self._ciphers.get(kid)
        if cipher is None:
            cipher = self._ciphers[kid] = AESGCM(self.keys[kid])
        return cipher

    @classmethod
    def generate(cls, path: Path | None = None) -> Keyring:
        kid = _new_key_id()
        return cls({kid: AESGCM.generate_key(bit_length=256)}, kid, secrets.token_bytes(32), path,
                   audit_key=secrets.token_bytes(32))

    @classmethod
    def load_or_create(cls, path: Path) -> Keyring:
        if path.exists():
            ring = cls._read(path)
            return ring if ring.audit_key is not None else cls._add_audit_key(path)
        with safefile.locked(_lock_path(path)):
            if path.exists():  # another process made it while this one waited
                return cls._read(path)
            ring = cls.generate(path)
            ring.save()
            return ring

    @classmethod
    def _read(cls, path: Path) -> Keyring:
        data = json.loads(path.read_text())
        audit_key = data.get("audit_key")
        return cls(
            {k: base64.b64decode(v) for k, v in data["keys"].items()},
            data["current"],
            base64.b64decode(data["index_key"]),
            path,
            audit_key=base64.b64decode(audit_key) if audit_key else None,
            audit_legacy=bool(data.get("audit_legacy", False)),
        )

    @classmethod
    def _add_audit_key(cls, path: Path) -> Keyring:
        """A key file from before keyed audit hashes gains its audit key once, under a lock, so two
        processes starting together cannot each write a different one."""
        try:
            with safefile.locked(_lock_path(path)):
                ring = cls._read(path)
                if ring.audit_key is None:
                    ring.audit_key = secrets.token_bytes(32)
                    ring.audit_legacy = True
                    ring.save()
                return ring
        except PermissionError as exc:
            raise PermissionError(
                f"Berkas kunci {path} perlu ditambah kunci audit sekali, tetapi tidak dapat ditulis / "
                f"the key file {path} needs an audit key added once, but cannot be written: {exc}") from exc

    def save(self) -> None:
        assert self.path is not None
        data: dict[str, object] = {
            "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
            "current": self.current,
            "index_key": base64.b64encode(self.index_key).decode(),
        }
        if self.audit_key is not None:
            data["audit_key"] = base64.b64encode(self.audit_key).decode()
            data["audit_legacy"] = self.audit_legacy
        safefile.write_private(self.path, json.dumps(data, indent=1))

    def add_key(self) -> str:
        """A new current key; old keys stay so existing ciphertexts still decrypt until re-encrypted."""
        kid = _new_key_id()
        self.keys[kid] = AESGCM.generate_key(bit_length=256)
        self.current = kid
        return kid

    # -- encryption ------------------------------------------------------------------------------
    def encrypt(self, plaintext: str | None, table: str, column: str, row: str) -> bytes | None:
        if plaintext is None or plaintext == "":
            return None
        kid = self.current.encode()
        nonce = secrets.token_bytes(12)
        ct = self._cipher(self.current).encrypt(nonce, plaintext.encode("utf-8"), _aad(table, column, row))
        return bytes([_VERSION, len(kid)]) + kid + nonce + ct

    def decrypt(self, blob: bytes | memoryview | None, table: str, column: str, row: str) -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        if len(blob) < 2 or blob[0] != _VERSION:
            raise IdentityError("unknown ciphertext format")
        n = blob[1]
        kid = blob[2 : 2 + n].decode()
        nonce = blob[2 + n : 14 + n]
        if kid not in self.keys:
            raise IdentityError(f"unknown key id {kid}")
        try:
            return self._cipher(kid).decrypt(nonce, blob[14 + n :], _aad(table, column, row)).decode("utf-8")
        except InvalidTag as exc:
            raise IdentityError("ciphertext does not match its row or key") from exc

    @staticmethod
    def key_id_of(blob: bytes | memoryview | None) -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        return blob[2 : 2 + blob[1]].decode()

    # -- blind index -----------------------------------------------------------------------------
    def blind_index(self, value: str | None, purpose: str = "nik") -> str | None:
        """HMAC of the normalised value: equal values find each other without decrypting."""
        if not value:
            return None
        norm = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isalnum()).upper()
        return hmac.new(self.index_key, f"{purpose}:{norm}".encode(), hashlib.sha256).hexdigest()


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _aad(table: str, column: str, row: str) -> bytes:
    return f"kinerja|{table}|{column}|{row}".encode()


def _new_key_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("k%Y%m%d%H%M%S") + secrets.token_hex(2)


# -- display ---------------------------------------------------------------------------------------
def initials(name: str | None, max_letters: int = 3) -> str:
    """'Siti Hajar' -> 'SH'. Initials are what the register shows in place of a name."""
    if not name:
        return "-"
    parts = [p for p in name.replace(".", " ").split() if p and p[0].isalpha()]
    return "".join(p[0].upper() for p in parts[:max_letters]) or "-"


def age_on(birth_date: dt.date | None, age_at_report: int | None, reported: dt.date | None,
           on: dt.date) -> int | None:
    if birth_date is not None:
        years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
        return max(years, 0)
    if age_at_report is not None and reported is not None:
        return age_at_report + max(0, on.year - reported.year - ((on.month, on.day) < (reported.month, reported.day)))
    return age_at_report


def display(pseudonym: str, child_initials: str, age: int | None, lang: str = "id") -> str:
    """The only way a child appears outside a reveal: `A-2018-0007 · SH, 14 th`."""
    if age is None:
        return f"{pseudonym} · {child_initials}"
    suffix = "y" if lang.startswith("en") else "th"
    return f"{pseudonym} · {child_initials}, {age} {suffix}"


# -- NIK -------------------------------------------------------------------------------------------
def nik_problem(nik: str) -> str | None:
    """None when the NIK is 16 digits with a valid date part (day, or day + 40 for women); else why not."""
    if len(nik) != 16 or not nik.isdigit():
        return "16 digits"
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    if not 1 <= month <= 12:
        return "date"
    for century in (2000, 1900):
        try:
            dt.date(century + year2, month, day)
            return None
        except ValueError:
            continue
    return "date"
