"""The one list of settings, all read from environment variables (documented in README.md).

Kept free of Django so the CLI can resolve paths before Django is configured."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    secret_key: str
    key_file: Path
    language: str
    debug: bool
    sla_high_hours: float
    sla_other_hours: float
    complaint_days: float
    suppression_k: int
    max_upload_mb: int
    import_parallel: bool
    audit_head_file: Path
    reset_code_hours: float = 24.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return Path(self.database_url.split("sqlite:///", 1)[1])


def _secret_key(data_dir: Path) -> str:
    """KINERJA_SECRET_KEY, else a key file created once in the data folder (never a built-in default)."""
    env = os.environ.get("KINERJA_SECRET_KEY")
    if env:
        return env
    path = Path(os.environ.get("KINERJA_SECRET_KEY_FILE", data_dir / "secret_key"))
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def _import_parallel(value: str) -> bool:
    """auto: a second process parses large tables when the machine has two cores or more."""
    value = value.strip().lower()
    if value in ("1", "true", "yes", "ya", "on"):
        return True
    if value in ("0", "false", "no", "tidak", "off"):
        return False
    if value != "auto":
        raise SystemExit(f"KINERJA_IMPORT_PARALLEL harus auto, 1 atau 0, bukan {value!r} / "
                         f"KINERJA_IMPORT_PARALLEL must be auto, 1 or 0, not {value!r}")
    return (os.cpu_count() or 1) >= 2


def _audit_head_file(data_dir: Path) -> Path:
    """KINERJA_AUDIT_HEAD_FILE, else `audit-head.json` next to the key file (outside the database)."""
    env = os.environ.get("KINERJA_AUDIT_HEAD_FILE")
    if env:
        return Path(env)
    return Path(os.environ.get("KINERJA_KEY_FILE", data_dir / "keys.json")).parent / "audit-head.json"


def _positive_hours(name: str, value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if not 0 < hours < 24 * 366:
        raise SystemExit(f"{name} harus jumlah jam lebih dari 0, bukan {value!r} / "
                         f"{name} must be a number of hours above 0, not {value!r}")
    return hours


def load() -> Config:
    data_dir = Path(os.environ.get("KINERJA_DATA_DIR", "./kinerja-data")).resolve()
    db_url = os.environ.get("KINERJA_DATABASE_URL") or f"sqlite:///{data_dir / 'kinerja.sqlite3'}"
    language = os.environ.get("KINERJA_LANGUAGE", "id")
    if language not in ("id", "en"):
        raise SystemExit(f"KINERJA_LANGUAGE harus 'id' atau 'en', bukan {language!r} / "
                         f"KINERJA_LANGUAGE must be 'id' or 'en', not {language!r}")
    return Config(
        data_dir=data_dir,
        database_url=db_url,
        secret_key=_secret_key(data_dir),
        key_file=Path(os.environ.get("KINERJA_KEY_FILE", data_dir / "keys.json")),
        language=language,
        debug=os.environ.get("KINERJA_DEBUG", "") in ("1", "true", "yes"),
        sla_high_hours=float(os.environ.get("KINERJA_SLA_TINGGI_JAM", "24")),
        sla_other_hours=float(os.environ.get("KINERJA_SLA_LAIN_JAM", "72")),
        complaint_days=float(os.environ.get("KINERJA_BATAS_PENGADUAN_HARI", "14")),
        suppression_k=int(os.environ.get("KINERJA_SUPPRESSION_K", "5")),
        max_upload_mb=int(os.environ.get("KINERJA_MAX_UPLOAD_MB", "50")),
        import_parallel=_import_parallel(os.environ.get("KINERJA_IMPORT_PARALLEL", "auto")),
        audit_head_file=_audit_head_file(data_dir),
        reset_code_hours=_positive_hours("KINERJA_RESET_CODE_HOURS", os.environ.get("KINERJA_RESET_CODE_HOURS", "24")),
    )
