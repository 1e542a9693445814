"""fairclaim settings: every value comes from the environment, validated here.

`FAIRCLAIM_ENV=development` (the default) runs on embedded defaults: SQLite in `var/`, a generated
throw-away secret key, the console mail backend. `FAIRCLAIM_ENV=production` refuses to start on
placeholders and switches on every HTTPS and cookie protection, so `manage.py check --deploy`
is clean.
Every setting is listed in the README's settings table.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from `NAME`, or from the file named by `NAME_FILE` (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None
    return os.environ.get(name, default)


def database_from_url(url: str) -> dict:
    """A `postgres://user:pass@host:port/name` or `sqlite:///path` URL as a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return sqlite_database(Path(unquote(parsed.path)))
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parsed.scheme!r} is not supported; use postgres:// or sqlite:///"
    )


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Keep the connection: opening one and running the PRAGMAs costs more than most queries.
        "CONN_MAX_AGE": 600,
        # WAL lets the web process read while the worker writes; IMMEDIATE transactions avoid
        # "database is locked" upgrades from read to write locks under concurrency.
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }


ENVIRONMENT = env_str("FAIRCLAIM_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"FAIRCLAIM_ENV must be 'development' or 'production', got {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env_str("FAIRCLAIM_DATA_DIR", str(REPO_DIR / "var"))).resolve()

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    SECRET_KEY = "development-only-" + "x" * 50
elif PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("development-only")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters")

DEBUG = env_bool("FAIRCLAIM_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("FAIRCLAIM_DEBUG must be off in production")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the public host(s) in production")
# The one public base URL every link we send is built on (notices, reminders, QR codes,
# notification e-mails). `fairclaim demo` derives it from its --host/--port. SITE_URL is the
# older name, still read when the new one is not set.
FAIRCLAIM_PUBLIC_URL = (
    env_str("FAIRCLAIM_PUBLIC_URL") or env_str("SITE_URL", "http://127.0.0.1:8000")
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "fairclaim.accounts",
    "fairclaim.works",
    "fairclaim.monitoring",
    "fairclaim.cases",
    "fairclaim.payments",
    "fairclaim.portal",
    "fairclaim.letters",
    "fairclaim.dashboard",
    *["rest_framework", "django_filters", "drf_spectacular", "drf_spectacular_sidecar"],
    "fairclaim.api",
    "fairclaim.ops",
]

MIDDLEWARE = [
    "fairclaim.metrics.RequestMetricsMiddleware",  # first: times everything below it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): second factor passed
    "fairclaim.accounts.two_factor_gate.TwoFactorGateMiddleware",  # code or enrolment first
    "fairclaim.accounts.language.UserLanguageMiddleware",  # after auth: the user's own choice
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fairclaim.accounts.headers.SecurityHeadersMiddleware",  # CSP; no caching of the portal
]

ROOT_URLCONF = "fairclaim.urls"
WSGI_APPLICATION = "fairclaim.wsgi.application"

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
                "fairclaim.cases.inbox_views.unread_count",
                "fairclaim.accounts.language.language_choices",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if not _database_url:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default must work on first run
DATABASES = {
    "default": (
        database_from_url(_database_url)
        if _database_url
        else sqlite_database(DATA_DIR / "fairclaim.sqlite3")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "works:list"
LOGOUT_REDIRECT_URL = "login"
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = env_str("FAIRCLAIM_OTP_ISSUER", "fairclaim")
# A password-reset link is good for this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env_int("FAIRCLAIM_PASSWORD_RESET_TIMEOUT", 60 * 60 * 2, minimum=300)

LANGUAGE_CODE = "en"
# Each language named in its own language. The application speaks en and de
# (`accounts.language.APP_LANGUAGES`); the recipient portal, public checks and notices all five.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, serve static files straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    # Private: uploads and evidence are served only through views that check access.
    "default": {
        "BACKEND": "fairclaim.storage.PrivateStorage",
        "OPTIONS": {"location": str(DATA_DIR / "private")},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# No MEDIA_URL on purpose: nothing uploaded is ever reachable by URL without an access check.

# Upload limits (checked in fairclaim.works.intake; each refusal names the limit).
FAIRCLAIM_MAX_UPLOAD_BYTES = env_int("FAIRCLAIM_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1)
FAIRCLAIM_MAX_IMAGE_PIXELS = env_int("FAIRCLAIM_MAX_IMAGE_PIXELS", 100_000_000, minimum=1)
FAIRCLAIM_MAX_EVIDENCE_BYTES = env_int("FAIRCLAIM_MAX_EVIDENCE_BYTES", 500 * 1024 * 1024, minimum=1)
FAIRCLAIM_MAX_ZIP_MEMBERS = env_int("FAIRCLAIM_MAX_ZIP_MEMBERS", 2000, minimum=1)
FAIRCLAIM_MAX_ZIP_BYTES = env_int("FAIRCLAIM_MAX_ZIP_BYTES", 2 * 1024 * 1024 * 1024, minimum=1)
# Django's own request limit must admit one whole upload; files stream to disk above 2.5 MB.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("FAIRCLAIM_MAX_FILES_PER_UPLOAD", 500, minimum=1)

# Ed25519 key that signs evidence manifests and notice PDFs; its public half is published at
# /.well-known/fairclaim-signing-key. Generated on first use in development.
FAIRCLAIM_SIGNING_KEY = env_str(
    "FAIRCLAIM_SIGNING_KEY", str(DATA_DIR / "keys" / "signing-ed25519.pem")
)
# RFC 3161 timestamp authority for evidence manifests and PDF signatures; empty = no token.
FAIRCLAIM_TSA_URL = env_str("FAIRCLAIM_TSA_URL")
# Payments: card through Stripe Checkout (signed webhooks), bank transfer with the case reference.
STRIPE_API_KEY = env_secret("STRIPE_API_KEY")
STRIPE_WEBHOOK_SECRET = env_secret("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_TIMEOUT_SECONDS = env_int("STRIPE_TIMEOUT_SECONDS", 20, minimum=1)
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
BANK_TRANSFER_ACCOUNT = {
    "holder": env_str("BANK_ACCOUNT_HOLDER", "fairclaim Treuhandkonto (demo)"),
    "iban": env_str("BANK_ACCOUNT_IBAN", "DE89370400440532013000"),  # ISO 13616 example IBAN
    "bic": env_str("BANK_ACCOUNT_BIC", "COBADEFFXXX"),
}

# Reverse image search providers: each is enabled by its API key (empty = off).
FAIRCLAIM_TINEYE_API_KEY = env_secret("FAIRCLAIM_TINEYE_API_KEY")
FAIRCLAIM_TINEYE_URL = env_str("FAIRCLAIM_TINEYE_URL")
FAIRCLAIM_GOOGLE_VISION_API_KEY = env_secret("FAIRCLAIM_GOOGLE_VISION_API_KEY")
FAIRCLAIM_GOOGLE_VISION_URL = env_str("FAIRCLAIM_GOOGLE_VISION_URL")
FAIRCLAIM_ALLOW_LOOPBACK = env_bool("FAIRCLAIM_ALLOW_LOOPBACK", default=False)
# The team's shared photo folder sits beside the repository; a clone elsewhere finds it at /work.
_SHARED_PHOTOS = [REPO_DIR.parent / "shared" / "data" / "photos", Path("/work/shared/data/photos")]
FAIRCLAIM_DEMO_PHOTOS = Path(
    env_str(
        "FAIRCLAIM_DEMO_PHOTOS",
        str(next((p for p in _SHARED_PHOTOS if p.is_dir()), _SHARED_PHOTOS[0])),
    )
)

# How long a background task may run before its worker is presumed dead and the task is queued
# again (task_leases.py); also how old a claim on a work or notice must be to be taken over.
FAIRCLAIM_TASK_LEASE_SECONDS = env_int("FAIRCLAIM_TASK_LEASE_SECONDS", 600, minimum=1)
# REST API (/api/v1/, fairclaim.api): API keys only (no session auth: no CSRF surface), scopes,
# a per-key rate limit, cursor pages, RFC 9457 problem bodies, an OpenAPI document served offline.
FAIRCLAIM_API_RATE_PER_MINUTE = env_int("FAIRCLAIM_API_RATE_PER_MINUTE", 600, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["fairclaim.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["fairclaim.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["fairclaim.api.throttling.PerKeyThrottle"],
    "DEFAULT_PAGINATION_CLASS": "fairclaim.api.pagination.IdCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "fairclaim.api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "fairclaim.api.problems.handle_exception",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fairclaim API",
    "DESCRIPTION": "Works, licences, sightings, matches, claims, cases and payments of your "
    "organisation. Authenticate with an API key: `Authorization: Bearer fck_…`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",  # assets from drf-spectacular-sidecar: nothing from a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}
    },
    "ENUM_NAME_OVERRIDES": {
        "WorkStatusEnum": "fairclaim.works.models.Work.Status",
        "MatchStatusEnum": "fairclaim.monitoring.models.Match.Status",
        "ClaimStatusEnum": "fairclaim.cases.models.Claim.Status",
        "PaymentStatusEnum": "fairclaim.payments.models.Payment.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "fairclaim.api.schema.add_problem_responses",
    ],
}

TASKS = {
    "default": {
        "BACKEND": env_str("FAIRCLAIM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "fairclaim <notices@fairclaim.invalid>")
# DKIM signing of outgoing notices: a PEM private key, its selector and domain (empty = off).
FAIRCLAIM_DKIM_KEY_FILE = env_str("FAIRCLAIM_DKIM_KEY_FILE")
FAIRCLAIM_DKIM_SELECTOR = env_str("FAIRCLAIM_DKIM_SELECTOR", "fairclaim")
FAIRCLAIM_DKIM_DOMAIN = env_str("FAIRCLAIM_DKIM_DOMAIN")
if FAIRCLAIM_DKIM_KEY_FILE and not FAIRCLAIM_DKIM_DOMAIN:
    raise ImproperlyConfigured("FAIRCLAIM_DKIM_DOMAIN must name the signing domain")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    (
        "fairclaim.letters.dkim.DKIMEmailBackend"
        if FAIRCLAIM_DKIM_KEY_FILE
        else "django.core.mail.backends.smtp.EmailBackend"
    )
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)

CACHES = {
    "default": {
        "BACKEND": env_str(
            "FAIRCLAIM_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": env_str("FAIRCLAIM_CACHE_LOCATION", "fairclaim"),
    }
}
# With a cache shared by all processes (Redis), sessions are read from it; a per-process cache
# could keep serving a session another process has ended, so then the database alone holds them.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if "locmem" in CACHES["default"]["BACKEND"]
    else "django.contrib.sessions.backends.cached_db"
)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Reverse proxies whose X-Forwarded-For names the real client (addresses or networks). Throttles
# count clients, not the proxy: behind one, every visitor would otherwise share one counter.
# In production behind a proxy (FAIRCLAIM_BEHIND_PROXY) the default trusts a proxy on this host.
FAIRCLAIM_TRUSTED_PROXIES = env_list(
    "FAIRCLAIM_TRUSTED_PROXIES",
    ["127.0.0.0/8", "::1"] if PRODUCTION and env_bool("FAIRCLAIM_BEHIND_PROXY", True) else [],
)
# A bearer token that lets a remote Prometheus read /metrics (loopback scrapers need none).
FAIRCLAIM_METRICS_TOKEN = env_secret("FAIRCLAIM_METRICS_TOKEN")
for _proxy in FAIRCLAIM_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"FAIRCLAIM_TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        ) from None
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if env_bool("FAIRCLAIM_BEHIND_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# FAIRCLAIM_LOG_FORMAT=json writes one JSON object per line (for a log collector); plain is
# for people reading a terminal.
FAIRCLAIM_LOG_FORMAT = env_str("FAIRCLAIM_LOG_FORMAT", "json" if PRODUCTION else "plain")
if FAIRCLAIM_LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(
        f"FAIRCLAIM_LOG_FORMAT must be json or plain, not {FAIRCLAIM_LOG_FORMAT!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "fairclaim.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": FAIRCLAIM_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("FAIRCLAIM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
