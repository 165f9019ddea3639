"""Fuzzy name matching, shared by the person search and the incident list's search box.

Names are matched with pg_trgm's `%` (similarity at least 0.3, pg_trgm's default): loose
enough for variant spellings ("Mohammed Khan" and "Muhammad Khan" score 0.40). The match runs
over the distinct names in SearchName (its GIN trigram index), then people and aliases are
found by exact name, so the cost follows the number of different names in London rather than
the number of people (benchmarks/README.md has the measurements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections, transaction
from django.db.models import Count, F, Q, QuerySet

from publicprotection.lookups import AnyOfIds, AnyOfTexts

from ..models import Party, Person, PersonAlias, SearchName

_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """The form names are searched in: lower case, single spaces."""
    return _SPACES.sub(" ", name).strip().lower()


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


# People are counted for the names of a ranking a chunk at a time, most similar first: a page
# needs the first few names (people.NARROWING_FACTORS' pages a few hundred), where a common query has
# hundreds of similar names (672 for the benchmark's at a million incidents).
FIRST_COUNTED_NAMES = 32


@dataclass
class RankedNames:
    """The names similar to a query, most similar first. How many people bear each name is
    read only as far down the ranking as `covering` needs (see FIRST_COUNTED_NAMES)."""

    ranking: list[tuple[str, float]]  # (name, similarity)
    # False when only the head of the ranking was read (ranked_names' `at_least`).
    complete: bool = True
    _people: list[int] = field(default_factory=list, repr=False)

    @property
    def names(self) -> list[str]:
        return [name for name, _similarity in self.ranking]

    def people(self, i: int) -> int:
        """How many people bear the i-th name (people, not aliases)."""
        while len(self._people) <= i:
            chunk = self.names[len(self._people) : len(self._people) + max(
                FIRST_COUNTED_NAMES, len(self._people))]  # fmt: skip
            counted = dict(
                Person.objects.filter(AnyOfTexts(F("search_name"), chunk))
                .order_by()
                .values_list("search_name")
                .annotate(n=Count("id"))
            )
            self._people.extend(counted.get(name, 0) for name in chunk)
        return self._people[i]

    def covering(self, at_least: int) -> tuple[list[str], float] | None:
        """The best names, enough of them for `at_least` people (anyone's, visible or not),
        every name as similar as the last one included, and that last similarity. None if
        all the names together have fewer people.

        Everyone outside these names (and not holding an alias among them) is less similar
        than the last one, so a ranking by similarity that finds `at_least` people at least
        that similar among these names is the ranking of everyone.
        """
        total = 0
        for i, (_name, similarity) in enumerate(self.ranking):
            total += self.people(i)
            if total >= at_least:
                last = i
                while last + 1 < len(self.ranking) and self.ranking[last + 1][1] == similarity:
                    last += 1
                return self.names[: last + 1], similarity
        return None


def ranked_names(query: str, *, at_least: float | None = None) -> RankedNames:
    """The names similar to `query` (normalised), most similar first (the trigram index of
    names); their people are counted later, as far as needed (RankedNames.people).

    With `at_least` (above pg_trgm's 0.3), only the names at least that similar: the head of
    the same ranking, every name in it as similar as in the whole one, but several times
    cheaper to read for a common name (the trigram index then rules out nearly every
    candidate, where at 0.3 thousands of names are fetched and compared).
    """
    names = (
        SearchName.objects.filter(name__trigram_similar=query)
        .annotate(similarity=TrigramSimilarity("name", query))
        .order_by("-similarity", "name")
        .values_list("name", "similarity")
    )
    ranked = list(names) if at_least is None else _read_with_threshold(names, at_least)
    return RankedNames(ranked, complete=at_least is None)


_THRESHOLD = "pg_trgm.similarity_threshold"


def _read_with_threshold(names: QuerySet, threshold: float) -> list:
    """Read `names` with `%` meaning "at least `threshold` similar" (pg_trgm's setting, which
    only the trigram index can use), then give the connection back at pg_trgm's 0.3.

    The setting is local to a transaction of its own (undone with it, also on an error);
    inside a caller's transaction it is set back explicitly, or it would last to that
    transaction's end and every later name search in it would miss names.
    """
    connection = connections[names.db]
    nested = connection.in_atomic_block
    with transaction.atomic(using=names.db), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT current_setting('{_THRESHOLD}', true), set_config('{_THRESHOLD}', %s, true)",
            [str(threshold)],
        )
        previous = cursor.fetchone()[0]
        rows = list(names)
        if nested:
            if previous is None:  # pg_trgm was not loaded yet: its default
                cursor.execute(f"SET LOCAL {_THRESHOLD} TO DEFAULT")
            else:
                cursor.execute(f"SELECT set_config('{_THRESHOLD}', %s, true)", [previous])
    return rows


def people_with_similar_names(
    query: str,
    *,
    people: QuerySet[Person] | None = None,
    names: list[str] | None = None,
    borough_id: int | None = None,
) -> QuerySet[Person]:
    """The people (of `people`, default everyone) whose name or an alias is similar to
    `query` (normalised); `names` narrows the names considered (see RankedNames).

    The names and the few people with a matching alias are read first, so the final WHERE is
    `search_name IN (…) OR id IN (…)`: two index scans PostgreSQL combines, with row estimates
    it can trust (as subqueries, the estimates led it to scan every person).

    `borough_id` (a borough's viewer, whose `people` are the borough's): the people bearing
    the names are then read first among the borough's own (people_of_borough_named), not
    among everyone in London who bears them; `people` still decides who is returned.
    """
    if names is None:
        names = similar_names(query)
    people = Person.objects.all() if people is None else people
    if borough_id is None:
        bearers = Q(AnyOfTexts(F("search_name"), names))
    else:
        bearers = Q(AnyOfIds(F("pk"), people_of_borough_named(names, borough_id)))
    return people.filter(bearers | Q(pk__in=people_with_aliases(names)))


def people_of_borough_named(names: list[str], borough_id: int) -> list[int]:
    """The ids of the people bearing one of `names` whom the borough registered or who are a
    party to one of its incidents, read first: two index-only scans (person_search_name_borough,
    party_search_name_borough), however many people elsewhere in London bear the names.

    Only ever narrows a viewer's search: persons_visible_to, applied with it, still decides
    who may be shown (Party.incident_borough is a copy kept by the database).
    """
    if not names:
        return []
    registered = (
        Person.objects.filter(AnyOfTexts(F("search_name"), names), registered_borough_id=borough_id)
        .order_by()
        .values_list("pk", flat=True)
    )
    in_its_incidents = (
        Party.objects.filter(
            AnyOfTexts(F("person_search_name"), names), incident_borough_id=borough_id
        )
        .order_by()
        .values_list("person_id", flat=True)
    )
    return list(registered.union(in_its_incidents))


def alias_holders(names: list[str]) -> QuerySet[PersonAlias]:
    """The `person_id`s of the aliases among `names` (few: aliases are rare), as a query to
    use inside another one or to read first."""
    return PersonAlias.objects.filter(AnyOfTexts(F("search_name"), names)).values("person_id")


def people_with_aliases(names: list[str]) -> list[int]:
    """The ids of the people with an alias among `names`, read first."""
    if not names:
        return []
    return list(alias_holders(names).values_list("person_id", flat=True).distinct())
