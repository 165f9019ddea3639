"""Writes for incidents: recording, parties, offences, safeguarding, submission, outcome."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from publicprotection.access.roles import CASE_WRITERS, SUPERVISORS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.accounts.models import Borough
from publicprotection.errors import ConcurrentEditError, StateError

from ..models import (
    SEPARATING_RELATIONSHIPS,
    ChildrensServicesReferral,
    Incident,
    IncidentReferenceCounter,
    IncidentStatus,
    Offence,
    OffenceType,
    Outcome,
    Party,
    PartyRole,
    SeparationAnswer,
)
from ..selectors.incidents import officer_in_charge_candidates
from ..selectors.people import person_linkable_get
from .people import address_get_or_create
from .positive_action import close_outstanding_in_incident, non_arrests_queue_for_review
from .safeguarding import safeguarding_refresh


def next_incident_reference(*, borough: Borough, when: datetime) -> str:
    """DV/<borough>/<year>/<number>, numbered per borough and year; the row lock serialises."""
    year = timezone.localtime(when).year
    counter, _ = IncidentReferenceCounter.objects.get_or_create(borough=borough, year=year)
    counter = IncidentReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"DV/{borough.code}/{year}/{counter.last_number:06d}"


INCIDENT_EDITABLE_FIELDS = (
    "occurred_at",
    "reported_at",
    "how_reported",
    "is_crime",
    "abuse_types",
    "cad_reference",
    "crime_reference",
    "injuries",
    "weapons",
    "alcohol_involved",
    "drugs_involved",
    "victim_account",
    "officer_narrative",
    "evidence_types",
    "evidence_notes",
    "victim_statement_obtained",
    "victim_supports_prosecution",
    "officer_in_charge",
)


def incident_times_validate(*, occurred_at: datetime, reported_at: datetime) -> None:
    """When it happened and when it was reported: neither in the future, nor before
    INCIDENT_EARLIEST_YEAR, and not reported before it happened. The one place these rules
    live: the form and the API reach them through incident_create and incident_update."""
    now = timezone.now()
    earliest = datetime(
        settings.INCIDENT_EARLIEST_YEAR, 1, 1, tzinfo=timezone.get_current_timezone()
    )
    errors: dict[str, str] = {}
    for name, value, words in (
        ("occurred_at", occurred_at, "The time it happened"),
        ("reported_at", reported_at, "The time it was reported"),
    ):
        if value is None:
            errors[name] = f"{words} is required"
        elif value > now:
            errors[name] = f"{words} must be in the past"
        elif value < earliest:
            errors[name] = f"{words} must be in {settings.INCIDENT_EARLIEST_YEAR} or later"
    if not errors and reported_at < occurred_at:
        errors["reported_at"] = "It cannot be reported before it happened"
    if errors:
        raise ValidationError(errors)


def _location(location: dict | None):
    if not location or not (location.get("line_1") or "").strip():
        return None
    return address_get_or_create(
        line_1=location["line_1"],
        line_2=location.get("line_2", ""),
        town=location.get("town", "London"),
        postcode=location.get("postcode", ""),
    )


def require_recorder_for(actor, borough: Borough) -> None:
    """Officers and supervisors record incidents in their own borough; the central team
    anywhere. The page offers only those boroughs; every caller (API, page, loaders) gets the
    rule here."""
    if not has_role(actor, CASE_WRITERS):
        raise PermissionDenied("Only an officer or supervisor can record an incident.")
    borough_id = viewer_borough_id(actor)
    if borough_id is not None and borough_id != borough.pk:
        raise PermissionDenied("You can record incidents in your own borough only.")


def require_writer_for(
    actor,
    incident: Incident,
    roles: frozenset = CASE_WRITERS,
    message: str = "Only an officer or supervisor can change an incident.",
) -> None:
    """Officers and supervisors change the incidents of their own borough; the central team
    any. The pages and the API reach an incident through the viewer's scope (another borough's
    is a 404) and check the role first; this holds the rule for every caller."""
    if not has_role(actor, roles):
        raise PermissionDenied(message)
    borough_id = viewer_borough_id(actor)
    if borough_id is not None and borough_id != incident.borough_id:
        raise PermissionDenied("This incident belongs to another borough.")


@transaction.atomic
def incident_create(
    *,
    actor,
    borough: Borough,
    occurred_at: datetime,
    reported_at: datetime,
    how_reported: str,
    location: dict | None = None,
    status: str = IncidentStatus.DRAFT,
    **fields,
) -> Incident:
    unknown = set(fields) - set(INCIDENT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown incident fields: {sorted(unknown)}")
    require_recorder_for(actor, borough)
    fields.setdefault("officer_in_charge", actor)
    incident_times_validate(occurred_at=occurred_at, reported_at=reported_at)
    incident = Incident(
        borough=borough,
        occurred_at=occurred_at,
        reported_at=reported_at,
        how_reported=how_reported,
        location=_location(location),
        status=status,
        created_by=actor,
        **fields,
    )
    if status != IncidentStatus.DRAFT:
        incident.submitted_at = timezone.now()
    incident.full_clean(exclude=["reference"])
    incident.reference = next_incident_reference(borough=borough, when=reported_at)
    incident.save()
    return incident


def _lock(incident_id: int, *, actor) -> Incident:
    """The incident, locked for a change `actor` may make (a writer of its borough)."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_writer_for(actor, incident)
    return incident


def _require_version(incident: Incident, expected_version: int | None) -> None:
    if expected_version is not None and incident.version != expected_version:
        raise ConcurrentEditError("incident")


def _ensure_editable(incident: Incident) -> None:
    if not incident.can_edit():
        raise StateError("A closed incident cannot be changed.")


@transaction.atomic
def incident_update(
    *,
    actor,
    incident_id: int,
    expected_version: int,
    location: dict | None = None,
    **fields,
) -> Incident:
    """Change an incident; refused if someone else saved since `expected_version`."""
    incident = _lock(incident_id, actor=actor)
    _require_version(incident, expected_version)
    _ensure_editable(incident)
    previous_officer_id = incident.officer_in_charge_id
    for name, value in fields.items():
        if name not in INCIDENT_EDITABLE_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(incident, name, value)
    if incident.officer_in_charge_id != previous_officer_id:
        # Only a new choice is checked: an officer since moved or gone stays until replaced.
        _require_officer_in_charge_candidate(incident)
    if location is not None:
        incident.location = _location(location)
    incident_times_validate(occurred_at=incident.occurred_at, reported_at=incident.reported_at)
    incident.version += 1
    incident.full_clean()
    incident.save()
    # Ages are measured on the day it happened: a new date can make a victim under age.
    safeguarding_refresh(incident, actor=actor)
    return incident


def _require_officer_in_charge_candidate(incident: Incident) -> None:
    """The officer in charge is an active officer or supervisor of the incident's borough or
    the central team (the form's choices): a hand-made request naming anyone else (another
    borough's officer, an analyst, a partner) would hand them the incident."""
    officer_id = incident.officer_in_charge_id
    if officer_id is None:
        return
    if (
        not officer_in_charge_candidates(borough_id=incident.borough_id)
        .filter(pk=officer_id)
        .exists()
    ):
        raise ValidationError(
            {"officer_in_charge": "Choose an officer or supervisor of the incident's borough"}
        )


def _bump_version(incident: Incident) -> None:
    Incident.objects.filter(pk=incident.pk).update(version=incident.version + 1)
    incident.version += 1


# --- Parties and child safeguarding ----------------------------------------------------------


# One answer whether the id names nobody or someone the actor may not link, so the answer
# never tells which ids exist.
PERSON_NOT_LINKABLE = "Search for this person by name first, then choose them from the matches"


@transaction.atomic
def party_add(
    *,
    actor,
    incident_id: int,
    person_id: int,
    role: str,
    relationship_to_victim: str = "",
    separation: str = "",
    notes: str = "",
    searched_name: str = "",
    searched_date_of_birth: date | None = None,
) -> Party:
    """Link a person to the incident. A suspect says how they are related to the victim and,
    for a partner, former partner or parent of the same child, whether they separated in the
    last 12 months or a separation is planned (empty: not asked).

    The person is one the actor already sees, or a match of the London-wide duplicate check
    for `searched_name` (and `searched_date_of_birth`), the search the link was chosen from
    (person_linkable_get); anyone else, or no one, is the same refusal on `person`."""
    incident = _lock(incident_id, actor=actor)
    _ensure_editable(incident)
    person = person_linkable_get(
        viewer=actor,
        person_id=person_id,
        name=searched_name,
        date_of_birth=searched_date_of_birth,
    )
    if person is None:
        raise ValidationError({"person": PERSON_NOT_LINKABLE})
    if role != PartyRole.SUSPECT:
        relationship_to_victim = separation = ""
    else:
        _validate_suspect_relationship(relationship_to_victim, separation)
    if Party.objects.filter(incident=incident, person=person, role=role).exists():
        raise ValidationError(f"{person} is already recorded as {role.replace('_', ' ')}.")
    party = Party(
        incident=incident,
        person=person,
        role=role,
        relationship_to_victim=relationship_to_victim,
        separation=separation,
        notes=notes,
    )
    party.full_clean()
    party.save()
    safeguarding_refresh(incident, actor=actor)
    _bump_version(incident)
    return party


def _validate_suspect_relationship(relationship_to_victim: str, separation: str) -> None:
    if not relationship_to_victim:
        raise ValidationError(
            {"relationship_to_victim": "Select how the suspect is related to the victim"}
        )
    if separation and separation not in SeparationAnswer.values:
        raise ValidationError({"separation": "Answer yes, no or not known"})
    if separation and relationship_to_victim not in SEPARATING_RELATIONSHIPS:
        raise ValidationError(
            {
                "separation": "Separation is asked only of a partner, former partner or parent "
                "of the same child: leave it unanswered for this relationship"
            }
        )


@transaction.atomic
def suspect_relationship_update(
    *,
    actor,
    party_id: int,
    relationship_to_victim: str,
    separation: str,
    expected_version: int | None = None,
) -> Party:
    """Correct how a suspect is related to the victim and whether they separated in the last
    12 months (or plan to): learnt later, or recorded wrongly. Refused if someone saved the
    incident since `expected_version`; its safeguarding flags are worked out again."""
    party = Party.objects.get(pk=party_id)
    incident = _lock(party.incident_id, actor=actor)
    _require_version(incident, expected_version)
    _ensure_editable(incident)
    if not party.is_suspect:
        raise StateError("Only a suspect's relationship to the victim is recorded.")
    _validate_suspect_relationship(relationship_to_victim, separation)
    party.relationship_to_victim = relationship_to_victim
    party.separation = separation
    party.full_clean()
    party.save(update_fields=["relationship_to_victim", "separation"])
    safeguarding_refresh(incident, actor=actor)
    _bump_version(incident)
    return party


@transaction.atomic
def party_remove(*, actor, party_id: int) -> None:
    party = Party.objects.select_related("incident").get(pk=party_id)
    incident = _lock(party.incident_id, actor=actor)
    if not incident.is_draft:
        raise StateError("People can only be removed while the incident is a draft.")
    if hasattr(party, "arrest_decision"):
        raise StateError("This suspect has an arrest decision, so cannot be removed.")
    # The assessment protects its victim (the database refused the delete: a server error).
    # Read after the incident's lock, which starting an assessment takes first (ADR 0016).
    if Party.objects.filter(pk=party.pk, has_risk_assessment=True).exists():
        raise StateError("This victim has a risk assessment, so cannot be removed.")
    party.delete()
    safeguarding_refresh(incident, actor=actor)
    _bump_version(incident)


@transaction.atomic
def offence_add(
    *, actor, incident_id: int, suspect: Party, offence_type: OffenceType, notes: str = ""
) -> Offence:
    incident = _lock(incident_id, actor=actor)
    _ensure_editable(incident)
    if suspect.incident_id != incident.pk or not suspect.is_suspect:
        raise ValidationError({"suspect": "Choose a suspect in this incident"})
    if Offence.objects.filter(suspect=suspect, offence_type=offence_type).exists():
        raise ValidationError({"offence_type": "This offence is already recorded for the suspect"})
    offence = Offence(incident=incident, suspect=suspect, offence_type=offence_type, notes=notes)
    offence.full_clean()
    offence.save()
    _bump_version(incident)
    return offence


@transaction.atomic
def offence_remove(*, actor, offence_id: int) -> None:
    offence = Offence.objects.get(pk=offence_id)
    incident = _lock(offence.incident_id, actor=actor)
    if not incident.is_draft:
        raise StateError("Offences can only be removed while the incident is a draft.")
    offence.delete()
    _bump_version(incident)


@transaction.atomic
def childrens_referral_record(
    *,
    actor,
    incident_id: int,
    referred_at: datetime | None,
    referred_to: str,
    referral_reference: str = "",
    notes: str = "",
    expected_version: int | None = None,
) -> ChildrensServicesReferral:
    """Record the children's services referral the incident needs (DOMAIN.md: mandatory when a
    victim is under the minimum age or children are present or in the household). It is part of
    the incident: refused if someone saved the incident since `expected_version` (the form
    always sends it)."""
    incident = _lock(incident_id, actor=actor)
    _require_version(incident, expected_version)
    _ensure_editable(incident)
    safeguarding_refresh(incident, actor=actor)
    referral = (
        ChildrensServicesReferral.objects.select_for_update().filter(incident=incident).first()
    )
    if referral is None:
        raise ValidationError(
            "This incident needs no children's services referral: no victim under "
            f"{settings.DOMESTIC_ABUSE_MINIMUM_AGE} and no children recorded.",
            code="not_needed",
        )
    if referred_at is None:
        raise ValidationError({"referred_at": "Enter when the referral was made"})
    if referred_at > timezone.now():
        raise ValidationError({"referred_at": "The referral time cannot be in the future"})
    if referred_at < incident.occurred_at:
        raise ValidationError(
            {"referred_at": "The referral cannot be before the incident happened"}
        )
    referral.referred_at = referred_at
    referral.referred_to = referred_to.strip()
    referral.referral_reference = referral_reference.strip()
    referral.notes = notes
    referral.recorded_by = actor
    if not referral.referred_to:
        raise ValidationError({"referred_to": "Enter who the referral was made to"})
    referral.full_clean()
    referral.save()
    _bump_version(incident)
    return referral


# --- Submission, outcome, closure -----------------------------------------------------------------


def suspects_needing_decision(incident: Incident) -> list[Party]:
    """Suspects of an offence with a power of arrest who have no arrest decision yet."""
    return list(
        Party.objects.filter(
            incident=incident,
            role=PartyRole.SUSPECT,
            offences__offence_type__power_of_arrest=True,
            arrest_decision__isnull=True,
        )
        .select_related("person")
        .distinct()
    )


def submission_problems(incident: Incident) -> list[str]:
    """What stops a draft being submitted, in words an officer can act on."""
    problems = []
    roles = set(incident.parties.values_list("role", flat=True))
    if PartyRole.VICTIM not in roles:
        problems.append("Add the victim.")
    if PartyRole.SUSPECT not in roles:
        problems.append("Add the suspect (a person whose identity is not known can be recorded).")
    if incident.is_crime and not incident.offences.exists():
        problems.append("Record the offences, or mark the incident as a non-crime.")
    for suspect in suspects_needing_decision(incident):
        problems.append(f"Record the arrest decision for {suspect.person}.")
    referral = ChildrensServicesReferral.objects.filter(incident=incident).first()
    if referral is not None and not referral.is_made:
        problems.append("Record the children's services referral.")
    if not incident.officer_narrative.strip():
        problems.append("Write the officer's narrative.")
    return problems


def incident_submit(*, actor, incident_id: int, expected_version: int | None = None) -> Incident:
    """Draft to open. Every decision not to arrest goes to the supervisor review queue.

    The victims' current ages are checked first, and the routing they give is kept even when
    the submission is then refused for the missing children's services referral."""
    with transaction.atomic():
        incident = _lock(incident_id, actor=actor)
        if incident.can_submit():
            safeguarding_refresh(incident, actor=actor)
    return _submit(actor=actor, incident_id=incident_id, expected_version=expected_version)


@transaction.atomic
def _submit(*, actor, incident_id: int, expected_version: int | None) -> Incident:
    incident = _lock(incident_id, actor=actor)
    _require_version(incident, expected_version)
    if not incident.can_submit():
        raise StateError("This incident has already been submitted.")
    safeguarding_refresh(incident, actor=actor)  # in case an age changed since, in this lock
    problems = submission_problems(incident)
    if problems:
        raise ValidationError(problems, code="incomplete")
    now = timezone.now()
    incident.status = IncidentStatus.OPEN
    incident.submitted_at = now
    incident.version += 1
    incident.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    non_arrests_queue_for_review(incident, actor=actor, submitted_at=now)
    return incident


@transaction.atomic
def incident_record_outcome(
    *,
    actor,
    incident_id: int,
    outcome: str,
    no_further_action_reason: str = "",
    expected_version: int | None = None,
) -> Incident:
    """Record the criminal justice outcome; refused if someone saved the incident since
    `expected_version` (the form always sends it)."""
    incident = _lock(incident_id, actor=actor)
    _require_version(incident, expected_version)
    if incident.is_draft:
        raise ValidationError("Submit the incident before recording its outcome.")
    if not incident.is_crime:
        raise ValidationError("A non-crime incident has no criminal justice outcome.")
    if outcome == Outcome.NO_FURTHER_ACTION and not no_further_action_reason.strip():
        raise ValidationError({"no_further_action_reason": "Give the reason for no further action"})
    incident.outcome = outcome
    incident.no_further_action_reason = (
        no_further_action_reason.strip() if outcome == Outcome.NO_FURTHER_ACTION else ""
    )
    incident.version += 1
    incident.full_clean()
    incident.save()
    return incident


def closing_problems(incident: Incident) -> list[str]:
    """What stops an open incident being closed: the records that became due after submission
    (a suspect of an arrestable offence, or a child, recorded later), which nothing else asks
    for, and a victim with no risk assessment submitted (every victim of every incident is
    assessed).
    Closing would let the positive-action rule, the mandatory children's services referral or
    the assessment (DOMAIN.md) lapse unrecorded."""
    problems = [
        f"Record the arrest decision for {suspect.person} before closing the incident."
        for suspect in suspects_needing_decision(incident)
    ]
    referral = ChildrensServicesReferral.objects.filter(incident=incident).first()
    if referral is not None and not referral.is_made:
        problems.append("Record the children's services referral before closing the incident.")
    # The flags are kept by the database from the assessments (riskassessment's triggers). A
    # draft sets no level and refers no one: closing on it would leave the victim unassessed
    # with nothing asking for it again (the draft is on its author's list alone).
    problems += [
        f"Submit the risk assessment of {victim.person} before closing the incident: it is "
        "still a draft."
        if victim.has_risk_assessment
        else f"Make the risk assessment of {victim.person} before closing the incident."
        for victim in incident.parties.filter(
            role=PartyRole.VICTIM, has_submitted_risk_assessment=False
        )
        .select_related("person")
        .order_by("id")
    ]
    return problems


@transaction.atomic
def incident_close(*, actor, incident_id: int, comment: str = "") -> Incident:
    """A supervisor closes the incident; outstanding suspects in it are closed with it.
    Refused while `closing_problems` names anything."""
    incident = _lock(incident_id, actor=actor)
    require_writer_for(actor, incident, SUPERVISORS, "Only a supervisor can close an incident.")
    if not incident.can_close():
        raise StateError("Only an open incident can be closed.")
    problems = closing_problems(incident)
    if problems:
        raise StateError(" ".join(problems))
    close_outstanding_in_incident(actor=actor, incident=incident, comment=comment)
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.version += 1
    incident.save(update_fields=["status", "closed_at", "version", "updated_at"])
    return incident
