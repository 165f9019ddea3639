"""Reads of incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer
from publicprotection.lookups import AnyOfIdArray, AnyOfTexts

from ..models import (
    ArrestDecision,
    ArrestReviewEvent,
    Incident,
    Party,
    PartyRole,
    ProtectiveOrder,
)
from .flags import repeat_location_exists, repeat_victim_exists
from .names import alias_holders, looks_like_a_name, normalise_name, similar_names


def incidents_visible_to(*, viewer) -> QuerySet[Incident]:
    # Partners never read incidents directly: MARAC shares them a case summary instead.
    return scope_to_viewer(
        Incident.objects.all(), viewer=viewer, borough_field="borough_id", police_roles=CASE_READERS
    )


@dataclass
class IncidentFilters:
    q: str = ""
    borough: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    crime: str = ""  # "crime", "non_crime" or ""
    outstanding_suspect: bool = False
    review_status: str = ""
    flag: str = ""  # "repeat_victim", "repeat_location" or ""
    recorded_by_me: bool = False  # only the incidents the viewer recorded (their own drafts)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def incident_list(*, viewer, filters: IncidentFilters | None = None) -> QuerySet[Incident]:
    f = filters or IncidentFilters()
    qs = incidents_visible_to(viewer=viewer)
    if f.borough:
        qs = qs.filter(borough__code=f.borough)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.recorded_by_me:
        qs = qs.filter(created_by=viewer)
    if f.date_from:
        qs = qs.filter(occurred_at__gte=_day_start(f.date_from))
    if f.date_to and f.date_to < date.max:  # up to the last day: no end to add a day to
        qs = qs.filter(occurred_at__lt=_day_start(f.date_to) + timedelta(days=1))
    if f.crime == "crime":
        qs = qs.filter(is_crime=True)
    elif f.crime == "non_crime":
        qs = qs.filter(is_crime=False)
    if f.outstanding_suspect:
        qs = qs.filter(
            Exists(ArrestDecision.objects.filter(incident=OuterRef("pk"), is_outstanding=True))
        )
    if f.review_status:
        qs = qs.filter(
            Exists(
                ArrestDecision.objects.filter(
                    incident=OuterRef("pk"), review_status=f.review_status
                )
            )
        )
    if f.flag == "repeat_victim":
        qs = qs.filter(repeat_victim_exists())
    elif f.flag == "repeat_location":
        qs = qs.filter(location__isnull=False).filter(repeat_location_exists())
    if f.q.strip():
        qs = qs.filter(_search(f.q))
    return qs.select_related("borough", "officer_in_charge").order_by("-occurred_at", "-id")


def _search(text: str):
    """A reference (exact) or a person's name (trigram match on names and aliases).

    The matching incident ids are read first, as one query of index scans (the people with
    similar names, then their parties; the CAD and crime reference indexes), and the list is
    then filtered by id. PostgreSQL then knows how many there are: for a common name (12,000
    incidents of 8,500 similarly named people in a million) it walks incidents in date order
    and stops after a page instead of fetching and sorting every match, and as a subquery its
    estimates led it to scan every incident. The ids travel as one array PostgreSQL writes
    and reads back, never as Python ints.
    """
    text = text.strip()
    if text.upper().startswith("DV/"):
        return Q(reference__iexact=text)
    return AnyOfIdArray(F("pk"), _incident_id_array_matching(text))


def _incidents_matching(text: str) -> QuerySet:
    """The ids of the incidents whose CAD or crime reference is `text`, or, if `text` looks
    like a name, that involve a person with a similar name (duplicates included). Not scoped:
    only ever used to filter a viewer's own incidents."""
    matches = (
        Incident.objects.filter(Q(cad_reference__iexact=text) | Q(crime_reference__iexact=text))
        .order_by()
        .values_list("pk", flat=True)
    )
    if looks_like_a_name(text):
        names = similar_names(normalise_name(text))
        parties = Party.objects.order_by().values_list("incident_id", flat=True)
        # Parties carry their person's name: one index-only scan for every similar name.
        by_name = parties.filter(AnyOfTexts(F("person_search_name"), names))
        by_alias = parties.filter(person_id__in=alias_holders(names))
        matches = by_name.union(by_alias, matches, all=True)
    return matches


def _incident_id_array_matching(text: str) -> str:
    """incident_ids_matching as the text of a PostgreSQL array, duplicates included (they
    match nothing more): what AnyOfIdArray takes."""
    matches = _incidents_matching(text)
    sql, params = matches.query.sql_with_params()
    with connections[matches.db].cursor() as cursor:
        cursor.execute(f"SELECT array_agg(m.id)::text FROM ({sql}) AS m(id)", params)  # noqa: S608 (the ORM's own SQL)
        return cursor.fetchone()[0] or "{}"


def incident_ids_matching(text: str) -> list[int]:
    """Ids of the incidents whose CAD or crime reference is `text`, or, if `text` looks like a
    name, that involve a person with a similar name. Not scoped: only ever used to filter a
    viewer's own incidents."""
    return list(set(_incidents_matching(text)))


def suspect_of(incident: Incident, party_id) -> Party:
    """The suspect `party_id` of `incident` (an incident already read through the viewer's
    scope), with their person; any other party or id is a 404."""
    return get_visible_or_404(
        incident.parties.filter(role=PartyRole.SUSPECT).select_related("person"), pk=party_id
    )


def incident_get(*, viewer, reference: str) -> Incident:
    """One incident with everything its page shows, in a fixed number of queries."""
    qs = (
        incidents_visible_to(viewer=viewer)
        .select_related(
            "borough", "officer_in_charge", "created_by", "location", "childrens_referral"
        )
        .prefetch_related(
            Prefetch(
                "parties", queryset=Party.objects.select_related("person").order_by("role", "id")
            ),
            "offences__offence_type",
            "offences__suspect__person",
            Prefetch(
                "protective_orders",
                queryset=ProtectiveOrder.objects.select_related("protected_person", "respondent"),
            ),
            Prefetch(
                "arrest_decisions",
                queryset=ArrestDecision.objects.select_related("suspect__person", "decided_by")
                .prefetch_related(
                    Prefetch(
                        "review_events",
                        queryset=ArrestReviewEvent.objects.select_related("actor").order_by(
                            "created_at", "id"
                        ),
                    )
                )
                .order_by("id"),
            ),
        )
    )
    incident = get_visible_or_404(qs, reference=reference)
    return incident


def incident_get_by_id(*, viewer, incident_id) -> Incident:
    incident = get_visible_or_404(
        incidents_visible_to(viewer=viewer).only("reference"), pk=incident_id
    )
    return incident_get(viewer=viewer, reference=incident.reference)


def officer_in_charge_candidates(*, borough_id: int):
    """Officers and supervisors who can hold an incident in the borough (its team or central)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=CASE_WRITERS)
        .filter(Q(team__borough_id=borough_id) | Q(team__borough__isnull=True, team__isnull=False))
        .select_related("team")
        .order_by("last_name", "first_name", "username")
    )
