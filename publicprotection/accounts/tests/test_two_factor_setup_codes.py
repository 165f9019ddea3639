"""The first authenticator needs a one-time set-up code an administrator issued, as well as
the password: whoever holds a password must not be able to enrol their own phone on an account
that has no authenticator (a new account, or after a reset). ADR 0007."""

import re
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from publicprotection.accounts import services
from publicprotection.accounts.models import (
    ApiToken,
    Role,
    TwoFactorSetupCode,
    TwoFactorSetupCodeEvent,
)
from publicprotection.accounts.services import (
    totp_device_confirm,
    totp_device_for_setup,
    totp_key_new,
    two_factor_reset,
    two_factor_setup_code_issue,
)
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.errors import StateError
from tests.locks import backends_waiting_for_a_lock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_required")]

PASSWORD = "correct-horse-battery"
SETUP = "two_factor_setup"


@pytest.fixture
def two_factor_required(settings):
    settings.REQUIRE_TWO_FACTOR = True
    settings.TWO_FACTOR_SETUP_CODE_REQUIRED = True


@pytest.fixture
def administrator(db):
    return UserFactory(
        username="test.admin2", role=Role.ADMIN, team=team("CEN"), is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_client(client, administrator):
    """An administrator signed in with two-factor: the admin site needs it."""
    device = TOTPDevice.objects.create(user=administrator, name="Phone", confirmed=True)
    sign_in(client, administrator)
    assert client.post(reverse("two_factor_verify"), {"token": code_for(device)}).status_code == 302
    client.admin = administrator
    return client


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_for(device) -> str:
    return f"{totp(device.bin_key):06d}"


def open_set_up_page(client):
    """The set-up page, and the authenticator it shows (its secret is in the session)."""
    page = client.get(reverse(SETUP))
    assert page.status_code == 200
    return page, TOTPDevice(key=client.session["pp_totp_setup_key"])


def enrol(client, user, setup_code, *, token=None):
    """The owner's attempt at the first authenticator: password, set-up code, app code."""
    sign_in(client, user)
    _, device = open_set_up_page(client)
    data = {"token": token or code_for(device)}
    if setup_code is not None:
        data["setup_code"] = setup_code
    return client.post(reverse(SETUP), data)


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def signed_in_fully(client) -> bool:
    return client.get(reverse("cases:incident-list")).status_code == 200


# --- The set-up page ----------------------------------------------------------------------------


def test_the_set_up_page_asks_for_the_set_up_code(client, lambeth_officer):
    sign_in(client, lambeth_officer)

    page, _ = open_set_up_page(client)

    assert 'name="setup_code"' in page.text
    assert "Set-up code" in page.text
    assert "Your administrator gives you this code" in page.text
    assert "after 5 wrong tries it stops working" in page.text


def test_a_password_alone_cannot_enrol_the_first_authenticator(client, lambeth_officer):
    """The attack: a new account (or one just reset), its password known to someone else, who
    signs in and sets up their own phone. Before, that was enough to own the account."""
    for missing in (None, "", "   "):
        response = enrol(client, lambeth_officer, missing)

        assert response.status_code == 200
        assert "Enter the set-up code your administrator gave you" in response.text
        assert not enrolled(lambeth_officer)
        assert not signed_in_fully(client)
        client.post(reverse("logout"))


def test_a_wrong_set_up_code_is_refused_keeping_what_was_typed_but_the_code(
    client, lambeth_officer
):
    right = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    sign_in(client, lambeth_officer)
    _, device = open_set_up_page(client)
    token = code_for(device)

    response = client.post(reverse(SETUP), {"token": token, "setup_code": "WXYZ-WXYZ-WXYZ"})

    assert response.status_code == 200
    assert "The set-up code is not right, has expired or has been used" in response.text
    assert "govuk-error-summary" in response.text
    assert f'value="{token}"' in response.text  # the app's code is kept
    assert "WXYZ" not in response.text  # the set-up code typed is never sent back
    assert right not in response.text
    assert not enrolled(lambeth_officer)
    assert TwoFactorSetupCode.objects.get(user=lambeth_officer).failed_attempts == 1


def test_an_expired_set_up_code_is_refused(client, lambeth_officer, settings):
    settings.TWO_FACTOR_SETUP_CODE_HOURS = 24
    code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    setup = TwoFactorSetupCode.objects.get(user=lambeth_officer)
    assert setup.expires_at - setup.issued_at == timedelta(hours=24)
    TwoFactorSetupCode.objects.filter(pk=setup.pk).update(
        issued_at=timezone.now() - timedelta(hours=25),
        expires_at=timezone.now() - timedelta(hours=1),
    )

    response = enrol(client, lambeth_officer, code)

    assert "has expired" in response.text
    assert not enrolled(lambeth_officer)


def test_another_users_set_up_code_is_refused(client, lambeth_officer, southwark_officer):
    theirs = two_factor_setup_code_issue(actor=None, user=southwark_officer)
    two_factor_setup_code_issue(actor=None, user=lambeth_officer)  # one of their own, unknown

    response = enrol(client, lambeth_officer, theirs)

    assert "The set-up code is not right" in response.text
    assert not enrolled(lambeth_officer)
    # And the other user's code is not used up by the attempt
    assert TwoFactorSetupCode.objects.get(user=southwark_officer).used_at is None


def test_a_set_up_code_stops_working_after_five_wrong_tries(client, lambeth_officer):
    """Brute force: every wrong try is counted on the code (kept though the attempt is
    refused); the fifth ends it, so the right code typed afterwards does not work either."""
    code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    sign_in(client, lambeth_officer)
    _, device = open_set_up_page(client)

    for guess in range(5):
        client.post(
            reverse(SETUP), {"token": code_for(device), "setup_code": f"AAAA-AAAA-AAA{guess}"}
        )
    response = client.post(reverse(SETUP), {"token": code_for(device), "setup_code": code})

    assert "The set-up code is not right" in response.text
    assert not enrolled(lambeth_officer)
    assert TwoFactorSetupCode.objects.get(user=lambeth_officer).failed_attempts == 5
    # Each wrong try is in the change history
    tries = TwoFactorSetupCodeEvent.objects.filter(user=lambeth_officer, pgh_label="update")
    assert sorted(e.failed_attempts for e in tries) == [1, 2, 3, 4, 5]


def test_the_set_up_code_with_a_right_app_code_enrols_once(client, lambeth_officer):
    code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)

    # Read out with spaces and in small letters: still the code
    response = enrol(client, lambeth_officer, f" {code.lower().replace('-', ' ')} ")

    assert response.status_code == 200
    assert "These codes are shown only once" in response.text  # the recovery codes
    assert enrolled(lambeth_officer)
    assert StaticToken.objects.filter(device__user=lambeth_officer).count() == 10
    assert signed_in_fully(client)
    assert TwoFactorSetupCode.objects.get(user=lambeth_officer).used_at is not None


def test_a_used_set_up_code_cannot_enrol_again(client, lambeth_officer):
    code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    enrol(client, lambeth_officer, code)
    client.post(reverse("logout"))
    # The authenticator gone by some other way than a reset (a reset issues a new code)
    TOTPDevice.objects.filter(user=lambeth_officer).delete()

    response = enrol(client, lambeth_officer, code)

    assert "has been used" in response.text
    assert not enrolled(lambeth_officer)


def test_a_used_set_up_code_cannot_confirm_a_second_device_in_the_service(lambeth_officer):
    """The service itself, as any other caller would use it: the code works once."""
    code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    first = totp_device_for_setup(user=lambeth_officer, key=totp_key_new())
    assert totp_device_confirm(
        user=lambeth_officer, device=first, token=code_for(first), setup_code=code
    )
    TOTPDevice.objects.filter(user=lambeth_officer).delete()
    second = totp_device_for_setup(user=lambeth_officer, key=totp_key_new())

    with pytest.raises(ValidationError) as refused:
        totp_device_confirm(
            user=lambeth_officer, device=second, token=code_for(second), setup_code=code
        )

    assert "setup_code" in refused.value.message_dict
    assert not TOTPDevice.objects.filter(user=lambeth_officer).exists()


def test_a_right_set_up_code_with_a_wrong_app_code_is_not_used_up(client, lambeth_officer):
    code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    sign_in(client, lambeth_officer)
    _, device = open_set_up_page(client)

    wrong = client.post(reverse(SETUP), {"token": "000000", "setup_code": code})
    right = client.post(reverse(SETUP), {"token": code_for(device), "setup_code": code})

    assert "The code is not right" in wrong.text
    assert right.status_code == 200 and enrolled(lambeth_officer)
    assert TwoFactorSetupCode.objects.get(user=lambeth_officer).failed_attempts == 0


def test_a_code_issued_before_a_reset_stops_working(
    client, lambeth_officer, administrator, admin_user
):
    """A code handed out earlier (and perhaps seen by someone else) is replaced by the reset's
    own code: only the new one works."""
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    earlier = two_factor_setup_code_issue(actor=administrator, user=lambeth_officer)
    TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)

    new = two_factor_reset(actor=admin_user, user=lambeth_officer)

    assert new != earlier
    refused = enrol(client, lambeth_officer, earlier)
    assert "The set-up code is not right" in refused.text
    assert not enrolled(lambeth_officer)
    client.post(reverse("logout"))
    assert enrol(client, lambeth_officer, new).status_code == 200
    assert enrolled(lambeth_officer)


@pytest.mark.django_db(transaction=True)
def test_a_reset_while_the_user_sets_up_an_authenticator_waits_and_removes_it():
    """An administrator resets a user (a lost phone) at the moment the user confirms an
    authenticator with their set-up code. The reset waits for the confirmation and removes
    what it saved: otherwise its delete ran first, found nothing, and the new authenticator
    outlived a reset that said it was done."""
    user = UserFactory(username="lam.test.race", role=Role.OFFICER, team=team("LAM"))
    admin = UserFactory(
        username="test.admin.race", role=Role.ADMIN, team=team("CEN"), is_superuser=True
    )
    code = two_factor_setup_code_issue(actor=admin, user=user)
    saved, release = threading.Event(), threading.Event()
    real_generate = services.recovery_codes_generate

    def generate_then_hold(**kwargs):
        codes = real_generate(**kwargs)
        if threading.current_thread().name == "enrol":
            saved.set()
            release.wait(timeout=10)  # the confirmation's transaction stays open meanwhile
        return codes

    def run(work):
        try:
            work()
        finally:
            connection.close()

    def confirm():
        device = totp_device_for_setup(user=user, key=totp_key_new())
        totp_device_confirm(user=user, device=device, token=code_for(device), setup_code=code)

    with mock.patch.object(services, "recovery_codes_generate", generate_then_hold):
        enrolling = threading.Thread(target=run, args=(confirm,), name="enrol")
        resetting = threading.Thread(
            target=run, args=(lambda: two_factor_reset(actor=admin, user=user),), name="reset"
        )
        enrolling.start()
        assert saved.wait(timeout=10)
        resetting.start()
        deadline = time.monotonic() + 5
        while backends_waiting_for_a_lock() != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert backends_waiting_for_a_lock() == 1, "the reset did not wait"
        release.set()
        enrolling.join(timeout=10)
        resetting.join(timeout=10)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert TwoFactorSetupCode.objects.get(user=user).used_at is None  # the reset's new code


def test_replacing_an_authenticator_asks_for_the_current_one_not_a_set_up_code(
    client, lambeth_officer
):
    device = TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)
    sign_in(client, lambeth_officer)
    client.post(reverse("two_factor_verify"), {"token": code_for(device)})
    device.refresh_from_db()
    device.last_t = -1
    device.save()

    page, new_device = open_set_up_page(client)
    response = client.post(
        reverse(SETUP), {"token": code_for(new_device), "current_token": code_for(device)}
    )

    assert 'name="setup_code"' not in page.text
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=lambeth_officer).key == new_device.key


# --- Issuing codes ------------------------------------------------------------------------------


def test_only_the_hash_of_a_code_is_stored_and_it_lasts_the_setting(lambeth_officer, settings):
    settings.TWO_FACTOR_SETUP_CODE_HOURS = 72
    code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)

    setup = TwoFactorSetupCode.objects.get(user=lambeth_officer)
    normalised = code.replace("-", "")
    assert len(normalised) == 12
    assert normalised not in setup.code_hash and code not in setup.code_hash
    assert check_password(normalised, setup.code_hash)
    assert setup.expires_at - setup.issued_at == timedelta(hours=72)
    assert not any("hash" in f.name for f in TwoFactorSetupCodeEvent._meta.fields)


def test_issuing_another_code_replaces_the_first(client, lambeth_officer):
    first = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    second = two_factor_setup_code_issue(actor=None, user=lambeth_officer)

    assert "The set-up code is not right" in enrol(client, lambeth_officer, first).text
    assert enrolled(lambeth_officer) is False
    client.post(reverse("logout"))
    enrol(client, lambeth_officer, second)
    assert enrolled(lambeth_officer)


def test_only_another_administrator_issues_a_code(
    lambeth_officer, lambeth_supervisor, administrator
):
    with pytest.raises(PermissionDenied):
        two_factor_setup_code_issue(actor=lambeth_supervisor, user=lambeth_officer)
    with pytest.raises(PermissionDenied):
        two_factor_setup_code_issue(actor=administrator, user=administrator)
    with pytest.raises(PermissionDenied):
        two_factor_reset(actor=administrator, user=administrator)

    assert not TwoFactorSetupCode.objects.exists()


def test_no_code_for_someone_who_has_an_authenticator(lambeth_officer, administrator):
    """A code would let a verified session get round "replacing needs the current one"."""
    TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)

    with pytest.raises(StateError):
        two_factor_setup_code_issue(actor=administrator, user=lambeth_officer)

    assert not TwoFactorSetupCode.objects.exists()


# --- The admin site -----------------------------------------------------------------------------


def _codes_on(page) -> list[str]:
    return re.findall(r'data-testid="setup-code">([A-Z0-9-]+)<', page.text)


def test_the_admin_action_issues_a_code_shown_once_and_in_the_history(
    admin_client, lambeth_officer
):
    client = admin_client

    page = client.post(
        "/admin/accounts/user/",
        {"action": "issue_two_factor_setup_code", "_selected_action": [lambeth_officer.pk]},
    )

    assert page.status_code == 200
    assert "These codes are shown only once" in page.text
    [code] = _codes_on(page)
    # Not kept anywhere it could be shown again
    assert code not in str(dict(client.session))
    assert code not in client.get("/admin/accounts/user/").text
    issued = TwoFactorSetupCodeEvent.objects.get(user=lambeth_officer, pgh_label="insert")
    assert issued.pgh_context.metadata["user"] == client.admin.pk
    assert issued.issued_by_id == client.admin.pk

    # The user gets in with it, and its use is in the history with the user as actor
    client.post(reverse("logout"))
    assert enrol(client, lambeth_officer, code).status_code == 200
    assert enrolled(lambeth_officer)
    used = TwoFactorSetupCodeEvent.objects.get(
        user=lambeth_officer, pgh_label="update", used_at__isnull=False
    )
    assert used.pgh_context.metadata["user"] == lambeth_officer.pk


def test_the_admin_reset_shows_a_new_set_up_code(admin_client, lambeth_officer):
    client = admin_client
    TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)
    ApiToken.objects.create(user=lambeth_officer, name="Export")

    page = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [lambeth_officer.pk]},
    )

    assert page.status_code == 200
    assert "API tokens revoked" in page.text
    [code] = _codes_on(page)
    assert not enrolled(lambeth_officer) and not ApiToken.objects.exists()
    client.post(reverse("logout"))
    assert enrol(client, lambeth_officer, code).status_code == 200
    assert enrolled(lambeth_officer)


def test_an_administrator_cannot_issue_a_code_or_reset_for_themself_in_the_admin(admin_client):
    client = admin_client
    me = client.admin

    for action in ("issue_two_factor_setup_code", "reset_two_factor"):
        response = client.post(
            "/admin/accounts/user/", {"action": action, "_selected_action": [me.pk]}, follow=True
        )
        assert "Another administrator must" in response.text
        assert not _codes_on(response)

    assert enrolled(me)
    assert not TwoFactorSetupCode.objects.filter(user=me).exists()


# --- The command line (the first administrator) -------------------------------------------------


def test_the_command_issues_a_code_for_the_first_administrator(client, capsys):
    first = UserFactory(
        username="first.admin", role=Role.ADMIN, team=team("CEN"), is_staff=True, is_superuser=True
    )

    call_command("two_factor_setup_code", "first.admin")

    out = capsys.readouterr().out
    code = out.split("first.admin: ")[1].split()[0]
    issued = TwoFactorSetupCodeEvent.objects.get(user=first, pgh_label="insert")
    assert issued.issued_by_id is None
    assert issued.pgh_context.metadata["command"] == "two_factor_setup_code"
    assert enrol(client, first, code).status_code == 200
    assert enrolled(first)
    assert client.get("/admin/").status_code == 200


def test_the_command_refuses_an_unknown_or_enrolled_user(lambeth_officer):
    TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)

    with pytest.raises(CommandError, match="no user"):
        call_command("two_factor_setup_code", "nobody")
    with pytest.raises(CommandError, match="already has an authenticator"):
        call_command("two_factor_setup_code", lambeth_officer.username)

    assert not TwoFactorSetupCode.objects.exists()


# --- No other way in ----------------------------------------------------------------------------


def _routes(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from _routes(pattern, route)
        else:
            yield route


def test_the_api_offers_no_way_round_the_set_up_code(client, api_client, lambeth_officer):
    """A session that has passed the password alone gets nothing from the API, no API route
    deals in authenticators, and an API token does not open the set-up page."""
    sign_in(client, lambeth_officer)
    assert client.get(reverse("api:me")).status_code == 403
    assert client.post(reverse("api:me"), {"token": "123456"}).status_code == 403

    api_routes = [route for route in _routes(get_resolver()) if route.startswith("api/")]
    assert "api/v1/me/" in api_routes
    assert not any(
        word in route
        for route in api_routes
        for word in ("two-factor", "two_factor", "otp", "device", "setup", "set-up")
    )

    token, secret = ApiToken.objects.create(user=lambeth_officer, name="Export")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = api_client.post(reverse(SETUP), {"token": "123456"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not enrolled(lambeth_officer)


def test_without_the_setting_the_first_authenticator_needs_no_set_up_code(
    client, lambeth_officer, settings
):
    """The local demo with two-factor off (dev settings: the setting follows
    REQUIRE_TWO_FACTOR)."""
    settings.REQUIRE_TWO_FACTOR = False
    settings.TWO_FACTOR_SETUP_CODE_REQUIRED = False

    client.force_login(lambeth_officer)
    page, device = open_set_up_page(client)
    response = client.post(reverse(SETUP), {"token": code_for(device)})

    assert 'name="setup_code"' not in page.text
    assert response.status_code == 200 and enrolled(lambeth_officer)


def test_without_the_setting_a_reset_still_needs_its_set_up_code(
    client, lambeth_officer, administrator, settings
):
    """With the setting off, a code issued to someone (a reset always issues one) is still
    needed: the reset's window is not open to whoever holds the password."""
    settings.TWO_FACTOR_SETUP_CODE_REQUIRED = False
    TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)
    code = two_factor_reset(actor=administrator, user=lambeth_officer)

    sign_in(client, lambeth_officer)
    page = client.get(reverse(SETUP))
    refused = client.post(reverse(SETUP), {"token": "000000"})
    client.post(reverse("logout"))
    without = enrol(client, lambeth_officer, None)

    assert 'name="setup_code"' in page.text
    assert refused.status_code == 200 and not enrolled(lambeth_officer)
    assert "Enter the set-up code your administrator gave you" in without.text
    assert not enrolled(lambeth_officer)
    client.post(reverse("logout"))
    assert enrol(client, lambeth_officer, code).status_code == 200
    assert enrolled(lambeth_officer)


@pytest.mark.parametrize("spoilt", ["expired", "past its tries"])
def test_without_the_setting_a_spoilt_set_up_code_is_still_needed(
    client, lambeth_officer, administrator, settings, spoilt
):
    """Waiting until the code expires, or typing five wrong ones, must not open enrolment to
    the password alone: only a new code lets the user in."""
    settings.TWO_FACTOR_SETUP_CODE_REQUIRED = False
    code = two_factor_setup_code_issue(actor=administrator, user=lambeth_officer)
    if spoilt == "expired":
        TwoFactorSetupCode.objects.update(
            issued_at=timezone.now() - timedelta(hours=2),
            expires_at=timezone.now() - timedelta(seconds=1),
        )
    else:
        TwoFactorSetupCode.objects.update(
            failed_attempts=settings.TWO_FACTOR_SETUP_CODE_MAX_ATTEMPTS
        )

    assert (
        "Enter the set-up code your administrator gave you"
        in enrol(client, lambeth_officer, None).text
    )
    client.post(reverse("logout"))
    assert "The set-up code is not right" in enrol(client, lambeth_officer, code).text
    assert not enrolled(lambeth_officer)
