"""Who may change an incident and the person register is decided by the services, so the pages,
the API, commands and loaders share the rule: an officer or supervisor of the incident's borough
(the central team, any); a supervisor closes. Called directly as the wrong user, each service
refuses in its own words and changes nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases.models import Incident, OffenceType, PartyRole, Person, ProtectiveOrderType
from cases.services import incidents as services
from cases.services.orders import protective_order_add
from cases.services.people import person_address_add, person_create, person_update
from cases.services.positive_action import arrest_decision_record
from cases.tests.factories import PersonFactory, add_party, assess_victims, complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team

pytestmark = pytest.mark.django_db


def southwark_officer():
    return UserFactory(role=Role.OFFICER, team=team("SOU"))


def coordinator():
    return UserFactory(role=Role.MARAC_COORDINATOR, team=team("LAM"))


def snapshot(incident):
    incident.refresh_from_db()
    return (
        incident.status,
        incident.version,
        incident.parties.count(),
        incident.offences.count(),
        incident.protective_orders.count(),
        incident.arrest_decisions.count(),
    )


INCIDENT_WRITES = {
    "update": lambda actor, incident, victim, suspect: services.incident_update(
        actor=actor,
        incident_id=incident.pk,
        expected_version=incident.version,
        officer_narrative="Changed",
    ),
    "add a person": lambda actor, incident, victim, suspect: services.party_add(
        actor=actor, incident_id=incident.pk, person_id=PersonFactory().pk, role=PartyRole.WITNESS
    ),
    "remove a person": lambda actor, incident, victim, suspect: services.party_remove(
        actor=actor, party_id=victim.pk
    ),
    "add an offence": lambda actor, incident, victim, suspect: services.offence_add(
        actor=actor,
        incident_id=incident.pk,
        suspect=suspect,
        offence_type=OffenceType.objects.get(code="common_assault"),
    ),
    "remove an offence": lambda actor, incident, victim, suspect: services.offence_remove(
        actor=actor, offence_id=incident.offences.get().pk
    ),
    "submit": lambda actor, incident, victim, suspect: services.incident_submit(
        actor=actor, incident_id=incident.pk
    ),
    "record the outcome": lambda actor, incident, victim, suspect: services.incident_record_outcome(
        actor=actor, incident_id=incident.pk, outcome="charge"
    ),
    "record the children's referral": lambda actor, incident, victim, suspect: (
        services.childrens_referral_record(
            actor=actor, incident_id=incident.pk, referred_at=timezone.now(), referred_to="CSC"
        )
    ),
    "add a protective order": lambda actor, incident, victim, suspect: protective_order_add(
        actor=actor,
        incident_id=incident.pk,
        protected=victim,
        respondent=suspect,
        order_type=ProtectiveOrderType.values[0],
        made_on=date.today(),
    ),
    "record an arrest decision": lambda actor, incident, victim, suspect: arrest_decision_record(
        actor=actor,
        suspect=suspect,
        outcome="arrested",
        arrested_at=timezone.now() - timedelta(minutes=5),
        arrested_by="PC 1",
    ),
}


@pytest.mark.parametrize("write", INCIDENT_WRITES.values(), ids=INCIDENT_WRITES.keys())
@pytest.mark.parametrize(
    "wrong_user,words",
    [
        (southwark_officer, "another borough"),
        (coordinator, "Only an officer or supervisor"),
    ],
    ids=["another borough's officer", "a MARAC coordinator"],
)
def test_only_a_writer_of_the_incidents_borough_changes_it(write, wrong_user, words):
    incident, victim, suspect = complete_incident(decision=None)
    before = snapshot(incident)

    with pytest.raises(PermissionDenied, match=words):
        write(wrong_user(), incident, victim, suspect)

    assert snapshot(incident) == before


def test_a_central_officer_changes_any_boroughs_incident():
    incident, _, _ = complete_incident(decision=None)
    central = UserFactory(role=Role.OFFICER, team=team("CEN"))

    services.incident_update(
        actor=central,
        incident_id=incident.pk,
        expected_version=incident.version,
        officer_narrative="Updated by the central team",
    )

    assert Incident.objects.get(pk=incident.pk).version == incident.version + 1


def test_only_a_supervisor_closes_an_incident():
    incident, _, _ = complete_incident()
    assess_victims(incident)

    with pytest.raises(PermissionDenied, match="Only a supervisor can close an incident."):
        services.incident_close(actor=incident.created_by, incident_id=incident.pk)

    assert Incident.objects.get(pk=incident.pk).can_close()
    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    services.incident_close(actor=supervisor, incident_id=incident.pk)
    assert not Incident.objects.get(pk=incident.pk).can_edit()


def test_only_officers_and_supervisors_change_the_person_register():
    person = PersonFactory()
    analyst = UserFactory(role=Role.ANALYST, team=team("CEN"))
    people = Person.objects.count()

    with pytest.raises(PermissionDenied, match="change the person register"):
        person_create(actor=analyst, given_name="Ann", family_name="Other")
    with pytest.raises(PermissionDenied, match="change the person register"):
        person_update(
            actor=coordinator(), person_id=person.pk, expected_version=person.version, phone="1"
        )
    with pytest.raises(PermissionDenied, match="change the person register"):
        person_address_add(actor=analyst, person=person, line_1="1 High St", postcode="SE1 1AA")

    assert Person.objects.count() == people
    assert not person.addresses.exists()


def test_the_victim_add_helper_still_works_for_the_incidents_officer():
    # The factories' own path (an officer of the borough) is unchanged by the rule.
    incident, _, _ = complete_incident(decision=None)
    assert add_party(incident, PartyRole.WITNESS).incident_id == incident.pk
