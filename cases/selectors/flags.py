"""Repeat flags: dangerous people, dangerous places, vulnerable victims.

Computed from the records, across all of London (a borough officer must know that a victim
is a repeat victim even when the earlier incident was elsewhere); only the flag is shown, not
the other borough's incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from ..models import ArrestDecision, Incident, Party, PartyRole, Person, ReviewStatus


def window() -> timedelta:
    return timedelta(days=settings.REPEAT_WINDOW_DAYS)


@dataclass
class PersonFlags:
    repeat_victim: bool = False
    repeat_suspect: bool = False
    serial_perpetrator: bool = False

    @property
    def labels(self) -> list[str]:
        labels = []
        if self.repeat_victim:
            labels.append("Repeat victim")
        if self.repeat_suspect:
            labels.append("Repeat suspect")
        if self.serial_perpetrator:
            labels.append("Serial perpetrator")
        return labels


@dataclass
class IncidentFlags:
    repeat_location: bool = False
    people: dict[int, PersonFlags] = field(default_factory=dict)  # by person id

    @property
    def labels(self) -> list[str]:
        labels = {label for flags in self.people.values() for label in flags.labels}
        if self.repeat_location:
            labels.add("Repeat location")
        order = ["Repeat victim", "Repeat suspect", "Serial perpetrator", "Repeat location"]
        return [label for label in order if label in labels]


def serial_perpetrator_ids(person_ids) -> set[int]:
    """Suspects of abuse against two or more different victims (any time)."""
    rows = (
        Party.objects.filter(person_id__in=person_ids, role=PartyRole.SUSPECT)
        .values("person_id")
        .annotate(
            victims=Count(
                "incident__parties__person",
                filter=Q(incident__parties__role=PartyRole.VICTIM),
                distinct=True,
            )
        )
        .filter(victims__gte=2)
    )
    return {row["person_id"] for row in rows}


def _people_with_other_incident_as(role: str, person_ids, incident: Incident) -> set[int]:
    """Of these people, those with another incident in this role within the window."""
    if not person_ids:
        return set()
    start, end = incident.occurred_at - window(), incident.occurred_at + window()
    return set(
        Party.objects.filter(
            person_id__in=person_ids, role=role, incident__occurred_at__range=(start, end)
        )
        .exclude(incident=incident)
        .values_list("person_id", flat=True)
        .distinct()
    )


def incident_flags(incident: Incident, parties: list[Party]) -> IncidentFlags:
    """Flags for an incident's people and place, in a fixed number of queries."""
    victims = [p.person_id for p in parties if p.is_victim]
    suspects = [p.person_id for p in parties if p.is_suspect]
    repeat_victims = _people_with_other_incident_as(PartyRole.VICTIM, victims, incident)
    repeat_suspects = _people_with_other_incident_as(PartyRole.SUSPECT, suspects, incident)
    serial = serial_perpetrator_ids(suspects) if suspects else set()
    flags = IncidentFlags()
    for party in parties:
        person_flags = flags.people.setdefault(party.person_id, PersonFlags())
        if party.is_victim:
            person_flags.repeat_victim = party.person_id in repeat_victims
        elif party.is_suspect:
            person_flags.repeat_suspect = party.person_id in repeat_suspects
            person_flags.serial_perpetrator = party.person_id in serial
    if incident.location_id:
        flags.repeat_location = (
            Incident.objects.filter(
                location_id=incident.location_id,
                occurred_at__range=(
                    incident.occurred_at - window(),
                    incident.occurred_at + window(),
                ),
            )
            .exclude(pk=incident.pk)
            .exists()
        )
    return flags


def person_flags(person: Person) -> PersonFlags:
    """Flags for a person across their whole history: any two incidents within the window."""

    def repeated(role: str) -> bool:
        times = list(
            Party.objects.filter(person=person, role=role)
            .order_by("incident__occurred_at")
            .values_list("incident__occurred_at", flat=True)
        )
        return any(b - a <= window() for a, b in zip(times, times[1:], strict=False))

    return PersonFlags(
        repeat_victim=repeated(PartyRole.VICTIM),
        repeat_suspect=repeated(PartyRole.SUSPECT),
        serial_perpetrator=person.pk in serial_perpetrator_ids([person.pk]),
    )


def repeat_victim_exists() -> Exists:
    """For incident lists: a victim of this incident has another incident within the window.
    `list_flags` writes the same rule in SQL (tested against this one)."""
    other = Party.objects.filter(
        role=PartyRole.VICTIM,
        person_id=OuterRef("person_id"),
        incident__occurred_at__gte=OuterRef("incident__occurred_at") - window(),
        incident__occurred_at__lte=OuterRef("incident__occurred_at") + window(),
    ).exclude(incident_id=OuterRef("incident_id"))
    return Exists(
        Party.objects.filter(incident_id=OuterRef("pk"), role=PartyRole.VICTIM).filter(
            Exists(other)
        )
    )


def repeat_location_exists() -> Exists:
    """Another incident at this location within the window (`list_flags` writes it in SQL)."""
    return Exists(
        Incident.objects.filter(
            location_id=OuterRef("location_id"),
            occurred_at__gte=OuterRef("occurred_at") - window(),
            occurred_at__lte=OuterRef("occurred_at") + window(),
        ).exclude(pk=OuterRef("pk"))
    )


@dataclass
class ListFlags:
    repeat_victim: set[int] = field(default_factory=set)
    repeat_location: set[int] = field(default_factory=set)
    outstanding_suspect: set[int] = field(default_factory=set)
    # A decision not to arrest a supervisor returned to the officer, waiting for an answer.
    decision_returned: set[int] = field(default_factory=set)


def list_flags(incident_ids: list[int]) -> ListFlags:
    """Flags for one page of an incident list, in one query over those rows only.

    (Annotating the whole list instead makes PostgreSQL compute the flags for every victim in
    London before it pages.) Written as SQL: the same rules as `repeat_victim_exists` and
    `repeat_location_exists`, which the ORM took 4 ms of Python to compile as three queries on
    every list page, more than PostgreSQL took to answer them. Built from those expressions
    as one annotated query it still took 3.3-3.7 ms of CPU against 0.15 (session 10, 1M), so
    the rule is written twice: change both, cases/tests/test_list_flags.py compares them.
    """
    if not incident_ids:
        return ListFlags()
    incident, party, decision = (
        Incident._meta.db_table,
        Party._meta.db_table,
        ArrestDecision._meta.db_table,
    )
    sql = f"""
        SELECT i.id,
          EXISTS (
            SELECT 1 FROM {party} v
            JOIN {party} o ON o.person_id = v.person_id AND o.role = %(victim)s
                AND o.incident_id <> v.incident_id
            JOIN {incident} oi ON oi.id = o.incident_id
            WHERE v.incident_id = i.id AND v.role = %(victim)s
              AND oi.occurred_at BETWEEN i.occurred_at - %(window)s AND i.occurred_at + %(window)s
          ),
          i.location_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM {incident} l
            WHERE l.location_id = i.location_id AND l.id <> i.id
              AND l.occurred_at BETWEEN i.occurred_at - %(window)s AND i.occurred_at + %(window)s
          ),
          EXISTS (SELECT 1 FROM {decision} d WHERE d.incident_id = i.id AND d.is_outstanding),
          EXISTS (
            SELECT 1 FROM {decision} d WHERE d.incident_id = i.id AND d.review_status = %(returned)s
          )
        FROM {incident} i
        WHERE i.id = ANY(%(ids)s)
    """  # noqa: S608 (table names from the models; every value is a parameter)
    params = {
        "ids": list(incident_ids),
        "victim": PartyRole.VICTIM.value,
        "returned": ReviewStatus.RETURNED.value,
        "window": window(),
    }
    flags = ListFlags()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, repeat_victim, repeat_location, outstanding, returned in cursor.fetchall():
            if repeat_victim:
                flags.repeat_victim.add(pk)
            if repeat_location:
                flags.repeat_location.add(pk)
            if outstanding:
                flags.outstanding_suspect.add(pk)
            if returned:
                flags.decision_returned.add(pk)
    return flags
