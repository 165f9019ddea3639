"""Reads of the person register."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from publicprotection.access.roles import ALL_LONDON_ROLES, CASE_READERS, SUPERVISORS, has_role
from publicprotection.access.scope import get_visible_or_404, viewer_borough_id
from publicprotection.accounts.models import Borough

from ..models import IncidentStatus, Party, PartyRole, Person, PersonAddress, PersonAlias
from .incidents import incidents_visible_to
from .names import normalise_name, people_with_similar_names, ranked_names

MATCH_LIMIT = 20
# Minimum trigram similarity for a "likely match" (pg_trgm's own default is 0.3).
MATCH_THRESHOLD = 0.3
# Name search ranks the people of the best names for a page, then, if too few of them are
# visible to the viewer, of the best names for this many pages, then everyone's. A borough
# sees about a thirtieth of London's people: at a million incidents, 40 pages' people hold a
# page of its own for most names, not all, and jumping from there to every similar name (29,000
# people for some) cost up to 0.3 s; the steps between cut a borough's p99 by a third
# (benchmarks/README.md, session 20).
NARROWING_FACTORS = (1, 40, 160, 640)
# ...and reads those names first from the names at least this similar (names.ranked_names).
# Measured at a million incidents over 300 of the register's names (benchmarks/name_head.py):
# 0.55 holds a page for more names than 0.6, which then had to read every name 0.3 similar
# as well (p90 17 ms against 9-11), and reads fewer candidates than 0.5 or lower.
BEST_NAMES_SIMILARITY = 0.55


def persons_visible_to(*, viewer) -> QuerySet[Person]:
    """People a viewer may open: in their borough's incidents or registered by their borough."""
    if not has_role(viewer, CASE_READERS):
        return Person.objects.none()
    borough_id = viewer_borough_id(viewer)
    if borough_id is None:
        return Person.objects.all()
    in_borough_incident = Exists(
        Party.objects.filter(person=OuterRef("pk"), incident__borough_id=borough_id)
    )
    return Person.objects.filter(Q(registered_borough_id=borough_id) | in_borough_incident)


def persons_editable_by(*, viewer) -> QuerySet[Person]:
    """People whose details the viewer's borough may change: registered by it, or named in one
    of its incidents past the draft. A draft link shows the person (the officer recording the
    incident needs their details) but changes nothing of theirs: a draft is abandoned without
    review, so anyone in London found by a similar name could otherwise be linked, changed
    (a victim's safe-contact details) and unlinked again. Central roles change anyone."""
    if not has_role(viewer, CASE_READERS):
        return Person.objects.none()
    borough_id = viewer_borough_id(viewer)
    if borough_id is None:
        return Person.objects.all()
    in_submitted_incident = Exists(
        Party.objects.filter(person=OuterRef("pk"), incident__borough_id=borough_id).exclude(
            incident__status=IncidentStatus.DRAFT
        )
    )
    return Person.objects.filter(Q(registered_borough_id=borough_id) | in_submitted_incident)


def person_get(*, viewer, person_id) -> Person:
    return get_visible_or_404(
        persons_visible_to(viewer=viewer).prefetch_related("aliases"), pk=person_id
    )


def person_list(*, viewer) -> QuerySet[Person]:
    """Visible people by name, for browsing (the API list without a search)."""
    return (
        persons_visible_to(viewer=viewer)
        .prefetch_related("aliases")
        .order_by("family_name", "given_name", "id")
    )


def addresses_visible_to(*, viewer) -> Q:
    """Which of a visible person's addresses the viewer may see (a filter on PersonAddress).

    Confidential and refuge addresses are shown only to the borough that recorded them and to
    central supervisors (DOMAIN.md): never to another borough that sees the person because
    one of its incidents links them, nor to partners or analysts (who see no person page)."""
    if not has_role(viewer, CASE_READERS):
        return Q(pk__in=[])
    borough_id = viewer_borough_id(viewer)
    if borough_id is None and has_role(viewer, SUPERVISORS):  # central supervisors
        return Q()
    if viewer.role in ALL_LONDON_ROLES:  # administrators: no borough recorded anything
        return Q(is_confidential=False)
    # The central team's own (null) or the viewer's borough's.
    recorded_here = (
        Q(recorded_borough__isnull=True)
        if borough_id is None
        else Q(recorded_borough_id=borough_id)
    )
    return Q(is_confidential=False) | recorded_here


def person_detail_get(*, viewer, person_id) -> Person:
    """One person with aliases and the addresses the viewer may see (addresses_visible_to)."""
    addresses = (
        PersonAddress.objects.filter(addresses_visible_to(viewer=viewer))
        .select_related("address")
        .order_by(F("from_date").desc(nulls_last=True), "-id")
    )
    return get_visible_or_404(
        persons_visible_to(viewer=viewer).prefetch_related(
            "aliases", Prefetch("addresses", queryset=addresses)
        ),
        pk=person_id,
    )


def person_search_queryset(
    *,
    viewer,
    name: str,
    date_of_birth: date | None = None,
    visible_only: bool = True,
    names: list[str] | None = None,
) -> QuerySet[Person]:
    """The query behind person_search, best match first (unsliced, for the API and EXPLAIN).
    `names` narrows the names considered (cases.selectors.names.RankedNames)."""
    query = normalise_name(name)
    if len(query) < 2 or not has_role(viewer, CASE_READERS):
        return Person.objects.none()
    base = persons_visible_to(viewer=viewer) if visible_only else Person.objects.all()
    borough_id = viewer_borough_id(viewer) if visible_only else None
    best_alias = (
        PersonAlias.objects.filter(person=OuterRef("pk"))
        .annotate(similarity=TrigramSimilarity("search_name", query))
        .order_by("-similarity")
        .values("similarity")[:1]
    )
    candidates = (
        people_with_similar_names(query, people=base, names=names, borough_id=borough_id)
        .annotate(
            score=Greatest(
                TrigramSimilarity("search_name", query),
                Coalesce(Subquery(best_alias), Value(0.0)),
            )
        )
        .prefetch_related("aliases")
    )
    if date_of_birth:
        return candidates.annotate(dob_match=Q(date_of_birth=date_of_birth)).order_by(
            F("dob_match").desc(nulls_last=True), "-score", "family_name", "given_name", "id"
        )
    return candidates.order_by("-score", "family_name", "given_name", "id")


def person_linkable_get(
    *, viewer, person_id: int, name: str = "", date_of_birth: date | None = None
) -> Person | None:
    """The person `viewer` may link to an incident by id, or None: whether there is no such
    person or they may not be linked, so the caller gives one answer for both.

    A person may be linked if the viewer already sees them (persons_visible_to), or if they
    are a match of the London-wide duplicate check (person_search with visible_only=False)
    for the name (and date of birth) the viewer searched for and submits with the link.
    Otherwise an id alone, counted up, would link anyone in London and open their record.

    The check is the whole of person_search_queryset's matches, not a page of its ranking:
    every person whose name or an alias is similar to `name` (a date of birth only orders
    them), found by filtering that query by id rather than by reading the ranking.
    """
    person = persons_visible_to(viewer=viewer).filter(pk=person_id).first()
    if person is not None or not name:
        return person
    return (
        person_search_queryset(
            viewer=viewer, name=name, date_of_birth=date_of_birth, visible_only=False
        )
        .filter(pk=person_id)
        .prefetch_related(None)
        .first()
    )


def person_search(
    *,
    viewer,
    name: str,
    date_of_birth: date | None = None,
    visible_only: bool = True,
    start: int = 0,
    stop: int = MATCH_LIMIT,
) -> list[Person]:
    """Likely matches for a name (and date of birth), best first; a matching alias counts.
    Matches start to stop of that ranking (the first page by default).

    Names are matched over the distinct names, then people by exact name
    (cases.selectors.names). visible_only=False searches all London, for the duplicate check
    when recording a party: the caller must then show only what a match list needs (name,
    date of birth).
    """
    search = functools.partial(
        person_search_queryset,
        viewer=viewer,
        name=name,
        date_of_birth=date_of_birth,
        visible_only=visible_only,
    )
    # A common name matches thousands of people; ranked by similarity alone (no date of
    # birth first), the best few are found among the most similar names: enough names for
    # `stop` people, or for NARROWING_FACTORS times as many (a borough sees a fraction of
    # London's people). If not enough of those are visible to the viewer, rank everyone.
    # For a viewer who sees all London, the names are first read only down to
    # BEST_NAMES_SIMILARITY, the head of the ranking: at a million incidents that is enough
    # for a page of a common name, at a fraction of the cost of every similar name (read only
    # if the head is too short). A borough sees too few of the head's people for a page.
    query = normalise_name(name)
    if date_of_birth or len(query) < 2 or not has_role(viewer, CASE_READERS):
        return list(search()[start:stop])
    london_wide = not visible_only or viewer_borough_id(viewer) is None
    ranked = ranked_names(query, at_least=BEST_NAMES_SIMILARITY if london_wide else None)
    for at_least in (stop * factor for factor in NARROWING_FACTORS):
        if (best := ranked.covering(at_least)) is None and not ranked.complete:
            ranked = ranked_names(query)
            best = ranked.covering(at_least)
        if best is None:
            break
        names, least_similarity = best
        matches = list(search(names=names)[start:stop])
        if len(matches) == stop - start and matches[-1].score >= least_similarity:
            return matches
    if not ranked.complete:
        ranked = ranked_names(query)
    return list(search(names=ranked.names)[start:stop])


@dataclass(frozen=True)
class CandidateDetails:
    """What tells apart people with similar names in a duplicate check, from any borough.

    Deliberately little: the registering borough, the postcode district (outward code) of the
    latest address that is not confidential, the date of the latest incident and the register
    number. Never a refuge or confidential address's postcode, nor anything else of the person.
    """

    borough: str
    postcode_district: str
    last_incident_on: date | None


def postcode_district(postcode: str) -> str:
    """The outward code of a UK postcode: "SW1A 1AA" -> "SW1A"."""
    compact = postcode.replace(" ", "").upper()
    return compact[:-3] if len(compact) > 3 else compact


def person_candidates_describe(*, people: list[Person]) -> list[Person]:
    """Set `candidate` (CandidateDetails) on each of `people`, in three queries however many.

    For match lists whose people may be out of the viewer's scope (person_search with
    visible_only=False): only what is needed to tell them apart."""
    ids = [person.pk for person in people]
    if not ids:
        return people
    borough_ids = {person.registered_borough_id for person in people} - {None}
    borough_names = dict(Borough.objects.filter(pk__in=borough_ids).values_list("pk", "name"))
    districts: dict[int, str] = {}
    for person_id, postcode in (
        PersonAddress.objects.filter(person_id__in=ids, is_confidential=False)
        .order_by("person_id", F("from_date").desc(nulls_last=True), "-id")
        .distinct("person_id")
        .values_list("person_id", "address__postcode")
    ):
        districts[person_id] = postcode_district(postcode)
    last_incidents = dict(
        Party.objects.filter(person_id__in=ids)
        .values("person_id")
        .annotate(last=Max("incident__occurred_at"))
        .values_list("person_id", "last")
    )
    for person in people:
        last = last_incidents.get(person.pk)
        person.candidate = CandidateDetails(
            borough=borough_names.get(person.registered_borough_id, "Central team"),
            postcode_district=districts.get(person.pk, ""),
            last_incident_on=timezone.localdate(last) if last else None,
        )
    return people


class PersonSearchResults:
    """person_search as a sequence a paginator slices: each page asks for its own slice."""

    def __init__(self, **search):
        self.search = search

    def __getitem__(self, page: slice) -> list[Person]:
        return person_search(**self.search, start=page.start or 0, stop=page.stop)


@dataclass
class PersonHistory:
    """A person's parts in incidents the viewer may see, newest first."""

    parties: list[Party]
    # Incidents outside the viewer's scope: counted, never described.
    hidden_incident_count: int


def person_history(*, viewer, person: Person) -> PersonHistory:
    """Everything the timeline shows, in a fixed number of queries however long it is."""
    # Start from the person's own parties (a handful) and check which of their incidents the
    # viewer may see, rather than scanning every visible incident in London.
    incident_ids = set(Party.objects.filter(person=person).values_list("incident_id", flat=True))
    visible_ids = set(
        incidents_visible_to(viewer=viewer).filter(pk__in=incident_ids).values_list("pk", flat=True)
    )
    suspects = Party.objects.filter(role=PartyRole.SUSPECT).select_related("person")
    parties = list(
        Party.objects.filter(person=person, incident_id__in=visible_ids)
        .select_related("incident", "arrest_decision")
        .prefetch_related(
            "offences__offence_type",
            Prefetch("incident__parties", queryset=suspects, to_attr="suspect_parties"),
        )
        .order_by("-incident__occurred_at", "-incident_id", "role", "id")
    )
    hidden_count = len(incident_ids - visible_ids)
    return PersonHistory(parties=parties, hidden_incident_count=hidden_count)


def person_disclosable_addresses(*, person: Person) -> QuerySet[PersonAddress]:
    """Addresses that may appear in partner-facing or printed output: never confidential ones."""
    return (
        PersonAddress.objects.filter(person=person, is_confidential=False)
        .select_related("address")
        .order_by(F("from_date").desc(nulls_last=True), "-id")
    )
