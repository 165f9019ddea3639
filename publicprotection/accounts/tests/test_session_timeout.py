"""Work is not lost to the idle timeout: the page asks how long the session has (not activity),
keeps it alive while someone types (activity), warns before it ends, and a form sent after it
ended is refused with a message that says so (not a bare sign-in page).

The dialog's behaviour in a browser is tests/browser/test_session_timeout_journey.py."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cases.tests.factories import incident_details_form
from publicprotection.accounts.middleware import SESSION_ACTIVE_KEY, SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db

IDLE = settings.SESSION_IDLE_TIMEOUT


def signed_in(client, user, *, idle_for: float = 0):
    client.force_login(user)
    session = client.session
    session[SESSION_ACTIVE_KEY] = time.time() - idle_for
    session.save()
    return session


def active_mark(client) -> float:
    return Session.objects.get(session_key=client.session.session_key).get_decoded()[
        SESSION_ACTIVE_KEY
    ]


def expire(client):
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


# --- How long is left -------------------------------------------------------------------------


def test_the_status_says_how_long_the_session_has_and_asking_is_not_activity(
    client, lambeth_officer
):
    signed_in(client, lambeth_officer, idle_for=28 * 60)
    before = active_mark(client)

    response = client.get(reverse("session_status"))

    assert response.status_code == 200
    assert 115 <= response.json()["seconds_left"] <= 120
    # A page left open asks every few minutes: that must not keep its session
    assert active_mark(client) == before


def test_the_status_counts_the_absolute_lifetime_when_it_comes_first(client, lambeth_officer):
    session = signed_in(client, lambeth_officer)
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_LIFETIME + 60
    session.save()

    assert client.get(reverse("session_status")).json()["seconds_left"] <= 60


def test_the_status_of_no_session_is_a_401_saying_signed_out(client):
    response = client.get(reverse("session_status"))

    assert response.status_code == 401
    assert response.json()["seconds_left"] == 0


def test_the_status_of_a_session_past_its_absolute_lifetime_signs_it_out(client, lambeth_officer):
    session = signed_in(client, lambeth_officer)
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_LIFETIME - 1
    session.save()

    assert client.get(reverse("session_status")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


# --- Keeping it alive -------------------------------------------------------------------------


def test_keep_alive_starts_the_idle_timeout_again(client, lambeth_officer):
    signed_in(client, lambeth_officer, idle_for=28 * 60)

    response = client.post(reverse("session_keep_alive"))

    assert response.status_code == 200
    assert response.json()["seconds_left"] >= IDLE - 2
    assert time.time() - active_mark(client) < 5
    expires_in = Session.objects.get(session_key=client.session.session_key).expire_date
    assert expires_in - timezone.now() > timedelta(minutes=29)


def test_keep_alive_is_a_post_with_the_csrf_token(lambeth_officer):
    client = Client(enforce_csrf_checks=True)
    signed_in(client, lambeth_officer, idle_for=28 * 60)

    assert client.post(reverse("session_keep_alive")).status_code == 403
    assert client.get(reverse("session_keep_alive")).status_code == 405


def test_keep_alive_cannot_start_a_session(client):
    response = client.post(reverse("session_keep_alive"))

    assert response.status_code == 401
    assert "sessionid" not in response.cookies or not response.cookies["sessionid"].value


@override_settings(REQUIRE_TWO_FACTOR=True)
def test_a_password_alone_neither_asks_nor_keeps_alive(client, lambeth_officer):
    client.force_login(lambeth_officer)  # not verified: only the two-factor pages are open

    assert client.get(reverse("session_status")).status_code == 302
    assert client.post(reverse("session_keep_alive")).status_code == 302
    # And the two-factor page has no warning to count down
    page = client.get(reverse("two_factor_setup"))
    assert 'id="session-timeout"' not in page.text


# --- The warning on the page ------------------------------------------------------------------


def test_every_signed_in_page_carries_the_warning_with_the_idle_timeout(client, lambeth_officer):
    client.force_login(lambeth_officer)

    page = client.get(reverse("cases:incident-create")).text

    assert 'id="session-timeout"' in page
    assert f'data-idle-seconds="{IDLE}"' in page
    assert 'data-warning-seconds="120"' in page
    assert reverse("session_keep_alive") in page


def test_the_sign_in_page_has_no_warning(client):
    assert 'id="session-timeout"' not in client.get(reverse("login")).text


# --- After it ended ---------------------------------------------------------------------------


def test_a_form_sent_after_the_session_ended_says_it_was_not_saved(client, lambeth_officer):
    client.force_login(lambeth_officer)
    client.get(reverse("cases:incident-create"))
    expire(client)

    response = client.post(reverse("cases:incident-create"), incident_details_form())

    assert response.status_code == 302
    sign_in = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity" in sign_in.text
    assert "What you last sent was not saved" in sign_in.text
    # Said once: the ended session's cookie is gone
    assert "signed out after" not in client.get(reverse("login")).text


def test_a_page_opened_after_the_session_ended_says_why_without_the_form_warning(
    client, lambeth_officer
):
    client.force_login(lambeth_officer)
    expire(client)

    response = client.get(reverse("cases:incident-list"), follow=True)

    assert "You were signed out after 30 minutes without activity" in response.text
    assert "not saved" not in response.text


def test_signing_out_is_not_called_a_timeout(client, lambeth_officer):
    client.force_login(lambeth_officer)
    client.post(reverse("logout"))

    response = client.get(reverse("cases:incident-list"), follow=True)

    assert "signed out after" not in response.text


def test_a_form_sent_when_signed_out_says_it_was_not_saved(client, lambeth_officer):
    # However the session went (another tab signed out, the warning's own check took the
    # timed-out cookie), a form sent without one is not saved, and the page says so
    response = client.post(reverse("cases:incident-create"), incident_details_form(), follow=True)

    assert "You are signed out, so what you sent was not saved" in response.text
    assert "signed out after" not in response.text


def test_the_sign_out_warnings_own_check_gives_no_message(client, lambeth_officer):
    client.force_login(lambeth_officer)
    expire(client)

    assert client.get(reverse("session_status")).status_code == 401

    assert "signed out after" not in client.get(reverse("login")).text


@pytest.mark.parametrize(
    "request_kind",
    [
        pytest.param(lambda client: client.get("/api/v1/incidents/"), id="api"),
        pytest.param(
            lambda client: client.get(
                reverse("cases:incident-list"), headers={"HX-Request": "true"}
            ),
            id="htmx",
        ),
    ],
)
def test_the_api_and_htmx_take_no_message_from_an_ended_session(
    client, lambeth_officer, request_kind
):
    # Nobody would read it there, and it would not be shown on the next page
    client.force_login(lambeth_officer)
    expire(client)

    assert request_kind(client).status_code in (302, 401, 403)

    assert "signed out after" not in client.get(reverse("login")).text


def test_signing_out_of_a_session_that_already_ended_is_not_called_unsaved_work(
    client, lambeth_officer
):
    # The header's "Sign out" stays on a page whose session timed out: pressing it sends a
    # form, but nothing of anyone's work was lost by it
    client.force_login(lambeth_officer)
    expire(client)

    response = client.post(reverse("logout"), follow=True)

    assert "You were signed out after 30 minutes without activity" in response.text
    assert "not saved" not in response.text


def test_the_status_gives_who_is_signed_in_and_the_form_token_that_works_now(lambeth_officer):
    """A page opened before signing in again (in another tab) takes this token into its
    forms if the same person is signed in (static/src/js/session-timeout.mjs)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    signed_in(client, lambeth_officer)
    assert client.post(reverse("session_keep_alive")).status_code == 403  # no token yet

    body = client.get(reverse("session_status")).json()

    assert body["user"] == lambeth_officer.pk
    sent = client.post(reverse("session_keep_alive"), HTTP_X_CSRFTOKEN=body["csrf_token"])
    assert sent.status_code == 200
