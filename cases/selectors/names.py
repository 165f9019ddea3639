"""Fuzzy name matching, shared by the person search and the incident list's search box.

Names are matched with pg_trgm's `%` (similarity at least 0.3, pg_trgm's default): loose
enough for variant spellings ("Mohammed Khan" and "Muhammad Khan" score 0.40). The match runs
over the distinct names in SearchName (its GIN trigram index), then people and aliases are
found by exact name, so the cost follows the number of different names in London rather than
the number of people (benchmarks/README.md has the measurements).
"""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Person, PersonAlias, SearchName


def looks_like_a_name(text: str) -> bool:
    """Names have no digits; CAD and crime references do (and must not be name-searched)."""
    return not any(ch.isdigit() for ch in text)


def similar_names(query: str) -> list[str]:
    """The distinct normalised names similar to `query` (normalised): a few hundred at most
    for a full name. Read first, on their own, so PostgreSQL then looks people up by exact
    name; as a subquery its row estimate led the planner to scan every person."""
    return list(
        SearchName.objects.filter(name__trigram_similar=query).values_list("name", flat=True)
    )


def name_match_ids(query: str, *, people: QuerySet[Person] | None = None) -> QuerySet:
    """Ids of the people (of `people`, default everyone) whose name or an alias is similar to
    `query` (normalised).

    Two index scans joined by UNION: an OR across the person and alias tables in one WHERE
    would make PostgreSQL read every person row.
    """
    people = Person.objects.all() if people is None else people
    names = similar_names(query)
    by_name = people.filter(search_name__in=names).order_by().values("pk")
    by_alias = (
        PersonAlias.objects.filter(person__in=people, search_name__in=names)
        .order_by()
        .values("person_id")
    )
    return by_name.union(by_alias)
