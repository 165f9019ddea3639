"""The supervisor's review page shows the case beside the decision not to arrest."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import PartyRole
from cases.selectors.positive_action import REVIEW_HISTORY_SHOWN, decision_review_case
from cases.services.incidents import incident_update
from cases.tests.factories import (
    IncidentFactory,
    add_offence,
    add_party,
    complete_incident,
    not_arrested,
)
from publicprotection.accounts.models import Borough
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def review_url(decision):
    return reverse("cases:review-decision", args=[decision.pk])


def decision_with_history(earlier=2, other_borough=1):
    incident, victim, suspect = complete_incident(decision=None)
    add_offence(incident, suspect, code="common_assault")
    incident.refresh_from_db()
    incident_update(
        actor=incident.created_by,
        incident_id=incident.pk,
        expected_version=incident.version,
        victim_account="He grabbed me by the throat and said he would kill me.",
        weapons="Kitchen knife",
        evidence_types=["bwv", "photos_injuries"],
    )
    for days in range(earlier):
        before = IncidentFactory(occurred_at=timezone.now() - timedelta(days=30 + days))
        add_party(before, PartyRole.VICTIM, person=victim.person)
    for _ in range(other_borough):
        elsewhere = IncidentFactory(
            borough=Borough.objects.get(code="SOU"), occurred_at=timezone.now() - timedelta(days=9)
        )
        add_party(elsewhere, PartyRole.VICTIM, person=victim.person)
    decision = not_arrested(suspect)
    decision.test_earlier = before if earlier else None
    decision.test_elsewhere = elsewhere if other_borough else None
    return decision, victim


def test_selector_gives_the_suspects_offences_first_and_the_victims_history(lambeth_supervisor):
    decision, victim = decision_with_history(earlier=REVIEW_HISTORY_SHOWN + 2)

    case = decision_review_case(viewer=lambeth_supervisor, decision=decision)

    assert [o.suspect_id for o in case.offences] == [decision.suspect_id] * 2
    assert case.offences[0].offence_type.seriousness >= case.offences[1].offence_type.seriousness
    [history] = case.victims
    assert history.party == victim
    assert history.flags.repeat_victim
    assert len(history.earlier) == REVIEW_HISTORY_SHOWN
    assert history.earlier_count == REVIEW_HISTORY_SHOWN + 2
    assert decision.incident_id not in {p.incident_id for p in history.earlier}
    assert history.hidden_count == 1  # Southwark's incident: counted, not described


def test_review_page_shows_offences_account_evidence_and_victim_beside_the_decision(
    client, lambeth_supervisor
):
    decision, victim = decision_with_history()
    client.force_login(lambeth_supervisor)

    response = client.get(review_url(decision))

    text = response.text
    assert 'id="review-decision"' in text and 'id="review-case"' in text
    assert "Actual bodily harm (ABH)" in text
    assert "Common assault" in text
    assert "said he would kill me" in text
    assert "Kitchen knife" in text
    assert "could proceed without a victim statement" in text
    assert victim.person.full_name in text
    assert "Repeat victim" in text
    assert reverse("riskassessment:person-risk-summary", args=[victim.person_id]) in text
    assert reverse("riskassessment:person-risk", args=[victim.person_id]) in text
    assert "1 other incident in another borough" in text
    # The earlier Lambeth incidents are listed; the Southwark one is not described.
    assert decision.test_earlier.reference in text
    assert decision.test_elsewhere.reference not in text


def test_review_page_logs_the_read_of_the_victims_it_describes(client, lambeth_supervisor):
    decision, victim = decision_with_history()
    client.force_login(lambeth_supervisor)

    client.get(review_url(decision))

    logged = AccessLogEntry.objects.filter(user=lambeth_supervisor)
    assert logged.filter(object_id=str(decision.incident_id)).exists()
    people = logged.exclude(object_id=str(decision.incident_id)).get()
    assert people.object_ids == [str(victim.person_id)]


def test_review_page_queries_do_not_grow_with_the_victims_history(client, lambeth_supervisor):
    few, _ = decision_with_history(earlier=1)
    many, _ = decision_with_history(earlier=8)
    client.force_login(lambeth_supervisor)

    with CaptureQueriesContext(connection) as first:
        client.get(review_url(few))
    with CaptureQueriesContext(connection) as second:
        client.get(review_url(many))

    assert len(first.captured_queries) == len(second.captured_queries)
