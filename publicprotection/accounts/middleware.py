"""Session lifetime and two-factor enforcement."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_STARTED_KEY = "pp_session_started"


class SessionLifetimeMiddleware:
    """End a session at its absolute lifetime (default 12 hours).

    The idle timeout is Django's own: SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, "Your session has ended. Please sign in again.")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Session expired."}, status=401)
                return redirect(f"{reverse('login')}?next={request.path}")
        return self.get_response(request)


# Paths an unverified (password-only) session may reach.
_TWO_FACTOR_OPEN_PREFIXES = ("/static/", "/healthz", "/account/")


class RequireTwoFactorMiddleware:
    """When REQUIRE_TWO_FACTOR is on, a password alone opens nothing but the 2FA pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_TWO_FACTOR
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_TWO_FACTOR_OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor verification required."}, status=403)
            return redirect(f"{reverse('two_factor_verify')}?next={request.path}")
        return self.get_response(request)
