"""The one list of settings, all read from environment variables (documented in README.md).

Kept free of Django so the CLI can resolve paths before Django is configured."""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class ConfigError(SystemExit):
    """A setting with a bad value: the message names the setting and what it must be (bilingual).

    A SystemExit, so a process that reads the settings stops with the message instead of a traceback;
    the CLI prints it and exits with status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    lockout_failures: int = 5
    lockout_minutes: float = 30.0
    session_idle_minutes: float = 30.0
    https: bool = False
    behind_proxy: bool = False

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
        _tighten(path)
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def _tighten(path: Path) -> None:
    """Owner-only (0600) for a secret an earlier version or a copy left readable by others."""
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _import_parallel(value: str) -> bool:
    """auto: a second process parses large tables when the machine has two cores or more."""
    value = value.strip().lower()
    if value in ("1", "true", "yes", "ya", "on"):
        return True
    if value in ("0", "false", "no", "tidak", "off"):
        return False
    if value != "auto":
        raise ConfigError(f"KINERJA_IMPORT_PARALLEL harus auto, 1 atau 0, bukan {value!r} / "
                          f"KINERJA_IMPORT_PARALLEL must be auto, 1 or 0, not {value!r}")
    return (os.cpu_count() or 1) >= 2


def _audit_head_file(data_dir: Path) -> Path:
    """KINERJA_AUDIT_HEAD_FILE, else `audit-head.json` next to the key file (outside the database)."""
    env = os.environ.get("KINERJA_AUDIT_HEAD_FILE")
    if env:
        return Path(env)
    return Path(os.environ.get("KINERJA_KEY_FILE", data_dir / "keys.json")).parent / "audit-head.json"


_TRUE = ("1", "true", "yes", "ya", "on")
_FALSE = ("", "0", "false", "no", "tidak", "off")


def _flag(name: str) -> bool:
    """An on/off setting; anything but the listed words stops, so a typo never leaves HTTPS off silently."""
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} harus 1 (nyala) atau 0 (mati), bukan {value!r} / "
                      f"{name} must be 1 (on) or 0 (off), not {value!r}")


def _whole(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigError(f"{name} harus bilangan bulat {minimum} atau lebih, bukan {raw!r} / "
                          f"{name} must be a whole number of {minimum} or more, not {raw!r}")
    return value


def _positive(name: str, default: float) -> float:
    """A duration or limit: a finite number above zero (0 would make every case late or every sign-in expire)."""
    raw = os.environ.get(name, str(default)).strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} harus angka lebih dari 0, bukan {raw!r} / "
                          f"{name} must be a number greater than 0, not {raw!r}")
    return value


def private_dir(path: Path) -> Path:
    """The data folder and its sub-folders hold the database, keys and backups: owner-only (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """A data file (database, backup, key): created empty as owner-only (0600) before anything writes
    it, and tightened if an earlier version left it readable by others."""
    if str(path) in ("", ":memory:"):
        return path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    _tighten(path)
    return path


def load() -> Config:
    data_dir = Path(os.environ.get("KINERJA_DATA_DIR", "./kinerja-data")).resolve()
    db_url = os.environ.get("KINERJA_DATABASE_URL") or f"sqlite:///{data_dir / 'kinerja.sqlite3'}"
    language = os.environ.get("KINERJA_LANGUAGE", "id")
    if language not in ("id", "en"):
        raise ConfigError(f"KINERJA_LANGUAGE harus 'id' atau 'en', bukan {language!r} / "
                          f"KINERJA_LANGUAGE must be 'id' or 'en', not {language!r}")
    # every value is checked before anything is written to the data folder
    debug = _flag("KINERJA_DEBUG")
    sla_high_hours = _positive("KINERJA_SLA_TINGGI_JAM", 24)
    sla_other_hours = _positive("KINERJA_SLA_LAIN_JAM", 72)
    complaint_days = _positive("KINERJA_BATAS_PENGADUAN_HARI", 14)
    suppression_k = _whole("KINERJA_SUPPRESSION_K", 5, minimum=1)
    max_upload_mb = _whole("KINERJA_MAX_UPLOAD_MB", 50, minimum=1)
    import_parallel = _import_parallel(os.environ.get("KINERJA_IMPORT_PARALLEL", "auto"))
    lockout_failures = _whole("KINERJA_LOCKOUT_FAILURES", 5, minimum=1)
    lockout_minutes = _positive("KINERJA_LOCKOUT_MINUTES", 30)
    session_idle_minutes = _positive("KINERJA_SESSION_IDLE_MINUTES", 30)
    https = _flag("KINERJA_HTTPS")
    behind_proxy = _flag("KINERJA_BEHIND_PROXY")
    private_dir(data_dir)
    key_file = Path(os.environ.get("KINERJA_KEY_FILE", data_dir / "keys.json"))
    if key_file.exists():
        _tighten(key_file)  # written 0600 by identity.Keyring.save; older copies are tightened here
    return Config(
        data_dir=data_dir,
        database_url=db_url,
        secret_key=_secret_key(data_dir),
        key_file=key_file,
        language=language,
        debug=debug,
        sla_high_hours=sla_high_hours,
        sla_other_hours=sla_other_hours,
        complaint_days=complaint_days,
        suppression_k=suppression_k,
        max_upload_mb=max_upload_mb,
        import_parallel=import_parallel,
        lockout_failures=lockout_failures,
        lockout_minutes=lockout_minutes,
        session_idle_minutes=session_idle_minutes,
        https=https,
        behind_proxy=behind_proxy,
        audit_head_file=_audit_head_file(data_dir),
        reset_code_hours=_positive("KINERJA_RESET_CODE_HOURS", 24),
    )
