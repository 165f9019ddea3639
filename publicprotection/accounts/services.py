"""Writes for accounts: two-factor devices, recovery codes, API tokens and agencies."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from publicprotection.errors import StateError

from .models import Agency, AgencyType, ApiToken, Borough, TwoFactorSetupCode, User

RECOVERY_DEVICE_NAME = "Recovery codes"
# Set-up codes: 12 characters from 31 that cannot be mistaken for one another when read out
# (no 0/O, 1/I/L), about 59 bits: with 5 tries a code, guessing is hopeless.
SETUP_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SETUP_CODE_LENGTH = 12
SETUP_CODE_REFUSED = (
    "The set-up code is not right, has expired or has been used. Type it again, or ask your "
    "administrator for a new one"
)


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


def totp_device_confirm(
    *, user, device: TOTPDevice, token: str, current_token: str = "", setup_code: str = ""
) -> list[str] | None:
    """Save and confirm the new authenticator (`device`, from totp_device_for_setup) if
    `token` (from it) is right. It replaces the user's other authenticators.

    Replacing a confirmed authenticator needs that authenticator (or a recovery code) in
    `current_token`: otherwise anyone with the password could enrol their own phone. The first
    authenticator (none confirmed: a new account, or after an administrator's reset) needs the
    set-up code an administrator issued (`setup_code`, two_factor_setup_code_issue) where
    TWO_FACTOR_SETUP_CODE_REQUIRED is on, or one was issued to them and not used (a reset
    issues one), for the same reason; the enrolment uses it up, and a
    wrong one counts towards the code's limit of tries (kept even though this refuses).

    Returns the new recovery codes when this is the user's first authenticator (they are
    shown once), [] when an authenticator was replaced, None when `token` was wrong.
    Raises ValidationError (on "current_token" or "setup_code") when the current
    authenticator or the set-up code is needed and not proved.
    """
    with transaction.atomic():
        # Lock the user's row so two confirmations cannot race past the checks below.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        enrolled = two_factor_enrolled(user=user)
        setup, setup_refused = None, False
        if enrolled:
            if not (current_token and _second_factor_matches(user=user, token=current_token)):
                raise ValidationError(
                    {
                        "current_token": (
                            "Enter a code from your current authenticator app, or one of your "
                            "recovery codes"
                        )
                    }
                )
        elif settings.TWO_FACTOR_SETUP_CODE_REQUIRED or _setup_code_outstanding(user=user):
            setup = _setup_code_accepted(user=user, code=setup_code)
            setup_refused = setup is None
        if not setup_refused:
            if not _totp_code_matches(device, token):
                return None
            TOTPDevice.objects.filter(user=user).delete()
            device.confirmed = True
            device.save()
            if enrolled:
                return []
            if setup is not None:
                setup.used_at = timezone.now()
                setup.save(update_fields=["used_at"])
            return recovery_codes_generate(user=user)
    # Raised outside the transaction, so the wrong try it counted stays counted.
    raise ValidationError({"setup_code": SETUP_CODE_REFUSED})


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


def _refuse_unless_another_administrator(*, actor, user, action: str) -> None:
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied(f"Only an administrator can {action}.")
    if actor.pk == user.pk:
        # A verified session of an administrator must not get round the rule that replacing
        # an authenticator needs the current one: another administrator does it.
        raise PermissionDenied(f"Another administrator must {action} for you.")


@transaction.atomic
def two_factor_reset(*, actor, user) -> str:
    """An administrator removes a user's authenticators and recovery codes (a lost phone) and
    issues them a new set-up code, which is returned once: the user sets up a new
    authenticator with it at their next sign-in. The devices' deletion and the code's issue
    are in the change history (accounts' event tables) with the administrator as its actor.
    An administrator cannot reset their own: another one does.

    Whatever the old second factor let in ends with it: the user's API tokens are revoked (a
    lost phone may have been taken with the laptop that holds a token), and a signed-in
    session is no longer verified (django-otp finds its device gone). A set-up code issued
    before the reset stops working (the new one replaces it)."""
    _refuse_unless_another_administrator(
        actor=actor, user=user, action="reset someone's two-factor sign-in"
    )
    # Wait for a confirmation under way (totp_device_confirm locks the row too): otherwise
    # the delete below misses the authenticator it is saving, which outlives the reset.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    return _setup_code_replace(issued_by=actor, user=user)


# --- Two-factor set-up codes (the first authenticator) --------------------------------------


def setup_code_normalise(code: str) -> str:
    """As stored: capitals, without the spaces and hyphens it is read out and typed with."""
    return (code or "").strip().upper().replace(" ", "").replace("-", "")


def _setup_code_new() -> str:
    code = "".join(secrets.choice(SETUP_CODE_ALPHABET) for _ in range(SETUP_CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, SETUP_CODE_LENGTH, 4))


def _setup_code_replace(*, issued_by, user) -> str:
    code = _setup_code_new()
    now = timezone.now()
    TwoFactorSetupCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": make_password(setup_code_normalise(code)),
            "issued_by": issued_by,
            "issued_at": now,
            "expires_at": now + timedelta(hours=settings.TWO_FACTOR_SETUP_CODE_HOURS),
            "failed_attempts": 0,
            "used_at": None,
        },
    )
    return code


@transaction.atomic
def two_factor_setup_code_issue(*, actor, user) -> str:
    """A new one-time set-up code for a user who has no authenticator, returned once: the
    administrator gives it to the user in person or by phone, and it is never shown again.
    It replaces any earlier code. Only its hash is kept; the change history records the issue
    with the administrator as actor. An administrator cannot issue one for themself.

    `actor=None` is someone at the server's command line (manage.py two_factor_setup_code):
    how the first administrator gets in.
    Raises StateError when the user already has an authenticator: a new one then needs the
    current one, a recovery code, or a reset (which issues a code)."""
    if actor is not None:
        _refuse_unless_another_administrator(
            actor=actor, user=user, action="issue a two-factor set-up code"
        )
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    if two_factor_enrolled(user=user):
        raise StateError(
            f"{user.username} already has an authenticator app. If they have lost it, reset "
            "their two-factor sign-in instead: that issues a set-up code."
        )
    return _setup_code_replace(issued_by=actor, user=user)


def _setup_code_accepted(*, user, code: str) -> TwoFactorSetupCode | None:
    """The user's set-up code if `code` is it and it still works (not used, not expired, not
    past its tries); None otherwise, counting the wrong try on the code. The caller holds the
    user's row locked."""
    setup = TwoFactorSetupCode.objects.filter(user=user).first()
    if setup is None or setup.used_at is not None or setup.expires_at <= timezone.now():
        return None
    if setup.failed_attempts >= settings.TWO_FACTOR_SETUP_CODE_MAX_ATTEMPTS:
        return None
    code = setup_code_normalise(code)
    if code and check_password(code, setup.code_hash):
        return setup
    setup.failed_attempts += 1
    setup.save(update_fields=["failed_attempts"])
    return None


def _setup_code_outstanding(*, user) -> bool:
    """Whether a set-up code was issued to the user and not used. Expired or past its tries,
    it is still needed: waiting, or typing five wrong codes, must not open enrolment to the
    password alone. Only a new code (or a reset, which issues one) lets the user in."""
    return TwoFactorSetupCode.objects.filter(user=user, used_at__isnull=True).exists()


def two_factor_setup_code_needed(*, user) -> bool:
    """Whether setting up an authenticator now asks for a set-up code: the first one, where
    TWO_FACTOR_SETUP_CODE_REQUIRED is on or the user was issued a code they have not used."""
    if two_factor_enrolled(user=user):
        return False
    return settings.TWO_FACTOR_SETUP_CODE_REQUIRED or _setup_code_outstanding(user=user)


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
    # The user's row, locked: a reset (two_factor_reset locks it too) is wholly before or
    # after this. After it, a session verified before it proves nothing: no authenticator is
    # left to ask a code of, and the reset is meant to end what the old one let in.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    if settings.REQUIRE_TWO_FACTOR and not (session_verified and two_factor_enrolled(user=user)):
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
