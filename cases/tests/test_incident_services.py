"""Incident services: references, locking, safeguarding, submission, outcome, flags."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from cases.models import (
    ChildrensServicesReferral,
    Incident,
    IncidentStatus,
    Outcome,
    PartyRole,
    ReferralReason,
    ReviewEventKind,
    ReviewStatus,
)
from cases.selectors.flags import incident_flags, person_flags
from cases.services import incidents as services
from cases.tests.factories import (
    IncidentFactory,
    PersonFactory,
    add_offence,
    add_party,
    assess_victims,
    complete_incident,
    not_arrested,
)
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.errors import ConcurrentEditError, StateError

pytestmark = pytest.mark.django_db


def test_references_are_numbered_per_borough_and_year():
    first = IncidentFactory()
    second = IncidentFactory()
    southwark = IncidentFactory(borough=Borough.objects.get(code="SOU"))
    year = timezone.localtime(first.reported_at).year

    assert first.reference == f"DV/LAM/{year}/000001"
    assert second.reference == f"DV/LAM/{year}/000002"
    assert southwark.reference == f"DV/SOU/{year}/000001"


def record(actor, borough_code="LAM"):
    now = timezone.now()
    return services.incident_create(
        actor=actor,
        borough=Borough.objects.get(code=borough_code),
        occurred_at=now - timedelta(hours=2),
        reported_at=now - timedelta(hours=1),
        how_reported="999",
    )


def test_an_officer_records_incidents_in_their_own_borough_only(southwark_officer):
    # Given a Southwark officer
    # When they record an incident in Lambeth, whichever page or API or loader calls the service
    with pytest.raises(PermissionDenied) as refused:
        record(southwark_officer, "LAM")

    # Then the service refuses in its own words, and nothing is recorded
    assert str(refused.value) == "You can record incidents in your own borough only."
    assert not Incident.objects.exists()
    assert record(southwark_officer, "SOU").borough.code == "SOU"


def test_the_central_team_records_incidents_anywhere(central_officer):
    assert record(central_officer, "LAM").borough.code == "LAM"
    assert record(central_officer, "SOU").borough.code == "SOU"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.MARAC_COORDINATOR, Role.REVIEW_LEAD])
def test_only_officers_and_supervisors_record_incidents(role):
    reader = UserFactory(role=role, team=team("LAM"))

    with pytest.raises(PermissionDenied, match="Only an officer or supervisor"):
        record(reader, "LAM")

    assert not Incident.objects.exists()


def test_a_stale_version_is_refused_and_nothing_is_overwritten(lambeth_officer):
    incident = IncidentFactory(cad_reference="CAD-1")
    services.incident_update(
        actor=lambeth_officer, incident_id=incident.pk, expected_version=1, cad_reference="CAD-2"
    )

    with pytest.raises(ConcurrentEditError):
        services.incident_update(
            actor=lambeth_officer,
            incident_id=incident.pk,
            expected_version=1,
            cad_reference="CAD-3",
        )

    incident.refresh_from_db()
    assert (incident.cad_reference, incident.version) == ("CAD-2", 2)


def test_the_same_address_typed_differently_is_one_location(lambeth_officer):
    first = IncidentFactory(location={"line_1": "12 Acacia Avenue", "postcode": "sw9 8aa"})
    second = IncidentFactory(location={"line_1": "12  acacia avenue", "postcode": "SW98AA"})

    assert first.location_id == second.location_id


def test_a_suspect_needs_a_relationship_to_the_victim():
    incident = IncidentFactory()

    with pytest.raises(ValidationError) as error:
        add_party(incident, PartyRole.SUSPECT, relationship_to_victim="")

    assert "relationship_to_victim" in error.value.message_dict


@override_settings(DOMESTIC_ABUSE_MINIMUM_AGE=16)
def test_a_victim_under_the_minimum_age_routes_to_child_safeguarding():
    incident = IncidentFactory()
    fifteen = timezone.localdate() - timedelta(days=15 * 365 + 30)

    add_party(incident, PartyRole.VICTIM, person=PersonFactory(date_of_birth=fifteen))

    incident.refresh_from_db()
    assert incident.child_safeguarding is True
    referral = ChildrensServicesReferral.objects.get(incident=incident)
    assert referral.reasons == [ReferralReason.VICTIM_UNDER_AGE]
    assert not referral.is_made


def test_a_sixteen_year_old_victim_is_domestic_abuse_not_child_safeguarding():
    incident = IncidentFactory()
    sixteen = timezone.localdate() - timedelta(days=16 * 365 + 30)

    add_party(incident, PartyRole.VICTIM, person=PersonFactory(date_of_birth=sixteen))

    incident.refresh_from_db()
    assert incident.child_safeguarding is False
    assert not ChildrensServicesReferral.objects.filter(incident=incident).exists()


def test_children_in_the_household_always_prompt_the_referral_record():
    incident = IncidentFactory()
    add_party(incident, PartyRole.VICTIM)

    child = add_party(
        incident, PartyRole.CHILD_IN_HOUSEHOLD, person=PersonFactory(date_of_birth=date(2019, 1, 1))
    )

    referral = ChildrensServicesReferral.objects.get(incident=incident)
    assert referral.reasons == [ReferralReason.CHILDREN_IN_HOUSEHOLD]

    incident.status = IncidentStatus.DRAFT
    incident.save()
    services.party_remove(actor=incident.created_by, party_id=child.pk)
    assert not ChildrensServicesReferral.objects.filter(incident=incident).exists()


def draft_with_everything(actor=None):
    incident = (
        IncidentFactory(status=IncidentStatus.DRAFT, actor=actor)
        if actor
        else IncidentFactory(status=IncidentStatus.DRAFT)
    )
    add_party(incident, PartyRole.VICTIM)
    suspect = add_party(incident, PartyRole.SUSPECT)
    add_offence(incident, suspect)
    return incident, suspect


def test_submission_lists_what_is_missing_in_plain_words():
    incident = IncidentFactory(status=IncidentStatus.DRAFT, officer_narrative="")

    problems = services.submission_problems(incident)

    assert "Add the victim." in problems
    assert any(p.startswith("Add the suspect") for p in problems)
    assert "Record the offences, or mark the incident as a non-crime." in problems
    assert "Write the officer's narrative." in problems


def test_a_draft_cannot_be_submitted_without_the_arrest_decision():
    incident, suspect = draft_with_everything()

    with pytest.raises(ValidationError) as error:
        services.incident_submit(actor=incident.created_by, incident_id=incident.pk)

    assert f"Record the arrest decision for {suspect.person}." in error.value.messages
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_submitting_sends_not_arrested_decisions_to_review_with_the_deadline():
    incident, suspect = draft_with_everything()
    decision = not_arrested(suspect)
    assert decision.review_status == ReviewStatus.NOT_REQUIRED  # a draft is not reviewed yet

    before = timezone.now()
    services.incident_submit(actor=incident.created_by, incident_id=incident.pk)

    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.AWAITING
    assert (
        timedelta(hours=23, minutes=59)
        < decision.review_due_at - before
        <= timedelta(hours=24, seconds=5)
    )
    assert [e.kind for e in decision.review_events.all()] == [ReviewEventKind.SUBMITTED]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_the_childrens_referral_must_be_recorded_before_submission():
    incident, suspect = draft_with_everything()
    not_arrested(suspect)
    add_party(
        incident, PartyRole.CHILD_PRESENT, person=PersonFactory(date_of_birth=date(2020, 3, 3))
    )

    with pytest.raises(ValidationError):
        services.incident_submit(actor=incident.created_by, incident_id=incident.pk)
    services.childrens_referral_record(
        actor=incident.created_by,
        incident_id=incident.pk,
        referred_at=timezone.now() - timedelta(minutes=5),
        referred_to="Lambeth MASH",
    )
    services.incident_submit(actor=incident.created_by, incident_id=incident.pk)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_no_further_action_needs_a_reason_and_charges_are_sanction_detections():
    incident, _, _ = complete_incident()

    with pytest.raises(ValidationError):
        services.incident_record_outcome(
            actor=incident.created_by, incident_id=incident.pk, outcome=Outcome.NO_FURTHER_ACTION
        )
    services.incident_record_outcome(
        actor=incident.created_by, incident_id=incident.pk, outcome=Outcome.CHARGE
    )

    incident.refresh_from_db()
    assert incident.is_sanction_detection


def test_closing_an_incident_closes_its_outstanding_suspects(lambeth_supervisor):
    incident, _, suspect = complete_incident()
    assess_victims(incident)
    assert suspect.arrest_decision.is_outstanding

    services.incident_close(
        actor=lambeth_supervisor, incident_id=incident.pk, comment="Case closed"
    )

    suspect.arrest_decision.refresh_from_db()
    assert not suspect.arrest_decision.is_outstanding
    assert suspect.arrest_decision.review_events.filter(kind="outstanding_closed").exists()


def test_an_incident_with_a_suspect_awaiting_an_arrest_decision_cannot_be_closed(
    lambeth_supervisor,
):
    """Given an open incident to which a second suspect of an arrestable offence was added after
    submission (nothing asks for their decision again), when a supervisor closes it, then the
    close is refused naming the suspect and the incident stays open: every such suspect gets an
    arrest decision record (DOMAIN.md, positive action). Closing let the rule lapse silently."""
    from cases.tests.factories import arrested

    incident, _, _ = complete_incident()
    assess_victims(incident)
    late = add_party(incident, PartyRole.SUSPECT)
    add_offence(incident, late)

    with pytest.raises(StateError, match=f"Record the arrest decision for {late.person}"):
        services.incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN and incident.closed_at is None
    arrested(late)
    services.incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_an_incident_whose_childrens_services_referral_is_not_made_cannot_be_closed(
    lambeth_supervisor,
):
    """Given an open incident where a child in the household is recorded after submission (the
    mandatory children's services referral record is created, not yet made), when a supervisor
    closes it, then the close is refused and the incident stays open; once the referral is
    recorded as made, it closes. Closing let the mandatory referral lapse unmade."""
    incident, _, _ = complete_incident()
    assess_victims(incident)
    add_party(incident, PartyRole.CHILD_IN_HOUSEHOLD)
    referral = ChildrensServicesReferral.objects.get(incident=incident)
    assert not referral.is_made

    with pytest.raises(StateError, match="children's services referral"):
        services.incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN
    services.childrens_referral_record(
        actor=incident.created_by,
        incident_id=incident.pk,
        referred_at=timezone.now() - timedelta(minutes=5),
        referred_to="Lambeth MASH",
    )
    services.incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_an_incident_with_a_victim_not_assessed_cannot_be_closed(lambeth_supervisor):
    """Given an open incident with two victims, one with a risk assessment started and one
    with none, when a supervisor closes it, then the close is refused naming the victim not
    assessed, and the incident stays open; once theirs is started, it closes. Every victim of
    every incident is assessed (DOMAIN.md), and closing took an unassessed victim off the
    officer's "Victims to assess" list with nothing asking for it again."""
    incident, first, _ = complete_incident()
    assess_victims(incident)
    second = add_party(incident, PartyRole.VICTIM)

    with pytest.raises(StateError) as refused:
        services.incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")

    assert f"Make the risk assessment of {second.person} before closing" in str(refused.value)
    assert str(first.person) not in str(refused.value)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN and incident.closed_at is None
    assess_victims(incident)
    services.incident_close(actor=lambeth_supervisor, incident_id=incident.pk, comment="Done")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_repeat_victim_and_repeat_location_flags():
    victim = PersonFactory()
    place = {"line_1": "1 High Street", "postcode": "SE1 1AA"}
    earlier = IncidentFactory(occurred_at=timezone.now() - timedelta(days=100), location=place)
    add_party(earlier, PartyRole.VICTIM, person=victim)
    later = IncidentFactory(location=place)
    party = add_party(later, PartyRole.VICTIM, person=victim)

    flags = incident_flags(later, [party])

    assert flags.people[victim.pk].repeat_victim
    assert flags.repeat_location
    assert flags.labels == ["Repeat victim", "Repeat location"]


def test_incidents_more_than_a_year_apart_are_not_repeats():
    victim = PersonFactory()
    old = IncidentFactory(occurred_at=timezone.now() - timedelta(days=400))
    add_party(old, PartyRole.VICTIM, person=victim)
    new = IncidentFactory()
    party = add_party(new, PartyRole.VICTIM, person=victim)

    assert not incident_flags(new, [party]).people[victim.pk].repeat_victim
    assert not person_flags(victim).repeat_victim


def test_a_suspect_of_abuse_against_two_victims_is_a_serial_perpetrator():
    suspect = PersonFactory()
    for _ in range(2):
        incident = IncidentFactory()
        add_party(incident, PartyRole.VICTIM)
        add_party(incident, PartyRole.SUSPECT, person=suspect)

    assert person_flags(suspect).serial_perpetrator
    assert person_flags(suspect).repeat_suspect


# --- Ages that change after a party is added -----------------------------------------------


def draft_ready_to_submit():
    incident, suspect = draft_with_everything()
    not_arrested(suspect)
    victim = incident.parties.get(role=PartyRole.VICTIM)
    incident.refresh_from_db()
    return incident, victim.person


@override_settings(DOMESTIC_ABUSE_MINIMUM_AGE=16)
def test_submission_checks_the_victims_current_age_not_the_age_when_added():
    incident, person = draft_ready_to_submit()
    assert not incident.child_safeguarding
    fifteen = timezone.localdate() - timedelta(days=15 * 365 + 30)
    # However the age came to change (an import, an edit by another path), submit rechecks it.
    type(person).objects.filter(pk=person.pk).update(date_of_birth=fifteen, estimated_age=None)

    with pytest.raises(ValidationError) as error:
        services.incident_submit(actor=incident.created_by, incident_id=incident.pk)

    assert "Record the children's services referral." in error.value.messages
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT
    assert incident.child_safeguarding is True
    referral = ChildrensServicesReferral.objects.get(incident=incident)
    assert referral.reasons == [ReferralReason.VICTIM_UNDER_AGE]


@override_settings(DOMESTIC_ABUSE_MINIMUM_AGE=16)
def test_an_estimated_age_under_the_setting_reroutes_the_draft_at_once():
    from cases.services.people import person_update

    incident, person = draft_ready_to_submit()

    person_update(
        actor=incident.created_by,
        person_id=person.pk,
        expected_version=person.version,
        date_of_birth=None,
        estimated_age=14,
    )

    incident.refresh_from_db()
    assert incident.child_safeguarding is True
    assert ChildrensServicesReferral.objects.filter(incident=incident).exists()
    with pytest.raises(ValidationError):
        services.incident_submit(actor=incident.created_by, incident_id=incident.pk)


@override_settings(DOMESTIC_ABUSE_MINIMUM_AGE=16)
def test_moving_the_incident_date_measures_the_age_on_the_new_day():
    incident, person = draft_ready_to_submit()
    born = timezone.localdate() - timedelta(days=17 * 365)
    type(person).objects.filter(pk=person.pk).update(date_of_birth=born, estimated_age=None)
    two_years_ago = timezone.now() - timedelta(days=2 * 365)

    services.incident_update(
        actor=incident.created_by,
        incident_id=incident.pk,
        expected_version=incident.version,
        occurred_at=two_years_ago,
        reported_at=two_years_ago,
    )

    incident.refresh_from_db()
    assert incident.child_safeguarding is True


def test_the_officer_in_charge_must_be_an_officer_of_the_incidents_borough():
    """Given a Lambeth incident, when a request names another borough's officer or an analyst
    as officer in charge (the form offers only the borough's and the central team's officers
    and supervisors, a hand-made request anyone), then the service refuses it on the field and
    nothing changes; a Lambeth officer is accepted. An incident whose officer has since moved
    borough can still be edited without choosing again."""
    incident, _, _ = complete_incident()
    editor = incident.created_by
    southwark = UserFactory(role=Role.OFFICER, team=team("SOU"))
    analyst = UserFactory(role=Role.ANALYST, team=team("LAM"))

    for outsider in (southwark, analyst):
        incident.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            services.incident_update(
                actor=editor,
                incident_id=incident.pk,
                expected_version=incident.version,
                officer_in_charge=outsider,
            )
        assert "officer_in_charge" in refused.value.message_dict
        incident.refresh_from_db()
        assert incident.officer_in_charge == editor

    colleague = UserFactory(role=Role.OFFICER, team=team("LAM"))
    services.incident_update(
        actor=editor,
        incident_id=incident.pk,
        expected_version=incident.version,
        officer_in_charge=colleague,
    )
    incident.refresh_from_db()
    assert incident.officer_in_charge == colleague

    colleague.team = team("SOU")  # moved borough since
    colleague.save()
    services.incident_update(
        actor=editor,
        incident_id=incident.pk,
        expected_version=incident.version,
        officer_narrative="Further enquiries made.",
    )
    incident.refresh_from_db()
    assert incident.officer_narrative == "Further enquiries made."
