"""The victim's has_risk_assessment, kept by the database from the assessments (ADR 0016), and
what reads it: the officer's "Victims to assess" list and the incident's close check. Whatever
writes the party or the assessment, the flag is the assessments' answer."""

import pytest
from django.apps import apps
from django.urls import reverse

from cases.models import Incident, IncidentStatus, Party, PartyRole
from cases.services.incidents import incident_close, party_remove
from cases.tests.factories import add_party, complete_incident
from publicprotection.errors import StateError
from worklists.selectors import officer_victims_not_assessed

from ..models import RiskAssessment
from ..services.assessments import assessment_start
from .factories import start_assessment, submit_standard

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


def incident_flag(incident) -> bool:
    return Incident.objects.values_list("has_victim_to_assess", flat=True).get(pk=incident.pk)


def test_the_incident_flag_follows_its_victims_assessments_roles_and_removal():
    incident, victim, suspect = complete_incident()
    assert incident_flag(incident) is True

    start_assessment(victim=victim)
    assert incident_flag(incident) is False

    second = add_party(incident, PartyRole.VICTIM)
    assert incident_flag(incident) is True
    Party.objects.filter(pk=second.pk).update(role=PartyRole.WITNESS)
    assert incident_flag(incident) is False
    Party.objects.filter(pk=second.pk).update(role=PartyRole.VICTIM)
    assert incident_flag(incident) is True

    other, _, _ = complete_incident()
    Party.objects.filter(pk=second.pk).update(incident=other)
    assert (incident_flag(incident), incident_flag(other)) == (False, True)

    Party.objects.filter(pk=second.pk).delete()
    assessment = RiskAssessment.objects.get(victim=victim)
    assessment.answers.all().delete()
    RiskAssessment.objects.filter(pk=assessment.pk).delete()
    assert incident_flag(incident) is True  # the first victim waits again


def test_no_write_of_the_incident_can_store_a_flag_its_parties_contradict():
    waiting, _, _ = complete_incident()
    done, victim, _ = complete_incident()
    start_assessment(victim=victim)
    stale = Incident.objects.get(pk=waiting.pk)

    Incident.objects.filter(pk=waiting.pk).update(has_victim_to_assess=False)
    Incident.objects.filter(pk=done.pk).update(has_victim_to_assess=True)
    stale.has_victim_to_assess = False
    stale.save()

    assert (incident_flag(waiting), incident_flag(done)) == (True, False)


def test_the_incident_flag_changing_writes_no_history_of_the_incident_nor_its_version():
    events = apps.get_model("cases", "IncidentEvent").objects
    incident, victim, _ = complete_incident()
    before = events.filter(pgh_obj_id=incident.pk).count()

    start_assessment(victim=victim)

    assert events.filter(pgh_obj_id=incident.pk).count() == before
    # An officer's open form for the incident is not made stale by it.
    assert Incident.objects.get(pk=incident.pk).version == incident.version


def draft_with_an_assessed_victim():
    """A draft incident whose victim's risk assessment has been started."""
    incident, victim, _ = complete_incident(status=IncidentStatus.DRAFT)
    start_assessment(victim=victim)
    return incident, victim


def test_a_victim_with_a_risk_assessment_cannot_be_removed_from_a_draft():
    # Given a draft incident whose victim has a risk assessment
    incident, victim = draft_with_an_assessed_victim()

    # When the officer removes the victim
    with pytest.raises(StateError) as refused:
        party_remove(actor=incident.created_by, party_id=victim.pk)

    # Then they are told why (the database's protection of the assessment was a server error)
    assert "risk assessment" in str(refused.value)
    assert Party.objects.filter(pk=victim.pk).exists()


def test_removing_an_assessed_victim_on_the_page_is_a_message_not_a_server_error(client):
    # Given a draft incident whose victim has a risk assessment
    incident, victim = draft_with_an_assessed_victim()
    client.force_login(incident.created_by)

    # When the officer presses "remove" beside the victim
    response = client.post(
        reverse("cases:incident-party-remove", args=[incident.reference, victim.pk]), follow=True
    )

    # Then the incident page says why, and the victim is still there
    assert response.status_code == 200
    assert "risk assessment" in response.text
    assert Party.objects.filter(pk=victim.pk).exists()


# --- has_submitted_risk_assessment: what the close check reads --------------------------


def submitted_flag(party) -> bool:
    return Party.objects.values_list("has_submitted_risk_assessment", flat=True).get(pk=party.pk)


def test_the_submitted_flag_is_set_by_submission_not_by_a_draft():
    incident, victim, _ = complete_incident()
    draft = start_assessment(victim=victim)
    assert (flag(victim), submitted_flag(victim)) == (True, False)

    submit_standard(victim)

    assert (flag(victim), submitted_flag(victim)) == (True, True)
    # A reassessment's draft leaves the victim assessed: the earlier one stands meanwhile.
    draft.refresh_from_db()
    assessment_start(actor=incident.created_by, victim=victim, reassessment_reason="New facts.")
    assert submitted_flag(victim) is True


def test_the_submitted_flag_follows_status_changes_moves_and_deletes_whatever_writes_them():
    incident, first, _ = complete_incident()
    second = add_party(incident, PartyRole.VICTIM)
    assessment = start_assessment(victim=first)
    submit_standard(first)

    RiskAssessment.objects.filter(pk=assessment.pk).update(status="draft")
    assert submitted_flag(first) is False
    RiskAssessment.objects.filter(pk=assessment.pk).update(status="confirmed")
    assert submitted_flag(first) is True

    RiskAssessment.objects.filter(pk=assessment.pk).update(victim=second)
    assert (submitted_flag(first), submitted_flag(second)) == (False, True)

    assessment.answers.all().delete()
    RiskAssessment.objects.filter(pk=assessment.pk).delete()
    assert (submitted_flag(first), submitted_flag(second)) == (False, False)


def test_no_write_of_the_party_can_store_a_submitted_flag_the_assessments_contradict():
    incident, drafted, _ = complete_incident()
    start_assessment(victim=drafted)
    stale = Party.objects.get(pk=drafted.pk)

    Party.objects.filter(pk=drafted.pk).update(has_submitted_risk_assessment=True)
    assert submitted_flag(drafted) is False
    stale.has_submitted_risk_assessment = True
    stale.save()
    assert submitted_flag(drafted) is False


def test_an_incident_whose_victims_assessment_is_a_draft_cannot_be_closed(lambeth_supervisor):
    """A draft sets no level and refers no one, and only its author sees it: closing the
    incident on it left the victim unassessed with nothing asking for it again."""
    # Given an open incident whose victim's assessment was started and never submitted
    incident, victim, _ = complete_incident()
    start_assessment(victim=victim)

    # When a supervisor closes it
    with pytest.raises(StateError) as refused:
        incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")

    # Then they are told to have it submitted, and the incident stays open
    assert str(refused.value) == (
        f"Submit the risk assessment of {victim.person} before closing the incident: it is "
        "still a draft."
    )
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.OPEN

    # Once it is submitted, the incident closes
    submit_standard(victim)
    incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.CLOSED


def test_the_close_page_names_the_draft_and_refuses_the_close(client, lambeth_supervisor):
    incident, victim, _ = complete_incident()
    start_assessment(victim=victim)
    client.force_login(lambeth_supervisor)
    url = reverse("cases:incident-close", args=[incident.reference])

    page = client.get(url)
    response = client.post(url, {"comment": "All done"})

    message = f"Submit the risk assessment of {victim.person} before closing the incident"
    assert "The incident cannot be closed yet" in page.text and message in page.text
    # The supervisor can finish it (any assessor of the borough may): the page links there.
    assert reverse("riskassessment:incident-risk", args=[incident.reference]) in page.text
    assert response.status_code == 409
    assert message in response.text and "All done" in response.text  # what was typed is kept
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.OPEN
