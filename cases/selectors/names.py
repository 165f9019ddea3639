"""Fuzzy name matching, shared by the person search and the incident list's search box.

Names are matched with pg_trgm: `%` keeps names at least as similar as pg_trgm's threshold
(0.3), and `<->` (distance, 1 - similarity) orders them nearest first. The GiST trigram indexes
on person and alias names walk names in distance order and stop at the limit, so a search
costs the same whether ten or ten thousand people have similar names.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramDistance
from django.db.models import QuerySet

from ..models import Person, PersonAlias

# How many nearest names a search considers before scoring: comfortably more than a page of
# results, so that a date-of-birth match or an alias can still lift a person into the top 20.
NEAREST_NAMES = 100


def name_match_ids(
    query: str, *, people: QuerySet[Person] | None = None, limit: int = NEAREST_NAMES
) -> QuerySet:
    """Ids of the people (of `people`, default everyone) whose name or an alias is nearest to
    `query` (normalised): up to `limit` by name plus up to `limit` by alias.

    Two index scans joined by UNION: an OR across the person and alias tables in one WHERE
    would make PostgreSQL read every person row.
    """
    people = Person.objects.all() if people is None else people
    by_name = (
        people.filter(search_name__trigram_similar=query)
        .annotate(distance=TrigramDistance("search_name", query))
        .order_by("distance")
        .values("pk")[:limit]
    )
    by_alias = (
        PersonAlias.objects.filter(person__in=people, search_name__trigram_similar=query)
        .annotate(distance=TrigramDistance("search_name", query))
        .order_by("distance")
        .values("person_id")[:limit]
    )
    return by_name.union(by_alias)
