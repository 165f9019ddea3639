"""The assessment pages: start from the incident, answer, see why, set the level, submit."""

import re

import pytest
from django.urls import reverse

from cases.tests.factories import complete_incident
from riskassessment.models import AssessmentStatus, Level, RiskAssessment
from riskassessment.tests.factories import add_action, answer, start_assessment

pytestmark = pytest.mark.django_db


def form_data(assessment, **overrides):
    data = {"version": assessment.version}
    for a in assessment.answers.select_related("question"):
        data[f"answer_{a.question.code}"] = a.value
        data[f"note_{a.question.code}"] = a.note
    for name in ("final_level", "raise_note", "lowering_rationale", "escalation_cleared_note",
                 "marac_decision", "marac_not_referred_reason"):  # fmt: skip
        data[name] = getattr(assessment, name)
    data.update(overrides)
    return data


def detail_url(assessment):
    return reverse("riskassessment:assessment-detail", args=[assessment.pk])


def test_officer_starts_an_assessment_from_the_incident(client, lambeth_officer):
    incident, victim, _ = complete_incident(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    page = client.get(reverse("riskassessment:incident-risk", args=[incident.reference]))
    assert "Assess the risk" in page.text
    response = client.post(
        reverse("riskassessment:assessment-start", args=[incident.reference, victim.pk]), {}
    )

    assessment = RiskAssessment.objects.get()
    assert response["Location"] == detail_url(assessment)
    assert assessment.victim == victim


def test_saving_answers_updates_the_recommendation_and_lists_the_reasons(client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    client.post(detail_url(assessment), form_data(assessment, answer_strangulation="yes", save="1"))
    page = client.get(detail_url(assessment))

    assert "Recommended: HIGH" in page.text
    assert "Strangulation or choking is present" in page.text
    assert "Information gaps (15 not known)" in page.text


def test_live_recommendation_fragment_does_not_save(client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    response = client.post(
        reverse("riskassessment:assessment-recommendation", args=[assessment.pk]),
        {"answer_stalking": "yes", "answer_pregnancy": "yes", "answer_history_of_violence": "yes"},
    )

    assert "Recommended: MEDIUM" in response.text
    assert "3 factors are present" in response.text
    assessment.refresh_from_db()
    assert assessment.recommended_level == Level.STANDARD


def test_submitting_without_the_plan_and_marac_decision_explains_and_keeps_input(
    client, lambeth_officer
):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    response = client.post(
        detail_url(assessment),
        form_data(
            assessment,
            answer_strangulation="yes",
            note_strangulation="Hands round neck",
            final_level="high",
            submit="1",
        ),
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "needs a RARA plan" in response.text
    assert "High risk: refer to MARAC, or record why not" in response.text
    assert "Hands round neck" in response.text
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.answers.get(question__code="strangulation").note == "Hands round neck"


def test_a_complete_high_assessment_is_submitted(client, lambeth_officer):
    assessment = answer(start_assessment(actor=lambeth_officer), yes=["strangulation"])
    add_action(assessment)
    client.force_login(lambeth_officer)

    response = client.post(
        detail_url(assessment),
        form_data(assessment, final_level="high", marac_decision="refer", submit="1"),
    )

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.AWAITING_REVIEW
    page = client.get(detail_url(assessment))
    assert "Awaiting supervisor review" in page.text


def test_a_stale_form_is_refused_and_keeps_the_input(client, lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    stale = form_data(assessment, note_stalking="first")
    client.post(detail_url(assessment), {**stale, "save": "1"})

    response = client.post(
        detail_url(assessment), {**stale, "note_stalking": "second", "save": "1"}
    )

    assert "Someone else changed this risk assessment" in response.text
    assert 'value="second"' in response.text
    assert assessment.answers.get(question__code="stalking").note == "first"
    # The re-shown form carries the version now saved: saving again (after checking) works.
    shown = re.search(r'name="version" value="(\d+)"', response.text).group(1)
    again = client.post(
        detail_url(assessment),
        {**stale, "note_stalking": "second", "save": "1", "version": shown},
    )
    assert again.status_code == 302
    assert assessment.answers.get(question__code="stalking").note == "second"


def test_other_boroughs_partners_and_analysts(client, southwark_officer, partner, analyst):
    assessment = start_assessment()
    data = form_data(assessment, answer_stalking="yes", save="1")

    client.force_login(southwark_officer)
    assert client.get(detail_url(assessment)).status_code == 404
    assert client.post(detail_url(assessment), data).status_code == 404
    client.force_login(partner)
    assert client.get(detail_url(assessment)).status_code == 403
    client.force_login(analyst)
    assert client.get(detail_url(assessment)).status_code == 403
    assert client.post(detail_url(assessment), data).status_code == 403

    assessment.refresh_from_db()
    assert assessment.version == 1


def test_detail_query_count_is_fixed(client, lambeth_officer, django_assert_max_num_queries):
    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    with django_assert_max_num_queries(40) as first:
        client.get(detail_url(assessment))
    for _ in range(5):
        add_action(assessment)
    with django_assert_max_num_queries(40) as second:
        client.get(detail_url(assessment))

    assert len(second.captured_queries) == len(first.captured_queries)


@pytest.mark.parametrize("posted", ["empty form", "refused submission"])
def test_a_refused_post_logs_the_person_its_page_shows_again(client, lambeth_officer, posted):
    """Given a draft assessment, when an officer posts a form that is refused (nothing valid,
    or a submission missing the plan and the MARAC decision), then the assessment page shown
    again (the victim by name, every answer) logs the read of the person like the GET does
    (ADR 0002). The read was logged in get() only: an empty POST read it
    unlogged."""
    from publicprotection.audit.models import AccessLogEntry

    assessment = start_assessment(actor=lambeth_officer)
    client.force_login(lambeth_officer)
    data = (
        {}
        if posted == "empty form"
        else form_data(assessment, answer_strangulation="yes", final_level="high", submit="1")
    )

    response = client.post(detail_url(assessment), data)

    assert response.status_code in (200, 400)
    assert assessment.person.full_name in response.text
    entry = AccessLogEntry.objects.get(user=lambeth_officer, method="POST")
    assert entry.object_id == str(assessment.person_id)
    assert entry.content_type.model == "person"


def test_a_note_written_for_an_earlier_suggestion_is_asked_for_again_and_kept(client):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import PartyRole
    from cases.tests.factories import IncidentFactory, add_party

    from .factories import third_incident_cleared

    victim, _, draft = third_incident_cleared(note="Separate one-off disputes.")
    late = IncidentFactory(occurred_at=timezone.now() - timedelta(days=50))
    add_party(late, PartyRole.VICTIM, person=victim)
    client.force_login(draft.created_by)
    form = {
        "version": draft.version,
        "final_level": draft.final_level,
        "escalation_cleared_note": "Separate one-off disputes.",
        "submit": "1",
        **{f"answer_{a.question.code}": a.value for a in draft.answers.select_related("question")},
    }

    response = client.post(reverse("riskassessment:assessment-detail", args=[draft.pk]), form)

    assert response.status_code == 200
    assert "Escalation is now suggested for another reason" in response.text
    assert "Separate one-off disputes.</textarea>" in response.text
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_draft_page_says_when_the_note_answers_an_earlier_suggestion(client):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import PartyRole
    from cases.tests.factories import IncidentFactory, add_party

    from .factories import third_incident_cleared

    victim, _, draft = third_incident_cleared(note="Separate one-off disputes.")
    client.force_login(draft.created_by)
    url = reverse("riskassessment:assessment-detail", args=[draft.pk])
    assert 'id="escalation-note-outdated"' not in client.get(url).text

    late = IncidentFactory(occurred_at=timezone.now() - timedelta(days=50))
    add_party(late, PartyRole.VICTIM, person=victim)
    page = " ".join(client.get(url).text.split())

    assert 'id="escalation-note-outdated"' in page
    assert (
        "written when it was suggested because: This is the victim&#x27;s domestic incident number 3"
        in page
    )
    assert (
        "It is now suggested because: This is the victim&#x27;s domestic incident number 4" in page
    )
