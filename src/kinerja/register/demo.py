"""`kinerja demo`: the synthetic Pekanbaru-like sample, and one user per role to explore it with."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

from django.db import transaction

from kinerja.register import accounts
from kinerja.register.models import Case, Staff, Unit

SECTION = "14.71-RESOS-ANAK"
ROLES = ("kepala_seksi", "pekerja_sosial", "pimpinan", "evaluator", "admin")
BANNER = (
    "DATA SINTETIS — bukan data anak sungguhan / SYNTHETIC DATA — not real children's data"
)


def load_demo(out: TextIO, seed: int = 2016, address: str = "http://127.0.0.1:8000") -> dict[str, str]:
    """Load the sample once (an existing register is left as it is), then give each demo user a
    fresh random password, printed once here and stored only as an argon2 hash."""
    from kinerja import generator
    from kinerja.register.tabular import writing

    print(BANNER, file=out)
    if not Case.objects.filter(unit__code=SECTION).exists():
        with tempfile.TemporaryDirectory(prefix="kinerja-demo-") as tmp:
            generator.demo_dataset(Path(tmp), seed=seed)
            result = writing.import_path(Path(tmp))
            if not result.ok:
                raise SystemExit(result.report())
        print(f"Sampel dimuat / sample loaded: {Case.objects.count()} kasus", file=out)
        _load_evidence_sample(out)
    else:
        print("Sampel sudah ada / sample already loaded", file=out)
    creds = _demo_users()
    print(f"\nMasuk di / log in at {address}/masuk/ dengan / with:", file=out)
    for role, (username, password) in creds.items():
        print(f"  {role:<15} {username:<22} {password}", file=out)
    print("Kata sandi ini hanya ditampilkan sekali / these passwords are shown only once.\n", file=out, flush=True)
    return {u: p for u, p in creds.values()}


def _load_evidence_sample(out: TextIO) -> None:
    from kinerja.commands import demo_loaders

    for loader in demo_loaders():
        loader(out)


def _demo_users() -> dict[str, tuple[str, str]]:
    section = Unit.objects.get(code=SECTION)
    units = [section.pk]
    if section.parent_id:
        units.append(section.parent_id)
        parent = Unit.objects.get(pk=section.parent_id)
        if parent.parent_id:
            units.append(parent.parent_id)
    creds: dict[str, tuple[str, str]] = {}
    with transaction.atomic():
        for role in ROLES:
            user = Staff.objects.filter(role=role, unit_id__in=units).order_by("username").first()
            if user is None:
                user = Staff(username=f"demo_{role}", role=role, unit=section)
            password = accounts.random_password()
            user.set_password(password)
            user.is_active = True
            user.is_staff = role == "admin"
            user.save()
            creds[role] = (user.username, password)
    return creds
