"""Every read of an incident (page, its edit sections, API) or of an arrest decision is in the
record history (audit:record-history for the person) of the people it records: the incident's
parties, the decision's suspect (ADR 0002)."""

import pytest
from django.urls import reverse

from tests.person_history import reads_by

from .factories import PersonFactory, complete_incident

pytestmark = pytest.mark.django_db


def test_an_incidents_page_and_api_reads_are_in_its_parties_history(
    client, api_client, lambeth_officer, admin_user
):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    response = client.get(reverse("cases:incident-detail", args=[incident.reference]))
    assert response.status_code == 200
    api_client.force_authenticate(lambeth_officer)
    response = api_client.get(reverse("api:incident-detail", args=[incident.pk]))
    assert response.status_code == 200

    for party in (victim, suspect):
        reads = reads_by(client, admin_user, party.person, lambeth_officer)
        assert [(r.channel, r.object_id, r.object_label) for r in reads] == [
            ("api", str(incident.pk), incident.reference),
            ("web", str(incident.pk), incident.reference),
        ]
        page = client.get(reverse("audit:record-history", args=["cases.person", party.person.pk]))
        assert f"Incident: {incident.reference}" in page.text


def test_an_arrest_decisions_page_and_api_reads_are_in_the_suspects_history(
    client, api_client, lambeth_officer, lambeth_supervisor, admin_user
):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    decision = suspect.arrest_decision
    client.force_login(lambeth_supervisor)
    response = client.get(reverse("cases:review-decision", args=[decision.pk]))
    assert response.status_code == 200
    api_client.force_authenticate(lambeth_supervisor)
    response = api_client.get(reverse("api:arrest-decision-detail", args=[decision.pk]))
    assert response.status_code == 200

    reads = reads_by(client, admin_user, suspect.person, lambeth_supervisor)
    assert [(r.channel, r.object_id) for r in reads] == [
        ("api", str(incident.pk)),
        ("web", str(incident.pk)),
    ]


def test_an_incident_read_is_not_in_someone_elses_history(client, lambeth_officer, admin_user):
    incident, _victim, _suspect = complete_incident(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    response = client.get(reverse("cases:incident-detail", args=[incident.reference]))
    assert response.status_code == 200

    assert reads_by(client, admin_user, PersonFactory(), lambeth_officer) == []


def test_the_decision_queues_are_in_the_suspects_history(
    client, api_client, lambeth_officer, lambeth_supervisor, admin_user
):
    incident, _victim, suspect = complete_incident(actor=lambeth_officer)
    decision = suspect.arrest_decision
    client.force_login(lambeth_supervisor)
    assert client.get(reverse("cases:review-queue")).status_code == 200
    assert client.get(reverse("cases:outstanding-suspects")).status_code == 200
    api_client.force_authenticate(lambeth_supervisor)
    assert api_client.get(reverse("api:arrest-decision-list")).status_code == 200

    reads = reads_by(client, admin_user, suspect.person, lambeth_supervisor)
    assert [(r.channel, r.content_type.model, r.object_ids) for r in reads] == [
        ("api", "arrestdecision", [str(decision.pk)]),
        ("web", "arrestdecision", [str(decision.pk)]),
        ("web", "arrestdecision", [str(decision.pk)]),
    ]
