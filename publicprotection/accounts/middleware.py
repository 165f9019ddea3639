"""Session lifetime and two-factor enforcement."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import NoReverseMatch, reverse

from .services import two_factor_enrolled

SESSION_STARTED_KEY = "pp_session_started"
SESSION_ACTIVE_KEY = "pp_session_active"


def session_seconds_left(request) -> int:
    """How long the signed-in session has before it ends: its idle timeout, counted from when it
    was last marked active (and saved), or its absolute lifetime, whichever comes first."""
    now = time.time()
    session = request.session
    idle_end = session.get(SESSION_ACTIVE_KEY, now) + settings.SESSION_IDLE_TIMEOUT
    absolute_end = session.get(SESSION_STARTED_KEY, now) + settings.SESSION_ABSOLUTE_LIFETIME
    return max(0, int(min(idle_end, absolute_end) - now))


def start_session_clock(sender, request, user, **kwargs):
    """On sign-in (user_logged_in): the session's start, for its absolute lifetime, and its
    first activity, so the next requests have nothing to save."""
    now = time.time()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_ACTIVE_KEY] = now


class SessionLifetimeMiddleware:
    """End a session at its absolute lifetime (default 12 hours), and keep its idle timeout
    sliding with activity.

    The idle timeout is the session store's: a stored session expires SESSION_COOKIE_AGE
    (30 minutes) after it was last saved. Saving it on every request (SESSION_SAVE_EVERY_REQUEST)
    cost every page a write transaction; it is saved when it was last marked active more than
    SESSION_ACTIVITY_RESOLUTION (a minute) ago, so it expires between 29 and 30 minutes after
    the last request.

    Asking how long is left (the page's sign-out warning) is not activity: it would keep an
    unattended page signed in forever. Someone signed out who is sent to the sign-in page is
    told why, if their session timed out, and that a form they sent was not saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._status_path = None

    def _is_status_check(self, request) -> bool:
        if self._status_path is None:
            try:
                self._status_path = reverse("session_status")
            except NoReverseMatch:  # a URLconf without the account pages (tests)
                self._status_path = ""
        return request.path == self._status_path

    def __call__(self, request):
        if not request.user.is_authenticated:
            response = self.get_response(request)
            message = _signed_out_message(request, response)
            if message:
                messages.info(request, message)
            return response
        now = time.time()
        started = request.session.setdefault(SESSION_STARTED_KEY, now)
        if now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            logout(request)
            messages.info(request, "Your session has ended. Please sign in again.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Session expired."}, status=401)
            # The whole address, query included and encoded: a filtered list comes back as
            # it was, and a "&" or "#" in it cannot cut it short.
            return redirect_to_login(request.get_full_path(), reverse("login"))
        if not self._is_status_check(request) and (
            now - request.session.get(SESSION_ACTIVE_KEY, 0) >= settings.SESSION_ACTIVITY_RESOLUTION
        ):
            request.session[SESSION_ACTIVE_KEY] = now  # modified: saved with a new expiry
        return self.get_response(request)


def _signed_out_message(request, response) -> str:
    """For someone signed out who is sent to the sign-in page: why, if their session timed out
    (the browser still sends its cookie; signing out deletes it), and that the form they sent
    was not saved. Not for an htmx fragment (nobody would read it there)."""
    if response.status_code != 302 or "HX-Request" in request.headers:
        return ""
    try:
        sign_in, sign_out = reverse("login"), reverse("logout")
    except NoReverseMatch:  # a URLconf without the account pages (tests)
        return ""
    if not response.get("Location", "").startswith(sign_in):
        return ""
    timed_out = bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME)) and (
        request.session.session_key is None
    )
    # Signing out sends a form too (the header's button, on a page whose session ended), but
    # it carried nobody's work.
    sent_a_form = request.method == "POST" and request.path != sign_out
    minutes = settings.SESSION_IDLE_TIMEOUT // 60
    if timed_out and sent_a_form:
        return (
            f"You were signed out after {minutes} minutes without activity, to protect the "
            "data. What you last sent was not saved: sign in and enter it again."
        )
    if timed_out:
        return f"You were signed out after {minutes} minutes without activity, to protect the data."
    if sent_a_form:
        return "You are signed out, so what you sent was not saved: sign in and enter it again."
    return ""


# What a session that has passed only the password step may reach: the two-factor pages and
# signing out (and static files and the health check, which show nothing of anyone).
_UNVERIFIED_OPEN_PREFIXES = ("/static/", "/healthz")
_UNVERIFIED_OPEN_URL_NAMES = ("login", "logout", "two_factor_verify", "two_factor_recovery")


class RequireTwoFactorMiddleware:
    """When REQUIRE_TWO_FACTOR is on, a password alone opens nothing but the two-factor pages.

    Setting up an authenticator is open to such a session only while the user has none:
    otherwise anyone with the password could enrol their own phone. Password change and the
    admin site are closed like every other page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def _is_open(self, request) -> bool:
        if request.path.startswith(_UNVERIFIED_OPEN_PREFIXES):
            return True
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in _UNVERIFIED_OPEN_URL_NAMES)
        if request.path in self._open_paths:
            return True
        if request.path == reverse("two_factor_setup"):
            return not two_factor_enrolled(user=request.user)
        return False

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_TWO_FACTOR
            and user.is_authenticated
            and not user.is_verified()
            and not self._is_open(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor verification required."}, status=403)
            return redirect_to_login(request.get_full_path(), reverse("two_factor_verify"))
        return self.get_response(request)
