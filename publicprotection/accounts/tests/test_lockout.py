"""Sign-in lockout: spraying one password over many usernames locks the client out; nobody
can lock a named officer out of their own client; a lockout ends after the cool-off however
long the attacker keeps trying; and the client is the real one behind the trusted proxy."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
ATTACKER = "198.51.100.66"
OFFICE = "203.0.113.10"
PROXY = "10.0.0.5"


def sign_in(client, username, password, **client_address):
    client.logout()
    return client.post(
        reverse("login"), {"username": username, "password": password}, **client_address
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def locked_out(response) -> bool:
    return response.status_code in (403, 429) and "Too many failed sign-in" in response.text


def test_spraying_one_password_over_many_usernames_locks_that_client_out(client, lambeth_officer):
    for n in range(settings.AXES_CLIENT_FAILURE_LIMIT - 1):
        response = sign_in(client, f"officer.{n}", "Winter2026!", REMOTE_ADDR=ATTACKER)
        assert not locked_out(response)  # each username is tried once only
    sign_in(client, "officer.last", "Winter2026!", REMOTE_ADDR=ATTACKER)

    # Even a right password is refused from that client...
    assert locked_out(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=ATTACKER))
    # ...while everyone else signs in as usual.
    assert signed_in(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=OFFICE))


def test_the_client_limit_is_higher_than_one_usernames(client):
    assert settings.AXES_CLIENT_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT


def test_a_sprayer_cannot_clear_the_clients_count_by_signing_in_to_their_own_account(
    client, lambeth_officer, southwark_officer
):
    for n in range(settings.AXES_CLIENT_FAILURE_LIMIT - 1):
        sign_in(client, f"officer.{n}", "Winter2026!", REMOTE_ADDR=ATTACKER)
    assert signed_in(sign_in(client, southwark_officer.username, PASSWORD, REMOTE_ADDR=ATTACKER))

    sign_in(client, "officer.last", "Winter2026!", REMOTE_ADDR=ATTACKER)

    assert locked_out(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=ATTACKER))


def test_failures_from_another_client_never_lock_an_officer_out_of_their_own(
    client, lambeth_officer
):
    for _ in range(settings.AXES_FAILURE_LIMIT * 3):
        sign_in(client, lambeth_officer.username, "wrong", REMOTE_ADDR=ATTACKER)
    assert locked_out(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=ATTACKER))

    assert signed_in(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=OFFICE))


def minutes_pass(minutes):
    """Every recorded failure happened `minutes` earlier than recorded."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_a_lockout_ends_after_the_cool_off_however_long_the_attacker_keeps_trying(
    client, lambeth_officer
):
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, lambeth_officer.username, "wrong", REMOTE_ADDR=OFFICE)
    assert locked_out(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=OFFICE))

    # The attacker keeps failing through the lockout...
    minutes_pass(cool_off - 5)
    for _ in range(3):
        sign_in(client, lambeth_officer.username, "wrong", REMOTE_ADDR=OFFICE)
    assert locked_out(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=OFFICE))

    # ...and still the lockout ends a cool-off after it began.
    minutes_pass(10)
    assert signed_in(sign_in(client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=OFFICE))


def test_behind_the_trusted_proxy_each_real_client_has_its_own_count(
    client, settings, lambeth_officer
):
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(
            client,
            lambeth_officer.username,
            "wrong",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )

    from_attacker = sign_in(
        client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
    )
    from_office = sign_in(
        client, lambeth_officer.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE
    )

    assert locked_out(from_attacker)
    assert signed_in(from_office)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
