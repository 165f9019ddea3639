"""Referrals: criteria from the records, the consent rule, triage transitions with their
history, and repeat-MARAC detection."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import PartyRole
from cases.tests.factories import add_party, complete_incident
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import Answer, AnswerValue, Instrument, Question, RiskAssessment

from ..models import MaracReferral, ReferralCriterion, ReferralStatus
from ..selectors.referrals import (
    assessments_to_be_referred,
    repeat_marac_alerts,
    suggested_criteria,
)
from ..services.referrals import (
    AlreadyReferred,
    ReferralStateError,
    referral_accept,
    referral_reject,
)
from .factories import (
    coordinator,
    high_assessment,
    new_incident_of,
    refer,
    referral_made_days_ago,
)

pytestmark = pytest.mark.django_db


def criteria_of(assessment):
    return [s.criterion for s in suggested_criteria(assessment=assessment)]


# --- Criteria ------------------------------------------------------------------------------------


def test_specss_high_is_visible_high_risk_and_medium_is_not():
    assert ReferralCriterion.VISIBLE_HIGH_RISK in criteria_of(high_assessment())
    assert criteria_of(high_assessment(level="medium")) == []


def dash_assessment(yes_count: int) -> RiskAssessment:
    dash, _ = Instrument.objects.get_or_create(
        code="dash",
        version=1,
        defaults={"name": "DASH", "scoring_rule": "specss_plus", "is_default": False},
    )
    for n in range(27):
        Question.objects.get_or_create(
            instrument=dash, code=f"q{n}", defaults={"text": f"Q{n}", "group": "plus", "order": n}
        )
    assessment = high_assessment(level="medium")
    assessment.answers.all().delete()
    RiskAssessment.objects.filter(pk=assessment.pk).update(instrument=dash)
    questions = list(dash.questions.order_by("order"))
    Answer.objects.bulk_create(
        Answer(assessment=assessment, question=q,
               value=AnswerValue.YES if i < yes_count else AnswerValue.NO)
        for i, q in enumerate(questions)
    )  # fmt: skip
    assessment.refresh_from_db()
    return assessment


def test_dash_fourteen_yes_is_visible_high_risk_thirteen_is_not():
    assert ReferralCriterion.VISIBLE_HIGH_RISK in criteria_of(dash_assessment(14))
    assert ReferralCriterion.VISIBLE_HIGH_RISK not in criteria_of(dash_assessment(13))


def victim_with_incidents(count: int, days_apart: int = 30):
    """A victim whose latest incident is their `count`th, each `days_apart` days apart."""
    # Ending in the past: incidents cannot be recorded in the future.
    start = timezone.now() - timedelta(days=days_apart * (count - 1) + 10)
    first, victim, _ = complete_incident(occurred_at=start)
    party = victim
    for n in range(1, count):
        incident, _, _ = complete_incident(
            occurred_at=first.occurred_at + timedelta(days=days_apart * n)
        )
        party = add_party(incident, PartyRole.VICTIM, person=victim.person)
    return party


def test_third_incident_within_twelve_months_is_potential_escalation(settings):
    settings.MARAC_ESCALATION_INCIDENT_COUNT = 3
    second = high_assessment(victim=victim_with_incidents(2))
    third = high_assessment(victim=victim_with_incidents(3))

    assert ReferralCriterion.POTENTIAL_ESCALATION not in criteria_of(second)
    assert ReferralCriterion.POTENTIAL_ESCALATION in criteria_of(third)


def test_incidents_outside_the_window_do_not_count(settings):
    settings.MARAC_ESCALATION_INCIDENT_COUNT = 3
    spread = high_assessment(victim=victim_with_incidents(3, days_apart=200))
    assert ReferralCriterion.POTENTIAL_ESCALATION not in criteria_of(spread)


def test_suggested_criteria_are_kept_whatever_the_referrer_ticks():
    referral = refer(criteria=[ReferralCriterion.PROFESSIONAL_JUDGEMENT])
    assert referral.criteria == [
        ReferralCriterion.VISIBLE_HIGH_RISK,
        ReferralCriterion.PROFESSIONAL_JUDGEMENT,
    ]


def test_professional_judgement_alone_can_refer_a_medium_case():
    referral = refer(
        high_assessment(level="medium"), criteria=[ReferralCriterion.PROFESSIONAL_JUDGEMENT]
    )
    assert referral.criteria == [ReferralCriterion.PROFESSIONAL_JUDGEMENT]


def test_a_referral_needs_a_criterion():
    with pytest.raises(ValidationError) as exc:
        refer(high_assessment(level="medium"), criteria=[])
    assert "criteria" in exc.value.message_dict
    assert not MaracReferral.objects.exists()


# --- Consent -------------------------------------------------------------------------------------


@pytest.mark.parametrize("consents", [False, None])
def test_proceeding_without_consent_needs_a_reason(consents):
    assessment = high_assessment()
    with pytest.raises(ValidationError) as exc:
        refer(assessment, victim_consents=consents, no_consent_reason="  ")
    assert "no_consent_reason" in exc.value.message_dict
    assert not MaracReferral.objects.exists()

    referral = refer(assessment, victim_consents=consents, no_consent_reason="Risk to life.")
    assert referral.no_consent_reason == "Risk to life."


def test_a_victim_who_does_not_know_cannot_consent():
    with pytest.raises(ValidationError) as exc:
        refer(victim_aware=False, victim_consents=True)
    assert "victim_consents" in exc.value.message_dict


def test_an_assessment_is_referred_once():
    assessment = high_assessment()
    refer(assessment)
    with pytest.raises(AlreadyReferred):
        refer(assessment)
    assert MaracReferral.objects.count() == 1


# --- Triage --------------------------------------------------------------------------------------


def test_accept_records_who_and_when():
    referral = refer()
    coord = coordinator()

    referral_accept(actor=coord, referral_id=referral.pk)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert [(e.kind, e.actor) for e in referral.history.all()] == [
        ("submitted", referral.referred_by),
        ("accepted", coord),
    ]


def test_reject_needs_a_reason_and_keeps_it():
    referral = refer()
    coord = coordinator()
    with pytest.raises(ValidationError):
        referral_reject(actor=coord, referral_id=referral.pk, reason=" ")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED

    referral_reject(actor=coord, referral_id=referral.pk, reason="Not domestic abuse.")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REJECTED
    assert referral.rejection_reason == "Not domestic abuse."
    assert referral.history.last().comment == "Not domestic abuse."


def test_transitions_from_the_wrong_status_are_refused():
    referral = refer()
    coord = coordinator()
    referral_accept(actor=coord, referral_id=referral.pk)

    with pytest.raises(ReferralStateError):
        referral_accept(actor=coord, referral_id=referral.pk)
    with pytest.raises(ReferralStateError):
        referral_reject(actor=coord, referral_id=referral.pk, reason="Late")
    assert referral.history.count() == 2


def test_a_rejected_assessment_can_be_referred_again():
    assessment = high_assessment()
    first = refer(assessment)
    referral_reject(actor=coordinator(), referral_id=first.pk, reason="Missing details")
    assert refer(assessment).status == ReferralStatus.SUBMITTED


# --- To be referred and repeat MARAC -------------------------------------------------------------


def test_high_assessments_with_a_decision_to_refer_wait_until_referred():
    coord = coordinator()
    waiting = high_assessment()
    not_referred = high_assessment(refer=False)
    RiskAssessment.objects.filter(pk=not_referred.pk).update(
        marac_decision="not_referred", marac_not_referred_reason="Heard at MAPPA instead."
    )
    high_assessment(level="medium")
    high_assessment(borough_code="SOU")

    assert list(assessments_to_be_referred(viewer=coord)) == [waiting]

    refer(waiting)
    assert list(assessments_to_be_referred(viewer=coord)) == []


def test_the_list_to_be_referred_is_newest_first_and_a_rejected_referral_returns_to_it():
    coord = coordinator()
    older, newer = high_assessment(), high_assessment()
    RiskAssessment.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    draft = high_assessment()
    RiskAssessment.objects.filter(pk=draft.pk).update(status="draft")

    assert list(assessments_to_be_referred(viewer=coord)) == [newer, older]

    referral = refer(older)
    assert list(assessments_to_be_referred(viewer=coord)) == [newer]
    referral_reject(actor=coord, referral_id=referral.pk, reason="Below the threshold today.")
    assert list(assessments_to_be_referred(viewer=coord)) == [newer, older]


# A borough's coordinator and the central team's take two paths to the same answer (the
# borough's victims are fetched first; London's are read newest first by PostgreSQL).
@pytest.mark.parametrize("coordinator_team", ["LAM", "CEN"])
def test_a_new_incident_within_twelve_months_of_a_referral_is_a_repeat_marac(coordinator_team):
    referral = referral_made_days_ago(390)
    repeat = new_incident_of(referral.person, 300, referral)
    new_incident_of(referral.person, 370, referral)  # outside the window: not a repeat
    # The same victim with another perpetrator: not a repeat MARAC (DOMAIN.md: same pair).
    new_incident_of(referral.person, 320, referral, same_perpetrator=False)
    complete_incident()  # someone else

    viewer = coordinator(coordinator_team)
    alerts = list(repeat_marac_alerts(viewer=viewer))

    assert alerts == [repeat]
    # ...and the new referral is flagged as a repeat, so the alert clears.
    again = refer(high_assessment(victim=repeat))
    assert again.is_repeat
    assert ReferralCriterion.REPEAT in again.criteria
    assert list(repeat_marac_alerts(viewer=viewer)) == []


MINUTE = 1 / (24 * 60)  # in days


@pytest.mark.parametrize("coordinator_team", ["LAM", "CEN"])
def test_repeat_alerts_at_the_edges_of_the_window(coordinator_team):
    window = settings.MARAC_REPEAT_WINDOW_DAYS
    long_ago, lately = referral_made_days_ago(window + 15), referral_made_days_ago(100)
    inside = new_incident_of(long_ago.person, window - MINUTE, long_ago)
    new_incident_of(long_ago.person, window + MINUTE, long_ago)  # a minute too late
    just_after = new_incident_of(lately.person, MINUTE, lately)
    new_incident_of(lately.person, -MINUTE, lately)  # before the referral: not a repeat

    alerts = set(repeat_marac_alerts(viewer=coordinator(coordinator_team)))

    assert alerts == {inside, just_after}


@pytest.mark.parametrize("coordinator_team", ["LAM", "CEN"])
def test_repeat_alerts_come_newest_incident_first(coordinator_team):
    referral = referral_made_days_ago(200)
    older = new_incident_of(referral.person, 20, referral)
    newer = new_incident_of(referral.person, 150, referral)
    between = new_incident_of(referral.person, 90, referral)

    assert list(repeat_marac_alerts(viewer=coordinator(coordinator_team))) == [
        newer,
        between,
        older,
    ]


def test_repeat_alerts_are_for_coordinators_in_scope():
    referral = referral_made_days_ago(30)
    new_incident_of(referral.person, 10, referral)

    assert repeat_marac_alerts(viewer=coordinator("SOU")).count() == 0
    officer = UserFactory(role=Role.OFFICER, team=team("LAM"))
    assert repeat_marac_alerts(viewer=officer).count() == 0
    assert repeat_marac_alerts(viewer=coordinator("LAM")).count() == 1
    assert repeat_marac_alerts(viewer=coordinator("CEN")).count() == 1


def test_a_london_wide_coordinators_chosen_borough_narrows_the_alerts_by_the_borough_path():
    window = settings.MARAC_REPEAT_WINDOW_DAYS
    long_ago, lately = referral_made_days_ago(window + 15), referral_made_days_ago(100)
    inside = new_incident_of(long_ago.person, window - MINUTE, long_ago)
    new_incident_of(long_ago.person, window + MINUTE, long_ago)  # a minute too late
    just_after = new_incident_of(lately.person, MINUTE, lately)
    central = coordinator("CEN")
    lambeth = Borough.objects.get(code="LAM")
    southwark = Borough.objects.get(code="SOU")

    chosen = list(repeat_marac_alerts(viewer=central, borough_id=lambeth.pk))

    assert chosen == list(repeat_marac_alerts(viewer=coordinator("LAM")))
    assert set(chosen) == {inside, just_after}
    assert list(repeat_marac_alerts(viewer=central, borough_id=southwark.pk)) == []
    # A borough's own coordinator asking for another borough sees nothing of it.
    assert list(repeat_marac_alerts(viewer=coordinator("SOU"), borough_id=lambeth.pk)) == []
