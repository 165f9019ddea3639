"""Sign-in security (two-factor, recovery codes) and the user's own API tokens."""

from __future__ import annotations

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from publicprotection.service_forms import add_service_errors

from .forms import (
    ApiTokenForm,
    FirstAuthenticatorForm,
    NewRecoveryCodesForm,
    RecoveryCodeForm,
    ReplaceAuthenticatorForm,
    TokenForm,
)
from .middleware import SESSION_ACTIVE_KEY, session_seconds_left
from .models import ApiToken
from .services import (
    api_token_create,
    api_token_revoke,
    api_tokens_of,
    recovery_code_device,
    recovery_codes_left,
    recovery_codes_replace,
    totp_device_confirm,
    totp_device_for_setup,
    totp_key_new,
    two_factor_enrolled,
    two_factor_setup_code_needed,
)

WRONG_CODE = "The code is not right. Check the time on your device and try again"
# The secret of the authenticator being set up, until its first code confirms it.
SETUP_KEY_SESSION = "pp_totp_setup_key"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _second_factor_passed(request, device) -> None:
    """Mark the session as having passed two-factor, under a new session key (as the password
    step gave it one): a key learnt while the session had passed the password alone must not
    become a fully signed-in session."""
    otp_login(request, device)
    request.session.cycle_key()


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # Generated here from our own data, so it is safe to embed as markup.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator: the first one after the password step, which needs the set-up
    code an administrator issued, or a replacement, which needs the current one (or a recovery
    code) as well."""
    replacing = two_factor_enrolled(user=request.user)
    needs_setup_code = not replacing and two_factor_setup_code_needed(user=request.user)
    key = request.session.get(SETUP_KEY_SESSION) or totp_key_new()
    if request.session.get(SETUP_KEY_SESSION) != key:
        request.session[SETUP_KEY_SESSION] = key
    device = totp_device_for_setup(user=request.user, key=key)
    if replacing:
        form_class = ReplaceAuthenticatorForm
    else:
        form_class = FirstAuthenticatorForm if needs_setup_code else TokenForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(
                user=request.user,
                device=device,
                token=form.cleaned_data["token"],
                current_token=form.cleaned_data.get("current_token", ""),
                setup_code=form.cleaned_data.get("setup_code", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if codes is None:
                form.add_error("token", WRONG_CODE)
            else:
                request.session.pop(SETUP_KEY_SESSION, None)
                _second_factor_passed(request, device)
                if codes:
                    return _show_recovery_codes(request, codes, first_time=True)
                messages.success(request, "Your new authenticator app is set up.")
                return redirect(_next_url(request))
    context = {
        "form": form,
        "replacing": replacing,
        "needs_setup_code": needs_setup_code,
        "setup_code_max_attempts": settings.TWO_FACTOR_SETUP_CODE_MAX_ATTEMPTS,
        "qr_svg": _qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _show_recovery_codes(request, codes: list[str], *, first_time: bool):
    """The codes are in this response only: never stored in the session or shown again."""
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "first_time": first_time, "next": _next_url(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return redirect_to_login(_next_url(request), reverse("two_factor_setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                _second_factor_passed(request, device)
                return redirect(_next_url(request))
        form.add_error("token", WRONG_CODE)
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_recovery(request):
    """Sign in with a recovery code instead of the authenticator; each code works once."""
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = recovery_code_device(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _second_factor_passed(request, device)
            left = recovery_codes_left(user=request.user)
            messages.warning(
                request,
                f"You signed in with a recovery code. You have {left} left. If you have lost "
                "your phone, set up a new authenticator app from Sign-in and security.",
            )
            return redirect(_next_url(request))
        form.add_error("code", "That recovery code is not right, or it has been used")
    return render(
        request, "accounts/two_factor_recovery.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def security(request):
    """Sign-in and security: the authenticator, recovery codes and API tokens."""
    context = {
        "enrolled": two_factor_enrolled(user=request.user),
        "recovery_codes_left": recovery_codes_left(user=request.user),
        "api_token_count": api_tokens_of(user=request.user).count(),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_new(request):
    """New recovery codes, after a code from the authenticator (or a recovery code)."""
    if settings.REQUIRE_TWO_FACTOR and not request.user.is_verified():
        raise PermissionDenied
    if not two_factor_enrolled(user=request.user):
        return redirect("two_factor_setup")
    form = NewRecoveryCodesForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = recovery_codes_replace(
                    user=request.user, current_token=form.cleaned_data["current_token"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _show_recovery_codes(request, codes, first_time=False)
        return render(request, "accounts/recovery_codes_new.html", {"form": form}, status=400)
    return render(request, "accounts/recovery_codes_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """Your API tokens: make one (its secret is shown once, in this response) and revoke them."""
    needs_code = two_factor_enrolled(user=request.user)
    form = ApiTokenForm(request.POST or None, needs_code=needs_code)
    new_secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, new_secret = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    session_verified=request.user.is_verified(),
                    current_token=form.cleaned_data.get("current_token", ""),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                form = ApiTokenForm(needs_code=needs_code)
        if form.errors:
            status = 400
    context = {
        "form": form,
        "new_secret": new_secret,
        "tokens": api_tokens_of(user=request.user),
        "ttl_days": settings.API_TOKEN_TTL_DAYS,
    }
    return render(request, "accounts/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke_view(request, public_id):
    try:
        api_token_revoke(user=request.user, public_id=public_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, "The token is revoked. Anything using it can no longer sign in.")
    return redirect("api_tokens")


# --- The sign-out warning (static/src/js/session-timeout.mjs) ----------------------------------


def _signed_out() -> JsonResponse:
    return JsonResponse({"detail": "You are signed out.", "seconds_left": 0}, status=401)


@require_http_methods(["GET"])
def session_status(request):
    """How long this browser's session has left. Asking is not activity (the middleware leaves
    the session's clock alone): another tab's activity shows here, a page left open does not
    keep the session."""
    if not request.user.is_authenticated:
        return _signed_out()
    return _session_left(request)


def _session_left(request) -> JsonResponse:
    """How long is left, who is signed in and the form token that works now.

    Signing in again (in another tab, after a sign-out or a timeout) gives the browser a new
    form token, so the forms of a page opened before were refused (a 403 that lost what was
    typed). The page puts this token in its forms if the same person is signed in.
    Same-origin only: another site cannot read this answer."""
    return JsonResponse(
        {
            "seconds_left": session_seconds_left(request),
            "user": request.user.pk,
            "csrf_token": get_token(request),
        }
    )


@require_POST
def session_keep_alive(request):
    """Someone is at the page (typing in a form, or chose "Stay signed in"): the idle timeout
    starts again. The absolute lifetime still ends the session (the middleware)."""
    if not request.user.is_authenticated:
        return _signed_out()
    request.session[SESSION_ACTIVE_KEY] = time.time()
    return _session_left(request)
