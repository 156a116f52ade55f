"""Test settings: a throwaway data folder, and the database chosen by KINERJA_TEST_BACKEND.

`make test` runs the whole suite twice: on SQLite, then on PostgreSQL (KINERJA_TEST_DATABASE_URL).
Under CI=true a missing PostgreSQL is an error, never a skip."""

import os
import tempfile

os.environ["KINERJA_DATA_DIR"] = tempfile.mkdtemp(prefix="kinerja-test-")
os.environ.pop("KINERJA_KEY_FILE", None)
os.environ.pop("KINERJA_SECRET_KEY_FILE", None)
_backend = os.environ.get("KINERJA_TEST_BACKEND", "sqlite")
if _backend == "postgresql":
    _url = os.environ.get("KINERJA_TEST_DATABASE_URL")
    if not _url:
        raise RuntimeError("KINERJA_TEST_BACKEND=postgresql needs KINERJA_TEST_DATABASE_URL")
    os.environ["KINERJA_DATABASE_URL"] = _url
elif _backend == "sqlite":
    os.environ.pop("KINERJA_DATABASE_URL", None)
else:
    raise RuntimeError(f"unknown KINERJA_TEST_BACKEND {_backend!r}")
os.environ.setdefault("KINERJA_LANGUAGE", "id")

from kinerja.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # a real file (not :memory:), so encryption-at-rest scans and backups read actual bytes
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-kinerja.sqlite3")}  # noqa: F405

# django-axes needs the request in authenticate(); the test client's login() has none (see the module)
AUTHENTICATION_BACKENDS = ["tests.signin_backend.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
