"""Query counts of the risk pages and API endpoints not already covered next to their other
tests: one GET, more rows, the same GET again, and the count must not change (issue #8)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import RaraAction, RaraActionType
from riskassessment.tests.factories import another_victim, reassessed, start_assessment, submitted
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return UserFactory(role=Role.SUPERVISOR, team=team("LAM"))


def plan_actions(assessment, times: int) -> None:
    """RARA actions on the assessment, each owned by a different Lambeth officer."""
    action_type = RaraActionType.objects.get(code="idva_referral")
    for _ in range(times):
        RaraAction.objects.create(
            assessment=assessment,
            borough_id=assessment.borough_id,
            category="reduce",
            action_type=action_type,
            owner=UserFactory(role=Role.OFFICER, team=team("LAM")),
            due_date=timezone.localdate() + timedelta(days=3),
            created_by=assessment.created_by,
        )


# --- HTML pages ------------------------------------------------------------------------------


def test_incident_risk_page_queries_do_not_grow_with_victims_and_assessments(
    client, lambeth_officer, reviewer
):
    incident, victim, _ = complete_incident(actor=lambeth_officer)
    reassessed(victim, reviewer, 1)
    client.force_login(lambeth_officer)

    def more_victims_and_reassessments():
        reassessed(victim, reviewer, 4)
        for _ in range(5):
            start_assessment(victim=another_victim(incident), actor=lambeth_officer)

    response = assert_queries_do_not_grow(
        client,
        reverse("riskassessment:incident-risk", args=[incident.reference]),
        more_victims_and_reassessments,
    )

    rows = response.context["rows"]
    assert len(rows) == 6
    assert len(rows[0]["history"]) == 5


def test_grading_review_page_queries_do_not_grow_with_plan_actions(client, lambeth_supervisor):
    assessment = submitted()
    client.force_login(lambeth_supervisor)

    response = assert_queries_do_not_grow(
        client,
        reverse("riskassessment:grading-review", args=[assessment.pk]),
        lambda: plan_actions(assessment, 10),
    )

    assert response.text.count(">IDVA referral<") == 11


def test_person_risk_summary_queries_do_not_grow_with_history(client, lambeth_officer, reviewer):
    _incident, victim, _ = complete_incident()
    reassessed(victim, reviewer, 2)
    client.force_login(lambeth_officer)

    response = assert_queries_do_not_grow(
        client,
        reverse("riskassessment:person-risk-summary", args=[victim.person.pk]),
        lambda: reassessed(victim, reviewer, 8),
    )

    assert len(response.context["history"]) == 10


# --- API -------------------------------------------------------------------------------------


def test_assessment_detail_api_queries_do_not_grow_with_plan_actions(api_client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    plan_actions(assessment, 1)
    api_client.force_authenticate(lambeth_officer)

    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:risk-assessment-detail", args=[assessment.pk]),
        lambda: plan_actions(assessment, 10),
    )

    assert len(response.json()["actions"]) == 11


def test_rara_action_detail_api_queries_do_not_grow_with_the_plan(api_client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    plan_actions(assessment, 1)
    action = assessment.actions.get()
    api_client.force_authenticate(lambeth_officer)

    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:rara-action-detail", args=[action.pk]),
        lambda: plan_actions(assessment, 10),
    )

    assert response.json()["id"] == action.pk
