"""Django settings, derived entirely from kinerja.config (environment variables)."""

from pathlib import Path

import dj_database_url

from kinerja import config as _config

CFG = _config.load()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CFG.data_dir

SECRET_KEY = CFG.secret_key
DEBUG = CFG.debug
ALLOWED_HOSTS = ["*"] if DEBUG else ["127.0.0.1", "localhost", "[::1]"] + [
    h for h in __import__("os").environ.get("KINERJA_ALLOWED_HOSTS", "").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "kinerja.register",
    "kinerja.dashboard",
    "kinerja.evidence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinerja.register.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kinerja.register.account_middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kinerja.urls"
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
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
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
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = CFG.max_upload_mb * 1024 * 1024

KINERJA = CFG

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
