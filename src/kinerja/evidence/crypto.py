"""Encryption of source texts and memos, bound to (table, column, row uid) like the register's
case notes (kinerja.register.keyring), so a ciphertext copied to another row does not decrypt."""

from __future__ import annotations

from kinerja.register.keyring import keyring


def encrypt_source_text(source_uid: object, text: str) -> bytes | None:
    return keyring().encrypt(text, "bukti_sumber", "teks", str(source_uid))


def decrypt_source_text(source_uid: object, blob: bytes | memoryview | None) -> str:
    return keyring().decrypt(blob, "bukti_sumber", "teks", str(source_uid)) or ""


def encrypt_memo(memo_uid: object, text: str) -> bytes | None:
    return keyring().encrypt(text, "bukti_memo", "teks", str(memo_uid))


def decrypt_memo(memo_uid: object, blob: bytes | memoryview | None) -> str:
    return keyring().decrypt(blob, "bukti_memo", "teks", str(memo_uid)) or ""


def encrypt_coding_memo(coding_uid: object, text: str) -> bytes | None:
    return keyring().encrypt(text, "bukti_koding", "memo", str(coding_uid))


def decrypt_coding_memo(coding_uid: object, blob: bytes | memoryview | None) -> str:
    return keyring().decrypt(blob, "bukti_koding", "memo", str(coding_uid)) or ""
