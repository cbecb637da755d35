"""Settings for the FORCE-B platform, read from the environment (12-factor).

Every value a deployment changes comes from a ``FORCEB_*`` variable; nothing secret lives in
the repository. The secret key is generated on first run into the data directory.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("FORCEB_DATA_DIR", BASE_DIR / "var"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept beside the database."""
    if os.environ.get("FORCEB_SECRET_KEY"):
        return os.environ["FORCEB_SECRET_KEY"]
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not overwrite each other's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("FORCEB_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("FORCEB_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "forceb.core.apps.CoreConfig",
    "forceb.inventory",
    "forceb.sbom",
    "forceb.intel",
    "forceb.resilience",
    "forceb.soc",
    "forceb.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "forceb.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "forceb.core.middleware.AuditActorMiddleware",
]

ROOT_URLCONF = "forceb.config.urls"
WSGI_APPLICATION = "forceb.config.wsgi.application"

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
                "forceb.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("FORCEB_DATABASE_URL", f"sqlite:///{DATA_DIR / 'forceb.sqlite3'}"),
        conn_max_age=int(os.environ.get("FORCEB_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while one writer writes; IMMEDIATE makes a writing transaction take the
    # write lock when it begins, so concurrent writers queue on the busy timeout instead of failing
    # with "database is locked" when a read lock cannot be upgraded (the audit trail appends in every
    # write).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20,
         "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["forceb.core.backends.ThrottledModelBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Failed-login throttling: this many failures for one username or one address within the window
# lock further attempts until the window has passed.
FORCEB_LOGIN_MAX_FAILURES = int(os.environ.get("FORCEB_LOGIN_MAX_FAILURES", "5"))
FORCEB_LOGIN_WINDOW_SECONDS = int(os.environ.get("FORCEB_LOGIN_WINDOW_SECONDS", "900"))
FORCEB_TOKEN_DEFAULT_DAYS = int(os.environ.get("FORCEB_TOKEN_DEFAULT_DAYS", "90"))

# Cookies are Secure unless the operator says the platform is served over plain HTTP (the local
# demo on loopback is; production must not be).
FORCEB_HTTPS = _flag("FORCEB_HTTPS", True)
SESSION_COOKIE_SECURE = FORCEB_HTTPS
CSRF_COOKIE_SECURE = FORCEB_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if FORCEB_HTTPS and not DEBUG:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("FORCEB_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# One policy for every page: no inline script, no third-party origin. Plotly sets inline styles on
# the SVG it draws, hence 'unsafe-inline' for styles only.
FORCEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "forceb.web.finders.PlotlyFinder",
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FORCEB_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "forceb.core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["forceb.core.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "forceb.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
    "EXCEPTION_HANDLER": "forceb.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FORCE-B platform API",
    "DESCRIPTION": (
        "REST API of the FORCE-B platform. Authenticate with `Authorization: Token <token>` "
        "(create one with `forceb token create USERNAME`). Every list is paginated and filterable; "
        "objects outside your organisation's reach answer 404."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every choice set named once, so fields called "kind" or "status" in several apps keep stable names.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "forceb.core.choices.OrganizationKind",
        "SectorEnum": "forceb.core.choices.Sector",
        "TierEnum": "forceb.core.choices.Tier",
        "RoleEnum": "forceb.core.choices.Role",
        "TLPEnum": "forceb.core.choices.TLP",
        "AuditActionEnum": "forceb.core.choices.AuditAction",
        "StatusStateEnum": "forceb.intel.choices.StatusState",
        "CriticalityEnum": "forceb.inventory.choices.Criticality",
        "HostingEnum": "forceb.inventory.choices.Hosting",
        "EnvironmentEnum": "forceb.inventory.choices.Environment",
        "SupplierKindEnum": "forceb.inventory.choices.SupplierKind",
        "RegistryKindEnum": "forceb.inventory.choices.RegistryKind",
        "DependencyKindEnum": "forceb.inventory.choices.DependencyKind",
        "ImpactDimensionEnum": "forceb.resilience.choices.ImpactDimension",
        "BiaStatusEnum": "forceb.resilience.choices.BiaStatus",
        "LayerKindEnum": "forceb.resilience.choices.LayerKind",
        "DrillStatusEnum": "forceb.resilience.choices.DrillStatus",
        "DrillEventKindEnum": "forceb.resilience.choices.DrillEventKind",
        "ChainPartyEnum": "forceb.resilience.choices.ChainParty",
        "ActionStatusEnum": "forceb.resilience.choices.ActionStatus",
        "SbomFormatEnum": "forceb.sbom.choices.SbomFormat",
        "ComponentStatusEnum": "forceb.sbom.choices.ComponentStatus",
        "SeverityEnum": "forceb.sbom.choices.Severity",
        "FindingStatusEnum": "forceb.sbom.choices.FindingStatus",
        "JustificationEnum": "forceb.sbom.choices.Justification",
        "DecisionSourceEnum": "forceb.sbom.choices.DecisionSource",
        "FeedEnum": "forceb.sbom.choices.Feed",
        "ImpactLevelEnum": "forceb.resilience.choices.IMPACT_LEVELS",
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FORCEB_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FORCEB_LOG_LEVEL", "WARNING")},
}

# Webhook deliveries go to public addresses only; tests open loopback for their own receiver.
FORCEB_WEBHOOK_ALLOW_LOOPBACK = _flag("FORCEB_WEBHOOK_ALLOW_LOOPBACK", False)

FORCEB_SHARED_DATA = Path(os.environ.get("FORCEB_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))
