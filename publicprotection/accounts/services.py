"""Writes for accounts: two-factor devices, recovery codes, API tokens and agencies."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .models import Agency, AgencyType, ApiToken, Borough, User

RECOVERY_DEVICE_NAME = "Recovery codes"


# --- Two-factor ----------------------------------------------------------------------------------


def two_factor_enrolled(*, user) -> bool:
    """Whether the user has a confirmed authenticator: then a password alone proves nothing."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_key_new() -> str:
    """A new authenticator secret (hex), kept in the signed-in session until confirmed: opening
    the set-up page writes nothing to the database."""
    return random_hex(20)


def totp_device_for_setup(*, user, key: str) -> TOTPDevice:
    """The authenticator being set up, unsaved: enough to draw its QR code and show its key."""
    return TOTPDevice(user=user, key=key, name="Authenticator app", confirmed=False)


def _totp_code_matches(device: TOTPDevice, token: str) -> bool:
    """Check a code against an unsaved device without writing anything (django-otp's
    verify_token saves the device, and counts failures on it)."""
    try:
        code = int(token)
    except ValueError:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(code, device.tolerance):
        return False
    device.last_t = totp.t()  # the code cannot be used again
    return True


def _second_factor_matches(*, user, token: str) -> bool:
    """A code from one of the user's confirmed authenticators, or one of their recovery codes
    (used up by this check)."""
    token = token.strip()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return True
    return recovery_code_device(user=user, code=token) is not None


@transaction.atomic
def totp_device_confirm(
    *, user, device: TOTPDevice, token: str, current_token: str = ""
) -> list[str] | None:
    """Save and confirm the new authenticator (`device`, from totp_device_for_setup) if
    `token` (from it) is right. It replaces the user's other authenticators.

    Replacing a confirmed authenticator needs that authenticator (or a recovery code) in
    `current_token`: otherwise anyone with the password could enrol their own phone. An
    administrator's audited reset (two_factor_reset) is the way back for a user who has
    neither.

    Returns the new recovery codes when this is the user's first authenticator (they are
    shown once), [] when an authenticator was replaced, None when `token` was wrong.
    Raises ValidationError (on "current_token") when the current authenticator is needed
    and not proved.
    """
    # Lock the user's row so two confirmations cannot race past the check below.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    enrolled = two_factor_enrolled(user=user)
    if enrolled and not (current_token and _second_factor_matches(user=user, token=current_token)):
        raise ValidationError(
            {
                "current_token": (
                    "Enter a code from your current authenticator app, or one of your "
                    "recovery codes"
                )
            }
        )
    if not _totp_code_matches(device, token):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save()
    if enrolled:
        return []
    return recovery_codes_generate(user=user)


@transaction.atomic
def recovery_codes_generate(*, user) -> list[str]:
    """A new set of one-time recovery codes; any earlier set stops working. Returned once:
    the caller shows them and never again."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user, current_token: str) -> list[str]:
    """New recovery codes for an enrolled user, who proves the second factor again with a code
    from their authenticator (or one of their recovery codes). The codes stand in for the
    authenticator, which can be replaced with one of them: without this proof a signed-in
    session alone could make codes and enrol its own phone (ADR 0007).
    Raises ValidationError (on "current_token") when the proof is missing or wrong."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    if not (current_token and _second_factor_matches(user=user, token=current_token)):
        raise ValidationError(
            {
                "current_token": (
                    "The code is not right. Enter a code from your authenticator app, or one "
                    "of your recovery codes"
                )
            }
        )
    return recovery_codes_generate(user=user)


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_code_device(*, user, code: str) -> StaticDevice | None:
    """The recovery-code device if `code` is one of the user's unused codes, which it uses up
    (django-otp deletes a static token when it verifies)."""
    code = code.strip().replace(" ", "").replace("-", "").lower()
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None


@transaction.atomic
@transaction.atomic
def two_factor_reset(*, actor, user) -> None:
    """An administrator removes a user's authenticators and recovery codes (a lost phone):
    the user sets up a new authenticator at their next sign-in. The devices' deletion is in
    the change history (accounts' device event tables) with the administrator as its actor.

    Whatever the old second factor let in ends with it: the user's API tokens are revoked (a
    lost phone may have been taken with the laptop that holds a token), and a signed-in
    session is no longer verified (django-otp finds its device gone)."""
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied("Only an administrator can reset someone's two-factor sign-in.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()


# --- API tokens ----------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, user, name: str, session_verified: bool, current_token: str = ""
) -> tuple[ApiToken, str]:
    """A named, expiring API token for `user` themself; returns the token and its secret,
    which is shown once and never stored.

    Only from a signed-in session (never from another token, so a leaked token cannot renew
    itself) that passed two-factor where two-factor is required. There is no way to make a
    token for someone else. A user with an authenticator proves the second factor again
    (`current_token`: a code from it, or a recovery code): a token outlives the session by
    weeks, so a taken-over session alone must not be able to make one.
    Raises ValidationError (on "name" or "current_token").
    """
    if settings.REQUIRE_TWO_FACTOR and not session_verified:
        raise PermissionDenied("Sign in with two-factor authentication to create an API token.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the token, such as what will use it"})
    if len(name) > 80:
        raise ValidationError({"name": "The name must be 80 characters or fewer"})
    if ApiToken.objects.filter(user=user, name__iexact=name).exists():
        raise ValidationError({"name": "You already have a token with this name"})
    # Checked last: a right code is used up by the check, so a refused name keeps it unused.
    if two_factor_enrolled(user=user) and not (
        current_token and _second_factor_matches(user=user, token=current_token)
    ):
        raise ValidationError(
            {
                "current_token": (
                    "The code is not right. Enter a code from your authenticator app, or one "
                    "of your recovery codes"
                )
            }
        )
    return ApiToken.objects.create(user=user, name=name)


@transaction.atomic
def api_token_revoke(*, user, public_id) -> None:
    """Revoke one of the user's own tokens; anyone else's is "not found"."""
    deleted, _ = ApiToken.objects.filter(user=user, public_id=public_id).delete()
    if not deleted:
        raise ApiToken.DoesNotExist


def api_tokens_of(*, user):
    """The user's own tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )


# --- Agencies ------------------------------------------------------------------------------------


@transaction.atomic
def agency_create(*, name: str, agency_type: AgencyType, borough: Borough | None = None) -> Agency:
    """An agency with its own auth group, through which cases are shared with it."""
    group, _ = Group.objects.get_or_create(name=f"agency:{name}")
    agency = Agency(name=name, agency_type=agency_type, borough=borough, group=group)
    agency.full_clean()
    agency.save()
    return agency
