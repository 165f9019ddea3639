"""Two-factor sign-in: what a password alone reaches, replacing an authenticator, recovery
codes, the admin site and the administrator's audited reset."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as client_class
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from publicprotection.accounts.models import ApiToken, Role, StaticDeviceEvent, TOTPDeviceEvent
from publicprotection.accounts.services import (
    recovery_codes_generate,
    two_factor_reset,
    two_factor_setup_code_issue,
)
from publicprotection.accounts.tests.factories import UserFactory, team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_required")]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def two_factor_required(settings):
    settings.REQUIRE_TWO_FACTOR = True


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_for(device) -> str:
    if device.pk:
        device.refresh_from_db()
    return f"{totp(device.bin_key):06d}"


def device_being_set_up(client) -> TOTPDevice:
    """The authenticator the set-up page shows: its secret is in the session, not the database."""
    return TOTPDevice(key=client.session["pp_totp_setup_key"])


def allow_reuse(device):
    """A TOTP code is accepted once per time step: the tests reuse the step."""
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


@pytest.fixture
def enrolled_officer(lambeth_officer):
    device = TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)
    codes = recovery_codes_generate(user=lambeth_officer)
    lambeth_officer.device, lambeth_officer.codes = device, codes
    return lambeth_officer


def verified_client(client, user):
    sign_in(client, user)
    response = client.post(reverse("two_factor_verify"), {"token": code_for(user.device)})
    assert response.status_code == 302
    allow_reuse(user.device)
    return client


# --- A password alone -----------------------------------------------------------------------


def test_password_alone_cannot_enrol_a_new_authenticator_over_the_owners(client, enrolled_officer):
    """The attack: with the password, set up your own phone and get in."""
    sign_in(client, enrolled_officer)

    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("two_factor_verify"))

    # A fresh secret, confirmed by the attacker's own app, is refused too.
    session = client.session
    session["pp_totp_setup_key"] = "ab" * 20
    session.save()
    attacker_code = f"{totp(bytes.fromhex('ab' * 20)):06d}"
    response = client.post(reverse("two_factor_setup"), {"token": attacker_code})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert list(TOTPDevice.objects.filter(user=enrolled_officer)) == [enrolled_officer.device]
    assert client.get(reverse("cases:incident-list")).status_code == 302


@pytest.mark.parametrize(
    "url_name",
    ["password_change", "account_security", "api_tokens", "home", "cases:incident-list"],
)
def test_password_alone_reaches_no_other_page(client, enrolled_officer, url_name):
    sign_in(client, enrolled_officer)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_the_two_factor_step_returns_to_the_whole_address_asked_for(client, enrolled_officer):
    """A filtered list asked for before the code comes back as it was: the query is kept and
    encoded, so its "&" and "#" reach the verify page inside `next`, not beside it."""
    wanted = reverse("cases:incident-list") + "?status=open&q=Smith%20%23&page=2"
    sign_in(client, enrolled_officer)

    response = client.get(wanted)

    assert response.status_code == 302
    verify = client.get(response["Location"])
    assert verify.context["next"] == wanted
    done = client.post(
        response["Location"], {"token": code_for(enrolled_officer.device), "next": wanted}
    )
    assert done["Location"] == wanted


@pytest.mark.parametrize("second_factor", ["code", "recovery code", "first authenticator"])
def test_passing_the_second_factor_gives_the_session_a_new_key(
    client, lambeth_officer, second_factor
):
    """Given a session key learnt while the session had passed the password alone (a shared
    computer, a logged request), when the owner passes the second factor, then that key opens
    nothing: the session that passed two-factor has a new key, as the password step gave it.
    Before, the key kept by the attacker became a fully signed-in session."""
    if second_factor != "first authenticator":
        device = TOTPDevice.objects.create(user=lambeth_officer, name="Phone", confirmed=True)
        codes = recovery_codes_generate(user=lambeth_officer)
    sign_in(client, lambeth_officer)
    learnt = client.cookies["sessionid"].value

    if second_factor == "code":
        response = client.post(reverse("two_factor_verify"), {"token": code_for(device)})
    elif second_factor == "recovery code":
        response = client.post(reverse("two_factor_recovery"), {"code": codes[0]})
    else:
        setup_code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
        client.get(reverse("two_factor_setup"))
        new_device = device_being_set_up(client)
        response = client.post(
            reverse("two_factor_setup"),
            {"token": code_for(new_device), "setup_code": setup_code},
        )
    assert response.status_code in (200, 302)
    assert client.get(reverse("cases:incident-list")).status_code == 200

    attacker = client_class()
    attacker.cookies["sessionid"] = learnt
    refused = attacker.get(reverse("cases:incident-list"))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("login"))
    assert client.cookies["sessionid"].value != learnt


def test_no_authenticator_yet_keeps_the_whole_address_for_set_up(client, lambeth_officer):
    wanted = reverse("cases:incident-list") + "?status=open&page=2"
    sign_in(client, lambeth_officer)

    response = client.get(reverse("two_factor_verify"), {"next": wanted})

    assert response.status_code == 302
    assert client.get(response["Location"]).context["next"] == wanted


def test_password_alone_cannot_change_the_password(client, enrolled_officer):
    sign_in(client, enrolled_officer)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )

    assert response.status_code == 302
    enrolled_officer.refresh_from_db()
    assert enrolled_officer.check_password(PASSWORD)


def test_password_alone_does_not_open_the_admin_site(client):
    admin = UserFactory(role=Role.ADMIN, team=team("CEN"), is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin, name="Phone", confirmed=True)
    sign_in(client, admin)

    for url in ("/admin/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_verify"))


def test_password_alone_reaches_the_two_factor_pages_and_sign_out(client, enrolled_officer):
    sign_in(client, enrolled_officer)

    assert client.get(reverse("two_factor_verify")).status_code == 200
    assert client.get(reverse("two_factor_recovery")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_alone_cannot_make_api_tokens(client, enrolled_officer):
    sign_in(client, enrolled_officer)

    client.post(reverse("api_tokens"), {"name": "sneaky"})

    assert not ApiToken.objects.exists()


def test_a_user_with_no_authenticator_is_sent_to_set_one_up(client, lambeth_officer):
    sign_in(client, lambeth_officer)

    response = client.get(reverse("two_factor_setup"))
    again = client.get(reverse("two_factor_setup"))

    assert response.status_code == 200
    assert "Set up two-factor authentication" in response.text
    assert not TOTPDevice.objects.exists()  # opening the page writes nothing
    assert response.context["secret"] == again.context["secret"]  # the same QR code twice


def test_a_wrong_set_up_code_saves_nothing(client, lambeth_officer):
    setup_code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    sign_in(client, lambeth_officer)
    client.get(reverse("two_factor_setup"))

    response = client.post(
        reverse("two_factor_setup"), {"token": "000000", "setup_code": setup_code}
    )

    assert "The code is not right" in response.text
    assert not TOTPDevice.objects.exists()


# --- Replacing an authenticator -------------------------------------------------------------


def test_replacing_the_authenticator_needs_the_current_one(client, enrolled_officer):
    verified_client(client, enrolled_officer)
    page = client.get(reverse("two_factor_setup"))
    assert "Set up a new authenticator app" in page.text
    new_device = device_being_set_up(client)

    refused = client.post(reverse("two_factor_setup"), {"token": code_for(new_device)})

    assert refused.status_code == 200
    assert "Enter a code from your current authenticator app" in refused.text
    assert TOTPDevice.objects.get(pk=enrolled_officer.device.pk).confirmed

    wrong_current = client.post(
        reverse("two_factor_setup"), {"token": code_for(new_device), "current_token": "123456"}
    )
    assert "Enter a code from your current authenticator app" in wrong_current.text
    assert TOTPDevice.objects.filter(user=enrolled_officer, confirmed=True).count() == 1


def test_replacing_with_the_current_code_swaps_the_device(client, enrolled_officer):
    verified_client(client, enrolled_officer)
    client.get(reverse("two_factor_setup"))
    new_device = device_being_set_up(client)

    response = client.post(
        reverse("two_factor_setup"),
        {"token": code_for(new_device), "current_token": code_for(enrolled_officer.device)},
    )

    assert response.status_code == 302
    devices = list(TOTPDevice.objects.filter(user=enrolled_officer))
    assert [(d.key, d.confirmed) for d in devices] == [(new_device.key, True)]


def test_a_recovery_code_can_stand_in_for_the_lost_authenticator(client, enrolled_officer):
    verified_client(client, enrolled_officer)
    client.get(reverse("two_factor_setup"))
    new_device = device_being_set_up(client)
    code = enrolled_officer.codes[0]

    response = client.post(
        reverse("two_factor_setup"), {"token": code_for(new_device), "current_token": code}
    )

    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=enrolled_officer).key == new_device.key
    assert not StaticToken.objects.filter(token=code).exists()  # used up


# --- Recovery codes -------------------------------------------------------------------------


def test_first_authenticator_shows_recovery_codes_once(client, lambeth_officer):
    setup_code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    sign_in(client, lambeth_officer)
    client.get(reverse("two_factor_setup"))
    device = device_being_set_up(client)

    response = client.post(
        reverse("two_factor_setup"), {"token": code_for(device), "setup_code": setup_code}
    )

    assert response.status_code == 200
    assert "These codes are shown only once" in response.text
    codes = set(
        StaticToken.objects.filter(device__user=lambeth_officer).values_list("token", flat=True)
    )
    assert len(codes) == 10
    assert all(code in response.text for code in codes)
    # Never shown again: not on the security page, not in the session.
    security = client.get(reverse("account_security"))
    assert "10 unused" in security.text
    assert not any(code in security.text for code in codes)
    assert not any(code in str(dict(client.session)) for code in codes)


def test_a_recovery_code_signs_in_once(client, enrolled_officer):
    code = enrolled_officer.codes[3]
    sign_in(client, enrolled_officer)

    response = client.post(reverse("two_factor_recovery"), {"code": code.upper()})

    assert response.status_code == 302
    assert client.get(reverse("cases:incident-list")).status_code == 200
    client.post(reverse("logout"))

    sign_in(client, enrolled_officer)
    again = client.post(reverse("two_factor_recovery"), {"code": code})
    assert again.status_code == 200
    assert "has been used" in again.text
    assert client.get(reverse("cases:incident-list")).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, enrolled_officer):
    verified_client(client, enrolled_officer)
    assert client.get(reverse("recovery_codes_new")).status_code == 200

    response = client.post(
        reverse("recovery_codes_new"), {"current_token": code_for(enrolled_officer.device)}
    )

    assert response.status_code == 200
    new_codes = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new_codes) == 10
    assert not new_codes & set(enrolled_officer.codes)
    assert all(code in response.text for code in new_codes)


def test_a_signed_in_session_alone_cannot_make_recovery_codes_to_replace_the_authenticator(
    client, enrolled_officer
):
    """Given a signed-in session (taken over on a shared computer, say) without the owner's
    phone or recovery codes, when it asks for new recovery codes, then it is refused and the
    owner's codes stay: the codes stand in for the authenticator, so making them needs the same
    proof as replacing it (ADR 0007). Before, the session got ten new codes and used one as
    the "current" factor to enrol its own phone, deleting the owner's authenticator."""
    verified_client(client, enrolled_officer)

    refused = client.post(reverse("recovery_codes_new"), {"current_token": "000000"})
    empty = client.post(reverse("recovery_codes_new"))

    assert refused.status_code == 400 and empty.status_code == 400
    assert "not right" in refused.text
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(enrolled_officer.codes)
    assert list(TOTPDevice.objects.filter(user=enrolled_officer)) == [enrolled_officer.device]


def test_a_signed_in_session_alone_cannot_make_an_api_token(client, enrolled_officer):
    """Given a signed-in session without the owner's phone or recovery codes, when it asks
    for an API token, then it is refused with what was typed kept: a token lets a program act
    as the owner for weeks after the session has ended, so it needs the second factor again.
    Before, the session alone got a 30-day token."""
    verified_client(client, enrolled_officer)

    refused = client.post(reverse("api_tokens"), {"name": "Export", "current_token": "000000"})
    empty = client.post(reverse("api_tokens"), {"name": "Export"})

    assert refused.status_code == 400 and empty.status_code == 400
    assert "not right" in refused.text and 'value="Export"' in refused.text
    assert "Enter a code from your authenticator app" in empty.text
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("proof", ["authenticator", "recovery code"])
def test_a_token_is_made_with_a_code_from_the_authenticator_or_a_recovery_code(
    client, enrolled_officer, proof
):
    verified_client(client, enrolled_officer)
    code = (
        code_for(enrolled_officer.device)
        if proof == "authenticator"
        else (enrolled_officer.codes[0])
    )

    response = client.post(reverse("api_tokens"), {"name": "Export", "current_token": code})

    assert response.status_code == 200
    assert 'data-testid="new-api-token">pp_' in response.text
    assert ApiToken.objects.filter(user=enrolled_officer, name="Export").count() == 1
    # The code is used up: the same one cannot make a second token
    again = client.post(reverse("api_tokens"), {"name": "Other", "current_token": code})
    assert again.status_code == 400 and ApiToken.objects.count() == 1


def test_a_refused_token_name_does_not_use_up_the_code(client, enrolled_officer):
    verified_client(client, enrolled_officer)
    code = enrolled_officer.codes[0]

    refused = client.post(reverse("api_tokens"), {"name": "", "current_token": code})
    made = client.post(reverse("api_tokens"), {"name": "Export", "current_token": code})

    assert refused.status_code == 400 and made.status_code == 200
    assert ApiToken.objects.count() == 1


# --- The admin site ---------------------------------------------------------------------------


@pytest.fixture
def admin_client_verified(client):
    admin = UserFactory(role=Role.ADMIN, team=team("CEN"), is_staff=True, is_superuser=True)
    admin.device = TOTPDevice.objects.create(user=admin, name="Phone", confirmed=True)
    verified_client(client, admin)
    client.admin = admin
    return client


def test_the_admin_site_never_shows_an_authenticators_secret(
    admin_client_verified, enrolled_officer
):
    client = admin_client_verified
    device = enrolled_officer.device
    secrets = {device.key, totp_b32(device)} | set(enrolled_officer.codes)

    pages = [
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{enrolled_officer.pk}/change/",
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        "/admin/otp_totp/totpdevice/add/",
        "/admin/otp_static/staticdevice/",
        "/admin/accounts/apitoken/add/",
    ]
    for url in pages:
        response = client.get(url, follow=True)
        text = response.content.decode().lower()
        assert not any(secret.lower() in text for secret in secrets), url
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/accounts/apitoken/add/").status_code == 404


def totp_b32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def test_an_administrators_reset_removes_the_devices_and_is_in_the_history(
    admin_client_verified, enrolled_officer
):
    client = admin_client_verified

    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [enrolled_officer.pk]},
    )

    assert response.status_code == 200  # the page with the new set-up code
    assert not TOTPDevice.objects.filter(user=enrolled_officer).exists()
    assert not StaticDevice.objects.filter(user=enrolled_officer).exists()
    deleted = TOTPDeviceEvent.objects.get(pgh_obj_id=enrolled_officer.device.pk, pgh_label="delete")
    assert deleted.pgh_context.metadata["user"] == client.admin.pk
    assert StaticDeviceEvent.objects.filter(user=enrolled_officer, pgh_label="delete").exists()
    # No secret reaches the history.
    assert not any("key" in f.name for f in TOTPDeviceEvent._meta.fields)


def test_a_reset_revokes_the_api_tokens_and_unverifies_signed_in_sessions(
    client, api_client, enrolled_officer, admin_user
):
    # Given the officer is signed in with two-factor and holds a token
    verified_client(client, enrolled_officer)
    made = client.post(
        reverse("api_tokens"),
        {"name": "Export", "current_token": code_for(enrolled_officer.device)},
    )
    secret = re.search(r'data-testid="new-api-token">([^<]+)<', made.text).group(1)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api_client.get(reverse("api:me")).status_code == 200

    # When an administrator resets their two-factor sign-in (a lost phone)
    two_factor_reset(actor=_superuser(admin_user), user=enrolled_officer)

    # Then the token no longer works, and the session must set up a new authenticator
    assert api_client.get(reverse("api:me")).status_code == 401
    assert not ApiToken.objects.filter(user=enrolled_officer).exists()
    response = client.get(reverse("cases:incident-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_only_an_administrator_can_reset(enrolled_officer, lambeth_supervisor):
    with pytest.raises(PermissionDenied):
        two_factor_reset(actor=lambeth_supervisor, user=enrolled_officer)

    assert TOTPDevice.objects.filter(user=enrolled_officer).exists()


@override_settings(REQUIRE_TWO_FACTOR=True)
def test_after_a_reset_the_user_sets_up_a_new_authenticator(client, enrolled_officer, admin_user):
    two_factor_reset(actor=_superuser(admin_user), user=enrolled_officer)
    sign_in(client, enrolled_officer)

    response = client.get(reverse("two_factor_verify"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
    assert re.search(r"Set up two-factor authentication", response.text)


def _superuser(user):
    user.is_staff = user.is_superuser = True
    user.save()
    return user
