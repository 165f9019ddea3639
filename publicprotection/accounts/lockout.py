"""Sign-in lockout (django-axes) with a limit per lockout parameter.

Axes counts failures for each of AXES_LOCKOUT_PARAMETERS but compares them all with one
AXES_FAILURE_LIMIT. Two limits are needed here:

- one username from one client (AXES_FAILURE_LIMIT, 5): guessing one officer's password. The
  officer signing in from their own client is not affected, so nobody elsewhere can lock a named
  officer out;
- any usernames from one client (AXES_CLIENT_FAILURE_LIMIT, higher): password spraying, one
  password tried against many usernames, which never trips the first limit.

The client is publicprotection.client_address.client_ip (AXES_CLIENT_IP_CALLABLE), so behind the
trusted proxy it is the real client, not the proxy.
"""

from __future__ import annotations

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.db.models import Sum


def parameter_failure_limit(parameter, default: int) -> int:
    """The limit for one lockout parameter ("ip_address" or ["username", "ip_address"])."""
    if parameter in ("ip_address", ["ip_address"]):
        return settings.AXES_CLIENT_FAILURE_LIMIT
    return default


class PerParameterLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures to compare with AXES_FAILURE_LIMIT: the limit itself when any
        parameter has reached its own limit, otherwise the most failures short of it."""
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if failures >= parameter_failure_limit(parameter, limit):
                return limit
            worst = max(worst, min(failures, limit - 1))
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On a successful sign-in, forget this username's failures from this client only: a
        sprayer who knows one password must not wipe the client's count by signing in."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
