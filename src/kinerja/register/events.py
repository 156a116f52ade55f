"""Signals the register sends to the other areas, so it can ask them to act without importing
them: the areas connect their receivers in their AppConfig.ready."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by services.rotate_keys inside its transaction, after the register's own ciphertexts were
# re-encrypted and before the key file is saved. Each receiver re-encrypts its area's ciphertexts
# with the keyring's new current key and returns how many it rewrote.
keys_rotated = Signal()
