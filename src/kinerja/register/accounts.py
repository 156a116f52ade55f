"""User accounts: created by the CLI or the admin, passwords hashed with argon2 by Django."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kinerja import vocab
from kinerja.register.models import Staff, Unit


def add_user(username: str, role: str, unit_code: str | None, password: str, full_name: str = "") -> Staff:
    if role not in vocab.PERAN:
        raise ValueError(f"Peran tidak dikenal / unknown role: {role}")
    unit = None
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise ValueError(f"Unit tidak ditemukan / unit not found: {unit_code}")
    elif role != "admin":
        raise ValueError("Peran ini perlu --unit / this role needs --unit")
    if Staff.objects.filter(username=username).exists():
        raise ValueError(f"Pengguna sudah ada / user exists: {username}")
    user = Staff(username=username, role=role, unit=unit, full_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValueError("; ".join(exc.messages)) from exc
    with transaction.atomic():
        user.set_password(password)
        user.is_staff = role == "admin"  # the Django admin is for reference data only
        user.save()
    return user


def random_password() -> str:
    return secrets.token_urlsafe(12)
