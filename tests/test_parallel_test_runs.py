"""`make test` runs the suite in pytest-xdist workers (publicprotection/settings/test.py): each
worker's Celery tests use a Redis database of their own, and the processes a test starts use the
worker's, or the URL the test gives them."""

import os
import subprocess
import sys

from django.conf import settings

PRINT_SETTINGS = """
from django.conf import settings
print(settings.CELERY_BROKER_URL, settings.CACHES["default"]["LOCATION"], settings.BEAT_LOCK_REDIS_URL)
"""


def _settings_in_a_process(**env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTEST_XDIST_WORKER", "TEST_REDIS_FOR_WORKER", "REDIS_URL")
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env={**clean, "DJANGO_SETTINGS_MODULE": "publicprotection.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return set(result.stdout.split())


def test_each_worker_has_its_own_redis_database():
    run = "redis://127.0.0.1:6379/3"
    assert _settings_in_a_process(REDIS_URL=run, PYTEST_XDIST_WORKER="gw0") == {
        "redis://127.0.0.1:6379/4"
    }
    assert _settings_in_a_process(REDIS_URL=run, PYTEST_XDIST_WORKER="gw2") == {
        "redis://127.0.0.1:6379/6"
    }
    assert _settings_in_a_process(REDIS_URL=run) == {run}  # one process: the run's own


def test_a_process_a_worker_starts_keeps_the_url_it_is_given():
    """A worker's subprocess inherits its URL as is; a test starting a Celery worker against a
    Redis of its own (marac/tests/test_faults.py) is not moved off it."""
    given = "redis://127.0.0.1:6399/0"
    assert _settings_in_a_process(
        REDIS_URL=given, PYTEST_XDIST_WORKER="gw1", TEST_REDIS_FOR_WORKER="gw1"
    ) == {given}
