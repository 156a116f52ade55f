"""Django settings, derived entirely from kinerja.config (environment variables)."""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

from kinerja import config as _config

CFG = _config.load()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CFG.data_dir

SECRET_KEY = CFG.secret_key
DEBUG = CFG.debug
ALLOWED_HOSTS = ["*"] if DEBUG else ["127.0.0.1", "localhost", "[::1]"] + [
    h for h in os.environ.get("KINERJA_ALLOWED_HOSTS", "").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "simple_history",
    "kinerja.register",
    "kinerja.dashboard",
    "kinerja.evidence",
    "kinerja.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kinerja.register.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinerja.register.middleware.IdleTimeoutMiddleware",
    "kinerja.register.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kinerja.register.account_middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires: turns a lockout into its page
]

ROOT_URLCONF = "kinerja.urls"
CSRF_FAILURE_VIEW = "kinerja.register.views.csrf_failure"
WSGI_APPLICATION = "kinerja.wsgi.application"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kinerja.register.context_processors.synthetic",
            ],
        },
    },
]


def _database() -> dict:
    db = dj_database_url.parse(CFG.database_url, conn_max_age=0)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        _config.private_file(Path(db["NAME"]))  # SQLite gives -wal and -shm the database file's mode
        db["OPTIONS"] = {
            # WAL lets readers work while an import writes; IMMEDIATE avoids upgrade deadlocks.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    else:
        # For the indicator engine's short aggregate queries: JIT compilation costs more than it
        # saves; random_page_cost 1.1 (data in RAM or on SSD) lets the planner walk one unit's
        # cases through the covering indexes instead of hashing a whole year; a dearer parallel
        # setup keeps worker start-up (a few ms) off those small queries while national ones
        # still run in parallel.
        db.setdefault("OPTIONS", {}).setdefault(
            "options", "-c jit=off -c random_page_cost=1.1 -c parallel_setup_cost=10000")
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "register.Staff"
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "case-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = CFG.language
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"  # shown in WIB; stored in UTC (USE_TZ)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
_config.private_dir(STATIC_ROOT)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = CFG.max_upload_mb * 1024 * 1024

KINERJA = CFG
# computed figures kept by data version (kinerja.indicators.cache); "0" computes every figure afresh
KINERJA_FIGURE_CACHE = _config._flag("KINERJA_FIGURE_CACHE") if os.environ.get("KINERJA_FIGURE_CACHE", "").strip() else True
# `kinerja serve` keeps the figure cache warm in a process of its own (kinerja.indicators.keeper)
KINERJA_FIGURE_KEEPER = _config._flag("KINERJA_FIGURE_KEEPER") if os.environ.get("KINERJA_FIGURE_KEEPER", "").strip() \
    else True


def security_settings(cfg: _config.Config) -> dict[str, Any]:
    """Sign-in limits, the idle timeout and the transport settings, from the Kinerja settings.

    A function of the config, so the settings for KINERJA_HTTPS=1 can be built and checked without
    restarting the process. The demo runs on http://127.0.0.1, so HTTPS-only cookies and HSTS are off
    unless KINERJA_HTTPS=1 says a TLS front (gunicorn behind nginx/Caddy, or a certificate) is there."""
    https = cfg.https
    values: dict[str, Any] = {
        # idle timeout: the session lives this long after the last request (kinerja's
        # IdleTimeoutMiddleware slides it forward at most once a minute, so a page view is not a write)
        "SESSION_COOKIE_AGE": int(cfg.session_idle_minutes * 60),
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "SECURE_SSL_REDIRECT": https,
        # one year; includeSubDomains only covers names below the Kinerja host itself
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600 if https else 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": https,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        # behind a reverse proxy that ends TLS: trust its X-Forwarded-Proto (and, for the lockout by
        # address, the address it appends to X-Forwarded-For: kinerja.register.signin.client_address);
        # never without such a proxy, or any client could claim HTTPS or another address
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if cfg.behind_proxy else None,
        "AXES_CLIENT_IP_CALLABLE": "kinerja.register.signin.client_address",
        # lockout: after this many failed sign-ins for one account, or from one address, within the
        # lockout period, further attempts (even with the right password) are refused until it ends
        "AXES_FAILURE_LIMIT": cfg.lockout_failures,
        "AXES_COOLOFF_TIME": dt.timedelta(minutes=cfg.lockout_minutes),
        # a fixed period, so "try again in N minutes" on the lockout page holds; attempts made while
        # locked out are refused without extending it
        "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT": False,
        "AXES_LOCKOUT_PARAMETERS": ["username", "ip_address"],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_LOCKOUT_CALLABLE": "kinerja.register.signin.lockout_response",
        # attempted user names and addresses are kept; passwords never (axes masks them)
        "AXES_SENSITIVE_PARAMETERS": ["password"],
        "AXES_VERBOSE": False,
        # not in /admin/: clearing a lockout is the operator's audited `kinerja unlock`
        "AXES_ENABLE_ADMIN": False,
    }
    return values


globals().update(security_settings(CFG))

# Content-Security-Policy: every script and style comes from this server's static files; no inline
# script, no eval (the charts use vega's expression interpreter), no CDN, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for icons inside the vendored CSS (Swagger UI)
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Django's deploy check asks for HSTS preload. Preload lists take only a registrable domain (an
# office's whole domain, submitted by its owner), not the host Kinerja runs on, so it does not apply.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Identity never reaches logs: no request bodies are logged, and error mails are off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_identity": {"()": "kinerja.logfilter.NoIdentityFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_identity"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # filtered where records are made, so every handler (and test capture) sees the cleaned record
        "django.request": {"level": "ERROR", "filters": ["no_identity"], "propagate": True},
        "django.security": {"level": "WARNING", "filters": ["no_identity"], "propagate": True},
    },
}
