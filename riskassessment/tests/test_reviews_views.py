"""Supervisor review of gradings: the queue, confirming and regrading.

Every page checks the role (403), then the viewer's scope (404, like a missing record), before
anything is read or changed; the services decide who may review and when a rationale is needed."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry
from riskassessment.models import (
    AssessmentStatus,
    GradingReview,
    GradingReviewAction,
    Level,
    RiskAssessment,
)
from riskassessment.services.assessments import assessment_confirm
from riskassessment.tests.factories import start_assessment, submitted

pytestmark = pytest.mark.django_db

QUEUE = reverse("riskassessment:grading-review-queue")
STRANGULATION = "Strangulation or choking"


@pytest.fixture
def southwark_supervisor(db):
    return UserFactory(username="sou.test.supervisor", role=Role.SUPERVISOR, team=team("SOU"))


def lowered(**kwargs):
    """Strangulation recommends high; the officer set medium, with a rationale."""
    return submitted(
        final_level=Level.MEDIUM,
        lowering_rationale="The suspect is in custody and remanded; the victim is in a refuge.",
        **kwargs,
    )


def review_url(assessment):
    return reverse("riskassessment:grading-review", args=[assessment.pk])


def snapshot(assessment):
    """What a denied request must not change."""
    assessment.refresh_from_db()
    return (
        assessment.status,
        assessment.final_level,
        assessment.version,
        list(GradingReview.objects.filter(assessment=assessment).values_list("pk", flat=True)),
    )


def error_text(response) -> str:
    return response.text.split('govuk-error-summary"', 1)[1].split("</ul>", 1)[0]


# --- Queue --------------------------------------------------------------------------------------


def test_queue_lists_awaiting_assessments_oldest_first_with_levels(client, lambeth_supervisor):
    older = lowered()
    newer = submitted()
    start_assessment()  # a draft: not for review
    client.force_login(lambeth_supervisor)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert [a.pk for a in response.context["assessments"]] == [older.pk, newer.pk]
    text = response.text
    assert text.index(older.incident.reference) < text.index(newer.incident.reference)
    assert reverse("cases:incident-detail", args=[older.incident.reference]) in text
    assert review_url(newer) in text
    assert older.person.full_name in text
    assert text.count("Lowered below recommendation") == 1
    assert "govuk-tag--red" in text and "govuk-tag--yellow" in text
    assert older.created_by.display_name in text


def test_queue_shows_london_time(client, lambeth_supervisor):
    assessment = submitted()
    # 13:05 UTC in July is 14:05 in London (BST).
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        submitted_at=datetime(2026, 7, 26, 13, 5, tzinfo=UTC)
    )
    client.force_login(lambeth_supervisor)

    assert "26 Jul 2026 14:05" in client.get(QUEUE).text


def test_queue_empty_state(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "There are no gradings waiting for review." in response.text


def test_queue_shows_only_the_supervisors_borough(client, southwark_supervisor):
    lambeth = submitted(borough_code="LAM")
    southwark = submitted(borough_code="SOU")
    client.force_login(southwark_supervisor)

    response = client.get(QUEUE)

    assert [a.pk for a in response.context["assessments"]] == [southwark.pk]
    assert lambeth.incident.reference not in response.text


def test_queue_is_for_supervisors_only(client, lambeth_officer, partner, analyst, admin_user):
    submitted()

    anonymous = client.get(QUEUE)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    for user in (lambeth_officer, partner, analyst, admin_user):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403


def test_queue_pages_without_counting(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    response = client.get(QUEUE, {"page": "999999"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 400


def test_queue_query_count_does_not_grow_with_rows(
    client, lambeth_supervisor, django_assert_max_num_queries
):
    for _ in range(5):
        submitted()
    client.force_login(lambeth_supervisor)
    with django_assert_max_num_queries(12) as five:
        client.get(QUEUE)
    for _ in range(15):
        lowered()
    with django_assert_max_num_queries(12) as twenty:
        response = client.get(QUEUE)

    assert len(response.context["assessments"]) == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)


# --- The review page ----------------------------------------------------------------------------


def test_review_page_shows_answers_gaps_reasons_and_logs_the_read(client, lambeth_supervisor):
    assessment = submitted(no=("stalking",))
    client.force_login(lambeth_supervisor)

    response = client.get(review_url(assessment))

    assert response.status_code == 200
    text = response.text
    assert "SPECSS+ rules, version 1" in text
    assert f"{STRANGULATION} is present" in text  # the recommendation's reason
    assert "Not known" in text
    gaps = response.context["information_gaps"]
    assert len(gaps) == 14  # 16 factors, one yes and one no
    assert STRANGULATION not in [g.question.text for g in gaps]
    assert "Confirm the grading" in text and "Regrade" in text
    assert "Not reviewed by a supervisor yet." in text
    assert "IDVA referral" in text  # the RARA plan
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_id) == (lambeth_supervisor, str(assessment.pk))


def test_lowered_grading_shows_the_officers_rationale_and_a_warning(client, lambeth_supervisor):
    assessment = lowered()
    client.force_login(lambeth_supervisor)

    text = client.get(review_url(assessment)).text

    assert "The suspect is in custody and remanded" in text
    assert "Lowered below recommendation" in text
    assert "To confirm it, record your rationale" in text


def test_supervisor_confirms_the_grading(client, lambeth_supervisor):
    assessment = submitted()
    client.force_login(lambeth_supervisor)

    response = client.post(review_url(assessment), {"action": "confirm", "rationale": ""})

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CONFIRMED
    assert assessment.final_level == Level.HIGH
    review = assessment.reviews.get()
    assert (review.action, review.actor, review.from_level, review.to_level) == (
        GradingReviewAction.CONFIRMED,
        lambeth_supervisor,
        Level.HIGH,
        Level.HIGH,
    )
    queue = client.get(QUEUE)
    assert "confirmed: high risk" in queue.text
    assert queue.context["assessments"] == []


def test_regrading_needs_a_rationale_and_a_different_level(client, lambeth_supervisor):
    assessment = submitted(final_level=Level.HIGH)
    before = snapshot(assessment)
    client.force_login(lambeth_supervisor)

    response = client.post(
        review_url(assessment), {"action": "regrade", "level": "high", "rationale": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"level", "rationale"}
    assert "<title>Error: " in response.text
    assert "Give the rationale for the new level" in error_text(response)
    assert 'id="id_rationale_error"' in response.text
    assert snapshot(assessment) == before


def test_regrading_keeps_what_was_typed_on_error(client, lambeth_supervisor):
    assessment = submitted()
    client.force_login(lambeth_supervisor)

    response = client.post(
        review_url(assessment), {"action": "regrade", "level": "", "rationale": "Kept text"}
    )

    assert response.context["form"].errors.keys() == {"level"}
    assert "Kept text" in response.text
    assert 'value="regrade" id="id_action_1" checked' in response.text


def test_supervisor_regrades_with_a_rationale_and_the_history_is_kept(client, lambeth_supervisor):
    # The officer's decision not to refer does not stand for the supervisor's HIGH.
    assessment = lowered(marac_decision="not_referred", marac_not_referred_reason="At MAPPA.")
    client.force_login(lambeth_supervisor)

    body = {"action": "regrade", "level": "high", "rationale": "Strangulation: high risk stands."}
    refused = client.post(review_url(assessment), body)
    assert "High risk: refer to MARAC, or record why not" in refused.text

    response = client.post(review_url(assessment), {**body, "marac_decision": "refer"})

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.final_level) == (AssessmentStatus.CONFIRMED, Level.HIGH)
    review = assessment.reviews.get()
    assert (review.action, review.from_level, review.to_level) == (
        GradingReviewAction.REGRADED,
        Level.MEDIUM,
        Level.HIGH,
    )
    assert review.rationale == "Strangulation: high risk stands."
    page = client.get(review_url(assessment))
    assert "Regraded from medium to high" in page.text
    assert f"Regraded by {lambeth_supervisor.display_name}" in page.text
    assert "Strangulation: high risk stands." in page.text
    assert "This assessment is not awaiting review: confirmed." in page.text
    assert "Save review" not in page.text


def test_confirming_a_lowered_grading_needs_a_rationale(client, lambeth_supervisor):
    assessment = lowered()
    before = snapshot(assessment)
    client.force_login(lambeth_supervisor)

    refused = client.post(review_url(assessment), {"action": "confirm", "rationale": " "})

    assert refused.status_code == 200
    assert refused.context["form"].errors.keys() == {"rationale"}
    assert "record why you confirm it" in error_text(refused)
    assert snapshot(assessment) == before

    accepted = client.post(
        review_url(assessment), {"action": "confirm", "rationale": "Agreed: remanded in custody."}
    )

    assert accepted.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.final_level) == (
        AssessmentStatus.CONFIRMED,
        Level.MEDIUM,
    )


def test_the_form_needs_an_action(client, lambeth_supervisor):
    assessment = submitted()
    before = snapshot(assessment)
    client.force_login(lambeth_supervisor)

    response = client.post(review_url(assessment), {})

    assert response.context["form"].errors.keys() == {"action"}
    assert "Select whether you confirm the grading or regrade it" in response.text
    assert snapshot(assessment) == before


def test_a_supervisor_cannot_review_their_own_assessment(client, lambeth_supervisor):
    assessment = submitted(actor=lambeth_supervisor)
    before = snapshot(assessment)
    client.force_login(lambeth_supervisor)

    page = client.get(review_url(assessment))
    assert page.status_code == 200
    assert "You made this assessment: another supervisor must review it." in page.text
    assert "Save review" not in page.text

    response = client.post(review_url(assessment), {"action": "confirm"})

    assert response.status_code == 200
    assert "A supervisor cannot review their own assessment." in error_text(response)
    assert snapshot(assessment) == before


def test_the_supervisor_who_submitted_an_officers_grading_cannot_confirm_it(
    client, lambeth_supervisor
):
    """Given an officer's draft lowered below its recommendation and submitted by a supervisor,
    when that supervisor opens and posts the review, then no form is offered, the confirmation
    is refused in the service's words and nothing changes."""
    from riskassessment.services.assessments import assessment_save, assessment_submit
    from riskassessment.tests.factories import add_action

    draft = start_assessment()
    draft = assessment_save(
        actor=lambeth_supervisor,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers={"strangulation": ("yes", "")},
        final_level=Level.MEDIUM,
        lowering_rationale="The victim is in a refuge.",
        marac_decision="refer",
    )
    add_action(draft)
    assessment = assessment_submit(actor=lambeth_supervisor, assessment_id=draft.pk)
    before = snapshot(assessment)
    client.force_login(lambeth_supervisor)

    page = client.get(review_url(assessment))
    assert "You submitted this grading: another supervisor must review it." in page.text
    assert "Save review" not in page.text
    response = client.post(review_url(assessment), {"action": "confirm", "rationale": "Fine."})

    assert "You submitted this grading" in error_text(response)
    assert snapshot(assessment) == before


def test_posting_to_an_assessment_no_longer_awaiting_review(client, lambeth_supervisor):
    assessment = submitted()
    other = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    assessment_confirm(actor=other, assessment_id=assessment.pk)
    before = snapshot(assessment)
    client.force_login(lambeth_supervisor)

    response = client.post(review_url(assessment), {"action": "regrade", "level": "medium",
                                                    "rationale": "Too late."})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == review_url(assessment)
    assert snapshot(assessment) == before
    page = client.get(review_url(assessment))
    assert "This assessment is not awaiting review: confirmed." in page.text


def test_draft_is_shown_but_cannot_be_reviewed(client, lambeth_supervisor):
    draft = start_assessment()
    client.force_login(lambeth_supervisor)

    page = client.get(review_url(draft))

    assert page.status_code == 200
    assert "This assessment is not awaiting review: draft." in page.text


def test_review_denials_change_nothing(
    client, lambeth_officer, southwark_supervisor, partner, analyst
):
    assessment = submitted()
    before = snapshot(assessment)
    url = review_url(assessment)
    body = {"action": "regrade", "level": "medium", "rationale": "No."}

    anonymous = client.post(url, body)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    for user, status in (
        (lambeth_officer, 403),
        (partner, 403),
        (analyst, 403),
        (southwark_supervisor, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, body).status_code == status

    assert snapshot(assessment) == before
    assert not AccessLogEntry.objects.exists()


def test_missing_assessment_is_404(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    assert client.get(reverse("riskassessment:grading-review", args=[999999])).status_code == 404


def test_a_refused_review_shows_the_assessment_again_and_logs_its_read(client, lambeth_supervisor):
    assessment = submitted()

    client.force_login(lambeth_supervisor)
    response = client.post(reverse("riskassessment:grading-review", args=[assessment.pk]), {})

    assert response.status_code == 200
    assert assessment.person.full_name in response.text
    entry = AccessLogEntry.objects.get(user=lambeth_supervisor)
    assert (entry.content_type.model_class(), entry.object_id) == (
        RiskAssessment,
        str(assessment.pk),
    )
