"""Incident pages: scoped to the viewer, default deny, reads logged, no N+1."""

import pytest
from django.urls import reverse

from cases.tests.factories import IncidentFactory
from publicprotection.accounts.models import Borough
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def detail_url(incident):
    return reverse("cases:incident-detail", args=[incident.reference])


def test_officer_lists_only_their_boroughs_incidents(client, lambeth_officer):
    mine = IncidentFactory(borough=Borough.objects.get(code="LAM"))
    theirs = IncidentFactory(borough=Borough.objects.get(code="SOU"))
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-list"))

    assert response.status_code == 200
    assert mine.reference in response.text
    assert theirs.reference not in response.text


def test_other_borough_incident_is_404_like_a_missing_one(client, southwark_officer):
    incident = IncidentFactory(borough=Borough.objects.get(code="LAM"))
    client.force_login(southwark_officer)

    out_of_scope = client.get(detail_url(incident))
    missing = client.get(reverse("cases:incident-detail", args=["DV/LAM/2026/999999"]))

    assert out_of_scope.status_code == missing.status_code == 404
    assert AccessLogEntry.objects.count() == 0


def test_partner_cannot_open_incident_pages(client, partner):
    incident = IncidentFactory()
    client.force_login(partner)

    assert client.get(reverse("cases:incident-list")).status_code == 403
    assert client.get(detail_url(incident)).status_code == 403
    assert AccessLogEntry.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client):
    incident = IncidentFactory()

    response = client.get(detail_url(incident))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_detail_read_is_logged(client, lambeth_officer):
    incident = IncidentFactory()
    client.force_login(lambeth_officer)

    response = client.get(detail_url(incident), HTTP_USER_AGENT="pytest")

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.channel) == (lambeth_officer, "view", "web")
    assert entry.object_id == str(incident.pk)
    assert entry.object_label == incident.reference
    assert entry.ip_address == "127.0.0.1"
    assert entry.user_agent == "pytest"


def test_list_query_count_does_not_grow_with_rows(
    client, lambeth_officer, django_assert_max_num_queries
):
    client.force_login(lambeth_officer)
    IncidentFactory.create_batch(5)
    with django_assert_max_num_queries(12) as five:
        client.get(reverse("cases:incident-list"))
    IncidentFactory.create_batch(45)
    with django_assert_max_num_queries(12) as fifty:
        client.get(reverse("cases:incident-list"))
    assert len(fifty.captured_queries) == len(five.captured_queries)


def test_list_pages_and_keeps_filters(client, lambeth_officer):
    IncidentFactory.create_batch(27)
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-list"), {"status": "open", "page": 2})

    assert response.status_code == 200
    assert len(response.context["incidents"]) == 2
    assert "?status=open&amp;page=1" in response.text


def test_bad_page_number_is_not_an_error(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-list"), {"page": "abc"})

    assert response.status_code == 200


def test_each_listed_incident_links_to_its_record_and_its_risk_page(client, lambeth_officer):
    lambeth = Borough.objects.get(code="LAM")
    incidents = [IncidentFactory(borough=lambeth) for _ in range(3)]
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-list"))

    for incident in incidents:
        assert f'href="{detail_url(incident)}"' in response.text
        risk = reverse("riskassessment:incident-risk", args=[incident.reference])
        assert f'href="{risk}"' in response.text
        assert client.get(detail_url(incident)).status_code == 200
