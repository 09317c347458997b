"""Settings, driven by environment variables.

``QZ_ENV`` selects the profile: ``production`` (the default: fails closed), ``development``
(``make run``) or ``test``. Production refuses to start without ``SECRET_KEY`` and
``ALLOWED_HOSTS``; nothing permissive is a default.

A checkout's ``.env`` (written by ``make install``/``make run``, git-ignored) supplies variables
that the environment does not set, so the checkout's own ``.venv/bin/qingzhuang`` works without
exporting anything. Real environment variables always win. ``QZ_ENV_FILE`` names another file
(empty: read none).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from qingzhuang.registry import discover_apps

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a ``.env`` file (``#`` comments, optional ``export`` and quotes)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return values
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.isidentifier():
            raise ImproperlyConfigured(f"{path.name}: not a KEY=value line: {line!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


_env_file = os.environ.get("QZ_ENV_FILE", str(PROJECT_DIR / ".env"))
for _key, _value in (read_env_file(Path(_env_file)) if _env_file else {}).items():
    os.environ.setdefault(_key, _value)  # the real environment wins

QZ_ENV = os.environ.get("QZ_ENV", "production")
if QZ_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(f"QZ_ENV must be production, development or test, not {QZ_ENV!r}")
PRODUCTION = QZ_ENV == "production"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=QZ_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on in production")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION:
    # The same rule as Django's deploy check (security.W009): refuse what it would warn about.
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters")
    if len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak: it has fewer than 5 different characters; use a random string, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY must not start with 'django-insecure' (a key generated for development); "
            "use a random string, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set (comma-separated host names)")
else:
    # Development and tests only: never used when QZ_ENV=production.
    SECRET_KEY = SECRET_KEY or "insecure-development-key-" + "x" * 40  # noqa: S105
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    # Listed so the API docs page serves Swagger UI from our own static files, not a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # The project's apps: every folder of the package with a module.py, in layer order
    # (qingzhuang/registry.py). A new module adds its folder and touches no list here.
    *discover_apps(),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads request.POST: a multipart body without a boundary is a 400, not a 500.
    "qingzhuang.orgs.middleware.BadMultipartMiddleware",
    # A NUL character in the path, a parameter, a form field or a JSON string: a 400, not a 500.
    "qingzhuang.orgs.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qingzhuang.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last: it turns lock-outs raised by the backend into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qingzhuang.urls"
WSGI_APPLICATION = "qingzhuang.wsgi.application"

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
                "csp.context_processors.nonce",
                "qingzhuang.web.context.navigation",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
DATA_DIR = Path(os.environ.get("QZ_DATA_DIR", PROJECT_DIR / "var"))
if "DATABASE_URL" not in os.environ:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qingzhuang.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "qingzhuang.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "qingzhuang.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "qingzhuang.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle time-out: the session expires 30 minutes after the last request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lock-out after 5 failed attempts for the same user name (django-axes).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Lock-out is per user name on purpose: county offices share one NAT address, and locking an
# address would lock a whole township out after one cadre's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

OTP_TOTP_ISSUER = os.environ.get("QZ_SITE_NAME", "轻装")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Production serves the collected, hashed files from STATIC_ROOT (``qingzhuang collectstatic``);
# development and tests serve straight from the finders, with no collect step.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles")) if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
NODE_MODULES = Path(os.environ.get("QZ_NODE_MODULES", PROJECT_DIR / "node_modules"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

# Upload limits (files from the field can be huge or hostile).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
QZ_IMPORT_MAX_BYTES = int(os.environ.get("QZ_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
QZ_IMPORT_MAX_ROWS = int(os.environ.get("QZ_IMPORT_MAX_ROWS", "2000000"))
QZ_IMPORT_MAX_COLUMNS = int(os.environ.get("QZ_IMPORT_MAX_COLUMNS", "200"))
# xlsx files are zip archives: refuse ones that unpack beyond this or compress suspiciously well.
QZ_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("QZ_IMPORT_MAX_UNZIPPED_BYTES", str(max(1024**3, 5 * QZ_IMPORT_MAX_BYTES)))
)
QZ_IMPORT_MAX_ZIP_RATIO = int(os.environ.get("QZ_IMPORT_MAX_ZIP_RATIO", "200"))
# A background job (ledger import, policy indexing, ...) "running" without a sign of life for this long
# belongs to a dead worker: it is marked failed and can be retried (qingzhuang.jobs.lifecycle).
# Workers beat every QZ_JOB_HEARTBEAT_SECONDS while a job runs, so a minute of silence means a dead worker.
QZ_JOB_STALE_MINUTES = int(os.environ.get("QZ_JOB_STALE_MINUTES", "1"))
QZ_JOB_HEARTBEAT_SECONDS = int(os.environ.get("QZ_JOB_HEARTBEAT_SECONDS", "15"))
# The older name, for ledger imports only: when set it wins for them.
QZ_IMPORT_STALE_MINUTES = int(os.environ.get("QZ_IMPORT_STALE_MINUTES") or QZ_JOB_STALE_MINUTES)

# The policy assistant (AI社工). Offline by default; an OpenAI-compatible chat endpoint (vLLM,
# Ollama, DeepSeek, Qwen, ...) and/or an embeddings endpoint are used only when configured.
QZ_POLICY_MAX_BYTES = int(os.environ.get("QZ_POLICY_MAX_BYTES", str(20 * 1024 * 1024)))
QZ_POLICY_MAX_PAGES = int(os.environ.get("QZ_POLICY_MAX_PAGES", "500"))
QZ_LLM_BASE_URL = os.environ.get("QZ_LLM_BASE_URL", "")
QZ_LLM_MODEL = os.environ.get("QZ_LLM_MODEL", "")
QZ_LLM_API_KEY = os.environ.get("QZ_LLM_API_KEY", "")
QZ_LLM_TIMEOUT = float(os.environ.get("QZ_LLM_TIMEOUT", "60"))
QZ_EMBED_BASE_URL = os.environ.get("QZ_EMBED_BASE_URL", "")
QZ_EMBED_MODEL = os.environ.get("QZ_EMBED_MODEL", "")
QZ_EMBED_API_KEY = os.environ.get("QZ_EMBED_API_KEY", "")

# 码上减负: how many clues one address may submit, and receipt codes it may look up, per window
# ("N/seconds"); counted in the cache under a salted hash of the address (burden.clue_rate).
QZ_CLUE_RATE = os.environ.get("QZ_CLUE_RATE", "5/600")
QZ_CLUE_LOOKUP_RATE = os.environ.get("QZ_CLUE_LOOKUP_RATE", "20/600")

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if QZ_ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# Content-Security-Policy (django-csp 4): everything from our own origin, scripts with a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Inline style attributes (tree indentation, ECharts) are allowed; scripts are not.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# 工作问效: days before a time node's due date its yellow card shows (supervision.services.tasks).
QZ_TASK_YELLOW_DAYS = int(os.environ.get("QZ_TASK_YELLOW_DAYS", "3"))
# 督查检查: the default cap on visits per visited unit ("N/month" or "N/quarter"; a year's cap set
# on the 检查频次 page wins) and the rate limit of the public code verification ("N/seconds").
QZ_VISIT_CAP = os.environ.get("QZ_VISIT_CAP", "1/quarter")
QZ_VERIFY_RATE = os.environ.get("QZ_VERIFY_RATE", "30/600")
