"""Reads for positive action: the supervisor review queue and outstanding suspects."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Now

from publicprotection.access.roles import CASE_READERS
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer

from ..models import ArrestDecision, Offence, Party, PartyRole, ReviewStatus
from .flags import PersonFlags, incident_flags
from .people import person_history


def decisions_visible_to(*, viewer) -> QuerySet[ArrestDecision]:
    return scope_to_viewer(
        ArrestDecision.objects.all(),
        viewer=viewer,
        borough_field="borough_id",  # the incident's, copied by the database
        police_roles=CASE_READERS,
    )


def _with_related(qs: QuerySet[ArrestDecision]) -> QuerySet[ArrestDecision]:
    return qs.select_related("incident__borough", "suspect__person", "decided_by")


def _overdue_q() -> Q:
    # Only a decision waiting for a supervisor can be overdue: the deadline is theirs.
    return Q(review_status=ReviewStatus.AWAITING, review_due_at__lt=Now())


def _with_overdue(qs: QuerySet[ArrestDecision]) -> QuerySet[ArrestDecision]:
    return qs.annotate(
        is_overdue=Case(
            When(_overdue_q(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def review_queue(*, viewer, include_returned: bool = False) -> QuerySet[ArrestDecision]:
    """Decisions not to arrest awaiting a supervisor, oldest deadline first, overdue marked."""
    statuses = [ReviewStatus.AWAITING]
    if include_returned:
        statuses.append(ReviewStatus.RETURNED)
    return _with_overdue(
        _with_related(decisions_visible_to(viewer=viewer)).filter(review_status__in=statuses)
    ).order_by("review_due_at", "id")


def returned_to_officer(*, viewer) -> QuerySet[ArrestDecision]:
    """Decisions a supervisor returned, waiting for their officer's response."""
    return (
        _with_related(decisions_visible_to(viewer=viewer))
        .filter(review_status=ReviewStatus.RETURNED)
        .order_by("updated_at", "id")
    )


def outstanding_suspects(*, viewer) -> QuerySet[ArrestDecision]:
    """Suspects not yet traced and arrested, oldest first."""
    return (
        _with_related(decisions_visible_to(viewer=viewer))
        .filter(is_outstanding=True)
        .order_by("decided_at", "id")
    )


def decision_get(*, viewer, decision_id) -> ArrestDecision:
    qs = _with_related(decisions_visible_to(viewer=viewer)).prefetch_related("review_events__actor")
    return get_visible_or_404(_with_overdue(qs), pk=decision_id)


@dataclass
class DecisionFilters:
    review_status: str = ""
    outstanding: bool | None = None
    overdue: bool | None = None
    incident_reference: str = ""


def decision_list(*, viewer, filters: DecisionFilters | None = None) -> QuerySet[ArrestDecision]:
    """Arrest decisions the viewer may see, oldest first, overdue marked."""
    f = filters or DecisionFilters()
    qs = _with_overdue(_with_related(decisions_visible_to(viewer=viewer)))
    if f.review_status:
        qs = qs.filter(review_status=f.review_status)
    if f.outstanding is not None:
        qs = qs.filter(is_outstanding=f.outstanding)
    if f.overdue is not None:
        qs = qs.filter(_overdue_q()) if f.overdue else qs.exclude(_overdue_q())
    if f.incident_reference.strip():
        qs = qs.filter(incident__reference=f.incident_reference.strip())
    return qs.order_by("decided_at", "id")


def suspect_visible_to(*, viewer, party_id: int) -> Party | None:
    """A suspect in an incident the viewer may see, or None (missing and forbidden alike)."""
    return (
        scope_to_viewer(
            Party.objects.filter(role=PartyRole.SUSPECT),
            viewer=viewer,
            borough_field="incident__borough_id",
            police_roles=CASE_READERS,
        )
        .select_related("incident", "person")
        .filter(pk=party_id)
        .first()
    )


# How many of a victim's earlier incidents the review page lists (the person page has them all).
REVIEW_HISTORY_SHOWN = 5


@dataclass
class VictimHistory:
    """A victim of the reviewed incident: their repeat flags and earlier incidents."""

    party: Party
    flags: PersonFlags
    # Earlier parts in incidents the viewer may see, newest first (at most REVIEW_HISTORY_SHOWN).
    earlier: list[Party]
    earlier_count: int
    # Incidents outside the viewer's scope: counted, never described.
    hidden_count: int


@dataclass
class ReviewCase:
    """What a supervisor weighs beside a decision not to arrest: the offences, the victims'
    history and flags. The account and the evidence are on the incident itself."""

    offences: list[Offence]
    victims: list[VictimHistory]


def decision_review_case(*, viewer, decision: ArrestDecision) -> ReviewCase:
    """The incident's offences (the suspect's first) and its victims with their history, in a
    fixed number of queries for each victim (an incident has one or two)."""
    incident = decision.incident
    offences = sorted(
        Offence.objects.filter(incident=incident).select_related("offence_type", "suspect__person"),
        key=lambda o: (o.suspect_id != decision.suspect_id, -o.offence_type.seriousness, o.pk),
    )
    parties = list(
        Party.objects.filter(incident=incident).select_related("person").order_by("role", "id")
    )
    flags = incident_flags(incident, parties)
    victims = []
    for party in parties:
        if not party.is_victim:
            continue
        history = person_history(viewer=viewer, person=party.person)
        earlier = [p for p in history.parties if p.incident_id != incident.pk]
        prefetch_related_objects(earlier[:REVIEW_HISTORY_SHOWN], "incident__offences__offence_type")
        victims.append(
            VictimHistory(
                party=party,
                flags=flags.people.get(party.person_id, PersonFlags()),
                earlier=earlier[:REVIEW_HISTORY_SHOWN],
                earlier_count=len(earlier),
                hidden_count=history.hidden_incident_count,
            )
        )
    return ReviewCase(offences=offences, victims=victims)
