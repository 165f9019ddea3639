"""Settings for `make test`."""

import os

from .base import *  # noqa: F403
from .base import CACHES, REST_FRAMEWORK, STORAGES, env

DEBUG = False
REQUIRE_TWO_FACTOR = False  # tests that need it turn it on with override_settings
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# The cache's keys are this run's own, so runs side by side never share a throttle's count.
CACHES = {
    "default": {
        **CACHES["default"],
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=f"pp-test-{os.getpid()}"),
    }
}

DEMO_DATA_ALLOWED = True
DEMO_PASSWORD = "public-protection-demo"  # noqa: S105 - fictional demo only

# Development-only data (seed_demo, generate_synthetic), and a test-only model that exercises
# the access core's share mechanism generically.
INSTALLED_APPS = [*INSTALLED_APPS, "devdata", "tests.access_fixtures"]  # noqa: F405

# Static files come straight from static/dist and the app folders; no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# One test database per run, so runs started side by side (CI, a developer, a helper) never
# drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_publicprotection_{os.getpid()}"}  # noqa: F405
