"""Local development and the `make run` demo."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, STORAGES, env

DEBUG = env.bool("DEBUG", default=True)
# The local demo signs in without an authenticator app unless asked otherwise.
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=False)
# With two-factor on, the demo behaves as production: a first authenticator needs a set-up
# code (`manage.py two_factor_setup_code <username>`, or the admin site's action).
TWO_FACTOR_SETUP_CODE_REQUIRED = env.bool(
    "TWO_FACTOR_SETUP_CODE_REQUIRED", default=REQUIRE_TWO_FACTOR
)

# Development-only data (seed_demo, generate_synthetic): never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devdata"]
DEMO_DATA_ALLOWED = True
DEMO_PASSWORD = env("DEMO_PASSWORD", default="public-protection-demo")

# Static files come straight from static/dist and the app folders; no collectstatic needed.
STATIC_ROOT = None
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
