"""API tokens (django-rest-knox): hashed, shown once, named, expiring, the owner's to list and
revoke, revoked with a password change or deactivation, made only by their owner."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from publicprotection.accounts.models import ApiToken
from publicprotection.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def create_on_page(client, name="Case export"):
    response = client.post(reverse("api_tokens"), {"name": name})
    assert response.status_code == 200
    match = re.search(r'data-testid="new-api-token">([^<]+)<', response.text)
    assert match, response.text
    return match.group(1), response


def api_get(api_client, secret):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api_client.get(reverse("api:me"))


def test_a_token_made_on_the_page_works_and_is_stored_only_as_a_hash(
    client, api_client, lambeth_officer
):
    client.force_login(lambeth_officer)

    secret, response = create_on_page(client)

    assert "shown only once" in response.text
    token = ApiToken.objects.get(user=lambeth_officer)
    assert token.name == "Case export"
    assert secret.startswith("pp_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert secret not in stored
    assert api_get(api_client, secret).status_code == 200


def test_the_secret_is_shown_once(client, lambeth_officer):
    client.force_login(lambeth_officer)
    secret, _ = create_on_page(client)

    listing = client.get(reverse("api_tokens"))

    assert "Case export" in listing.text
    assert secret not in listing.text
    assert secret[:10] not in listing.text


def test_a_token_expires_after_the_configured_days(client, api_client, lambeth_officer, settings):
    assert settings.API_TOKEN_TTL_DAYS == 30
    client.force_login(lambeth_officer)
    secret, _ = create_on_page(client)
    token = ApiToken.objects.get()
    assert timedelta(days=29, hours=23) < token.expiry - timezone.now() <= timedelta(days=30)

    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    assert api_get(api_client, secret).status_code == 401
    assert "Case export" not in client.get(reverse("api_tokens")).text


def test_the_owner_revokes_a_token(client, api_client, lambeth_officer):
    client.force_login(lambeth_officer)
    secret, _ = create_on_page(client)
    token = ApiToken.objects.get()

    response = client.post(reverse("api_token_revoke", args=[token.public_id]))

    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert api_get(api_client, secret).status_code == 401


def test_nobody_lists_or_revokes_someone_elses_token(client, lambeth_officer, southwark_officer):
    token, _ = api_token_create(user=southwark_officer, name="Theirs", session_verified=True)
    client.force_login(lambeth_officer)

    assert "Theirs" not in client.get(reverse("api_tokens")).text
    response = client.post(reverse("api_token_revoke", args=[token.public_id]))

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoking_is_a_post(client, lambeth_officer):
    token, _ = api_token_create(user=lambeth_officer, name="Mine", session_verified=True)
    client.force_login(lambeth_officer)

    assert client.get(reverse("api_token_revoke", args=[token.public_id])).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_nobody_creates_a_token_for_someone_else(client, lambeth_officer, southwark_officer):
    client.force_login(lambeth_officer)

    client.post(reverse("api_tokens"), {"name": "For them", "user": southwark_officer.pk})

    assert not ApiToken.objects.filter(user=southwark_officer).exists()
    assert ApiToken.objects.get().user == lambeth_officer


def test_a_token_cannot_make_tokens(client, lambeth_officer):
    _, secret = ApiToken.objects.create(user=lambeth_officer, name="Leaked")

    response = client.post(
        reverse("api_tokens"), {"name": "Another"}, HTTP_AUTHORIZATION=f"Token {secret}"
    )

    assert response.status_code == 302  # to sign-in: tokens are not a session
    assert ApiToken.objects.count() == 1


def test_a_changed_password_revokes_every_token(client, api_client, lambeth_officer):
    client.force_login(lambeth_officer)
    first, _ = create_on_page(client, "One")
    second, _ = create_on_page(client, "Two")

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
        follow=True,
    )

    assert "Your API tokens have been revoked" in response.text
    assert not ApiToken.objects.exists()
    assert api_get(api_client, first).status_code == 401
    assert api_get(api_client, second).status_code == 401


def test_a_password_set_any_other_way_revokes_them_too(lambeth_officer):
    api_token_create(user=lambeth_officer, name="One", session_verified=True)

    lambeth_officer.set_password("set-by-a-management-command")
    lambeth_officer.save()

    assert not ApiToken.objects.exists()


def test_deactivation_revokes_every_token(lambeth_officer, southwark_officer):
    api_token_create(user=lambeth_officer, name="One", session_verified=True)
    api_token_create(user=southwark_officer, name="Other", session_verified=True)

    lambeth_officer.is_active = False
    lambeth_officer.save()

    assert list(ApiToken.objects.values_list("user", flat=True)) == [southwark_officer.pk]


def test_other_changes_to_the_user_keep_their_tokens(lambeth_officer):
    api_token_create(user=lambeth_officer, name="One", session_verified=True)

    lambeth_officer.first_name = "Renamed"
    lambeth_officer.save()

    assert ApiToken.objects.count() == 1


@override_settings(REQUIRE_TWO_FACTOR=True)
def test_a_token_needs_a_session_that_passed_two_factor(lambeth_officer):
    with pytest.raises(PermissionDenied):
        api_token_create(user=lambeth_officer, name="One", session_verified=False)

    assert not ApiToken.objects.exists()


@override_settings(REQUIRE_TWO_FACTOR=True)
def test_a_session_verified_before_a_reset_makes_no_token_after_it(lambeth_officer):
    """A request from a session that passed two-factor, handled as an administrator resets
    the user (a lost phone, perhaps with the laptop): once the authenticator is gone there is
    no current code to ask for, and the session's "verified" from before must not be enough."""
    with pytest.raises(PermissionDenied):
        api_token_create(user=lambeth_officer, name="One", session_verified=True)

    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the token"),
        ("x" * 81, "80 characters or fewer"),
    ],
)
def test_a_token_needs_a_sensible_name(client, lambeth_officer, name, message):
    client.force_login(lambeth_officer)

    response = client.post(reverse("api_tokens"), {"name": name})

    assert message in response.text
    assert "govuk-error-summary" in response.text
    assert not ApiToken.objects.exists()


def test_two_tokens_of_one_user_have_different_names(client, lambeth_officer):
    client.force_login(lambeth_officer)
    create_on_page(client, "Export")

    response = client.post(reverse("api_tokens"), {"name": "export"})

    assert "You already have a token with this name" in response.text
    assert 'value="export"' in response.text
    assert ApiToken.objects.count() == 1


def test_the_tokens_page_needs_sign_in(client):
    response = client.get(reverse("api_tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_wrong_token_is_refused(api_client, lambeth_officer):
    ApiToken.objects.create(user=lambeth_officer, name="Real")

    assert api_get(api_client, "pp_" + "0" * 61).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Token pp_\xe9\xe9",  # not UTF-8 once the header's bytes are read (ISO-8859-1)
        "Token pp_\x00" + "0" * 60,  # PostgreSQL text cannot hold NUL
        "Token pp_\x7f" + "0" * 60,
        "Token",
        "Token  ",
        "Token pp_0 pp_1",
        "Token " + "0" * 10_000,
    ],
)
def test_a_malformed_token_header_is_a_401_not_a_500(api_client, lambeth_officer, header):
    ApiToken.objects.create(user=lambeth_officer, name="Real")
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(reverse("api:me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert ApiToken.objects.count() == 1
