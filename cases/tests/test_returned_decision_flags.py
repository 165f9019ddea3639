"""A decision not to arrest that a supervisor returned is flagged on the incident list and on
the incident page, which says what to do and links to the response."""

import pytest
from django.urls import reverse

from cases.services.positive_action import arrest_decision_respond, arrest_decision_return
from cases.tests.factories import complete_incident

pytestmark = pytest.mark.django_db

REQUIRED = "Take a statement from the neighbour at number 14."


@pytest.fixture
def returned(lambeth_officer, lambeth_supervisor):
    incident, _, suspect = complete_incident(actor=lambeth_officer)
    arrest_decision_return(
        actor=lambeth_supervisor, decision_id=suspect.arrest_decision.pk, required_action=REQUIRED
    )
    return incident, suspect.arrest_decision


def test_incident_list_tags_a_returned_decision(client, lambeth_officer, returned):
    complete_incident(actor=lambeth_officer)  # awaiting review: no tag
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-list"))

    assert response.text.count("Decision returned</strong>") == 1


def test_incident_page_says_what_to_do_and_links_to_the_response(client, lambeth_officer, returned):
    incident, decision = returned
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-detail", args=[incident.reference]))

    assert f'id="decision-returned-{decision.pk}"' in response.text
    assert REQUIRED in response.text
    assert reverse("cases:respond-decision", args=[decision.pk]) in response.text


def test_the_supervisor_who_returned_it_gets_no_respond_link(client, lambeth_supervisor, returned):
    incident, decision = returned
    client.force_login(lambeth_supervisor)

    response = client.get(reverse("cases:incident-detail", args=[incident.reference]))

    start = response.text.index(f'id="decision-returned-{decision.pk}"')
    banner = response.text[start : response.text.index("</section>", start)]
    assert "The officer must answer it." in banner
    assert reverse("cases:respond-decision", args=[decision.pk]) not in banner


def test_the_flag_goes_once_the_officer_answers(client, lambeth_officer, returned):
    incident, decision = returned
    arrest_decision_respond(
        actor=lambeth_officer, decision_id=decision.pk, response="Statement taken."
    )
    client.force_login(lambeth_officer)

    page = client.get(reverse("cases:incident-detail", args=[incident.reference]))
    listing = client.get(reverse("cases:incident-list"))

    assert "decision-returned-" not in page.text
    assert "Decision returned</strong>" not in listing.text


def test_the_incident_page_says_the_required_action_once(client, lambeth_officer, returned):
    incident, decision = returned
    client.force_login(lambeth_officer)

    page = client.get(reverse("cases:incident-detail", args=[incident.reference])).text

    # In the banner at the top; the decision's history points to it instead of repeating it.
    assert page.count(REQUIRED) == 1
    assert page.index(REQUIRED) < page.index('id="arrest-decisions"')
    assert "Returned with the required action shown above." in page


def test_the_response_page_says_the_required_action_once(client, lambeth_officer, returned):
    _incident, decision = returned
    client.force_login(lambeth_officer)

    page = client.get(reverse("cases:respond-decision", args=[decision.pk])).text

    assert page.count(REQUIRED) == 1


def test_once_answered_the_history_keeps_the_required_action(client, lambeth_officer, returned):
    incident, decision = returned
    arrest_decision_respond(
        actor=lambeth_officer, decision_id=decision.pk, response="Statement taken."
    )
    client.force_login(lambeth_officer)

    page = client.get(reverse("cases:incident-detail", args=[incident.reference])).text

    assert page.count(REQUIRED) == 1
    assert "shown above" not in page
