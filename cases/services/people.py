"""Writes for the person register: people, aliases and addresses."""

from __future__ import annotations

import re
import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from publicprotection.access.roles import CASE_WRITERS, has_role
from publicprotection.errors import ConcurrentEditError
from publicprotection.london_time import london_today

from ..models import Address, Incident, IncidentStatus, Party, Person, PersonAddress, PersonAlias
from ..selectors.names import normalise_name
from ..selectors.people import persons_editable_by
from .safeguarding import safeguarding_refresh

_SPACES = re.compile(r"\s+")


def _team_borough(actor):
    return actor.team.borough if actor.team_id else None


MAX_ESTIMATED_AGE = 120


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def person_age_validate(*, date_of_birth: date | None, estimated_age: int | None) -> None:
    """Neither is required (often unknown at the scene), but what is given must be plausible:
    a date of birth in the past and within the oldest age a person is recorded at. Every
    caller (form, API, import) reaches this through person_create and person_update."""
    errors = {}
    today = london_today()
    if date_of_birth and date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    elif date_of_birth and date_of_birth < _years_before(today, MAX_ESTIMATED_AGE):
        errors["date_of_birth"] = f"Date of birth must be within the last {MAX_ESTIMATED_AGE} years"
    if estimated_age is not None and not 0 <= estimated_age <= MAX_ESTIMATED_AGE:
        errors["estimated_age"] = f"Estimated age must be between 0 and {MAX_ESTIMATED_AGE}"
    if errors:
        raise ValidationError(errors)


def require_register_writer(actor) -> None:
    """Officers and supervisors add to and correct the person register (the API and the pages
    check the role first; every caller gets the rule here)."""
    if not has_role(actor, CASE_WRITERS):
        raise PermissionDenied("Only an officer or supervisor can change the person register.")


@transaction.atomic
def person_create(
    *,
    actor,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    aliases: list[str] | tuple[str, ...] = (),
    **fields,
) -> Person:
    require_register_writer(actor)
    person = Person(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        registered_borough=_team_borough(actor),
        created_by=actor,
        **fields,
    )
    person.search_name = normalise_name(f"{person.given_name} {person.family_name}")
    person_age_validate(date_of_birth=person.date_of_birth, estimated_age=person.estimated_age)
    person.full_clean()
    person.save()
    for alias in aliases:
        if alias.strip():
            person_alias_add(actor=actor, person=person, full_name=alias)
    return person


PERSON_EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "estimated_age",
    "gender",
    "ethnicity",
    "language",
    "interpreter_needed",
    "disability",
    "phone",
    "email",
    "safe_contact_method",
    "safe_contact_times",
)


NOT_EDITABLE_FROM_A_DRAFT = (
    "Another borough registered this person, and your borough names them only in a draft "
    "incident: submit the incident first, then change their details."
)


def require_person_editable(actor, person_id: int) -> None:
    """The person's details may be changed by the actor's borough (`persons_editable_by`):
    a draft incident's link shows another borough's person but changes nothing of theirs."""
    require_register_writer(actor)
    if not persons_editable_by(viewer=actor).filter(pk=person_id).exists():
        raise PermissionDenied(NOT_EDITABLE_FROM_A_DRAFT)


@transaction.atomic
def person_update(*, actor, person_id: int, expected_version: int, **fields) -> Person:
    """Change a person's details; refused if someone else saved since `expected_version`."""
    require_person_editable(actor, person_id)
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.version != expected_version:
        raise ConcurrentEditError("person")
    for name, value in fields.items():
        if name not in PERSON_EDITABLE_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    person.search_name = normalise_name(f"{person.given_name} {person.family_name}")
    person_age_validate(date_of_birth=person.date_of_birth, estimated_age=person.estimated_age)
    person.version += 1
    person.full_clean()
    person.save()
    if {"date_of_birth", "estimated_age"} & set(fields):
        _refresh_incidents_of(person, actor=actor)
    return person


def _refresh_incidents_of(person: Person, *, actor) -> None:
    """A changed age can make the person an under-age victim of an incident still in progress
    (DOMAIN.md, child safeguarding): re-route those incidents now, not only at submission."""
    incidents = (
        Incident.objects.filter(pk__in=Party.objects.filter(person=person).values("incident_id"))
        .exclude(status=IncidentStatus.CLOSED)
        .order_by("pk")
        .select_for_update()
    )
    for incident in incidents:
        safeguarding_refresh(incident, actor=actor)


@transaction.atomic
def person_update_with_aliases(
    *,
    actor,
    person_id: int,
    expected_version: int,
    aliases: list[str] | tuple[str, ...] | None = None,
    **fields,
) -> Person:
    """person_update, and (when `aliases` is given) make the aliases exactly that list."""
    person = person_update(
        actor=actor, person_id=person_id, expected_version=expected_version, **fields
    )
    if aliases is not None:
        person_aliases_set(actor=actor, person=person, names=aliases)
    return person


def person_alias_add(*, actor, person: Person, full_name: str) -> PersonAlias:
    """Add an alias; the same name (ignoring case and spacing) is not added twice."""
    search_name = normalise_name(full_name)
    existing = PersonAlias.objects.filter(person=person, search_name=search_name).first()
    if existing is not None:
        return existing
    alias = PersonAlias(
        person=person, full_name=_SPACES.sub(" ", full_name).strip(), search_name=search_name
    )
    alias.full_clean()
    alias.save()
    return alias


@transaction.atomic
def person_aliases_set(*, actor, person: Person, names: list[str] | tuple[str, ...]) -> None:
    """Keep the aliases named, add the new ones and remove the rest (history keeps them)."""
    wanted = {normalise_name(name): name for name in names if name.strip()}
    PersonAlias.objects.filter(person=person).exclude(search_name__in=wanted).delete()
    for name in wanted.values():
        person_alias_add(actor=actor, person=person, full_name=name)


def address_match_key(*, line_1: str, postcode: str) -> str:
    postcode_key = re.sub(r"\s+", "", postcode).upper()
    line_key = re.sub(r"[^a-z0-9]+", " ", line_1.lower()).strip()
    return f"{postcode_key}|{line_key}"


def address_get_or_create(*, line_1: str, postcode: str, line_2: str = "", town: str = "London"):
    """The same place typed twice is one address, so repeat locations can be seen."""
    key = address_match_key(line_1=line_1, postcode=postcode)
    address = Address.objects.filter(match_key=key).first()
    if address is None:
        address = Address(
            line_1=line_1.strip(),
            line_2=line_2.strip(),
            town=town.strip() or "London",
            postcode=re.sub(r"\s+", " ", postcode).strip().upper(),
            match_key=key,
        )
        address.full_clean(validate_unique=False)
        # Someone may be recording the same new place at this moment: get_or_create inserts
        # in a savepoint and, should theirs commit first, takes theirs.
        address, _ = Address.objects.get_or_create(
            match_key=key,
            defaults={
                name: getattr(address, name) for name in ("line_1", "line_2", "town", "postcode")
            },
        )
    return address


def confidential_address_create(
    *, line_1: str, postcode: str, line_2: str = "", town: str = "London"
) -> Address:
    """A confidential address's own row, never the shared one for the same place.

    A shared row shows everyone who links it what was typed first: another borough typing
    the same line 1 and postcode (for this person, another, or an incident's location) was
    shown the refuge's line 2 and town as this borough recorded them. Its own key is never
    a typed place's key, so nobody else's typing reaches it and it reaches nobody."""
    address = Address(
        line_1=line_1.strip(),
        line_2=line_2.strip(),
        town=town.strip() or "London",
        postcode=re.sub(r"\s+", " ", postcode).strip().upper(),
        match_key=f"confidential|{uuid.uuid4().hex}",
    )
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def person_address_add(
    *,
    actor,
    person: Person,
    line_1: str,
    postcode: str,
    line_2: str = "",
    town: str = "London",
    from_date: date | None = None,
    to_date: date | None = None,
    is_confidential: bool = False,
) -> PersonAddress:
    require_person_editable(actor, person.pk)
    place = {"line_1": line_1, "line_2": line_2, "town": town, "postcode": postcode}
    address = (
        confidential_address_create(**place) if is_confidential else address_get_or_create(**place)
    )
    link = PersonAddress(
        person=person,
        address=address,
        from_date=from_date,
        to_date=to_date,
        is_confidential=is_confidential,
        recorded_borough=_team_borough(actor),
    )
    link.full_clean()
    link.save()
    return link
