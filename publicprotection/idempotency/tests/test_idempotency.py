"""Posting the same thing twice takes effect once: API Idempotency-Key, create forms' one-time
token, and two identical requests racing each other."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Incident
from marac.models import MaracReferral
from marac.tests.factories import REFERRAL_FIELDS, high_assessment
from publicprotection.accounts.services import api_token_create
from publicprotection.idempotency.models import IdempotentRequest
from publicprotection.idempotency.services import idempotent_requests_purge


def incident_body(**overrides):
    now = timezone.now()
    body = {
        "borough": "LAM",
        "occurred_at": (now - timedelta(hours=3)).isoformat(),
        "reported_at": (now - timedelta(hours=2)).isoformat(),
        "how_reported": "999",
        "officer_narrative": "Attended.",
    }
    body.update(overrides)
    return body


def form_body(token, **overrides):
    now = timezone.localtime()
    body = {
        "_once": token,
        "borough": "LAM",
        "occurred_at": (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "reported_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "how_reported": "999",
        "is_crime": "true",
    }
    body.update(overrides)
    return body


# --- API ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retried_post_with_the_same_key_makes_one_record(api_client, lambeth_officer):
    api_client.force_login(lambeth_officer)
    url, body = reverse("api:incident-list"), incident_body()

    first = api_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    again = api_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_each_post_is_new(api_client, lambeth_officer):
    api_client.force_login(lambeth_officer)

    api_client.post(reverse("api:incident-list"), incident_body(), format="json")
    api_client.post(reverse("api:incident-list"), incident_body(), format="json")

    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_a_key_reused_for_a_different_request_is_refused(api_client, lambeth_officer):
    api_client.force_login(lambeth_officer)
    url = reverse("api:incident-list")
    api_client.post(url, incident_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")

    other = api_client.post(
        url, incident_body(officer_narrative="Something else"), format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )  # fmt: skip

    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(api_client, lambeth_officer, lambeth_supervisor):
    url, body = reverse("api:incident-list"), incident_body()
    api_client.force_login(lambeth_officer)
    api_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    other = APIClient()
    other.force_login(lambeth_supervisor)

    response = other.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_a_revoked_token_gets_no_replay(api_client, lambeth_officer):
    token, secret = api_token_create(user=lambeth_officer, name="Export", session_verified=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}", HTTP_IDEMPOTENCY_KEY="k3")
    url, body = reverse("api:incident-list"), incident_body()
    assert api_client.post(url, body, format="json").status_code == 201
    token.delete()

    again = api_client.post(url, body, format="json")

    assert again.status_code == 401
    assert "Idempotent-Replayed" not in again
    assert "reference" not in again.json()


@pytest.mark.django_db
def test_a_refused_request_gets_the_same_answer_again(api_client, lambeth_officer):
    api_client.force_login(lambeth_officer)
    url = reverse("api:incident-list")

    body = incident_body(how_reported="pigeon")

    bad = api_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    again = api_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k2")

    assert bad.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"  # a 4xx is an answer: the same one again


@pytest.mark.django_db
def test_a_key_that_is_too_long_is_a_400(api_client, lambeth_officer):
    api_client.force_login(lambeth_officer)

    response = api_client.post(
        reverse("api:incident-list"), incident_body(), format="json",
        HTTP_IDEMPOTENCY_KEY="x" * 256,
    )  # fmt: skip

    assert response.status_code == 400
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_expired_keys_are_purged(api_client, lambeth_officer, settings):
    api_client.force_login(lambeth_officer)
    api_client.post(reverse("api:incident-list"), incident_body(), format="json",
                    HTTP_IDEMPOTENCY_KEY="old")  # fmt: skip
    IdempotentRequest.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    )

    assert idempotent_requests_purge() == 1
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_the_schema_documents_the_header(client, lambeth_officer):
    client.force_login(lambeth_officer)

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()

    post = schema["paths"]["/api/v1/incidents/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    get = schema["paths"]["/api/v1/incidents/"]["get"]
    assert not any(p["name"] == "Idempotency-Key" for p in get.get("parameters", []))


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_create_form_carries_a_one_time_token(client, lambeth_officer):
    client.force_login(lambeth_officer)

    page = client.get(reverse("cases:incident-create"))

    assert 'name="_once"' in page.text


@pytest.mark.django_db
def test_the_same_create_form_posted_twice_makes_one_incident(client, lambeth_officer):
    client.force_login(lambeth_officer)
    body = form_body("0" * 31 + "1")

    first = client.post(reverse("cases:incident-create"), body)
    second = client.post(reverse("cases:incident-create"), body)

    assert first.status_code == second.status_code == 302, first.content[:2000]
    assert second["Location"] == first["Location"]  # the repeat shows the first record
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_a_form_with_errors_keeps_its_token_and_can_be_sent_again(client, lambeth_officer):
    client.force_login(lambeth_officer)
    token = "0" * 31 + "2"

    refused = client.post(reverse("cases:incident-create"), form_body(token, how_reported=""))
    assert refused.status_code in (200, 400)
    assert f'value="{token}"' in refused.text
    accepted = client.post(reverse("cases:incident-create"), form_body(token))

    assert accepted.status_code == 302
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_another_form_sent_with_a_re_shown_pages_token_is_not_taken_for_a_repeat(
    client, lambeth_officer
):
    """A page re-shown with errors gives each of its forms the token that was posted (a
    meeting's page has several create forms): sending one of the others first must neither
    use the token up for the corrected form nor be refused as a repeat."""
    from cases.models import PersonAddress
    from cases.tests.factories import PersonFactory

    client.force_login(lambeth_officer)
    person = PersonFactory()
    token = "0" * 31 + "3"
    address_add = reverse("cases:person-address-add", args=[person.pk])

    refused = client.post(reverse("cases:incident-create"), form_body(token, how_reported=""))
    assert refused.status_code in (200, 400)
    other = client.post(
        address_add, {"_once": token, "line_1": "1 A St", "town": "London", "postcode": "SE1 1AA"}
    )
    corrected = client.post(reverse("cases:incident-create"), form_body(token))

    assert other.status_code == 302, other.content[:500]
    assert corrected.status_code == 302, corrected.content[:500]
    assert PersonAddress.objects.filter(person=person).count() == 1
    assert Incident.objects.count() == 1
    # Each is still a once-only request at its own address.
    again = client.post(reverse("cases:incident-create"), form_body(token))
    assert again.status_code == 302 and again["Location"] == corrected["Location"]
    assert Incident.objects.count() == 1


# --- Racing twins ---------------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database, reference rows included."""
    from cases.reference_data import load_reference_data as load_offences
    from publicprotection.accounts.reference_data import load_reference_data
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_reference_data()
    load_offences()
    load_instruments()


def _race(requests):
    """Send the requests at once, each from its own thread (and database connection)."""
    results = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def run(index, send):
        try:
            barrier.wait()
            results[index] = send()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_identical_referrals_at_once_one_wins_the_other_is_409(reference_data):
    assessment = high_assessment()
    body = {**REFERRAL_FIELDS, "assessment": assessment.pk}

    def send():
        api = APIClient()
        api.force_authenticate(assessment.created_by)
        return api.post(reverse("api:marac-referral-list"), body, format="json")

    responses = _race([send, send])

    assert sorted(r.status_code for r in responses) == [201, 409]
    conflict = next(r for r in responses if r.status_code == 409)
    assert "already been referred" in conflict.json()["errors"][0]["detail"]
    assert MaracReferral.objects.filter(assessment=assessment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_keyed_posts_at_once_make_one_record(reference_data, lambeth_officer):
    body = incident_body()

    def send():
        api = APIClient()
        api.force_login(lambeth_officer)
        return api.post(
            reverse("api:incident-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="twin"
        )

    responses = _race([send, send])

    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Incident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_create_form_makes_one_incident(reference_data, lambeth_officer):
    body = form_body("0" * 31 + "3")

    def send():
        browser = Client()
        browser.force_login(lambeth_officer)
        return browser.post(reverse("cases:incident-create"), body)

    responses = _race([send, send])

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Incident.objects.count() == 1
