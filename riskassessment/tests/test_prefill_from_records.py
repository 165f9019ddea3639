"""SPECSS+ answers the records already know are pre-filled and marked; every factor says what
to ask."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import PartyRole, RelationshipType, SeparationAnswer
from cases.services.incidents import incident_update
from cases.tests.factories import IncidentFactory, add_offence, add_party, complete_incident
from riskassessment.models import AnswerValue, Question
from riskassessment.reference_data import SPECSS_PLUS_HELP, SPECSS_PLUS_QUESTIONS
from riskassessment.services.assessments import FROM_THE_RECORD, assessment_start
from riskassessment.tests.factories import start_assessment

pytestmark = pytest.mark.django_db


def answers(assessment):
    return {
        a.question.code: (a.value, a.note) for a in assessment.answers.select_related("question")
    }


def test_offences_weapons_substances_and_history_are_pre_filled_and_marked(lambeth_officer):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    add_offence(incident, suspect, code="strangulation")
    incident.refresh_from_db()
    incident_update(
        actor=lambeth_officer,
        incident_id=incident.pk,
        expected_version=incident.version,
        weapons="Kitchen knife",
        alcohol_involved=True,
    )
    earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=200))
    add_party(earlier, PartyRole.SUSPECT, person=suspect.person)

    assessment = assessment_start(actor=lambeth_officer, victim=victim)

    got = answers(assessment)
    for code in ("strangulation", "weapon_use", "substance_misuse"):
        assert got[code][0] == AnswerValue.YES, code
        assert got[code][1].startswith(FROM_THE_RECORD), code
    assert "Non-fatal strangulation" in got["strangulation"][1]
    assert "Kitchen knife" in got["weapon_use"][1]
    assert got["history_of_violence"] == (
        AnswerValue.YES,
        FROM_THE_RECORD + "The suspect is recorded as a suspect in 1 other incident.",
    )
    # What the records do not show stays not known, never silently no.
    assert got["pregnancy"] == (AnswerValue.NOT_KNOWN, "")
    assert got["separation"] == (AnswerValue.NOT_KNOWN, "")  # asked, never inferred
    # The pre-filled answers count: strangulation makes it HIGH.
    assert assessment.recommended_level == "high"


def test_an_incident_without_such_records_pre_fills_nothing(lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer)
    victim = add_party(incident, PartyRole.VICTIM)
    add_party(incident, PartyRole.SUSPECT, relationship_to_victim=RelationshipType.PARTNER)

    assessment = assessment_start(actor=lambeth_officer, victim=victim)

    assert not any(note.startswith(FROM_THE_RECORD) for _v, note in answers(assessment).values())


def test_the_form_marks_pre_filled_answers_and_says_what_to_ask(client, lambeth_officer):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    add_offence(incident, suspect, code="threats_to_kill")
    assessment = assessment_start(actor=lambeth_officer, victim=victim)
    client.force_login(lambeth_officer)

    page = client.get(reverse("riskassessment:assessment-detail", args=[assessment.pk])).text

    assert 'id="from-record-threats_to_kill"' in page
    assert 'id="from-record-pregnancy"' not in page
    assert "Ask: has the suspect threatened to kill you" in page


def test_every_specss_factor_has_help_text():
    codes = {code for code, _text, _group in SPECSS_PLUS_QUESTIONS}

    assert set(SPECSS_PLUS_HELP) == codes
    questions = Question.objects.filter(instrument__code="specss_plus")
    assert questions.count() == len(codes)
    assert all(q.help_text for q in questions)


def test_an_unassessed_victim_start_still_works_with_an_empty_record(lambeth_officer):
    assessment = start_assessment(actor=lambeth_officer)

    assert (
        assessment.answers.filter(value=AnswerValue.YES)
        .exclude(question__code__in=["escalation", "separation"])
        .count()
        == 0
    )


def separation_case(officer, *answers):
    """An incident whose suspects (former partners) gave these separation answers."""
    incident = IncidentFactory(actor=officer)
    victim = add_party(incident, PartyRole.VICTIM)
    for answer in answers:
        add_party(incident, PartyRole.SUSPECT, separation=answer)
    return victim


def test_a_recorded_separation_is_pre_filled_and_marked(lambeth_officer):
    victim = separation_case(lambeth_officer, SeparationAnswer.YES)

    assessment = assessment_start(actor=lambeth_officer, victim=victim)

    value, note = answers(assessment)["separation"]
    assert value == AnswerValue.YES
    assert note.startswith(FROM_THE_RECORD) and "separated in the last 12 months" in note
    assert assessment.recommended_level == "medium"  # a SPECSS factor is present


def test_no_separation_recorded_for_every_partner_is_pre_filled_as_no(lambeth_officer):
    victim = separation_case(lambeth_officer, SeparationAnswer.NO, SeparationAnswer.NO)

    assessment = assessment_start(actor=lambeth_officer, victim=victim)

    value, note = answers(assessment)["separation"]
    assert value == AnswerValue.NO
    assert note.startswith(FROM_THE_RECORD)


@pytest.mark.parametrize(
    "recorded",
    [
        (SeparationAnswer.NO, SeparationAnswer.NOT_KNOWN),  # one partner not known: a gap
        (SeparationAnswer.NO, ""),  # one partner never asked
        (SeparationAnswer.NOT_KNOWN,),
    ],
)
def test_without_an_answer_for_every_partner_separation_stays_not_known(lambeth_officer, recorded):
    victim = separation_case(lambeth_officer, *recorded)

    assessment = assessment_start(actor=lambeth_officer, victim=victim)

    assert answers(assessment)["separation"] == (AnswerValue.NOT_KNOWN, "")


def test_a_sibling_suspect_does_not_count_for_separation(lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer)
    victim = add_party(incident, PartyRole.VICTIM)
    add_party(incident, PartyRole.SUSPECT, relationship_to_victim=RelationshipType.SIBLING)

    assessment = assessment_start(actor=lambeth_officer, victim=victim)

    assert answers(assessment)["separation"] == (AnswerValue.NOT_KNOWN, "")


def test_the_form_marks_a_separation_from_the_record(client, lambeth_officer):
    victim = separation_case(lambeth_officer, SeparationAnswer.YES)
    assessment = assessment_start(actor=lambeth_officer, victim=victim)
    client.force_login(lambeth_officer)

    page = client.get(reverse("riskassessment:assessment-detail", args=[assessment.pk])).text

    assert 'id="from-record-separation"' in page


def test_a_child_present_pre_fills_children_abused_and_marks_it(lambeth_officer):
    incident, victim, _suspect = complete_incident(actor=lambeth_officer)
    add_party(incident, PartyRole.CHILD_PRESENT)
    add_party(incident, PartyRole.CHILD_PRESENT)

    got = answers(assessment_start(actor=lambeth_officer, victim=victim))

    value, note = got["children_abused"]
    assert value == AnswerValue.YES
    assert note.startswith(FROM_THE_RECORD)
    assert "2 children recorded as present" in note


def test_a_child_only_in_the_household_is_not_taken_as_abused(lambeth_officer):
    incident, victim, _suspect = complete_incident(actor=lambeth_officer)
    add_party(incident, PartyRole.CHILD_IN_HOUSEHOLD)

    got = answers(assessment_start(actor=lambeth_officer, victim=victim))

    assert got["children_abused"] == (AnswerValue.NOT_KNOWN, "")
