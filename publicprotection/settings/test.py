"""Settings for `make test`."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, REST_FRAMEWORK, STORAGES, env

DEBUG = False
REQUIRE_TWO_FACTOR = False  # tests that need it turn it on with override_settings
# Like REQUIRE_TWO_FACTOR, off unless a test turns it on: a first authenticator then needs a
# set-up code only where one was issued (a reset issues one), as in dev.
TWO_FACTOR_SETUP_CODE_REQUIRED = False
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

# `make test` runs the suite in several pytest-xdist workers. Each worker's Celery tests start a
# real worker that consumes the default queue, so each pytest worker gets a Redis database of
# its own (the run's own plus 1, 2, ...): one worker's queued pack is never built, or emptied
# away, by another's. The worker puts its URL in the environment, marked as done, so the
# processes its tests start (Celery workers, gunicorn) use it, or the URL a test gives them.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ...
if _xdist_worker and os.environ.get("TEST_REDIS_FOR_WORKER") != _xdist_worker:
    _run_url = urlsplit(REDIS_URL)
    _run_db = int(_run_url.path.strip("/") or 0)
    _worker_db = (_run_db + 1 + int(_xdist_worker.removeprefix("gw"))) % 16
    REDIS_URL = urlunsplit(_run_url._replace(path=f"/{_worker_db}"))
    CACHES["default"]["LOCATION"] = REDIS_URL
    CELERY_BROKER_URL = REDIS_URL
    BEAT_LOCK_REDIS_URL = REDIS_URL
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["TEST_REDIS_FOR_WORKER"] = _xdist_worker

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
# Under `pytest -n`, the database the run's controller migrated (conftest.py): each worker's is
# created as a copy of it.
if _template := os.environ.get("TEST_DATABASE_TEMPLATE"):
    DATABASES["default"]["TEST"]["TEMPLATE"] = _template  # noqa: F405
