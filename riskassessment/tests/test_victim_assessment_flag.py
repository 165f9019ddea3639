"""The victim's has_risk_assessment, kept by the database from the assessments (ADR 0016), and
what reads it: the officer's "Victims to assess" list and the incident's close check. Whatever
writes the party or the assessment, the flag is the assessments' answer."""

import pytest
from django.apps import apps

from cases.models import Party, PartyRole
from cases.tests.factories import add_party, complete_incident
from worklists.selectors import officer_victims_not_assessed

from ..models import RiskAssessment
from ..services.assessments import assessment_start
from .factories import start_assessment

pytestmark = pytest.mark.django_db


def flag(party) -> bool:
    return Party.objects.values_list("has_risk_assessment", flat=True).get(pk=party.pk)


def test_starting_an_assessment_sets_the_victims_flag_and_no_other():
    incident, victim, suspect = complete_incident()
    other = add_party(incident, PartyRole.VICTIM)
    assert (flag(victim), flag(other), flag(suspect)) == (False, False, False)

    start_assessment(victim=victim)

    assert (flag(victim), flag(other), flag(suspect)) == (True, False, False)


def test_the_flag_follows_an_assessment_moved_to_another_victim_and_deleted():
    incident, first, _ = complete_incident()
    second = add_party(incident, PartyRole.VICTIM)
    assessment = start_assessment(victim=first)

    RiskAssessment.objects.filter(pk=assessment.pk).update(victim=second)
    assert (flag(first), flag(second)) == (False, True)

    assessment.answers.all().delete()
    RiskAssessment.objects.filter(pk=assessment.pk).delete()
    assert (flag(first), flag(second)) == (False, False)


def test_a_reassessment_keeps_the_flag():
    assessment = start_assessment()
    victim = assessment.victim
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status="confirmed", recommended_level="standard", final_level="standard"
    )

    assessment_start(actor=assessment.created_by, victim=victim, reassessment_reason="New facts.")

    assert flag(victim) is True
    assert RiskAssessment.objects.filter(victim=victim).count() == 2


def test_a_stale_save_of_the_party_cannot_clear_the_flag():
    # Given a victim held in memory since before the assessment was started (a form open)
    incident, victim, _ = complete_incident()
    stale = Party.objects.get(pk=victim.pk)
    assert stale.has_risk_assessment is False
    start_assessment(victim=victim)

    # When the stale copy is saved whole
    stale.notes = "Saved from an old form."
    stale.save()

    # Then the flag is still the assessments' answer, and the officer's list leaves them off
    assert flag(victim) is True
    assert victim not in officer_victims_not_assessed(viewer=incident.created_by)


def test_no_write_of_the_party_can_store_a_flag_the_assessments_contradict():
    incident, assessed, _ = complete_incident()
    waiting = add_party(incident, PartyRole.VICTIM)
    start_assessment(victim=assessed)

    Party.objects.filter(pk=assessed.pk).update(has_risk_assessment=False)
    Party.objects.filter(pk=waiting.pk).update(has_risk_assessment=True)

    assert (flag(assessed), flag(waiting)) == (True, False)
    assert list(officer_victims_not_assessed(viewer=incident.created_by)) == [waiting]


def test_the_flag_changing_writes_no_history_of_the_party():
    events = apps.get_model("cases", "PartyEvent").objects
    incident, victim, _ = complete_incident()
    before = events.filter(pgh_obj_id=victim.pk).count()

    start_assessment(victim=victim)

    assert events.filter(pgh_obj_id=victim.pk).count() == before
    # A real change of the party is still recorded.
    Party.objects.filter(pk=victim.pk).update(notes="Moved away.")
    assert events.filter(pgh_obj_id=victim.pk).count() == before + 1
