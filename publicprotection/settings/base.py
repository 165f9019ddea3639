"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ).
`make run` and `make test` write the addresses of the embedded PostgreSQL and Redis to
var/stack.env, which is read here so `manage.py` works in the same shell afterwards.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from marac.schedule import BEAT_SCHEDULE as MARAC_SCHEDULE
from reports.schedule import BEAT_SCHEDULE as REPORTS_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
_stack_env = BASE_DIR / "var" / "stack.env"
if _stack_env.exists():
    # Values already in the environment win (DATABASE_URL / REDIS_URL set by CI).
    environ.Env.read_env(_stack_env, overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-not-for-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    # third party
    "pgtrigger",
    "pghistory",
    "guardian",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    # ours, core first (imports point down this list)
    "publicprotection.accounts",
    "publicprotection.audit",
    "publicprotection.idempotency",
    "cases",
    "riskassessment",
    "marac",
    "homicidereviews",
    "reports",
    "worklists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their long cache), above everything that answers.
    "publicprotection.cache_headers.NoStoreMiddleware",
    # Before any view reads the query: NUL cannot reach PostgreSQL (a 400, not a 500).
    "publicprotection.null_characters.RefuseNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before anything reads case data: which database this request may read from.
    "publicprotection.replica.ReadYourWritesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "publicprotection.accounts.middleware.SessionLifetimeMiddleware",
    "publicprotection.accounts.middleware.RequireTwoFactorMiddleware",
    "publicprotection.idempotency.middleware.IdempotencyMiddleware",
    "publicprotection.api.versions.ETagMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "publicprotection.audit.middleware.AuditContextMiddleware",
    # axes must be last
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "publicprotection.urls"
# Widget templates come from templates/ too (GOV.UK radios and checkboxes); a field renders as a
# GOV.UK form group (templates/govuk/field.html).
FORM_RENDERER = "publicprotection.govuk_forms.GovukFormRenderer"
WSGI_APPLICATION = "publicprotection.wsgi.application"

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
                "publicprotection.navigation.navigation",
                "publicprotection.accounts.context_processors.session_timeout",
            ],
            # {% summary_row %} on every page, like {% include %}; and the `date` filter, the
            # same output as Django's, faster (publicprotection/date_filter.py).
            "builtins": [
                "publicprotection.summary_rows",
                "publicprotection.date_filter",
                "publicprotection.pdf",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/publicprotection")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Behind PgBouncer in transaction pooling mode (docs/deployment.md): each transaction may run
# on a different server connection, so nothing may outlive one. Server-side cursors (Django's
# .iterator() outside a transaction declares one WITH HOLD) are the only such state Django
# keeps; the rest is checked in docs/adr/0014-scaling-out.md and tests/test_pgbouncer.py.
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
# A streaming replica for the heavy read-only pages (publicprotection/replica.py): the same
# role and database as DATABASE_URL, on the standby. Unset: everything reads from the primary.
DATABASE_REPLICA_ENABLED = bool(env("DATABASE_REPLICA_URL", default=""))
if DATABASE_REPLICA_ENABLED:
    _replica = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"] = {
        **_replica,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # A standby that is gone (not refusing: silent) holds a page this long, once per
        # process and REPLICA_RETRY_SECONDS, before the page is read from the primary.
        "OPTIONS": {"connect_timeout": 3, **_replica.get("OPTIONS", {})},
        "TEST": {"MIRROR": "default"},
    }
for _alias in DATABASES:
    if DATABASE_PGBOUNCER:
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASE_ROUTERS = ["publicprotection.replica.ReplicaRouter"]
# How long after a request that may write its browser reads from the primary only (longer
# than the replica's lag under load; docs/deployment.md).
REPLICA_STICKY_SECONDS = env.int("REPLICA_STICKY_SECONDS", default=15)
# After the replica could not be reached, how long a process reads only from the primary
# before trying the replica again.
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)

# Two database roles (docs/adr/0002-audit.md): DATABASE_URL names the role the process runs as.
# Migrations run as the owner of the tables; the application runs as this role, which
# `manage.py grant_app_role --create` (run as the owner) creates and `migrate` keeps granted:
# DML on domain tables, only SELECT and INSERT on the audit trail.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="publicprotection_app")
DATABASE_APP_PASSWORD = env("DATABASE_APP_PASSWORD", default="")

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# --- Cache: one for every worker and host -----------------------------------------------------
# DRF's throttles (and anything else that counts requests) keep their counts here, so a limit
# holds across gunicorn workers and hosts; the per-process default (local memory) would give
# each worker its own count. Celery's broker shares the Redis database unless REDIS_CACHE_URL
# names another one: keys carry their own prefix, and nothing may call cache.clear() (it
# empties the whole database). Short socket timeouts: a stalled Redis fails a request rather
# than hanging a worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="pp-cache"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# --- The client's address ---------------------------------------------------------------------
# The reverse proxies in front of the app (load balancer, ingress): addresses or CIDR ranges,
# comma-separated. X-Forwarded-For is believed only when the direct peer is one of them, and
# only back to the first hop that is not (publicprotection/client_address.py). Empty: the
# direct peer is the client. The access log, the change history and the sign-in lockout all
# use the address this gives.
TRUSTED_PROXIES = [p.strip() for p in env.list("TRUSTED_PROXIES", default=[]) if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address") from _error

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Only the built assets are served (static/dist at /static/dist/); static/src holds their sources.
STATICFILES_DIRS = [("dist", BASE_DIR / "static" / "dist")]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Private: never under STATIC_ROOT or served directly; downloads go through audited views.
        "OPTIONS": {
            "location": env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Sessions: idle timeout and absolute lifetime -------------------------------------------
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
# The idle timeout slides with activity: SessionLifetimeMiddleware saves the session (and so
# its expiry) when it was last saved more than this long ago, not on every request.
SESSION_ACTIVITY_RESOLUTION = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Two-factor authentication ----------------------------------------------------------------
# Enforced for every user in production; the local demo can turn it off.
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=True)
OTP_TOTP_ISSUER = "Public Protection"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# One-time recovery codes (django-otp's static device), made when an authenticator is set up.
TWO_FACTOR_RECOVERY_CODE_COUNT = 10
# A user's first authenticator (a new account, or after an administrator's reset) needs a
# one-time set-up code that an administrator issues, as well as the password: otherwise
# whoever holds the password enrols their own phone (ADR 0007). The code lasts
# TWO_FACTOR_SETUP_CODE_HOURS (a weekend, for someone given it on a Friday) and stops working
# after TWO_FACTOR_SETUP_CODE_MAX_ATTEMPTS wrong tries.
TWO_FACTOR_SETUP_CODE_REQUIRED = env.bool("TWO_FACTOR_SETUP_CODE_REQUIRED", default=True)
TWO_FACTOR_SETUP_CODE_HOURS = env.int("TWO_FACTOR_SETUP_CODE_HOURS", default=72)
TWO_FACTOR_SETUP_CODE_MAX_ATTEMPTS = 5

# --- API tokens (django-rest-knox): hashed at rest, named, expiring -----------------------------
# knox's own migrations would create its (swapped-out) token table anyway; it has none here.
MIGRATION_MODULES = {"knox": None}
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
    # Recognisable by secret scanners and by people.
    "TOKEN_PREFIX": "pp_",
    "AUTH_HEADER_PREFIX": "Token",
}

# --- Lockout after repeated failed sign-ins (django-axes) ---------------------------------------
# Two limits (publicprotection/accounts/lockout.py): one username from one client, and any
# usernames from one client (password spraying). An officer is never locked out of their own
# client by failures from another. The lockout lasts AXES_COOLOFF_TIME from the failure that
# set it: failing again while locked out does not extend it. Counts live in PostgreSQL, shared
# by every worker and host.
AXES_HANDLER = "publicprotection.accounts.lockout.PerParameterLimitHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_CLIENT_FAILURE_LIMIT = env.int("AXES_CLIENT_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "publicprotection.client_address.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# --- Content security policy: no inline script or style anywhere ------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Object permissions (django-guardian) ------------------------------------------------------
ANONYMOUS_USER_NAME = None  # no anonymous user row: anonymous users have no permissions at all
GUARDIAN_MONKEY_PATCH_USER = False

# --- Audit (django-pghistory) ------------------------------------------------------------------
PGHISTORY_APPEND_ONLY = True  # event tables reject UPDATE and DELETE in the database
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The access log and the largest history tables are partitioned by month (UTC)
# (publicprotection/audit/partitions.py, docs/adr/0013-audit-partitioning.md). Partitions are
# created this many months ahead (at migrate time, by `manage.py audit_partitions` and by a
# daily beat task); months older than AUDIT_RETENTION_MONTHS are detached and archived by the
# owner with `manage.py audit_partitions --archive` (0: keep every month in the live tables).
AUDIT_PARTITION_MONTHS_AHEAD = env.int("AUDIT_PARTITION_MONTHS_AHEAD", default=3)
AUDIT_RETENTION_MONTHS = env.int("AUDIT_RETENTION_MONTHS", default=0)
if not 0 <= AUDIT_PARTITION_MONTHS_AHEAD <= 24:
    raise ImproperlyConfigured("AUDIT_PARTITION_MONTHS_AHEAD must be between 0 and 24.")
if AUDIT_RETENTION_MONTHS < 0:
    raise ImproperlyConfigured("AUDIT_RETENTION_MONTHS must be 0 (keep all) or more.")

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an unauthenticated answer is 401 with `WWW-Authenticate: Token`.
        "publicprotection.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "publicprotection.api.pagination.BoundedPageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "publicprotection.api.parsers.BoundedJSONParser",
        "publicprotection.api.parsers.BoundedFormParser",
        "publicprotection.api.parsers.BoundedMultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute"},
    "DEFAULT_THROTTLE_CLASSES": ["publicprotection.api.throttling.SharedUserRateThrottle"],
}
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    # A service's messages reach the API client (CONVENTIONS.md, Errors); outages are 503.
    "EXCEPTION_HANDLER_CLASS": "publicprotection.api.errors.ApiExceptionHandler",
}
# What one API request may carry (publicprotection/api/parsers.py): larger bodies get 413,
# longer strings or deeper JSON a 400 naming the field.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_TEXT_LENGTH = env.int("API_MAX_TEXT_LENGTH", default=20_000)
API_MAX_JSON_DEPTH = 32
# How long an Idempotency-Key (API) or a create form's one-time token is remembered.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# Retry-After on a 503 (the database busy or unreachable).
RETRY_AFTER_SECONDS = 30

# Django's, except that an upload the temporary folder cannot take (full, read-only) is reported
# on its form's field instead of a 500 before any view runs (publicprotection/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "publicprotection.uploads.TemporaryFileOrReportUploadHandler",
]
SPECTACULAR_SETTINGS = {
    "TITLE": "Public Protection API",
    "DESCRIPTION": "Domestic abuse case management. OFFICIAL-SENSITIVE. Every read is logged.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        "ArrestOutcomeEnum": "cases.models.ArrestOutcome.choices",
        "NotArrestedReasonEnum": "cases.models.NotArrestedReason.choices",
        # The reasons offered to the officer: the stored ones and the refused "victim does not
        # support a prosecution".
        "NotArrestedReasonOfferedEnum": "cases.models.NOT_ARRESTED_REASONS_OFFERED",
        "MaracReferralStatusEnum": "marac.models.ReferralStatus.choices",
        "MaracReferralEventKindEnum": "marac.models.ReferralEventKind.choices",
        "ReviewEventKindEnum": "cases.models.ReviewEventKind.choices",
        "MaracMeetingStatusEnum": "marac.models.MeetingStatus.choices",
        "MaracActionStatusEnum": "marac.models.ActionStatus.choices",
        "MaracDocumentStatusEnum": "marac.models.DocumentStatus.choices",
        "MaracDocumentKindEnum": "marac.models.DocumentKind.choices",
        "IncidentOutcomeEnum": "cases.models.Outcome.choices",
        "IncidentStatusEnum": "cases.models.IncidentStatus.choices",
        "AssessmentStatusEnum": "riskassessment.models.AssessmentStatus.choices",
        "RaraStatusEnum": "riskassessment.models.RaraStatus.choices",
        "RiskLevelEnum": "riskassessment.models.Level.choices",
        # A SPECSS+ answer and a suspect's separation are both yes / no / not known.
        "YesNoNotKnownEnum": "riskassessment.models.AnswerValue.choices",
        "HomicideReviewDecisionEnum": "homicidereviews.models.Decision.choices",
        "RecommendationStatusEnum": "homicidereviews.models.RecommendationStatus.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "publicprotection.api.schema.add_idempotency_key_header",
        "publicprotection.api.schema.add_if_match_header",
        "publicprotection.api.schema.use_one_error_shape",
    ],
}

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The longest time limit of any task (reports.tasks.refresh_rollup); a test checks every task.
CELERY_LONGEST_TASK_SECONDS = 15 * 60
# A broker that is down or hung (SIGSTOP, a dead network path) costs a request at most this
# long, instead of blocking it until gunicorn kills the worker: the request is recorded in the
# database and the sweeper sends it later.
BROKER_TIMEOUT_SECONDS = env.float("BROKER_TIMEOUT_SECONDS", default=1.5)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    "socket_timeout": BROKER_TIMEOUT_SECONDS,
    "retry_on_timeout": False,
    # A publish that cannot connect fails at once instead of retrying for the connection
    # timeout (the worker's own reconnection follows CELERY_BROKER_CONNECTION_MAX_RETRIES).
    "max_retries": 0,
    # A message taken by a worker that then dies whole (SIGKILL, a lost machine) goes back to
    # the queue after this long; kombu's default is an hour. It must exceed the longest task,
    # or a task still running would be delivered a second time.
    "visibility_timeout": CELERY_LONGEST_TASK_SECONDS + 2 * 60,
}
# Publishing from the worker (a retry, the fan-out, the sweeper) retries briefly, then gives up:
# what was not sent stays recorded and the sweeper sends it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# The schedule lives here, in code, reviewed like code: the core's entries, then each app's own
# (plain data in its schedule module). Settings are the wiring: they may name every app.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "publicprotection.accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    "purge-expired-idempotent-requests": {
        "task": "publicprotection.idempotency.tasks.purge_expired_idempotent_requests",
        "schedule": crontab(hour=3, minute=45),
    },
    # Partitions three months ahead: a failed night, or a week of them, loses nothing.
    "ensure-audit-partitions": {
        "task": "publicprotection.audit.tasks.ensure_audit_partitions",
        "schedule": crontab(hour=4, minute=5),
    },
    **MARAC_SCHEDULE,
    **REPORTS_SCHEDULE,
}
# Beat may run on several hosts: only the holder of a Redis lock sends, and what was sent is
# kept in Redis, not in a local file (publicprotection/beat.py, docs/adr/0014-scaling-out.md).
CELERY_BEAT_SCHEDULER = "publicprotection.beat:LeaderScheduler"
BEAT_LOCK_REDIS_URL = env("BEAT_LOCK_REDIS_URL", default=REDIS_URL)
BEAT_LOCK_KEY = env("BEAT_LOCK_KEY", default="pp-beat")
# A standby takes over at most this long after the sending beat stops.
BEAT_LOCK_TTL_SECONDS = env.float("BEAT_LOCK_TTL_SECONDS", default=30)

# --- Logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every step of every PDF at INFO.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Demo data -------------------------------------------------------------------------------
# seed_demo and generate_synthetic (the devdata app, installed by the dev and test settings
# only) refuse to run unless this is on (dev and test only). The password is for the
# fictional local demo and is printed by `make run`; production has no demo users.
DEMO_DATA_ALLOWED = False
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")

# --- Domain rules (DOMAIN.md defaults; a force may change them) -------------------------------
DOMESTIC_ABUSE_MINIMUM_AGE = env.int("DOMESTIC_ABUSE_MINIMUM_AGE", default=16)
ARREST_REVIEW_DEADLINE_HOURS = env.int("ARREST_REVIEW_DEADLINE_HOURS", default=24)
ARREST_JUSTIFICATION_MIN_WORDS = env.int("ARREST_JUSTIFICATION_MIN_WORDS", default=12)
# The earliest year an incident can have happened (non-recent abuse is recorded; 1850 is not).
INCIDENT_EARLIEST_YEAR = env.int("INCIDENT_EARLIEST_YEAR", default=1900)
REPEAT_WINDOW_DAYS = env.int("REPEAT_WINDOW_DAYS", default=365)
# Risk levels that need a RARA plan before an assessment can be submitted.
RARA_PLAN_REQUIRED_LEVELS = env.list("RARA_PLAN_REQUIRED_LEVELS", default=["medium", "high"])
# The victim's Nth domestic incident within the repeat window suggests escalation.
ESCALATION_INCIDENT_COUNT = env.int("ESCALATION_INCIDENT_COUNT", default=3)

# --- Daily risk management meeting agendas (marac) -------------------------------------------
# London local time of the morning meeting: agendas are generated at (or soon after) it, Monday to
# Friday; Monday's covers the weekend. The beat check runs every 5 minutes and queues whatever
# is missing after this time, so a changed time needs no schedule change.
DAILY_AGENDA_HOUR = env.int("DAILY_AGENDA_HOUR", default=7)
DAILY_AGENDA_MINUTE = env.int("DAILY_AGENDA_MINUTE", default=0)
# Look for missing agendas when a worker starts (catching up after Redis or the worker was down).
DAILY_AGENDA_CHECK_ON_WORKER_START = env.bool("DAILY_AGENDA_CHECK_ON_WORKER_START", default=True)
# A build handed to the worker (an agenda, a meeting pack or minutes) is presumed lost once this
# long has passed without it being finished: a bit over the build tasks' hard time limit
# (marac.tasks.DOCUMENT_TASK_OPTIONS, 6 minutes). The sweeper then sends it again, so the work
# of a worker killed whole completes within minutes, not kombu's hour.
BACKGROUND_LEASE_SECONDS = env.int("BACKGROUND_LEASE_SECONDS", default=7 * 60)
# A build whose worker died this many times in a row is marked failed (with a retry button)
# rather than started again.
BACKGROUND_MAX_TAKEOVERS = env.int("BACKGROUND_MAX_TAKEOVERS", default=2)
# When a worker starts, send again the builds that are unsent or past their lease.
BACKGROUND_RESEND_ON_WORKER_START = env.bool("BACKGROUND_RESEND_ON_WORKER_START", default=True)
# The automatic check stops re-queuing an agenda that has failed this many times (the page
# shows the error and a retry button).
DAILY_AGENDA_MAX_AUTO_ATTEMPTS = env.int("DAILY_AGENDA_MAX_AUTO_ATTEMPTS", default=3)

# --- MARAC referrals and meetings (marac) -----------------------------------------------------
# A referral's "potential escalation" criterion: the victim's Nth domestic incident within the
# repeat window (this one included).
MARAC_ESCALATION_INCIDENT_COUNT = env.int(
    "MARAC_ESCALATION_INCIDENT_COUNT", default=ESCALATION_INCIDENT_COUNT
)
# A new incident within this many days of the victim's last MARAC referral is a repeat MARAC.
MARAC_REPEAT_WINDOW_DAYS = env.int("MARAC_REPEAT_WINDOW_DAYS", default=365)
# DASH "visible high risk": this many "yes" answers or more.
MARAC_DASH_HIGH_RISK_YES_COUNT = env.int("MARAC_DASH_HIGH_RISK_YES_COUNT", default=14)
# Meeting defaults (the coordinator can change them per meeting).
MARAC_CASES_PER_MEETING = env.int("MARAC_CASES_PER_MEETING", default=18)
MARAC_MINUTES_PER_CASE = env.int("MARAC_MINUTES_PER_CASE", default=12)
# Introductions, the confidentiality statement and last meeting's actions, before the cases.
MARAC_OPENING_MINUTES = env.int("MARAC_OPENING_MINUTES", default=10)

# --- Domestic homicide reviews (homicidereviews) ----------------------------------------------
# Statutory guidance (Home Office, 2016) and force defaults; a force may change them. Days.
# The police notify the Community Safety Partnership in writing after a death: within a month.
DHR_NOTIFICATION_DAYS = env.int("DHR_NOTIFICATION_DAYS", default=30)
# The partnership decides whether to commission a review within one month of the notification.
DHR_DECISION_DAYS = env.int("DHR_DECISION_DAYS", default=30)
# Once commissioned, the police chronology and the individual management review (IMR) are due
# (force defaults; the panel may set other dates on the review).
DHR_CHRONOLOGY_DAYS = env.int("DHR_CHRONOLOGY_DAYS", default=42)
DHR_IMR_DAYS = env.int("DHR_IMR_DAYS", default=70)
# The review aims to finish (overview report completed) within six months of the decision.
DHR_COMPLETION_DAYS = env.int("DHR_COMPLETION_DAYS", default=183)

# --- Home pages: what is waiting for each role (worklists) ------------------------------------
# Actions (RARA, MARAC) due within this many days are listed as due, beside the overdue ones.
HOME_DUE_SOON_DAYS = env.int("HOME_DUE_SOON_DAYS", default=7)
