"""Risk assessment reads: scoped by the access core; the current risk is the latest confirmed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from riskassessment.models import AssessmentStatus, RiskAssessment
from riskassessment.selectors import assessments as selectors
from riskassessment.services.assessments import (
    assessment_confirm,
    assessment_start,
    assessment_submit,
)
from riskassessment.tests.factories import answer, start_assessment

pytestmark = pytest.mark.django_db


def submitted_standard(victim=None, **kwargs):
    if victim is None:
        assessment = start_assessment(**kwargs)
    else:
        assessment = assessment_start(
            actor=victim.incident.created_by, victim=victim, reassessment_reason="Changed"
        )
    assessment = answer(assessment, final_level="standard")
    return assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)


def test_visible_assessments_follow_the_viewers_scope(
    lambeth_officer, southwark_officer, analyst, partner
):
    lambeth = start_assessment(borough_code="LAM")
    southwark = start_assessment(borough_code="SOU")

    def ids(viewer):
        return set(selectors.assessments_visible_to(viewer=viewer).values_list("pk", flat=True))

    assert ids(lambeth_officer) == {lambeth.pk}
    assert ids(southwark_officer) == {southwark.pk}
    assert ids(analyst) == set()  # analysts read de-identified figures only
    assert ids(partner) == set()


def test_review_queue_is_awaiting_only_oldest_first(lambeth_supervisor):
    first = submitted_standard()
    second = submitted_standard()
    start_assessment()
    submitted_standard(borough_code="SOU")
    RiskAssessment.objects.filter(pk=second.pk).update(
        submitted_at=first.submitted_at - timedelta(hours=1)
    )

    queue = list(selectors.grading_review_queue(viewer=lambeth_supervisor))

    assert [a.pk for a in queue] == [second.pk, first.pk]
    assert {a.status for a in queue} == {AssessmentStatus.AWAITING_REVIEW}


def test_current_confirmed_level_is_the_latest_confirmed_assessment_not_the_latest_confirmation(
    lambeth_officer, lambeth_supervisor
):
    first = submitted_standard()
    second = submitted_standard(victim=first.victim)
    # The reassessment is confirmed first; the superseded one is confirmed late, but a late
    # confirmation of a replaced assessment must not become the current risk.
    assessment_confirm(actor=lambeth_supervisor, assessment_id=second.pk)
    assessment_confirm(actor=lambeth_supervisor, assessment_id=first.pk)
    RiskAssessment.objects.filter(pk=second.pk).update(
        confirmed_at=timezone.now() - timedelta(days=1)
    )
    third = assessment_start(
        actor=lambeth_officer, victim=first.victim, reassessment_reason="Changed again"
    )

    history = selectors.person_risk_history(viewer=lambeth_officer, person=first.person)

    assert [a.pk for a in history] == [third.pk, second.pk, first.pk]
    assert selectors.current_confirmed_level(history).pk == second.pk


def test_no_confirmed_level_without_a_confirmation(lambeth_officer):
    draft = start_assessment()
    submitted_standard()  # someone else's

    history = selectors.person_risk_history(viewer=lambeth_officer, person=draft.person)

    assert selectors.current_confirmed_level(history) is None
