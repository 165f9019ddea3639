"""Every way an assessment becomes HIGH reaches MARAC: the coordinator's list to be referred,
the assessment's MARAC decision, and the daily agenda naming who set the level."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.tests.factories import complete_incident
from marac.meeting_calendar import Period
from marac.models import AgendaSection
from marac.selectors.content import agenda_content
from marac.selectors.referrals import assessments_to_be_referred
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.errors import StateError
from riskassessment.models import Level, MaracDecision, RiskAssessment
from riskassessment.services import assessments as services
from riskassessment.tests.factories import add_action, answer, start_assessment

pytestmark = pytest.mark.django_db


def coordinator():
    return UserFactory(role=Role.MARAC_COORDINATOR, team=team("LAM"))


def supervisor():
    return UserFactory(
        role=Role.SUPERVISOR, team=team("LAM"), first_name="DS", last_name="Regrader"
    )


def submitted_medium(**marac):
    """A MEDIUM awaiting review (with `marac`, the officer's MARAC decision fields)."""
    officer = UserFactory(role=Role.OFFICER, team=team("LAM"), first_name="PC", last_name="Author")
    _, victim, _ = complete_incident(actor=officer)
    assessment = start_assessment(victim=victim, actor=officer)
    add_action(assessment)
    assessment = answer(assessment, yes=["separation"], final_level=Level.MEDIUM, **marac)
    return services.assessment_submit(actor=officer, assessment_id=assessment.pk)


def regrade_to_high(assessment, *, actor=None, **marac):
    """A supervisor's regrade of `assessment` to HIGH (with `marac`, their MARAC decision)."""
    return services.assessment_regrade(
        actor=actor or supervisor(),
        assessment_id=assessment.pk,
        level=Level.HIGH,
        rationale="Credible threats to kill disclosed to the IDVA.",
        **marac,
    )


def reassessment_started(assessment):
    return services.assessment_start(
        actor=assessment.created_by, victim=assessment.victim, reassessment_reason="New disclosure"
    )


def replaced_by_a_submitted_reassessment(assessment) -> None:
    reassessment = reassessment_started(assessment)
    add_action(reassessment)
    reassessment = answer(reassessment, yes=["separation"], final_level=Level.MEDIUM)
    services.assessment_submit(actor=assessment.created_by, assessment_id=reassessment.pk)


def test_regrading_to_high_needs_a_marac_decision():
    assessment = submitted_medium()

    with pytest.raises(ValidationError) as error:
        services.assessment_regrade(
            actor=supervisor(), assessment_id=assessment.pk, level=Level.HIGH, rationale="Threats"
        )

    assert "marac_decision" in error.value.message_dict
    assessment.refresh_from_db()
    assert assessment.final_level == Level.MEDIUM


def test_not_referring_a_regraded_high_needs_the_reasons():
    assessment = submitted_medium()

    with pytest.raises(ValidationError) as error:
        services.assessment_regrade(
            actor=supervisor(),
            assessment_id=assessment.pk,
            level=Level.HIGH,
            rationale="Threats",
            marac_decision=MaracDecision.NOT_REFERRED,
        )

    assert "marac_not_referred_reason" in error.value.message_dict


def test_a_supervisors_regrade_to_high_is_to_be_referred_and_credited_to_the_supervisor():
    assessment = submitted_medium()
    before = timezone.now()
    coord, sergeant = coordinator(), supervisor()
    assert list(assessments_to_be_referred(viewer=coord)) == []

    regraded = regrade_to_high(assessment, actor=sergeant, marac_decision=MaracDecision.REFER)

    assert regraded.level_set_by == sergeant
    assert regraded.is_regraded
    assert list(assessments_to_be_referred(viewer=coord)) == [regraded]
    # The submission was before this meeting period; the regrade is new to it.
    period = Period(start=before, end=timezone.now() + timedelta(seconds=1))
    items = [i for i in agenda_content(team("LAM"), period) if i.section == AgendaSection.HIGH_RISK]
    assert [i.object_id for i in items] == [regraded.pk]
    summary = items[0].summary
    assert "regraded by DS Regrader" in summary
    assert "by PC Author on" not in summary
    assert "MARAC: Refer to MARAC." in summary
    assert "no decision recorded" not in summary


def test_a_high_with_no_marac_decision_is_to_be_referred_and_only_not_referring_removes_it():
    coord = coordinator()
    assessment = submitted_medium()
    # However it became HIGH without a decision (data from before the rule, any other path).
    RiskAssessment.objects.filter(pk=assessment.pk).update(final_level=Level.HIGH)

    assert list(assessments_to_be_referred(viewer=coord)) == [assessment]

    RiskAssessment.objects.filter(pk=assessment.pk).update(
        marac_decision=MaracDecision.NOT_REFERRED, marac_not_referred_reason="Already at MAPPA"
    )
    assert list(assessments_to_be_referred(viewer=coord)) == []


def test_the_officers_own_high_is_credited_to_the_officer():
    officer = UserFactory(role=Role.OFFICER, team=team("LAM"), first_name="PC", last_name="Author")
    _, victim, _ = complete_incident(actor=officer)
    assessment = start_assessment(victim=victim, actor=officer)
    add_action(assessment)
    assessment = answer(
        assessment, yes=["threats_to_kill"], final_level=Level.HIGH, marac_decision="refer"
    )
    submitted = services.assessment_submit(actor=officer, assessment_id=assessment.pk)

    assert submitted.level_set_by == officer
    assert not submitted.is_regraded
    period = Period(start=submitted.submitted_at, end=timezone.now() + timedelta(seconds=1))
    (item,) = [
        i for i in agenda_content(team("LAM"), period) if i.section == AgendaSection.HIGH_RISK
    ]
    assert "by PC Author on" in item.summary


def test_the_coordinators_home_names_who_set_the_high(client):
    assessment = submitted_medium()
    services.assessment_regrade(
        actor=supervisor(),
        assessment_id=assessment.pk,
        level=Level.HIGH,
        rationale="Threats to kill disclosed.",
        marac_decision=MaracDecision.REFER,
    )
    client.force_login(coordinator())

    response = client.get(reverse("marac:home"))

    assert assessment.incident.reference in response.text
    assert "regraded by DS Regrader" in response.text


def test_a_high_stays_to_be_referred_while_its_reassessment_is_a_draft():
    # Given an officer's HIGH, to be referred
    coord = coordinator()
    officer = UserFactory(role=Role.OFFICER, team=team("LAM"))
    _, victim, _ = complete_incident(actor=officer)
    high = start_assessment(victim=victim, actor=officer)
    add_action(high)
    high = answer(high, yes=["threats_to_kill"], final_level=Level.HIGH, marac_decision="refer")
    high = services.assessment_submit(actor=officer, assessment_id=high.pk)
    assert list(assessments_to_be_referred(viewer=coord)) == [high]

    # When a reassessment is started (a draft, with no level yet)
    draft = services.assessment_start(
        actor=officer, victim=victim, reassessment_reason="Suspect released on bail"
    )

    # Then the HIGH is still the level in force and still to be referred: a draft left
    # unsubmitted must not take it off the coordinator's list
    assert draft.is_draft
    assert list(assessments_to_be_referred(viewer=coord)) == [high]


def test_a_regrade_to_high_of_an_assessment_being_reassessed_is_to_be_referred():
    # Given a MEDIUM awaiting review whose victim's reassessment has been started
    coord = coordinator()
    medium = submitted_medium()
    reassessment_started(medium)

    # When a supervisor regrades the MEDIUM to HIGH, deciding to refer
    regraded = regrade_to_high(medium, marac_decision=MaracDecision.REFER)

    # Then the supervisor's HIGH reaches the coordinator
    assert list(assessments_to_be_referred(viewer=coord)) == [regraded]


def test_a_regrade_to_high_behind_a_draft_reassessment_is_on_the_daily_agenda():
    # Given a MEDIUM awaiting review whose victim's reassessment has been started
    medium = submitted_medium()
    reassessment_started(medium)
    before = timezone.now()

    # When a supervisor regrades it to HIGH
    regraded = regrade_to_high(medium, marac_decision=MaracDecision.REFER)

    # Then the next daily agenda lists the new HIGH, naming the supervisor
    period = Period(start=before, end=timezone.now() + timedelta(seconds=1))
    items = [i for i in agenda_content(team("LAM"), period) if i.section == AgendaSection.HIGH_RISK]
    assert [i.object_id for i in items] == [regraded.pk]
    assert "regraded by DS Regrader" in items[0].summary


def medium_not_referred():
    """A MEDIUM awaiting review on which the officer recorded a decision not to refer."""
    return submitted_medium(
        marac_decision=MaracDecision.NOT_REFERRED,
        marac_not_referred_reason="Medium risk: below the MARAC threshold.",
    )


def test_a_regrade_to_high_does_not_inherit_a_decision_not_to_refer_made_for_a_lower_level():
    # Given a MEDIUM the officer decided not to refer (below the threshold)
    medium = medium_not_referred()

    # When a supervisor regrades it to HIGH without a MARAC decision of their own
    with pytest.raises(ValidationError) as error:
        regrade_to_high(medium)

    # Then the supervisor is asked for it: the officer's "not referred" was about a MEDIUM
    assert "marac_decision" in error.value.message_dict
    medium.refresh_from_db()
    assert medium.final_level == Level.MEDIUM


def test_a_regrade_to_high_of_a_medium_not_referred_can_refer_it():
    # Given a MEDIUM the officer decided not to refer
    coord, medium = coordinator(), medium_not_referred()

    # When a supervisor regrades it to HIGH and decides to refer
    regraded = regrade_to_high(medium, marac_decision=MaracDecision.REFER)

    # Then it is to be referred, and the officer's reason not to is gone
    assert regraded.marac_decision == MaracDecision.REFER
    assert regraded.marac_not_referred_reason == ""
    assert list(assessments_to_be_referred(viewer=coord)) == [regraded]


def test_the_review_page_asks_for_the_marac_decision_when_the_officer_did_not_refer(client):
    # Given a MEDIUM the officer decided not to refer
    medium = medium_not_referred()
    client.force_login(supervisor())

    # When the supervisor opens its review
    response = client.get(reverse("riskassessment:grading-review", args=[medium.pk]))

    # Then the page offers the MARAC decision (needed if they regrade to HIGH)
    assert response.status_code == 200
    assert 'name="marac_decision"' in response.text


def test_a_regrade_of_an_assessment_replaced_by_a_submitted_reassessment_is_refused():
    # Given a MEDIUM awaiting review, replaced by a reassessment already submitted
    medium = submitted_medium()
    replaced_by_a_submitted_reassessment(medium)

    # When a supervisor regrades the replaced MEDIUM to HIGH
    with pytest.raises(StateError) as error:
        regrade_to_high(medium, marac_decision=MaracDecision.REFER)

    # Then they are told to review the reassessment: a HIGH on the replaced assessment would be
    # in force nowhere, and reach neither the coordinator's list nor the agenda
    assert "reassessment" in str(error.value)
    medium.refresh_from_db()
    assert medium.final_level == Level.MEDIUM
    assert medium.can_review()


def test_a_late_confirmation_of_a_replaced_assessment_is_still_possible():
    # Given a MEDIUM awaiting review, replaced by a reassessment already submitted
    medium = submitted_medium()
    replaced_by_a_submitted_reassessment(medium)

    # When a supervisor confirms the replaced one, it leaves the queue
    confirmed = services.assessment_confirm(actor=supervisor(), assessment_id=medium.pk)

    assert confirmed.is_confirmed
