"""Case records made through the real services, as in production."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from cases.models import (
    ArrestOutcome,
    HowReported,
    Incident,
    IncidentStatus,
    NotArrestedReason,
    OffenceType,
    Party,
    PartyRole,
    Person,
    RelationshipType,
)
from cases.services.incidents import incident_create, offence_add, party_add
from cases.services.people import person_create
from cases.services.positive_action import arrest_decision_record
from publicprotection.access.roles import CASE_WRITERS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team

GOOD_JUSTIFICATION = (
    "The suspect had left the address before officers arrived and could not be found after "
    "an area search; enquiries are continuing to trace him at known addresses."
)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    actor = factory.SubFactory(UserFactory)
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = date(1990, 5, 17)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Officers and supervisors register people (person_create checks): a test that passes
        # another role as the actor gets an officer instead.
        if not has_role(kwargs["actor"], CASE_WRITERS):
            kwargs["actor"] = UserFactory(role=Role.OFFICER, team=team("LAM"))
        return person_create(**kwargs)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    borough = factory.LazyFunction(lambda: Borough.objects.get(code="LAM"))
    # An officer of the incident's borough records it (incident_create checks).
    actor = factory.LazyAttribute(lambda o: UserFactory(team=team(o.borough.code)))
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    reported_at = factory.LazyAttribute(lambda o: o.occurred_at + timedelta(minutes=10))
    how_reported = HowReported.EMERGENCY_999
    status = IncidentStatus.OPEN
    officer_narrative = "Officers attended and spoke to both parties."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # incident_create lets officers record in their own borough only: a test that builds
        # another borough's history with its own actor gets that borough's officer instead.
        actor, borough = kwargs["actor"], kwargs["borough"]
        if viewer_borough_id(actor) not in (None, borough.pk) or not has_role(actor, CASE_WRITERS):
            kwargs["actor"] = UserFactory(team=team(borough.code))
        return incident_create(**kwargs)


def add_party(incident, role=PartyRole.VICTIM, person=None, actor=None, **kwargs) -> Party:
    if role == PartyRole.SUSPECT:
        kwargs.setdefault("relationship_to_victim", RelationshipType.FORMER_PARTNER)
    person = person or PersonFactory()
    # As if found by the name search, so another borough's person can be linked too.
    kwargs.setdefault("searched_name", person.full_name)
    return party_add(
        actor=actor or incident.created_by,
        incident_id=incident.pk,
        person_id=person.pk,
        role=role,
        **kwargs,
    )


def add_offence(incident, suspect, code="abh", actor=None):
    return offence_add(
        actor=actor or incident.created_by,
        incident_id=incident.pk,
        suspect=suspect,
        offence_type=OffenceType.objects.get(code=code),
    )


# A PACE Code G necessity assessment that says why each criterion does not apply.
NECESSITY_GROUNDS = {
    "name": "His name is known: he is the victim's husband.",
    "address": "His address is known and verified on the voters' roll.",
    "prevent_injury": "He has moved to his brother's in Kent, 40 miles away, with no contact.",
    "prevent_harm": "No sign of self-harm; he was calm and sober when spoken to.",
    "property": "No damage was done and none was threatened at the address.",
    "public_decency": "No offence against public decency is alleged or likely.",
    "highway": "The incident happened indoors; no obstruction of any highway.",
    "protect_vulnerable": "No children live at the address and the victim is at a refuge.",
    "investigation": "He attended a voluntary interview under caution the same day.",
    "disappearance": "He has a fixed address, a job and reported to the station when asked.",
}


def not_arrested(suspect, reason=NotArrestedReason.SUSPECT_NOT_PRESENT, actor=None, **kwargs):
    kwargs.setdefault("justification", GOOD_JUSTIFICATION)
    if reason in (NotArrestedReason.NOT_NECESSARY, NotArrestedReason.OTHER):
        kwargs.setdefault("necessity_grounds", NECESSITY_GROUNDS)
    return arrest_decision_record(
        actor=actor or suspect.incident.created_by,
        suspect=suspect,
        outcome=ArrestOutcome.NOT_ARRESTED,
        reason=reason,
        **kwargs,
    )


def arrested(suspect, actor=None, when=None):
    return arrest_decision_record(
        actor=actor or suspect.incident.created_by,
        suspect=suspect,
        outcome=ArrestOutcome.ARRESTED,
        arrested_at=when or timezone.now() - timedelta(minutes=30),
        arrested_by="PC 123",
    )


def assess_victims(incident, actor=None) -> None:
    """Submit a STANDARD risk assessment of each victim with none submitted (a draft of theirs
    is submitted as it is): an incident closes only then."""
    # Imported here: riskassessment's test factories import this module.
    from riskassessment.services.assessments import assessment_start
    from riskassessment.tests.factories import submit_standard

    for victim in incident.parties.filter(
        role=PartyRole.VICTIM, has_submitted_risk_assessment=False
    ):
        if not victim.has_risk_assessment:
            assessment_start(actor=actor or incident.created_by, victim=victim)
        submit_standard(victim)


def complete_incident(*, borough_code="LAM", actor=None, decision="not_arrested", **kwargs):
    """An open incident with a victim, a suspect, an ABH offence and an arrest decision."""
    actor = actor or UserFactory(team=team(borough_code))
    incident = IncidentFactory(
        actor=actor, borough=Borough.objects.get(code=borough_code), **kwargs
    )
    victim = add_party(incident, PartyRole.VICTIM, actor=actor)
    suspect = add_party(incident, PartyRole.SUSPECT, actor=actor)
    add_offence(incident, suspect, actor=actor)
    if decision == "not_arrested":
        not_arrested(suspect, actor=actor)
    elif decision == "arrested":
        arrested(suspect, actor=actor)
    incident.refresh_from_db()
    return incident, victim, suspect


def datetime_local(value) -> str:
    """A time as the incident form's date-time boxes send it (London time)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def incident_details_form(**overrides) -> dict:
    """What an officer types on "Record an incident": a Lambeth 999 call three hours ago."""
    now = timezone.now()
    return {
        "occurred_at": datetime_local(now - timedelta(hours=3)),
        "reported_at": datetime_local(now - timedelta(hours=2)),
        "how_reported": "999",
        "borough": "LAM",
        "location_line_1": "12 Acacia Avenue",
        "location_postcode": "SW9 8AA",
        "is_crime": "true",
        "abuse_types": ["physical", "coercive_control"],
        "cad_reference": "CAD 1234",
        **overrides,
    }
