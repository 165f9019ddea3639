"""Fuzzy name matching, shared by the person search and the incident list's search box.

Names are matched with pg_trgm's `%` (similarity at least 0.3, pg_trgm's default): loose
enough for variant spellings ("Mohammed Khan" and "Muhammad Khan" score 0.40). The match runs
over the distinct names in SearchName (its GIN trigram index), then people and aliases are
found by exact name, so the cost follows the number of different names in London rather than
the number of people (benchmarks/README.md has the measurements).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

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


def people_with_similar_names(
    query: str, *, people: QuerySet[Person] | None = None
) -> QuerySet[Person]:
    """The people (of `people`, default everyone) whose name or an alias is similar to
    `query` (normalised).

    The names and the few people with a matching alias are read first, so the final WHERE is
    `search_name IN (…) OR id IN (…)`: two index scans PostgreSQL combines, with row estimates
    it can trust (as subqueries, the estimates led it to scan every person).
    """
    names = similar_names(query)
    alias_people = (
        list(
            PersonAlias.objects.filter(search_name__in=names)
            .values_list("person_id", flat=True)
            .distinct()
        )
        if names
        else []
    )
    people = Person.objects.all() if people is None else people
    return people.filter(Q(search_name__in=names) | Q(pk__in=alias_people))
