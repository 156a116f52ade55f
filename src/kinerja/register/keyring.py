"""The process's keyring (kinerja.identity.Keyring), loaded once from the key file in settings."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from kinerja.identity import Keyring


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    return Keyring.load_or_create(settings.KINERJA.key_file)


def reset() -> None:
    """Forget the cached keyring (after rotate-key, or between tests)."""
    keyring.cache_clear()


# The ciphertext of each field is bound to (table, column, row uid).
def encrypt_child_field(child_uid: object, field: str, value: str | None) -> bytes | None:
    return keyring().encrypt(value, "anak", field, str(child_uid))


def decrypt_child_field(child_uid: object, field: str, blob: bytes | memoryview | None) -> str | None:
    return keyring().decrypt(blob, "anak", field, str(child_uid))


def encrypt_action_notes(action_uid: object, value: str | None) -> bytes | None:
    return keyring().encrypt(value, "tindakan", "catatan", str(action_uid))


def decrypt_action_notes(action_uid: object, blob: bytes | memoryview | None) -> str | None:
    return keyring().decrypt(blob, "tindakan", "catatan", str(action_uid))


def nik_index(nik: str | None) -> str:
    return keyring().blind_index(nik) or ""


def audit_key() -> bytes:
    """The HMAC key of the audit chain (created once in an older key file, never rotated)."""
    key = keyring().audit_key
    assert key is not None  # load_or_create always provides one
    return key


def audit_legacy_allowed() -> bool:
    """Whether the chain may begin with unkeyed entries: only for a key file older than keyed hashes."""
    return keyring().audit_legacy
