"""What the API answers to hostile or broken input: a 4xx in the standard error shape, never
a 500, and nothing written."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from cases.models import Incident
from cases.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def incident_body(**overrides):
    now = timezone.now()
    body = {
        "borough": "LAM",
        "occurred_at": (now - timedelta(hours=3)).isoformat(),
        "reported_at": (now - timedelta(hours=2)).isoformat(),
        "how_reported": "999",
        "abuse_types": ["physical"],
    }
    body.update(overrides)
    return body


def post_raw(api_client, url, raw: bytes, content_type="application/json"):
    return api_client.generic("POST", url, raw, content_type=content_type)


def assert_standard_error(response, status):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["type"] in ("client_error", "validation_error", "server_error")
    assert body["errors"] and {"code", "detail", "attr"} <= set(body["errors"][0])
    return body


@pytest.fixture
def officer_api(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    return api_client


def test_deeply_nested_json_is_a_400(officer_api):
    raw = ("[" * 100_000 + "]" * 100_000).encode()

    response = post_raw(officer_api, reverse("api:incident-list"), raw)

    assert_standard_error(response, 400)
    assert not Incident.objects.exists()


def test_moderately_nested_json_past_the_limit_is_a_400(officer_api):
    nested = {"line_1": "x", "postcode": "SE1 1AA"}
    for _ in range(60):
        nested = {"a": nested}
    body = incident_body(location=nested)

    response = officer_api.post(reverse("api:incident-list"), body, format="json")

    assert_standard_error(response, 400)


def test_a_ten_megabyte_body_is_a_413(officer_api):
    raw = json.dumps(incident_body(officer_narrative="x" * 10_000_000)).encode()

    response = post_raw(officer_api, reverse("api:incident-list"), raw)

    body = assert_standard_error(response, 413)
    assert body["errors"][0]["code"] == "request_too_large"
    assert not Incident.objects.exists()


def test_a_ten_megabyte_form_body_is_a_413(officer_api):
    raw = b"officer_narrative=" + b"x" * 10_000_000

    response = post_raw(
        officer_api, reverse("api:incident-list"), raw, "application/x-www-form-urlencoded"
    )

    assert_standard_error(response, 413)


def test_malformed_json_is_a_400(officer_api):
    response = post_raw(officer_api, reverse("api:incident-list"), b'{"borough": ')

    assert_standard_error(response, 400)


@pytest.mark.parametrize("field", ["how_reported", "abuse_types"])
def test_a_lone_surrogate_is_a_400_not_a_500(officer_api, field):
    value = "\ud800" if field == "how_reported" else ["\ud800"]
    raw = json.dumps(incident_body(**{field: value})).encode()  # ASCII: "\\ud800" escapes

    response = post_raw(officer_api, reverse("api:incident-list"), raw)

    body = assert_standard_error(response, 400)
    assert body["errors"][0]["attr"].startswith(field)
    assert not Incident.objects.exists()


def test_a_lone_surrogate_in_a_key_is_a_400(officer_api):
    raw = b'{"\\udfff": 1}'

    response = post_raw(officer_api, reverse("api:incident-list"), raw)

    assert_standard_error(response, 400)


def test_free_text_has_a_sensible_limit(officer_api, settings):
    body = incident_body(officer_narrative="x" * 100_000)

    response = officer_api.post(reverse("api:incident-list"), body, format="json")

    errors = assert_standard_error(response, 400)["errors"]
    assert errors[0]["attr"] == "officer_narrative"
    assert str(settings.API_MAX_TEXT_LENGTH) in errors[0]["detail"]
    assert not Incident.objects.exists()


def test_free_text_at_the_limit_is_kept(officer_api, settings):
    text = "x" * settings.API_MAX_TEXT_LENGTH
    body = incident_body(officer_narrative=text)

    response = officer_api.post(reverse("api:incident-list"), body, format="json")

    assert response.status_code == 201, response.json()
    assert Incident.objects.get().officer_narrative == text


def test_duplicate_choices_in_a_list_are_refused(officer_api):
    body = incident_body(abuse_types=["physical"] * 10_000)

    response = officer_api.post(reverse("api:incident-list"), body, format="json")

    errors = assert_standard_error(response, 400)["errors"]
    assert errors[0]["attr"].startswith("abuse_types")
    assert not Incident.objects.exists()


def test_two_different_choices_are_fine(officer_api):
    body = incident_body(abuse_types=["physical", "emotional"])

    response = officer_api.post(reverse("api:incident-list"), body, format="json")

    assert response.status_code == 201, response.json()


def test_an_incident_with_no_location_answers_null(officer_api):
    incident = IncidentFactory(location=None)

    response = officer_api.get(reverse("api:incident-detail", args=[incident.pk]))

    assert response.status_code == 200
    assert response.json()["location"] is None


def test_the_database_down_is_a_503_with_retry_after_in_the_api(officer_api):
    officer_api.raise_request_exception = False  # it is still reported, as an outage should be
    with mock.patch(
        "cases.apis.incidents.IncidentListApi.get",
        side_effect=OperationalError("could not connect to server"),
    ):
        response = officer_api.get(reverse("api:incident-list"))

    body = assert_standard_error(response, 503)
    assert body["errors"][0]["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0
    assert "could not connect" not in response.text


def test_the_database_down_is_a_503_with_retry_after_on_a_page(client, lambeth_officer):
    client.force_login(lambeth_officer)
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("could not connect to server"),
    ):
        response = client.get(reverse("cases:incident-list"))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "try again in a few minutes" in response.text
    assert 'class="govuk-template' in response.text  # the styled page


def test_a_deep_api_page_is_refused_before_anything_is_counted(api_client, lambeth_supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(lambeth_supervisor)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(reverse("api:arrest-decision-list"), {"page": "999999999"})

    assert_standard_error(response, 404)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
