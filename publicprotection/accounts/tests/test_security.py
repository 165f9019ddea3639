"""The security baseline: lockout, two-factor, session lifetime, headers, production config."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from publicprotection.accounts.middleware import SESSION_ACTIVE_KEY, SESSION_STARTED_KEY
from publicprotection.accounts.services import two_factor_setup_code_issue

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_with_the_right_password(client, lambeth_officer):
    response = sign_in(client, lambeth_officer.username, "correct-horse-battery")

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_repeated_failures_lock_the_account_out(client, lambeth_officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, lambeth_officer.username, "wrong")
    assert response.status_code in (403, 429)

    # Even the right password is refused while locked out.
    response = sign_in(client, lambeth_officer.username, "correct-horse-battery")
    assert response.status_code in (403, 429)
    assert "Too many failed sign-in attempts" in response.text
    assert client.get(reverse("home")).status_code == 302


@override_settings(REQUIRE_TWO_FACTOR=True)
def test_password_alone_opens_nothing_when_two_factor_is_required(client, lambeth_officer):
    sign_in(client, lambeth_officer.username, "correct-horse-battery")

    page = client.get(reverse("cases:incident-list"))
    api = client.get(reverse("api:incident-list"))

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("two_factor_verify"))
    assert api.status_code == 403


@override_settings(REQUIRE_TWO_FACTOR=True)
def test_setting_up_an_authenticator_then_signing_in_with_it(client, lambeth_officer):
    setup_code = two_factor_setup_code_issue(actor=None, user=lambeth_officer)
    sign_in(client, lambeth_officer.username, "correct-horse-battery")
    verify = client.get(reverse("two_factor_verify"), follow=True)
    assert verify.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
    assert "<svg" in verify.text

    wrong = client.post(reverse("two_factor_setup"), {"token": "000000", "setup_code": setup_code})
    assert "The code is not right" in wrong.text

    device = TOTPDevice(key=client.session["pp_totp_setup_key"])
    right = client.post(
        reverse("two_factor_setup"),
        {"token": f"{totp(device.bin_key):06d}", "setup_code": setup_code},
    )
    assert right.status_code == 200
    assert "Your recovery codes" in right.text  # shown once, then on to the page asked for
    assert client.get(reverse("cases:incident-list")).status_code == 200

    # Next time: the verify page asks for a code and accepts the right one.
    client.post(reverse("logout"))
    sign_in(client, lambeth_officer.username, "correct-horse-battery")
    assert client.get(reverse("home")).status_code == 302
    device = TOTPDevice.objects.get(user=lambeth_officer, confirmed=True)
    device.last_t = -1  # allow the same time step again for the test
    device.save()
    response = client.post(reverse("two_factor_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_token_form_rejects_non_digits_with_a_message(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.post(reverse("two_factor_setup"), {"token": "12ab56"})

    assert response.status_code == 200
    assert "The code must be 6 digits" in response.text
    assert 'value="12ab56"' in response.text


def _stored_session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_idle_timeout_is_thirty_minutes_and_slides_with_activity(client, lambeth_officer):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(lambeth_officer)
    client.get(reverse("home"))
    session = client.session
    session[SESSION_ACTIVE_KEY] = time.time() - 29 * 60  # idle for 29 minutes
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    assert client.get(reverse("home")).status_code == 200

    expires_in = _stored_session(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < expires_in <= timedelta(minutes=30)


def test_a_request_soon_after_the_last_does_not_write_the_session(client, lambeth_officer):
    # Saving the session on every request cost every page a write transaction.
    client.force_login(lambeth_officer)
    client.get(reverse("home"))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200

    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []


def test_an_idle_session_signs_the_officer_out(client, lambeth_officer):
    client.force_login(lambeth_officer)
    client.get(reverse("home"))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_ends_at_its_absolute_lifetime(client, lambeth_officer):
    client.force_login(lambeth_officer)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_LIFETIME - 1
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


def test_an_ended_session_signs_in_again_to_the_whole_address(client, lambeth_officer):
    wanted = reverse("cases:incident-list") + "?status=open&page=2"
    client.force_login(lambeth_officer)
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_LIFETIME - 1
    session.save()

    response = client.get(wanted)

    assert response.status_code == 302
    sign_in_page = client.get(response["Location"])
    assert sign_in_page.context["next"] == wanted


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_login_page_has_no_inline_script_and_shows_the_marking(client):
    response = client.get(reverse("login"))

    assert "OFFICIAL-SENSITIVE" in response.text
    assert "<script>" not in response.text
    assert " style=" not in response.text


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_says_when_the_broker_is_down(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unavailable"}


def _production(env_overrides, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    } | {"DJANGO_SETTINGS_MODULE": "publicprotection.settings.production"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_refuses_to_start_without_secret_key_or_hosts():
    no_secret = _production({"ALLOWED_HOSTS": "pp.example.org"}, "check")
    no_hosts = _production({"SECRET_KEY": "x" * 60}, "check")

    assert no_secret.returncode != 0
    assert "SECRET_KEY" in no_secret.stderr
    assert no_hosts.returncode != 0
    assert "ALLOWED_HOSTS" in no_hosts.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _production(
        {"SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8" * 4, "ALLOWED_HOSTS": "pp.example.org"},
        "check", "--deploy", "--fail-level", "WARNING",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr


# --- Sign-in records in the admin site ---------------------------------------------------------


@pytest.fixture
def superuser_client(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["accesslog", "accessfailurelog"])
def test_the_admin_site_shows_sign_in_records_but_cannot_change_or_delete_them(
    superuser_client, lambeth_officer, model
):
    from axes.models import AccessFailureLog, AccessLog

    record = (
        AccessLog.objects.create(username=lambeth_officer.username, ip_address="10.0.0.9")
        if model == "accesslog"
        else AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.9")
    )
    records = type(record).objects

    listing = superuser_client.get(f"/admin/axes/{model}/")
    deleted = superuser_client.post(
        f"/admin/axes/{model}/", {"action": "delete_selected", "_selected_action": [record.pk]}
    )
    delete_page = superuser_client.post(f"/admin/axes/{model}/{record.pk}/delete/", {"post": "yes"})
    changed = superuser_client.post(
        f"/admin/axes/{model}/{record.pk}/change/", {"username": "x", "path_info": "/"}
    )

    assert listing.status_code == 200 and "10.0.0.9" in listing.text
    assert deleted.status_code in (200, 302) and delete_page.status_code == 403
    assert changed.status_code == 403
    assert records.filter(pk=record.pk, username=record.username).exists()


def test_a_lockout_can_still_be_lifted_in_the_admin_site(superuser_client):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="locked.out", ip_address="10.0.0.9", failures_since_start=5
    )

    superuser_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
