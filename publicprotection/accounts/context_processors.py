"""What every page's template needs from the account: the sign-out warning's settings."""

from __future__ import annotations

from django.conf import settings

# How long before the session ends the page warns (the GOV.UK pattern's two minutes).
SIGN_OUT_WARNING_SECONDS = 120


def session_timeout(request) -> dict:
    """For a signed-in page (two-factor passed where it is required): the idle timeout the
    warning counts down from. Nothing for anyone else: the sign-in pages have no session to
    lose."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if settings.REQUIRE_TWO_FACTOR and not user.is_verified():
        return {}
    return {
        "session_timeout": {
            "idle_seconds": settings.SESSION_IDLE_TIMEOUT,
            "warning_seconds": min(SIGN_OUT_WARNING_SECONDS, settings.SESSION_IDLE_TIMEOUT // 2),
            "minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        }
    }
