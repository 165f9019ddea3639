"""Query counts of the case pages and API endpoints not already covered next to their other
tests: one GET, more rows, the same GET again, and the count must not change (issue #8)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import PartyRole
from cases.services.orders import protective_order_add
from cases.services.people import person_address_add, person_alias_add
from cases.services.positive_action import arrest_decision_respond, arrest_decision_return
from cases.tests.factories import (
    IncidentFactory,
    PersonFactory,
    add_offence,
    add_party,
    complete_incident,
    not_arrested,
)
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from tests.query_counts import assert_queries_do_not_grow, repeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return UserFactory(role=Role.SUPERVISOR, team=team("LAM"))


def decision_with_exchanges(officer, supervisor, exchanges: int):
    """A not-arrested decision returned and answered `exchanges` times: review events grow."""
    _incident, _victim, suspect = complete_incident(actor=officer, decision=None)
    decision = not_arrested(suspect, actor=officer)
    return_and_answer(decision, officer, supervisor, exchanges)
    return decision


def return_and_answer(decision, officer, supervisor, times):
    for number in range(times):
        arrest_decision_return(
            actor=supervisor, decision_id=decision.pk, required_action=f"Visit address {number}."
        )
        arrest_decision_respond(
            actor=officer, decision_id=decision.pk, response=f"Visited address {number}."
        )


# --- HTML pages ------------------------------------------------------------------------------


def test_person_search_queries_do_not_grow_with_matches(client, lambeth_officer):
    def matching_person():
        person = PersonFactory(family_name="Harrington")
        person_alias_add(actor=person.created_by, person=person, full_name="Jo Harrington")

    repeat(3, matching_person)()
    client.force_login(lambeth_officer)

    response = assert_queries_do_not_grow(
        client,
        reverse("cases:person-search"),
        repeat(12, matching_person),
        data={"name": "Harrington"},
    )

    assert len(response.context["results"]) == 15


def test_review_decision_page_queries_do_not_grow_with_history(
    client, lambeth_officer, lambeth_supervisor, reviewer
):
    decision = decision_with_exchanges(lambeth_officer, reviewer, 1)
    client.force_login(lambeth_supervisor)

    response = assert_queries_do_not_grow(
        client,
        reverse("cases:review-decision", args=[decision.pk]),
        lambda: return_and_answer(decision, lambeth_officer, reviewer, 6),
    )

    assert response.text.count("moj-timeline__item") == 1 + decision.review_events.count()


def test_respond_decision_page_queries_do_not_grow_with_history(client, lambeth_officer, reviewer):
    decision = decision_with_exchanges(lambeth_officer, reviewer, 1)
    arrest_decision_return(actor=reviewer, decision_id=decision.pk, required_action="Again.")
    client.force_login(lambeth_officer)

    def answer_and_return_six_more_times():
        for number in range(6):
            arrest_decision_respond(actor=lambeth_officer, decision_id=decision.pk, response="Done")
            arrest_decision_return(
                actor=reviewer, decision_id=decision.pk, required_action=f"Then visit {number}."
            )

    response = assert_queries_do_not_grow(
        client,
        reverse("cases:respond-decision", args=[decision.pk]),
        answer_and_return_six_more_times,
    )

    assert response.context["can_act"]
    assert response.text.count("moj-timeline__item") == 1 + decision.review_events.count()


# --- API -------------------------------------------------------------------------------------


def test_incident_detail_api_queries_do_not_grow_with_related_rows(api_client, lambeth_officer):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    api_client.force_authenticate(lambeth_officer)

    def more_parties_offences_decisions_orders():
        for _ in range(6):
            add_party(incident, PartyRole.WITNESS, actor=lambeth_officer)
            other = add_party(incident, PartyRole.SUSPECT, actor=lambeth_officer)
            add_offence(incident, other, actor=lambeth_officer)
            not_arrested(other, actor=lambeth_officer)
            protective_order_add(
                actor=lambeth_officer,
                incident_id=incident.pk,
                protected=victim,
                respondent=other,
                order_type="non_molestation",
                made_on=timezone.localdate() - timedelta(days=1),
            )

    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:incident-detail", args=[incident.pk]),
        more_parties_offences_decisions_orders,
    )

    body = response.json()
    assert len(body["parties"]) == 14
    assert len(body["arrest_decisions"]) == 7
    assert len(body["protective_orders"]) == 6


def test_person_detail_api_queries_do_not_grow_with_related_rows(api_client, lambeth_officer):
    person = PersonFactory()
    api_client.force_authenticate(lambeth_officer)

    def more_aliases_addresses_incidents(times=8):
        for number in range(times):
            person_alias_add(
                actor=lambeth_officer, person=person, full_name=f"Alias {number} {times}"
            )
            person_address_add(
                actor=lambeth_officer,
                person=person,
                line_1=f"{number}{times} High Street",
                postcode="SE11 5AA",
            )
            incident = IncidentFactory(actor=lambeth_officer)
            suspect = add_party(incident, PartyRole.SUSPECT, person=person, actor=lambeth_officer)
            add_offence(incident, suspect, actor=lambeth_officer)
            victim_again = IncidentFactory(actor=lambeth_officer)
            add_party(victim_again, PartyRole.VICTIM, person=person, actor=lambeth_officer)

    more_aliases_addresses_incidents(1)
    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:person-detail", args=[person.pk]),
        more_aliases_addresses_incidents,
    )

    assert len(response.json()["addresses"]) == 9
    assert len(response.json()["aliases"]) == 9


def test_arrest_decision_detail_api_queries_do_not_grow_with_history(
    api_client, lambeth_officer, reviewer
):
    decision = decision_with_exchanges(lambeth_officer, reviewer, 1)
    api_client.force_authenticate(lambeth_officer)

    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:arrest-decision-detail", args=[decision.pk]),
        lambda: return_and_answer(decision, lambeth_officer, reviewer, 6),
    )

    assert len(response.json()["review_events"]) == decision.review_events.count() >= 14
