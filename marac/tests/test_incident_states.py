"""Risk level and MARAC state on the incident page and list: the highest current level of an
incident's victims and their open referral, London-wide snapshots, one request a page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Incident, PartyRole
from cases.tests.factories import add_party, complete_incident
from publicprotection.audit.models import AccessLogEntry
from riskassessment.models import AssessmentStatus, RiskAssessment

from ..selectors.incidents import incident_states
from .factories import high_assessment, refer

pytestmark = pytest.mark.django_db

STATES = reverse("marac:incident-states")


def confirmed(assessment):
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.CONFIRMED, confirmed_at=timezone.now()
    )
    return assessment


def test_state_is_the_highest_victim_level_and_the_open_referral(lambeth_officer):
    medium = confirmed(high_assessment(level="medium", refer=False))
    incident = medium.incident
    second_victim = add_party(incident, PartyRole.VICTIM)
    high = high_assessment(victim=second_victim)  # submitted, not yet confirmed
    refer(high)
    plain, _victim, _suspect = complete_incident()

    states = incident_states(viewer=lambeth_officer, incident_ids=[incident.pk, plain.pk])

    state = states[incident.pk]
    assert (state.level, state.awaiting_confirmation) == ("high", True)
    assert state.referral.status_label == "Awaiting triage"
    assert states[plain.pk].level == "" and states[plain.pk].referral is None


def test_a_confirmed_level_is_not_marked_unconfirmed(lambeth_officer):
    assessment = confirmed(high_assessment(level="medium", refer=False))

    state = incident_states(viewer=lambeth_officer, incident_ids=[assessment.incident_id])

    assert state[assessment.incident_id].level_label == "Medium"
    assert not state[assessment.incident_id].awaiting_confirmation


def test_out_of_scope_incidents_are_left_out(southwark_officer):
    assessment = high_assessment()

    assert incident_states(viewer=southwark_officer, incident_ids=[assessment.incident_id]) == {}


def test_states_take_the_same_queries_for_2_or_20_incidents(lambeth_officer):
    def queries_for(count):
        ids = [confirmed(high_assessment(refer=False)).incident_id for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            states = incident_states(viewer=lambeth_officer, incident_ids=ids)
        assert len(states) == count
        return len(queries)

    assert queries_for(2) == queries_for(20)


def test_fragment_swaps_each_incident_state_in(client, lambeth_officer, southwark_officer):
    assessment = high_assessment()
    refer(assessment)
    hidden = high_assessment(borough_code="SOU")
    client.force_login(lambeth_officer)

    response = client.get(
        STATES,
        {"incident": [assessment.incident_id, hidden.incident_id, "x", "99999999999999"]},
    )

    text = response.text
    assert response.status_code == 200
    assert f'id="incident-state-{assessment.incident_id}"' in text
    assert 'hx-swap-oob="true"' in text
    assert "High risk (unconfirmed)" in text and "MARAC: awaiting triage" in text
    # Another borough's incident looks like one never assessed: nothing about it shows.
    assert text.count("Not assessed") == 1
    assert f'id="incident-state-{hidden.incident_id}"' in text


def test_fragment_is_for_police_readers_only(client, partner):
    assessment = high_assessment()
    url = f"{STATES}?incident={assessment.incident_id}"

    assert client.get(url).status_code == 302
    client.force_login(partner)
    assert client.get(url).status_code == 403


def test_incident_list_and_page_load_the_states_with_a_link_without_javascript(
    client, lambeth_officer
):
    assessment = high_assessment()
    incident = assessment.incident
    client.force_login(lambeth_officer)

    listing = client.get(reverse("cases:incident-list")).text
    page = client.get(reverse("cases:incident-detail", args=[incident.reference])).text

    for text in (listing, page):
        assert f'id="incident-state-{incident.pk}"' in text
        assert reverse("riskassessment:incident-risk", args=[incident.reference]) in text
        assert f'hx-get="{STATES}?incident={incident.pk}' in text
    assert 'data-label="Status"' in listing and 'data-label="Flags"' in listing


def test_the_states_asked_for_directly_log_the_incidents_shown(client, lambeth_officer):
    # Each incident's risk level and MARAC state: asked for directly, for any ids, the ones it
    # shows are logged as one list read. An id out of scope shows nothing and is not named.
    shown = high_assessment(level="medium", refer=False).incident
    southwark, _victim, _suspect = complete_incident(borough_code="SOU")
    client.force_login(lambeth_officer)

    response = client.get(STATES, {"incident": [shown.pk, southwark.pk]})

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert entry.user == lambeth_officer
    assert entry.content_type.model_class() is Incident
    assert entry.object_ids == [str(shown.pk)]


def test_states_of_nothing_visible_log_nothing(client, lambeth_officer):
    southwark, _victim, _suspect = complete_incident(borough_code="SOU")
    client.force_login(lambeth_officer)

    assert client.get(STATES, {"incident": [southwark.pk, 999999999]}).status_code == 200
    assert not AccessLogEntry.objects.exists()
