"""Assessment services: start, escalation, levels, plan, MARAC prompt, review, reassessment."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import PartyRole
from cases.tests.factories import IncidentFactory, PersonFactory, add_offence, add_party
from publicprotection.errors import ConcurrentEditError
from riskassessment.models import (
    AnswerValue,
    AssessmentStatus,
    GradingReview,
    Instrument,
    Level,
    RaraStatus,
    RiskAssessment,
)
from riskassessment.services import assessments as services
from riskassessment.services.plans import rara_action_update
from riskassessment.tests.factories import (
    add_action,
    answer,
    start_assessment,
    third_incident_cleared,
)

pytestmark = pytest.mark.django_db


def test_start_creates_a_not_known_answer_for_every_factor_with_the_rule_version():
    assessment = start_assessment()

    assert assessment.instrument.code == "specss_plus"
    assert assessment.rule_version == 1
    assert assessment.answers.count() == 16
    assert set(assessment.answers.values_list("value", flat=True)) == {AnswerValue.NOT_KNOWN}
    assert assessment.recommended_level == Level.STANDARD


def test_starting_again_opens_the_same_draft():
    assessment = start_assessment()

    again = services.assessment_start(actor=assessment.created_by, victim=assessment.victim)

    assert again.pk == assessment.pk


def test_suspects_cannot_be_assessed_as_victims():
    incident = IncidentFactory()
    suspect = add_party(incident, PartyRole.SUSPECT)

    with pytest.raises(ValidationError):
        services.assessment_start(actor=incident.created_by, victim=suspect)


def test_a_third_incident_in_twelve_months_pre_ticks_escalation_with_the_reason():
    victim = PersonFactory()
    for days in (200, 100):
        earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=days))
        add_party(earlier, PartyRole.VICTIM, person=victim)
    incident = IncidentFactory()
    party = add_party(incident, PartyRole.VICTIM, person=victim)

    assessment = services.assessment_start(actor=incident.created_by, victim=party)

    assert assessment.escalation_suggested
    assert "number 3" in assessment.escalation_reason
    assert assessment.answers.get(question__code="escalation").value == AnswerValue.YES
    assert assessment.recommended_level == Level.MEDIUM


def test_a_more_serious_offence_than_last_time_suggests_escalation():
    victim = PersonFactory()
    earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=30))
    add_party(earlier, PartyRole.VICTIM, person=victim)
    add_offence(earlier, add_party(earlier, PartyRole.SUSPECT), code="common_assault")
    incident = IncidentFactory()
    party = add_party(incident, PartyRole.VICTIM, person=victim)
    add_offence(incident, add_party(incident, PartyRole.SUSPECT), code="gbh")

    assessment = services.assessment_start(actor=incident.created_by, victim=party)

    assert assessment.escalation_suggested
    assert "more serious" in assessment.escalation_reason


def test_clearing_suggested_escalation_needs_a_note():
    victim = PersonFactory()
    for days in (200, 100):
        earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=days))
        add_party(earlier, PartyRole.VICTIM, person=victim)
    incident = IncidentFactory()
    party = add_party(incident, PartyRole.VICTIM, person=victim)
    assessment = services.assessment_start(actor=incident.created_by, victim=party)
    assessment = answer(assessment, no=["escalation"], final_level=Level.STANDARD)

    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    assert "escalation_cleared_note" in error.value.message_dict


def test_strangulation_recommends_high_and_the_save_explains_why():
    assessment = answer(start_assessment(), yes=["strangulation"])

    assert assessment.recommended_level == Level.HIGH
    assert assessment.recommendation_reasons == ["Strangulation or choking is present"]


def test_a_stale_save_is_refused():
    assessment = start_assessment()
    answer(assessment, yes=["stalking"])

    with pytest.raises(ConcurrentEditError):
        services.assessment_save(
            actor=assessment.created_by,
            assessment_id=assessment.pk,
            expected_version=assessment.version,
            final_level=Level.STANDARD,
        )


def test_raising_needs_a_note_and_lowering_needs_a_rationale():
    raised = answer(start_assessment(), final_level=Level.MEDIUM)
    lowered = answer(
        start_assessment(), yes=["weapon_use"], final_level=Level.MEDIUM, marac_decision=""
    )
    add_action(lowered)

    with pytest.raises(ValidationError) as raise_error:
        services.assessment_submit(actor=raised.created_by, assessment_id=raised.pk)
    with pytest.raises(ValidationError) as lower_error:
        services.assessment_submit(actor=lowered.created_by, assessment_id=lowered.pk)

    assert "raise_note" in raise_error.value.message_dict
    assert "lowering_rationale" in lower_error.value.message_dict


def test_medium_and_high_need_a_plan_and_high_needs_a_marac_decision():
    assessment = answer(start_assessment(), yes=["strangulation"], final_level=Level.HIGH)

    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    assert {"plan", "marac_decision"} <= set(error.value.message_dict)
    assert RiskAssessment.objects.get(pk=assessment.pk).status == AssessmentStatus.DRAFT


def test_not_referring_a_high_risk_case_needs_reasons_and_is_kept():
    assessment = answer(
        start_assessment(),
        yes=["strangulation"],
        final_level=Level.HIGH,
        marac_decision="not_referred",
    )
    add_action(assessment)
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)
    assert "marac_not_referred_reason" in error.value.message_dict

    assessment = answer(
        RiskAssessment.objects.get(pk=assessment.pk),
        marac_not_referred_reason="Already heard at MARAC last week; the plan from it continues.",
    )
    submitted = services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    assert submitted.status == AssessmentStatus.AWAITING_REVIEW
    assert submitted.marac_decision == "not_referred"
    assert submitted.marac_decided_at is not None


def submitted_high(actor=None):
    assessment = answer(
        start_assessment(actor=actor),
        yes=["strangulation"],
        final_level=Level.HIGH,
        marac_decision="refer",
    )
    add_action(assessment)
    return services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)


def test_a_supervisor_confirms_the_grading(lambeth_supervisor):
    assessment = submitted_high()

    confirmed = services.assessment_confirm(actor=lambeth_supervisor, assessment_id=assessment.pk)

    assert confirmed.status == AssessmentStatus.CONFIRMED
    review = GradingReview.objects.get(assessment=assessment)
    assert (review.action, review.from_level, review.to_level) == ("confirmed", "high", "high")


def test_regrading_needs_a_rationale_and_keeps_the_history(lambeth_supervisor):
    assessment = submitted_high()

    with pytest.raises(ValidationError):
        services.assessment_regrade(
            actor=lambeth_supervisor, assessment_id=assessment.pk, level=Level.MEDIUM, rationale=""
        )
    regraded = services.assessment_regrade(
        actor=lambeth_supervisor,
        assessment_id=assessment.pk,
        level=Level.MEDIUM,
        rationale="Strangulation allegation withdrawn after CCTV review.",
    )

    assert regraded.final_level == Level.MEDIUM
    assert list(regraded.reviews.values_list("from_level", "to_level")) == [("high", "medium")]


def test_confirming_a_lowered_grading_needs_a_rationale(lambeth_supervisor):
    assessment = answer(
        start_assessment(),
        yes=["weapon_use"],
        final_level=Level.MEDIUM,
        lowering_rationale="The 'weapon' was a rolled-up newspaper; no injury.",
        marac_decision="refer",
    )
    add_action(assessment)
    services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    with pytest.raises(ValidationError):
        services.assessment_confirm(actor=lambeth_supervisor, assessment_id=assessment.pk)
    services.assessment_confirm(
        actor=lambeth_supervisor, assessment_id=assessment.pk, rationale="Agreed."
    )


def test_reviews_are_refused_to_officers_other_boroughs_and_the_author(
    lambeth_officer, lambeth_supervisor
):
    from publicprotection.accounts.models import Role
    from publicprotection.accounts.tests.factories import UserFactory, team

    southwark_supervisor = UserFactory(role=Role.SUPERVISOR, team=team("SOU"))
    own = submitted_high(actor=lambeth_supervisor)
    other = submitted_high()

    for actor, assessment in (
        (lambeth_officer, other),
        (southwark_supervisor, other),
        (lambeth_supervisor, own),
    ):
        with pytest.raises(PermissionDenied):
            services.assessment_confirm(actor=actor, assessment_id=assessment.pk)
    assert not GradingReview.objects.exists()


def test_reassessment_supersedes_and_carries_the_answers_forward():
    first = submitted_high()

    with pytest.raises(ValidationError):
        services.assessment_start(actor=first.created_by, victim=first.victim)
    second = services.assessment_start(
        actor=first.created_by, victim=first.victim, reassessment_reason="Suspect released on bail"
    )

    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert second.supersedes == first
    assert second.answers.get(question__code="strangulation").value == AnswerValue.YES


def test_dash_is_a_second_instrument_defined_as_data():
    dash = Instrument.objects.get(code="dash")
    incident = IncidentFactory()
    victim = add_party(incident, PartyRole.VICTIM)

    assessment = services.assessment_start(
        actor=incident.created_by, victim=victim, instrument=dash
    )
    codes = list(assessment.answers.values_list("question__code", flat=True)[:14])
    assessment = answer(assessment, yes=codes)

    assert assessment.answers.count() == 27
    assert assessment.recommended_level == Level.HIGH


def test_an_earlier_incident_recorded_after_the_start_is_suggested_at_submission():
    victim = PersonFactory()
    earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=200))
    add_party(earlier, PartyRole.VICTIM, person=victim)
    incident = IncidentFactory()
    party = add_party(incident, PartyRole.VICTIM, person=victim)
    assessment = services.assessment_start(actor=incident.created_by, victim=party)
    assert not assessment.escalation_suggested
    assessment = answer(assessment, final_level=Level.STANDARD)
    # Another earlier incident is recorded afterwards: this is now the third in twelve months.
    late = IncidentFactory(occurred_at=timezone.now() - timedelta(days=100))
    add_party(late, PartyRole.VICTIM, person=victim)

    read = services.assessment_with_current_escalation(RiskAssessment.objects.get(pk=assessment.pk))
    assert read.escalation_suggested and "number 3" in read.escalation_reason

    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    assert "lowering_rationale" in error.value.message_dict  # escalation raised the recommendation
    assessment.refresh_from_db()
    assert assessment.escalation_suggested
    assert "number 3" in assessment.escalation_reason
    assert assessment.answers.get(question__code="escalation").value == AnswerValue.YES
    assert assessment.recommended_level == Level.MEDIUM
    assert assessment.status == AssessmentStatus.DRAFT


def test_an_officers_no_to_escalation_needs_the_clearing_note_when_the_suggestion_arrives():
    victim = PersonFactory()
    earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=200))
    add_party(earlier, PartyRole.VICTIM, person=victim)
    incident = IncidentFactory()
    party = add_party(incident, PartyRole.VICTIM, person=victim)
    assessment = services.assessment_start(actor=incident.created_by, victim=party)
    assessment = answer(assessment, no=["escalation"], final_level=Level.STANDARD)
    late = IncidentFactory(occurred_at=timezone.now() - timedelta(days=100))
    add_party(late, PartyRole.VICTIM, person=victim)

    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    assert "escalation_cleared_note" in error.value.message_dict
    assert assessment.answers.get(question__code="escalation").value == AnswerValue.NO


def regrade_to_medium(supervisor, assessment):
    return services.assessment_regrade(
        actor=supervisor,
        assessment_id=assessment.pk,
        level=Level.MEDIUM,
        rationale="Stalking disclosed since.",
    )


def test_regrading_to_a_level_that_needs_a_plan_needs_the_plan(lambeth_supervisor):
    assessment = answer(start_assessment(), final_level=Level.STANDARD)
    assessment = services.assessment_submit(
        actor=assessment.created_by, assessment_id=assessment.pk
    )

    with pytest.raises(ValidationError) as error:
        regrade_to_medium(lambeth_supervisor, assessment)

    assert "RARA plan" in error.value.message_dict["level"][0]
    add_action(assessment)
    regraded = regrade_to_medium(lambeth_supervisor, assessment)
    assert regraded.final_level == Level.MEDIUM


def cancelled_action(assessment):
    """An action added to the plan and cancelled at once: a plan of nothing to be done."""
    action = add_action(assessment)
    return rara_action_update(
        actor=assessment.created_by,
        action_id=action.pk,
        status=RaraStatus.CANCELLED,
        expected_version=action.version,
    )


def test_a_plan_of_cancelled_actions_only_is_no_plan_for_a_high():
    # Given a HIGH whose only RARA action was cancelled
    assessment = answer(
        start_assessment(), yes=["strangulation"], final_level=Level.HIGH, marac_decision="refer"
    )
    cancelled_action(assessment)

    # When the officer submits it
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    # Then the plan is asked for, and the assessment stays a draft
    assert "plan" in error.value.message_dict
    assert RiskAssessment.objects.get(pk=assessment.pk).status == AssessmentStatus.DRAFT


def test_regrading_to_medium_with_only_cancelled_actions_needs_the_plan(lambeth_supervisor):
    # Given a STANDARD whose only RARA action was cancelled
    assessment = answer(start_assessment(), final_level=Level.STANDARD)
    cancelled_action(assessment)
    assessment = services.assessment_submit(
        actor=assessment.created_by, assessment_id=assessment.pk
    )

    # When a supervisor regrades it to MEDIUM, then the plan is asked for
    with pytest.raises(ValidationError) as error:
        regrade_to_medium(lambeth_supervisor, assessment)

    assert "RARA plan" in error.value.message_dict["level"][0]


# --- A clearing note answers the suggestion it was written against ------------------------------


def test_a_note_answers_the_suggestion_it_was_written_against():
    _, _, assessment = third_incident_cleared()
    assert "number 3" in assessment.escalation_reason
    assert assessment.escalation_cleared_for == assessment.escalation_reason

    submitted = services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    assert submitted.status == AssessmentStatus.AWAITING_REVIEW


def test_a_suggestion_made_again_for_another_reason_needs_the_note_again():
    victim, incident, assessment = third_incident_cleared()
    # A fourth incident is recorded afterwards: the reason the officer answered has changed.
    late = IncidentFactory(occurred_at=timezone.now() - timedelta(days=50))
    add_party(late, PartyRole.VICTIM, person=victim)

    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)

    [message] = error.value.message_dict["escalation_cleared_note"]
    assert "now suggested for another reason" in message and "number 4" in message
    assessment.refresh_from_db()
    assert assessment.escalation_cleared_note == "They were separate one-off disputes."
    assert assessment.is_draft

    assessment = answer(
        assessment, escalation_cleared_note="Four separate disputes; none escalated."
    )
    assert assessment.escalation_cleared_for == assessment.escalation_reason
    submitted = services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)
    assert submitted.status == AssessmentStatus.AWAITING_REVIEW


def test_saving_other_fields_keeps_what_the_note_answered():
    victim, _, assessment = third_incident_cleared()
    cleared_for = assessment.escalation_cleared_for
    late = IncidentFactory(occurred_at=timezone.now() - timedelta(days=50))
    add_party(late, PartyRole.VICTIM, person=victim)

    # The same note posted again (a form sends every field) is not a new answer.
    assessment = answer(assessment, escalation_cleared_note="They were separate one-off disputes.")

    assert assessment.escalation_cleared_for == cleared_for
    assert "number 4" in assessment.escalation_reason


def test_a_note_cleared_answers_nothing():
    _, _, assessment = third_incident_cleared()

    assessment = answer(assessment, escalation_cleared_note="")

    assert assessment.escalation_cleared_for == ""
