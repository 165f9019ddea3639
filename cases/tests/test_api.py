"""Incident API: the same access core as the pages."""

import pytest
from django.urls import reverse

from cases.tests.factories import IncidentFactory
from publicprotection.accounts.models import Borough
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def test_list_is_scoped_and_paginated(api_client, lambeth_officer):
    mine = IncidentFactory(borough=Borough.objects.get(code="LAM"))
    IncidentFactory(borough=Borough.objects.get(code="SOU"))
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(reverse("api:incident-list"))

    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [mine.reference]
    assert response.json()["next"] is None


def test_other_borough_detail_is_404_in_the_standard_error_shape(api_client, southwark_officer):
    incident = IncidentFactory(borough=Borough.objects.get(code="LAM"))
    api_client.force_authenticate(southwark_officer)

    out_of_scope = api_client.get(reverse("api:incident-detail", args=[incident.pk]))
    missing = api_client.get(reverse("api:incident-detail", args=[999_999]))

    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()
    assert out_of_scope.json()["type"] == "client_error"
    assert AccessLogEntry.objects.count() == 0


def test_partner_is_forbidden(api_client, partner):
    incident = IncidentFactory()
    api_client.force_authenticate(partner)

    assert api_client.get(reverse("api:incident-list")).status_code == 403
    assert api_client.get(reverse("api:incident-detail", args=[incident.pk])).status_code == 403


def test_anonymous_is_unauthorised(api_client):
    response = api_client.get(reverse("api:incident-list"))

    assert response.status_code in (401, 403)
    assert response.json()["type"] == "client_error"


def test_token_authentication_works_and_detail_read_is_logged(api_client, lambeth_officer):
    from publicprotection.accounts.models import ApiToken

    incident = IncidentFactory()
    _, secret = ApiToken.objects.create(user=lambeth_officer, name="test")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = api_client.get(reverse("api:incident-detail", args=[incident.pk]))

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.channel) == (lambeth_officer, "api")


def test_unknown_api_path_is_json_404(api_client, lambeth_officer):
    api_client.force_login(lambeth_officer)

    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_schema_and_docs_need_sign_in(client, lambeth_officer):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    client.force_login(lambeth_officer)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/incidents/" in schema.content
    assert client.get(reverse("api-docs")).status_code == 200


def test_list_query_count_does_not_grow_with_rows(
    api_client, lambeth_officer, django_assert_max_num_queries
):
    api_client.force_authenticate(lambeth_officer)
    IncidentFactory.create_batch(5)
    with django_assert_max_num_queries(10) as five:
        api_client.get(reverse("api:incident-list"))
    IncidentFactory.create_batch(45)
    with django_assert_max_num_queries(10) as fifty:
        api_client.get(reverse("api:incident-list"))
    assert len(fifty.captured_queries) == len(five.captured_queries)
