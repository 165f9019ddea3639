"""With factors not answered, the risk panel says how many rather than a reassuring STANDARD."""

import pytest
from django.urls import reverse
from django.utils import timezone

from riskassessment.models import AnswerValue, AssessmentStatus, Level, RiskAssessment
from riskassessment.tests.factories import answer, start_assessment

pytestmark = pytest.mark.django_db


def detail_url(assessment):
    return reverse("riskassessment:assessment-detail", args=[assessment.pk])


def preview(client, assessment, **answers):
    url = reverse("riskassessment:assessment-recommendation", args=[assessment.pk])
    return client.post(url, {f"answer_{code}": value for code, value in answers.items()}).text


def test_a_new_assessment_says_how_many_factors_are_not_answered(client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    total = assessment.answers.count()
    client.force_login(lambeth_officer)

    page = client.get(detail_url(assessment)).text

    assert f"{total} factors not answered" in page
    assert "Recommended: STANDARD" not in page


def test_the_live_panel_counts_down_and_shows_standard_only_when_all_are_answered(
    client, lambeth_officer
):
    assessment = start_assessment(actor=lambeth_officer)
    codes = [a.question.code for a in assessment.answers.select_related("question")]
    client.force_login(lambeth_officer)

    some = preview(client, assessment, **dict.fromkeys(codes[:-2], AnswerValue.NO))
    every = preview(client, assessment, **dict.fromkeys(codes, AnswerValue.NO))

    assert "2 factors not answered" in some and "Recommended: STANDARD" not in some
    assert "Recommended: STANDARD" in every and "not answered" not in every


def test_a_higher_level_is_shown_with_the_count_still_open(client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    total = assessment.answers.count()
    client.force_login(lambeth_officer)

    text = preview(client, assessment, strangulation=AnswerValue.YES)

    assert "Recommended: HIGH" in text
    assert f"{total - 1} factors are not answered yet: answers can only raise this." in text


def test_a_submitted_assessment_shows_its_recorded_recommendation(client, lambeth_officer):
    assessment = answer(start_assessment(actor=lambeth_officer), no=["stalking"])
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.AWAITING_REVIEW,
        final_level=Level.STANDARD,
        submitted_at=timezone.now(),
    )
    client.force_login(lambeth_officer)

    page = client.get(detail_url(assessment)).text

    assert "Recommended: STANDARD" in page and "not answered" not in page
