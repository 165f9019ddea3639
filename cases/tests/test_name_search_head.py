"""Person search reads the head of the name ranking first (names at least
BEST_NAMES_SIMILARITY similar): the results must be those of the whole ranking, and every
other name search must still see every name at least 0.3 similar."""

import pytest
from django.db import connection

from cases.selectors.names import ranked_names, similar_names
from cases.selectors.people import (
    BEST_NAMES_SIMILARITY,
    MATCH_LIMIT,
    person_search,
    person_search_queryset,
)
from cases.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

# Similarity to "verity dunford": dunforde 0.82, vera dunford 0.65, alias "verity dunn" 0.59
# (the head, at least 0.55); ashford 0.5, smith 0.33 (below the head, similar).


def _threshold() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.similarity_threshold', true)")
        return cursor.fetchone()[0]


@pytest.fixture(params=[1, 11], ids=["short head", "head of a page"])
def verities(request, lambeth_officer, southwark_officer):
    """People named exactly (one or eleven a borough), a few close names, and many less
    similar ones. With one, the head holds fewer people than a page, so a page needs the
    names below it; with eleven it holds a page for a central viewer, but not a borough's."""
    people = []
    for actor in (lambeth_officer, southwark_officer):
        for _ in range(request.param):
            people.append(PersonFactory(given_name="Verity", family_name="Dunford", actor=actor))
        people.append(PersonFactory(given_name="Verity", family_name="Dunforde", actor=actor))
        people.append(PersonFactory(given_name="Vera", family_name="Dunford", actor=actor))
        for _ in range(8):
            people.append(PersonFactory(given_name="Verity", family_name="Ashford", actor=actor))
        for _ in range(4):
            people.append(PersonFactory(given_name="Verity", family_name="Smith", actor=actor))
        people.append(
            PersonFactory(
                given_name="Val", family_name="Penn", aliases=["Verity Dunn"], actor=actor
            )  # fmt: skip
        )
    PersonFactory(given_name="Quentin", family_name="Oyelaran")  # not similar
    return people


def test_the_head_of_the_ranking_is_the_whole_rankings_head(verities):
    whole = ranked_names("verity dunford")
    head = ranked_names("verity dunford", at_least=BEST_NAMES_SIMILARITY)

    assert whole.complete and not head.complete
    assert head.ranking == [n for n in whole.ranking if n[1] >= BEST_NAMES_SIMILARITY]
    assert head.names == [
        "verity dunford", "verity dunforde", "vera dunford", "verity dunn"]  # fmt: skip
    assert "verity smith" in whole.names


@pytest.mark.parametrize("viewer", ["central_officer", "lambeth_officer", "southwark_officer"])
def test_the_page_is_the_whole_rankings_page(request, viewer, verities):
    viewer = request.getfixturevalue(viewer)
    whole = list(person_search_queryset(viewer=viewer, name="Verity Dunford"))

    assert person_search(viewer=viewer, name="Verity Dunford") == whole[:MATCH_LIMIT]
    assert person_search(viewer=viewer, name="Verity Dunford", start=3, stop=9) == whole[3:9]
    assert person_search(viewer=viewer, name="Verity Dunford", start=20, stop=40) == whole[20:40]
    # The alias, and the names below the head, are on the whole ranking's pages.
    assert {p.given_name for p in whole} >= {"Val", "Verity"}


@pytest.mark.parametrize("viewer", ["lambeth_officer", "southwark_officer"])
def test_a_boroughs_duplicate_check_is_the_whole_london_rankings_page(request, viewer, verities):
    viewer = request.getfixturevalue(viewer)
    whole = list(person_search_queryset(viewer=viewer, name="Verity Dunford", visible_only=False))

    for start, stop in ((0, MATCH_LIMIT), (3, 9), (20, 40)):
        assert (
            person_search(
                viewer=viewer, name="Verity Dunford", visible_only=False, start=start, stop=stop
            )
            == whole[start:stop]
        )


def test_a_head_long_enough_for_a_page_is_read_alone(monkeypatch, central_officer):
    from cases.selectors import people

    for _ in range(MATCH_LIMIT):
        PersonFactory(given_name="Verity", family_name="Dunford")
    PersonFactory(given_name="Verity", family_name="Smith")
    read = []
    whole_ranking = people.ranked_names

    def recording(query, **kwargs):
        read.append(kwargs.get("at_least"))
        return whole_ranking(query, **kwargs)

    monkeypatch.setattr(people, "ranked_names", recording)

    results = person_search(viewer=central_officer, name="Verity Dunford")

    assert results == list(person_search_queryset(viewer=central_officer,
                                                  name="Verity Dunford"))[:MATCH_LIMIT]  # fmt: skip
    assert read == [BEST_NAMES_SIMILARITY]


def test_a_search_in_a_transaction_leaves_every_similar_name_findable(central_officer, verities):
    """The head is read with pg_trgm's threshold raised; inside a caller's transaction (as
    here: each test is one) it must be set back at once, or every later `%` in that
    transaction would miss the names between 0.3 and the head."""
    person_search(viewer=central_officer, name="Verity Dunford")

    assert _threshold() == "0.3"
    assert "verity smith" in similar_names("verity dunford")


@pytest.mark.django_db(transaction=True)
def test_a_search_outside_a_transaction_leaves_every_similar_name_findable():
    # A transactional test runs on emptied tables (an earlier one flushed them): the teams
    # come back first, then the officer.
    from publicprotection.accounts.models import Role
    from publicprotection.accounts.reference_data import load_reference_data
    from publicprotection.accounts.tests.factories import UserFactory, team

    load_reference_data()
    central_officer = UserFactory(role=Role.OFFICER, team=team("CEN"))
    for _ in range(MATCH_LIMIT):
        PersonFactory(given_name="Verity", family_name="Dunford")
    PersonFactory(given_name="Verity", family_name="Smith")

    assert len(person_search(viewer=central_officer, name="Verity Dunford")) == MATCH_LIMIT

    assert not connection.in_atomic_block
    assert _threshold() == "0.3"
    assert "verity smith" in similar_names("verity dunford")


def _covering_from(ranking, people, at_least):
    """RankedNames.covering computed by hand from every name's count."""
    total = 0
    for i, (_name, similarity) in enumerate(ranking):
        total += people[i]
        if total >= at_least:
            last = max(j for j, (_n, s) in enumerate(ranking) if s == similarity)
            return [name for name, _s in ranking[: last + 1]], similarity
    return None


def test_people_are_counted_only_as_far_down_the_ranking_as_needed(
    monkeypatch, verities, django_assert_num_queries
):
    from cases.models import Person
    from cases.selectors import names

    monkeypatch.setattr(names, "FIRST_COUNTED_NAMES", 2)
    ranked = ranked_names("verity dunford")
    bearers = [Person.objects.filter(search_name=name).count() for name in ranked.names]
    assert len(ranked.names) > 4

    with django_assert_num_queries(1):  # the first two names' people, nothing further
        assert ranked.covering(1) == (["verity dunford"], 1.0)
    for at_least in (1, 2, 3, 5, 8, 13, 21, 34, 55, 1000):
        assert ranked.covering(at_least) == _covering_from(ranked.ranking, bearers, at_least)
    assert [ranked.people(i) for i in range(len(ranked.names))] == bearers


@pytest.mark.parametrize("viewer", ["lambeth_officer", "southwark_officer", "central_officer"])
def test_every_narrowing_step_gives_the_whole_rankings_page(monkeypatch, request, viewer, verities):
    """With steps of one, two and three pages' people, a borough's page is found at a step
    between the first and the last (or at none): always the page of the whole ranking."""
    from cases.selectors import people

    monkeypatch.setattr(people, "NARROWING_FACTORS", (1, 2, 3))
    viewer = request.getfixturevalue(viewer)
    whole = list(person_search_queryset(viewer=viewer, name="Verity Dunford"))

    for start, stop in ((0, 4), (0, 8), (2, 6), (0, MATCH_LIMIT)):
        assert (
            person_search(viewer=viewer, name="Verity Dunford", start=start, stop=stop)
            == (whole[start:stop])
        )
