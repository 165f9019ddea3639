"""Risk pages and lists that name people write the access log: one entry per request, naming
every record the page or the API answer showed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Incident
from publicprotection.audit.models import AccessChannel, AccessLogEntry
from riskassessment.models import AssessmentStatus, RaraAction, RiskAssessment
from riskassessment.tests.factories import add_action, start_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(lambeth_supervisor):
    """A Lambeth assessment awaiting a supervisor's review, with an overdue action the
    supervisor owns."""
    assessment = start_assessment(actor=lambeth_supervisor)
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.AWAITING_REVIEW, final_level="high", submitted_at=timezone.now()
    )
    action = add_action(assessment)
    RaraAction.objects.filter(pk=action.pk).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    return {"assessment": assessment, "action": action, "incident": assessment.incident}


# (URL, model named, the records it must name)
PAGES = {
    "grading review queue": (
        lambda w: reverse("riskassessment:grading-review-queue"),
        RiskAssessment,
        "assessment",
    ),
    "overdue RARA actions": (
        lambda w: reverse("riskassessment:rara-overdue"),
        RaraAction,
        "action",
    ),
    "risk assessment list API": (
        lambda w: reverse("api:risk-assessment-list"),
        RiskAssessment,
        "assessment",
    ),
    "RARA action list API": (lambda w: reverse("api:rara-action-list"), RaraAction, "action"),
}


@pytest.mark.parametrize("list_page", PAGES.values(), ids=PAGES.keys())
def test_a_list_naming_people_logs_one_entry_naming_every_record_shown(
    client, lambeth_supervisor, world, list_page
):
    url, model, shown = list_page
    client.force_login(lambeth_supervisor)

    response = client.get(url(world))

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert entry.user == lambeth_supervisor
    assert entry.content_type.model_class() is model
    assert entry.object_ids == [str(world[shown].pk)]
    api = url(world).startswith("/api/")
    assert entry.channel == (AccessChannel.API if api else AccessChannel.WEB)


def test_an_incidents_risk_page_logs_the_incident_read(client, lambeth_supervisor, world):
    client.force_login(lambeth_supervisor)
    incident = world["incident"]

    response = client.get(reverse("riskassessment:incident-risk", args=[incident.reference]))

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert entry.content_type.model_class() is Incident
    assert entry.object_id == str(incident.pk)
    assert entry.object_label == incident.reference
