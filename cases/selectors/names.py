"""Fuzzy name matching, shared by the person search and the incident list's search box.

Names are matched with pg_trgm's `%` (similarity at least 0.3, pg_trgm's default): loose
enough for variant spellings ("Mohammed Khan" and "Muhammad Khan" score 0.40), served by the
GIN trigram indexes on person and alias names. benchmarks/README.md has what this costs with
two million people.
"""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Person, PersonAlias


def looks_like_a_name(text: str) -> bool:
    """Names have no digits; CAD and crime references do (and must not be name-searched)."""
    return not any(ch.isdigit() for ch in text)


def name_match_ids(query: str, *, people: QuerySet[Person] | None = None) -> QuerySet:
    """Ids of the people (of `people`, default everyone) whose name or an alias is similar to
    `query` (normalised).

    Two index scans joined by UNION: an OR across the person and alias tables in one WHERE
    would make PostgreSQL read every person row.
    """
    people = Person.objects.all() if people is None else people
    by_name = people.filter(search_name__trigram_similar=query).order_by().values("pk")
    by_alias = (
        PersonAlias.objects.filter(person__in=people, search_name__trigram_similar=query)
        .order_by()
        .values("person_id")
    )
    return by_name.union(by_alias)
