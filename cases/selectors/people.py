"""Reads of the person register."""

from __future__ import annotations

from datetime import date

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest

from publicprotection.access.roles import CASE_READERS, has_role
from publicprotection.access.scope import get_visible_or_404, viewer_borough_id

from ..models import Party, Person, PersonAlias
from ..services.people import normalise_name

MATCH_LIMIT = 20
# Minimum trigram similarity for a "likely match" (pg_trgm's own default is 0.3).
MATCH_THRESHOLD = 0.3


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


def person_get(*, viewer, person_id) -> Person:
    return get_visible_or_404(
        persons_visible_to(viewer=viewer).prefetch_related("aliases"), pk=person_id
    )


def person_search(
    *, viewer, name: str, date_of_birth: date | None = None, visible_only: bool = True
) -> list[Person]:
    """Likely matches for a name (and date of birth), best first.

    Uses the trigram `%` operator so the GIN indexes on names and aliases do the work.
    visible_only=False searches all London, for the duplicate check when recording a party:
    the caller must then show only what a match list needs (name, date of birth).
    """
    query = normalise_name(name)
    if len(query) < 2:
        return []
    base = persons_visible_to(viewer=viewer) if visible_only else Person.objects.all()
    if not has_role(viewer, CASE_READERS):
        return []
    alias_match = PersonAlias.objects.filter(
        person=OuterRef("pk"), search_name__trigram_similar=query
    )
    candidates = (
        base.filter(Q(search_name__trigram_similar=query) | Exists(alias_match))
        .annotate(
            score=Greatest(
                TrigramSimilarity("search_name", query),
                Value(0.0),
            )
        )
        .prefetch_related("aliases")
    )
    if date_of_birth:
        candidates = candidates.annotate(dob_match=Q(date_of_birth=date_of_birth)).order_by(
            F("dob_match").desc(nulls_last=True), "-score", "family_name", "id"
        )
    else:
        candidates = candidates.order_by("-score", "family_name", "id")
    return list(candidates[:MATCH_LIMIT])
