"""Throttles hold across gunicorn workers and hosts: their counts live in the shared Redis
cache, so a request counted by one process counts in every other."""

import os
import subprocess
import sys
import uuid
from types import SimpleNamespace

from django.conf import settings
from rest_framework.throttling import UserRateThrottle

# Another process (another gunicorn worker, or another host): it shares nothing with this one
# but the settings and what they point at.
OTHER_PROCESS = """
import sys
from types import SimpleNamespace

import django

django.setup()
from rest_framework.throttling import UserRateThrottle


class TwoAnHour(UserRateThrottle):
    rate = "2/hour"
    scope = sys.argv[1]


request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=1), META={})
print(TwoAnHour().allow_request(request, None))
"""


def allowed_in_another_process(scope: str) -> bool:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "publicprotection.settings.test",
        # The same keys as this test run's (the test settings make them per run).
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
    }
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, scope],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return result.stdout.strip().splitlines()[-1] == "True"


def test_a_throttle_counts_requests_made_in_another_process():
    scope = f"shared-count-test-{uuid.uuid4().hex}"

    class TwoAnHour(UserRateThrottle):
        rate = "2/hour"

    TwoAnHour.scope = scope
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=1), META={})

    assert TwoAnHour().allow_request(request, None)  # the first here
    assert allowed_in_another_process(scope)  # the second, in another worker
    # A third, in either process, is over the limit.
    assert not TwoAnHour().allow_request(request, None)
    assert not allowed_in_another_process(scope)


def test_an_unreachable_cache_lets_the_request_through(settings):
    from django.core.cache import caches

    from publicprotection.api.throttling import SharedUserRateThrottle

    class OneAnHour(SharedUserRateThrottle):
        rate = "1/hour"
        scope = f"unreachable-{uuid.uuid4().hex}"

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    OneAnHour.cache = caches["default"]
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=1), META={})

    assert OneAnHour().allow_request(request, None) is True
    assert OneAnHour().allow_request(request, None) is True
