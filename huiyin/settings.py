"""Settings for Huiyin, read from the environment (see docs/configuration.md)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from huiyin.core.env import env_bool, env_default_storage, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("HUIYIN_VAR_DIR", str(REPO_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("HUIYIN_DEBUG", False)
SECRET_KEY = env_str("HUIYIN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("HUIYIN_INSECURE_DEV_KEY", False):
        raise ImproperlyConfigured("Set HUIYIN_SECRET_KEY (or HUIYIN_DEBUG=1 for development).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"
ALLOWED_HOSTS = env_list("HUIYIN_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("HUIYIN_CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies whose X-Forwarded-For is believed for rate limits and audit rows (huiyin/core/net.py).
HUIYIN_TRUSTED_PROXIES = env_networks("HUIYIN_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "huiyin.core",
    "huiyin.org",
    "huiyin.cases",
    "huiyin.workflow",
    "huiyin.notify",
    "huiyin.intake",
    "huiyin.portal",
    "huiyin.open311",
    "huiyin.supervision",
    "huiyin.reception",
    "huiyin.mediation",
    "huiyin.assist",
    "huiyin.audit",
    "huiyin.demo",
    "huiyin.analytics",
    "huiyin.outreach",
    "huiyin.desk",
    "huiyin.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "huiyin.core.input_guard.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # after OTPMiddleware: a role that requires 2FA reaches nothing but sign-in until verified
    "huiyin.org.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "huiyin.core.middleware.SecurityHeadersMiddleware",
    "huiyin.core.middleware.StoreUnavailableMiddleware",  # the object store down: a 503 page
    # last: turns a lockout raised while authenticating into the lockout page (django-axes)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huiyin.urls"
WSGI_APPLICATION = "huiyin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "huiyin.org.context_processors.signin",
                "huiyin.org.context_processors.navigation",
            ],
        },
    },
]


def _database(setting: str, url: str) -> dict[str, object]:
    """A database URL (the `setting` named in errors): SQLite (the embedded default) or PostgreSQL
    (production)."""
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{setting} is malformed: {exc}") from None
    engine = str(config["ENGINE"])
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so
        # two writers queue on the busy timeout instead of failing mid-transaction (ADR 0002).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000; PRAGMA cache_size=-20000;"
            ),
        }
        config["TEST"] = (
            {"NAME": str(VAR_DIR / "test.sqlite3")} if env_bool("HUIYIN_TEST_SQLITE_FILE", False) else {}
        )
    elif engine not in {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"{setting} engine {engine} is not supported (SQLite or PostgreSQL)")
    # kept open between requests on both engines: on SQLite a new connection per request ran the PRAGMAs
    # above every time, and its close (the process's last) checkpointed the WAL away for the next write
    # to re-create — about half an intake's time (issue 15; docs/bench.md)
    config["CONN_MAX_AGE"] = env_int("HUIYIN_DB_CONN_MAX_AGE", 60, minimum=0)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {
    "default": _database("DATABASE_URL", env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'huiyin.sqlite3'}"))
}
# A PostgreSQL streaming replica for the dashboards, the public statistics and the documents
# (huiyin/core/dbrouter.py; docs/deploy.md). In tests it mirrors the default database.
if env_str("HUIYIN_REPLICA_URL", ""):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("HUIYIN_REPLICA_URL needs DATABASE_URL to be PostgreSQL")
    _replica = _database("HUIYIN_REPLICA_URL", env_str("HUIYIN_REPLICA_URL", ""))
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("HUIYIN_REPLICA_URL must be a PostgreSQL URL")
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["huiyin.core.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

# Django's full set (SPEC §4): not like the username or name, not a common password, not all digits,
# at least 10 characters. The demo accounts (`demo-<username>`) are created without validation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes, docs/configuration.md): after HUIYIN_LOGIN_FAILURE_LIMIT failures
# within HUIYIN_LOGIN_LOCKOUT_MINUTES, the account is locked (whatever address tries it) and so is the
# address (whatever account it tries), on /login/ and /admin/login/ alike, until the time has passed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("HUIYIN_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = env_int("HUIYIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HUIYIN_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: by account, and by address
AXES_USERNAME_CALLABLE = "huiyin.core.net.axes_username"
AXES_CLIENT_IP_CALLABLE = "huiyin.core.net.audit_ip"  # None when unknown: axes stores it in an inet column
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = False  # a valid account must not wipe an address's failures with others
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

# Two-factor sign-in (django-otp): the issuer shown in authenticator apps; TOTP codes may be one step
# (30 s) early or late; wrong codes slow the device down (django-otp's throttling).
OTP_TOTP_ISSUER = env_str("HUIYIN_OTP_ISSUER", "回音信访")
OTP_TOTP_TOLERANCE = 1

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("HUIYIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Attachments, export files and outreach photos: MEDIA_ROOT, or a private bucket on an on-premises
# S3-compatible store when HUIYIN_S3_BUCKET is set (docs/deploy.md; huiyin/core/objectstore.py serves
# no URL: files leave only through Huiyin's permission-checked views, 条例 §30).
STORAGES = {
    "default": env_default_storage(max_memory_size=FILE_UPLOAD_MAX_MEMORY_SIZE),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
HUIYIN_ATTACHMENT_MAX_BYTES = env_int("HUIYIN_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# a case list longer than this is written by the worker with a progress page (docs/excel.md); the
# finished file is removed after HUIYIN_EXPORT_KEEP_HOURS
HUIYIN_EXPORT_STREAM_ROWS = env_int("HUIYIN_EXPORT_STREAM_ROWS", 5000, minimum=1)
HUIYIN_EXPORT_KEEP_HOURS = env_int("HUIYIN_EXPORT_KEEP_HOURS", 24, minimum=1)

TASKS = {
    "default": {
        "BACKEND": env_str("HUIYIN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("HUIYIN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("HUIYIN_SESSION_SECONDS", 8 * 3600, minimum=60)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind TLS (docs/configuration.md): HSTS once the site is HTTPS-only; trust the proxy's
# X-Forwarded-Proto only when the proxy is the only way in (it must overwrite the header).
SECURE_HSTS_SECONDS = env_int("HUIYIN_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HUIYIN_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HUIYIN_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("HUIYIN_PROXY_SSL_HEADER", False) else None
)
SECURE_SSL_REDIRECT = env_bool("HUIYIN_SSL_REDIRECT", False)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Notifications to petitioners (docs/notifications.md): console by default, never blocking a case.
HUIYIN_NOTIFY_SMS_BACKEND = env_str("HUIYIN_NOTIFY_SMS_BACKEND", "huiyin.notify.backends.ConsoleBackend")
HUIYIN_NOTIFY_EMAIL_BACKEND = env_str("HUIYIN_NOTIFY_EMAIL_BACKEND", "huiyin.notify.backends.ConsoleBackend")
HUIYIN_NOTIFY_FILE = env_str("HUIYIN_NOTIFY_FILE", str(VAR_DIR / "notifications.jsonl"))
HUIYIN_NOTIFY_MAX_ATTEMPTS = env_int("HUIYIN_NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
HUIYIN_NOTIFY_WINDOW_REMINDER_DAYS = env_int("HUIYIN_NOTIFY_WINDOW_REMINDER_DAYS", 5, minimum=0)
HUIYIN_SMS_GATEWAY_URL = env_str("HUIYIN_SMS_GATEWAY_URL", "")
HUIYIN_SMS_GATEWAY_TOKEN = env_str("HUIYIN_SMS_GATEWAY_TOKEN", "")
HUIYIN_SMS_SIGN = env_str("HUIYIN_SMS_SIGN", "回音信访")
HUIYIN_SMS_GATEWAY_TIMEOUT = env_int("HUIYIN_SMS_GATEWAY_TIMEOUT", 10, minimum=1)
EMAIL_HOST = env_str("HUIYIN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("HUIYIN_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("HUIYIN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("HUIYIN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HUIYIN_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("HUIYIN_EMAIL_FROM", "huiyin@localhost")

# The citizen portal (docs/portal.md).
HUIYIN_PORTAL_URL = env_str("HUIYIN_PORTAL_URL", "/public/track/")
HUIYIN_PORTAL_OFFICE = env_str("HUIYIN_PORTAL_OFFICE", "")
HUIYIN_PORTAL_ATTACHMENT_MAX_BYTES = env_int(
    "HUIYIN_PORTAL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1
)
HUIYIN_PORTAL_ATTACHMENT_MAX_FILES = env_int("HUIYIN_PORTAL_ATTACHMENT_MAX_FILES", 5, minimum=0)
HUIYIN_PORTAL_CACHE_SECONDS = env_int("HUIYIN_PORTAL_CACHE_SECONDS", 600, minimum=0)

# Rate limits and cached pages need one cache all server processes share: a file cache under
# VAR_DIR in production (no extra service), memory in development and tests; with several app servers
# on different machines, Redis (HUIYIN_CACHE_URL=redis://host:6379/0; docs/deploy.md).
_cache_url = env_str("HUIYIN_CACHE_URL", "")
if _cache_url and not _cache_url.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("HUIYIN_CACHE_URL must be a redis://, rediss:// or unix:// address")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
    if _cache_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if DEBUG or env_bool("HUIYIN_CACHE_IN_MEMORY", False)
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

# Where the shipped real messages live (demo data, assist training): the repo sits next to shared/.
HUIYIN_DATA_DIR = Path(env_str("HUIYIN_DATA_DIR", str(REPO_DIR.parent / "shared" / "data" / "tipdm2020c")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HUIYIN_LOG_LEVEL", "WARNING")},
}
