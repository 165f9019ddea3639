"""API throttles, counted in the shared Redis cache so they hold across workers and hosts."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


class SharedUserRateThrottle(UserRateThrottle):
    """DRF's per-user throttle. If the cache (Redis) cannot be reached the request is let
    through and the outage logged: an officer's work must not stop because a rate counter is
    down, and the database, not Redis, holds everything the request needs."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, ConnectionError, TimeoutError):
            logger.warning("Throttle cache unreachable: request allowed uncounted")
            return True
