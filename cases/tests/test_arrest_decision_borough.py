"""A decision carries its incident's borough (the access core scopes decisions by it without
joining incidents); the database sets it whatever a write says."""

import pytest

from cases.models import ArrestDecision
from cases.selectors.positive_action import decisions_visible_to, review_queue
from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team

pytestmark = pytest.mark.django_db


def test_a_decision_takes_its_incidents_borough_whatever_the_write_says():
    incident, _, suspect = complete_incident(borough_code="LAM")
    decision = suspect.arrest_decision
    southwark = Borough.objects.get(code="SOU")

    assert decision.borough_id == incident.borough_id
    ArrestDecision.objects.filter(pk=decision.pk).update(borough=southwark)
    decision.refresh_from_db()
    assert decision.borough_id == incident.borough_id


def test_decisions_are_scoped_to_the_viewers_borough():
    _, _, lambeth = complete_incident(borough_code="LAM")
    _, _, southwark = complete_incident(borough_code="SOU")
    lambeth_supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    central = UserFactory(role=Role.SUPERVISOR, team=team("CEN"))

    assert set(decisions_visible_to(viewer=lambeth_supervisor)) == {lambeth.arrest_decision}
    assert set(review_queue(viewer=lambeth_supervisor)) == {lambeth.arrest_decision}
    assert set(review_queue(viewer=central)) == {
        lambeth.arrest_decision,
        southwark.arrest_decision,
    }
