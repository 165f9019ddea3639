"""A visible high risk goes to MARAC whatever level is set (DOMAIN.md, MARAC: "visible high
risk (SPECSS+ HIGH, or DASH 14 or more); professional judgement (never used to downgrade)").

An officer may set a recommended HIGH lower, with a rationale a supervisor confirms: that
changes the level in force, not whether the case goes to MARAC. The MARAC decision is still
recorded, the case stays on the coordinator's list until it is referred or decided against,
and the daily meeting sees it among the new high risks."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from marac.meeting_calendar import Period
from marac.models import AgendaSection, ReferralCriterion
from marac.selectors.content import agenda_content
from marac.selectors.referrals import assessments_to_be_referred, suggested_criteria
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import Level, MaracDecision, RiskAssessment
from riskassessment.services import assessments as services
from riskassessment.tests.factories import add_action, answer, start_assessment

pytestmark = pytest.mark.django_db

LOWERING = "The 'weapon' was a rolled-up newspaper; no injury."


def coordinator():
    return UserFactory(role=Role.MARAC_COORDINATOR, team=team("LAM"))


def supervisor():
    return UserFactory(role=Role.SUPERVISOR, team=team("LAM"))


def regrade(assessment, level, rationale="New information from the IDVA.", **marac):
    """A supervisor's regrade of `assessment` to `level` (with `marac`, their MARAC decision)."""
    return services.assessment_regrade(
        actor=supervisor(), assessment_id=assessment.pk, level=level, rationale=rationale, **marac
    )


def lowered_draft(level=Level.MEDIUM, **fields):
    """A draft recommended HIGH (weapon use), set to `level` with a rationale, with a plan."""
    assessment = start_assessment()
    add_action(assessment)
    return answer(
        assessment, yes=["weapon_use"], final_level=level, lowering_rationale=LOWERING, **fields
    )


def lowered(level=Level.MEDIUM, **marac):
    """A recommended HIGH submitted at `level` (with `marac`, the MARAC decision fields)."""
    assessment = lowered_draft(level, **marac)
    return services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)


def legacy_lowered_without_a_decision():
    """A lowered HIGH awaiting review with no MARAC decision: submitted before this rule."""
    assessment = lowered(marac_decision=MaracDecision.REFER)
    RiskAssessment.objects.filter(pk=assessment.pk).update(marac_decision="", marac_decided_at=None)
    assessment.refresh_from_db()
    return assessment


# --- The officer's submission ---------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.MEDIUM, Level.STANDARD])
def test_setting_a_recommended_high_lower_still_needs_the_marac_decision(level):
    draft = lowered_draft(level)
    assert draft.recommended_level == Level.HIGH

    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(actor=draft.created_by, assessment_id=draft.pk)

    assert "recommendation is high risk" in refused.value.message_dict["marac_decision"][0]
    draft.refresh_from_db()
    assert draft.is_draft


def test_not_referring_a_lowered_high_needs_the_reasons():
    draft = lowered_draft(marac_decision=MaracDecision.NOT_REFERRED)

    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(actor=draft.created_by, assessment_id=draft.pk)

    assert "marac_not_referred_reason" in refused.value.message_dict


def test_a_medium_recommended_medium_needs_no_marac_decision():
    assessment = start_assessment()
    add_action(assessment)
    assessment = answer(assessment, yes=["separation"], final_level=Level.MEDIUM)
    submitted = services.assessment_submit(actor=assessment.created_by, assessment_id=assessment.pk)
    assert submitted.marac_decision == ""
    assert list(assessments_to_be_referred(viewer=coordinator())) == []


# --- The coordinator's list -----------------------------------------------------------------


def test_a_lowered_high_stays_on_the_list_before_and_after_the_supervisor_confirms():
    coord = coordinator()
    assessment = lowered(marac_decision=MaracDecision.REFER)
    assert assessment.final_level == Level.MEDIUM

    assert list(assessments_to_be_referred(viewer=coord)) == [assessment]

    services.assessment_confirm(
        actor=supervisor(), assessment_id=assessment.pk, rationale="Agreed: no weapon."
    )
    assert list(assessments_to_be_referred(viewer=coord)) == [assessment]


def test_a_lowered_high_with_no_decision_is_on_the_list():
    assessment = legacy_lowered_without_a_decision()
    assert list(assessments_to_be_referred(viewer=coordinator())) == [assessment]


def test_only_a_recorded_decision_not_to_refer_takes_a_lowered_high_off_the_list():
    lowered(
        marac_decision=MaracDecision.NOT_REFERRED,
        marac_not_referred_reason="Heard at MAPPA last week; the IDVA is engaged.",
    )
    assert list(assessments_to_be_referred(viewer=coordinator())) == []


def test_a_supervisors_regrade_of_a_recommended_high_keeps_it_on_the_list():
    """An officer's HIGH, regraded lower by a supervisor: still recommended HIGH."""
    assessment = start_assessment()
    add_action(assessment)
    assessment = answer(
        assessment, yes=["weapon_use"], final_level=Level.HIGH, marac_decision=MaracDecision.REFER
    )
    assessment = services.assessment_submit(
        actor=assessment.created_by, assessment_id=assessment.pk
    )

    regraded = regrade(assessment, Level.MEDIUM, "No weapon was seen.")

    assert regraded.final_level == Level.MEDIUM
    assert regraded.marac_decision == MaracDecision.REFER
    assert list(assessments_to_be_referred(viewer=coordinator())) == [regraded]


def test_a_raised_high_regraded_back_to_its_recommendation_leaves_the_list():
    """Professional judgement raised a MEDIUM; a supervisor set it back: no visible HIGH."""
    assessment = start_assessment()
    add_action(assessment)
    assessment = answer(
        assessment,
        yes=["separation"],
        final_level=Level.HIGH,
        raise_note="She is terrified of him.",
        marac_decision=MaracDecision.REFER,
    )
    assessment = services.assessment_submit(
        actor=assessment.created_by, assessment_id=assessment.pk
    )
    coord = coordinator()
    assert list(assessments_to_be_referred(viewer=coord)) == [assessment]

    regrade(assessment, Level.MEDIUM, "Agreed.")

    assert list(assessments_to_be_referred(viewer=coord)) == []


# --- The supervisor's regrade ---------------------------------------------------------------


def test_regrading_a_lowered_high_with_no_decision_needs_one():
    assessment = legacy_lowered_without_a_decision()

    with pytest.raises(ValidationError) as refused:
        regrade(assessment, Level.STANDARD, "Nothing happened.")
    assert "recommendation is high risk" in refused.value.message_dict["marac_decision"][0]

    regraded = regrade(
        assessment, Level.STANDARD, "Nothing happened.", marac_decision=MaracDecision.REFER
    )
    assert regraded.marac_decision == MaracDecision.REFER


def test_a_decision_not_to_refer_stands_for_a_lower_regrade_but_never_for_a_high():
    assessment = lowered(
        marac_decision=MaracDecision.NOT_REFERRED, marac_not_referred_reason="Heard at MAPPA."
    )

    standard = regrade(assessment, Level.STANDARD, "Less.")
    assert standard.marac_decision == MaracDecision.NOT_REFERRED
    assert standard.marac_not_referred_reason == "Heard at MAPPA."

    other = lowered(
        marac_decision=MaracDecision.NOT_REFERRED, marac_not_referred_reason="Heard at MAPPA."
    )
    with pytest.raises(ValidationError) as refused:
        regrade(other, Level.HIGH, "Weapon.")
    assert "marac_decision" in refused.value.message_dict


# --- What the referral and the meeting show -------------------------------------------------


def test_a_lowered_high_meets_the_visible_high_risk_criterion():
    assessment = lowered(marac_decision=MaracDecision.REFER)

    [visible] = [
        s
        for s in suggested_criteria(assessment=assessment)
        if s.criterion == ReferralCriterion.VISIBLE_HIGH_RISK
    ]

    assert "recommended HIGH" in visible.reason and "Medium" in visible.reason


def test_the_daily_agenda_lists_a_lowered_high_among_the_new_high_risks():
    before = timezone.now()
    assessment = lowered(marac_decision=MaracDecision.REFER)
    period = Period(start=before - timedelta(seconds=1), end=timezone.now() + timedelta(seconds=1))

    items = [i for i in agenda_content(team("LAM"), period) if i.object_id == assessment.pk]

    assert [i.section for i in items] == [AgendaSection.HIGH_RISK]
    assert "graded MEDIUM (recommended HIGH)" in items[0].summary


def test_the_coordinators_home_says_the_recommendation_was_high(client):
    assessment = lowered(marac_decision=MaracDecision.REFER)
    client.force_login(coordinator())

    page = client.get(reverse("marac:home")).content.decode()

    assert assessment.incident.reference in page
    assert "Recommended HIGH, set Medium" in page


def test_the_supervisors_review_says_a_high_recommendation_still_goes_to_marac(client):
    assessment = lowered(marac_decision=MaracDecision.REFER)
    client.force_login(supervisor())

    page = client.get(reverse("riskassessment:grading-review", args=[assessment.pk])).text

    assert "A high recommendation still goes to MARAC, whatever level you confirm." in page


# --- The officer's page and the API ---------------------------------------------------------


def test_the_officers_page_asks_for_the_decision_and_keeps_what_was_typed(client):
    draft = lowered_draft()
    client.force_login(draft.created_by)
    url = reverse("riskassessment:assessment-detail", args=[draft.pk])
    form = {
        "version": draft.version,
        "final_level": Level.MEDIUM,
        "lowering_rationale": "Typed again: the weapon was a newspaper.",
        "submit": "1",
        **{f"answer_{a.question.code}": a.value for a in draft.answers.select_related("question")},
    }

    response = client.post(url, form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The recommendation is high risk" in page
    assert "Typed again: the weapon was a newspaper." in page
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_api_refuses_to_submit_a_lowered_high_with_no_decision(api_client):
    draft = lowered_draft()
    api_client.force_authenticate(draft.created_by)

    response = api_client.post(
        reverse("api:risk-assessment-submit", args=[draft.pk]),
        {"version": draft.version},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "marac_decision" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


# --- The index ------------------------------------------------------------------------------


def test_the_list_can_read_the_partial_index_whatever_the_level_set():
    """The filter and the partial index `assessment_to_refer` must say the same (an index whose
    condition the query does not imply is never used, and the list would walk every HIGH)."""
    from django.db import connection

    from marac.selectors.referrals import to_be_referred_filter

    waiting = RiskAssessment.objects.filter(
        to_be_referred_filter(), is_current=True, has_open_marac_referral=False, borough_id=1
    ).values("id")
    sql, params = waiting.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "assessment_to_refer" in plan, plan
