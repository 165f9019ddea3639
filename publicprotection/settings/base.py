"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ).
`make run` and `make test` write the addresses of the embedded PostgreSQL and Redis to
var/stack.env, which is read here so `manage.py` works in the same shell afterwards.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_htmx",
    # ours, core first (imports point down this list)
    "publicprotection.accounts",
    "publicprotection.audit",
    "cases",
    "riskassessment",
    "marac",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "publicprotection.accounts.middleware.SessionLifetimeMiddleware",
    "publicprotection.accounts.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "publicprotection.audit.middleware.AuditContextMiddleware",
    # axes must be last
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "publicprotection.urls"
# Widget templates come from templates/ too (GOV.UK radios and checkboxes).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
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
                "publicprotection.accounts.navigation.navigation",
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

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

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
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# --- Lockout after repeated failed sign-ins (django-axes) ---------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
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

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "publicprotection.api.pagination.BoundedPageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute"},
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
}
DRF_STANDARDIZED_ERRORS = {"ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True}
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
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
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
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

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
# seed_demo refuses to run unless this is on (dev and test only). The password is for the
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
