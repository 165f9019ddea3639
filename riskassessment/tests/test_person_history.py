"""Every read of a victim's risk assessment or RARA plan, page or API, is in the victim's record
history (audit:record-history for the person), saying what was read: the access log entry is
for the assessment or action and names the person as its subject (ADR 0002)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from publicprotection.london_time import LONDON
from riskassessment.tests.factories import add_action, start_assessment, submitted
from tests.person_history import person_history, reads_by

pytestmark = pytest.mark.django_db


def assessment_label(assessment) -> str:
    made = timezone.localdate(assessment.created_at, timezone=LONDON)
    return f"Risk assessment of {made.day} {made:%b %Y}, {assessment.incident.reference}"


def test_reading_an_assessment_page_is_in_the_victims_history(client, lambeth_officer, admin_user):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    assert (
        client.get(reverse("riskassessment:assessment-detail", args=[assessment.pk])).status_code
        == 200
    )

    response = person_history(client, admin_user, assessment.person)

    [entry] = [r for r in response.context["reads"] if r.user == lambeth_officer]
    # The page is the victim's record: a read of the person, labelled with what was read.
    assert entry.content_type.model == "person"
    assert entry.object_id == str(assessment.person_id)
    assert entry.object_label == assessment_label(assessment)
    # What was read, by whom and why are on the page.
    assert assessment_label(assessment) in response.text
    assert lambeth_officer.username in response.text


def test_reading_an_assessment_by_api_is_in_the_victims_history(
    api_client, client, lambeth_officer, admin_user
):
    assessment = start_assessment(actor=lambeth_officer)
    api_client.force_authenticate(lambeth_officer)
    assert (
        api_client.get(reverse("api:risk-assessment-detail", args=[assessment.pk])).status_code
        == 200
    )

    [entry] = reads_by(client, admin_user, assessment.person, lambeth_officer)
    assert (entry.channel, entry.object_id) == ("api", str(assessment.pk))
    assert entry.object_label == assessment_label(assessment)


def test_listing_assessments_by_api_is_in_each_victims_history(
    api_client, client, lambeth_officer, admin_user
):
    first = start_assessment(actor=lambeth_officer)
    second = start_assessment(actor=lambeth_officer)
    api_client.force_authenticate(lambeth_officer)
    assert api_client.get(reverse("api:risk-assessment-list")).status_code == 200

    for assessment in (first, second):
        [entry] = reads_by(client, admin_user, assessment.person, lambeth_officer)
        assert str(assessment.pk) in entry.object_ids


def test_an_incidents_risk_page_is_in_its_victims_history(client, lambeth_officer, admin_user):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    url = reverse("riskassessment:incident-risk", args=[assessment.incident.reference])
    assert client.get(url).status_code == 200

    [entry] = reads_by(client, admin_user, assessment.person, lambeth_officer)
    assert entry.path == url


def test_the_grading_review_page_and_queue_are_in_the_victims_history(
    client, lambeth_supervisor, admin_user
):
    assessment = submitted()
    client.force_login(lambeth_supervisor)
    assert client.get(reverse("riskassessment:grading-review-queue")).status_code == 200
    assert (
        client.get(reverse("riskassessment:grading-review", args=[assessment.pk])).status_code
        == 200
    )

    reads = reads_by(client, admin_user, assessment.person, lambeth_supervisor)
    assert [(r.object_id, r.object_ids) for r in reads] == [
        (str(assessment.pk), []),
        ("", [str(assessment.pk)]),
    ]


def test_reading_the_plan_and_its_actions_is_in_the_victims_history(
    api_client, client, lambeth_officer, admin_user
):
    assessment = start_assessment(actor=lambeth_officer)
    action = add_action(assessment)
    client.force_login(lambeth_officer)
    assert (
        client.get(reverse("riskassessment:rara-action-add", args=[assessment.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("riskassessment:rara-action-edit", args=[action.pk])).status_code == 200
    )
    api_client.force_authenticate(lambeth_officer)
    assert api_client.get(reverse("api:rara-action-detail", args=[action.pk])).status_code == 200
    assert api_client.get(reverse("api:rara-action-list")).status_code == 200

    reads = reads_by(client, admin_user, assessment.person, lambeth_officer)
    assert [(r.content_type.model, r.channel, r.object_id, r.object_ids) for r in reads] == [
        ("raraaction", "api", "", [str(action.pk)]),
        ("raraaction", "api", str(action.pk), []),
        ("raraaction", "web", str(action.pk), []),
        ("riskassessment", "web", str(assessment.pk), []),
    ]
    assert reads[-1].object_label == f"RARA plan: {assessment_label(assessment)}"


def test_an_assessment_read_is_not_in_another_persons_history(client, lambeth_officer, admin_user):
    assessment = start_assessment(actor=lambeth_officer)
    other = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    assert (
        client.get(reverse("riskassessment:assessment-detail", args=[assessment.pk])).status_code
        == 200
    )

    assert reads_by(client, admin_user, other.person, lambeth_officer) == []
