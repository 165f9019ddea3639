"""The person register: services and selectors, on the real database."""

import threading
import time
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Address, PartyRole, Person, PersonAlias, SearchName
from cases.selectors.names import people_of_borough_named, ranked_names
from cases.selectors.people import (
    MATCH_LIMIT,
    person_disclosable_addresses,
    person_get,
    person_history,
    person_search,
    person_search_queryset,
)
from cases.services.people import (
    address_get_or_create,
    person_address_add,
    person_alias_add,
    person_create,
    person_update,
    person_update_with_aliases,
)
from cases.tests.factories import IncidentFactory, PersonFactory, add_offence, add_party, arrested
from publicprotection.accounts.models import Borough
from publicprotection.errors import ConcurrentEditError
from tests.locks import backends_waiting_for_a_lock

pytestmark = pytest.mark.django_db


# --- Services ----------------------------------------------------------------------------------


def test_create_keeps_search_name_borough_and_aliases(lambeth_officer):
    person = person_create(
        actor=lambeth_officer,
        given_name="  John ",
        family_name="Smith",
        date_of_birth=date(1985, 3, 2),
        aliases=["Johnny  Smith", " ", "JOHNNY SMITH"],
        language="Polish",
        interpreter_needed=True,
    )

    person.refresh_from_db()
    assert (person.given_name, person.search_name) == ("John", "john smith")
    assert person.registered_borough.code == "LAM"
    assert person.created_by == lambeth_officer
    assert list(person.aliases.values_list("full_name", flat=True)) == ["Johnny Smith"]
    assert (person.language, person.interpreter_needed, person.version) == ("Polish", True, 1)


def test_create_refuses_a_future_date_of_birth_and_an_impossible_age(lambeth_officer):
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ValidationError) as future:
        person_create(
            actor=lambeth_officer, given_name="A", family_name="B", date_of_birth=tomorrow
        )
    with pytest.raises(ValidationError) as too_old:
        person_create(actor=lambeth_officer, given_name="A", family_name="B", estimated_age=121)

    assert "date_of_birth" in future.value.message_dict
    assert "estimated_age" in too_old.value.message_dict
    assert Person.objects.count() == 0


def test_create_needs_both_names(lambeth_officer):
    with pytest.raises(ValidationError) as error:
        person_create(actor=lambeth_officer, given_name="Amy", family_name=" ")

    assert "family_name" in error.value.message_dict


def test_update_changes_fields_search_name_and_version(lambeth_officer):
    person = PersonFactory(given_name="Jane", family_name="Doe")

    updated = person_update(
        actor=lambeth_officer,
        person_id=person.pk,
        expected_version=1,
        family_name="Brown ",
        safe_contact_method="text",
    )

    updated.refresh_from_db()
    assert (updated.family_name, updated.search_name) == ("Brown", "jane brown")
    assert (updated.safe_contact_method, updated.version) == ("text", 2)


def test_update_on_a_stale_version_is_refused_and_changes_nothing(lambeth_officer):
    person = PersonFactory(given_name="Jane", family_name="Doe")
    person_update(actor=lambeth_officer, person_id=person.pk, expected_version=1, phone="0700")

    with pytest.raises(ConcurrentEditError):
        person_update(
            actor=lambeth_officer, person_id=person.pk, expected_version=1, family_name="Other"
        )

    person.refresh_from_db()
    assert (person.family_name, person.phone, person.version) == ("Doe", "0700", 2)


def test_update_refuses_unknown_fields(lambeth_officer):
    person = PersonFactory()

    with pytest.raises(ValueError):
        person_update(
            actor=lambeth_officer, person_id=person.pk, expected_version=1, registered_borough=None
        )


def test_alias_add_does_not_duplicate_the_same_name(lambeth_officer):
    person = PersonFactory()

    first = person_alias_add(actor=lambeth_officer, person=person, full_name="Jo Bloggs")
    again = person_alias_add(actor=lambeth_officer, person=person, full_name="  jo   BLOGGS ")

    assert first == again
    assert person.aliases.count() == 1
    assert first.search_name == "jo bloggs"


def test_update_with_aliases_replaces_the_alias_list(lambeth_officer):
    person = PersonFactory(aliases=["Old Name", "Kept Name"])

    person_update_with_aliases(
        actor=lambeth_officer,
        person_id=person.pk,
        expected_version=1,
        aliases=["kept name", "New Name"],
        phone="0711",
    )

    assert sorted(person.aliases.values_list("full_name", flat=True)) == ["Kept Name", "New Name"]


def test_update_with_aliases_on_a_stale_version_leaves_aliases_alone(lambeth_officer):
    person = PersonFactory(aliases=["Old Name"])

    with pytest.raises(ConcurrentEditError):
        person_update_with_aliases(
            actor=lambeth_officer, person_id=person.pk, expected_version=9, aliases=[]
        )

    assert list(person.aliases.values_list("full_name", flat=True)) == ["Old Name"]


def test_the_same_address_typed_twice_is_one_address(lambeth_officer):
    first, second = PersonFactory(), PersonFactory()

    a = person_address_add(
        actor=lambeth_officer, person=first, line_1="12 Acre Lane", postcode="sw2 5su"
    )
    b = person_address_add(
        actor=lambeth_officer, person=second, line_1="12, ACRE LANE", postcode="SW25SU"
    )

    assert a.address_id == b.address_id
    assert Address.objects.count() == 1
    assert a.address.postcode == "SW2 5SU"


def test_a_confidential_address_is_never_the_shared_row_of_its_place(lambeth_officer):
    # A shared row shows its first typing to everyone who links the place: a refuge's own
    # row keeps what this borough recorded from anyone typing the same first line.
    first, second = PersonFactory(), PersonFactory()
    public = person_address_add(
        actor=lambeth_officer, person=first, line_1="12 Acre Lane", postcode="sw2 5su"
    )
    refuge = person_address_add(
        actor=lambeth_officer, person=second, line_1="12, ACRE LANE", line_2="Refuge",
        postcode="SW25SU", is_confidential=True,
    )  # fmt: skip

    assert refuge.address_id != public.address_id
    assert (public.address.line_2, refuge.address.line_2) == ("", "Refuge")
    assert refuge.is_confidential and Address.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_new_address_typed_by_two_officers_at_once_is_one_address():
    """Two officers record the same new address at the same moment (a person's address, an
    incident's location): both find none. The second must end with the first's address, not
    fail on the unique match key (an IntegrityError: a 500)."""
    saved, release = threading.Event(), threading.Event()
    real_save = Address.save

    def save_then_hold(address, *args, **kwargs):
        real_save(address, *args, **kwargs)
        if threading.current_thread().name == "first":
            saved.set()
            release.wait(timeout=10)  # the first's transaction stays open meanwhile

    found = {}

    def record(line_1):
        try:
            with transaction.atomic():
                address = address_get_or_create(line_1=line_1, postcode="SW2 5SU")
            found[threading.current_thread().name] = address.pk
        except Exception as error:  # noqa: BLE001 (the test reports it)
            found[threading.current_thread().name] = type(error).__name__
        finally:
            connection.close()

    with mock.patch.object(Address, "save", save_then_hold):
        first = threading.Thread(target=record, args=("12 Acre Lane",), name="first")
        second = threading.Thread(target=record, args=("12, ACRE LANE",), name="second")
        first.start()
        assert saved.wait(timeout=10)
        second.start()
        deadline = time.monotonic() + 5
        while backends_waiting_for_a_lock() != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert backends_waiting_for_a_lock() == 1, (
            "the second officer's insert did not wait for the first's"
        )
        release.set()
        first.join(timeout=10)
        second.join(timeout=10)

    assert found == {"first": Address.objects.get().pk, "second": Address.objects.get().pk}


def test_address_dates_must_be_in_order(lambeth_officer):
    person = PersonFactory()

    with pytest.raises(ValidationError):
        person_address_add(
            actor=lambeth_officer,
            person=person,
            line_1="1 High Street",
            postcode="SE1 1AA",
            from_date=date(2024, 5, 1),
            to_date=date(2024, 4, 1),
        )

    assert person.addresses.count() == 0


# --- Selectors: search -------------------------------------------------------------------------


def test_search_finds_a_misspelt_name(lambeth_officer):
    john = PersonFactory(given_name="John", family_name="Smith")
    PersonFactory(given_name="Mary", family_name="Jones")

    assert person_search(viewer=lambeth_officer, name="Jon Smth") == [john]


def test_search_finds_a_person_by_alias(lambeth_officer):
    person = PersonFactory(given_name="Margaret", family_name="Okafor", aliases=["Peggy Stone"])

    assert person_search(viewer=lambeth_officer, name="peggy stone") == [person]


def test_search_puts_a_date_of_birth_match_first(lambeth_officer):
    exact_name = PersonFactory(given_name="John", family_name="Smith", date_of_birth=None)
    same_dob = PersonFactory(given_name="Jon", family_name="Smith", date_of_birth=date(1980, 1, 2))

    results = person_search(
        viewer=lambeth_officer, name="John Smith", date_of_birth=date(1980, 1, 2)
    )

    assert results == [same_dob, exact_name]
    assert person_search(viewer=lambeth_officer, name="John Smith")[0] == exact_name


def test_search_is_scoped_unless_checking_for_duplicates(lambeth_officer, southwark_officer):
    lambeth_person = PersonFactory(given_name="John", family_name="Smith", actor=lambeth_officer)

    assert person_search(viewer=southwark_officer, name="John Smith") == []
    assert person_search(viewer=southwark_officer, name="John Smith", visible_only=False) == [
        lambeth_person
    ]


def test_search_gives_partners_nothing_even_for_duplicate_checks(partner):
    PersonFactory(given_name="John", family_name="Smith")

    assert person_search(viewer=partner, name="John Smith", visible_only=False) == []


@pytest.mark.parametrize("viewer", ["central_officer", "lambeth_officer", "southwark_officer"])
def test_search_of_a_common_name_reads_the_best_names_and_ranks_as_the_whole_search(
    request, viewer, lambeth_officer, southwark_officer
):
    """A name shared by more than a page of people is ranked from its most similar names only
    (cases.selectors.names.RankedNames): the page must be the one ranking everyone gives,
    ties, aliases and people the viewer cannot see included."""
    viewer = request.getfixturevalue(viewer)
    for i in range(12):
        PersonFactory(given_name="Verity", family_name="Dunford", actor=lambeth_officer,
                      date_of_birth=date(1980, 1, 1) + timedelta(days=i))  # fmt: skip
    for i in range(6):
        PersonFactory(given_name="Verity", family_name="Dunsford", actor=southwark_officer,
                      date_of_birth=date(1981, 1, 1) + timedelta(days=i))  # fmt: skip
    for family in ("Dunforde", "Dumford", "Durnford", "Smith", "Ashford", "Dunn"):
        PersonFactory(given_name="Verity", family_name=family, actor=lambeth_officer)
        PersonFactory(given_name="Verity", family_name=family, actor=southwark_officer)
    PersonFactory(given_name="Vera", family_name="Dunn", aliases=["Verity Dunford"],
                  actor=southwark_officer)  # fmt: skip

    whole = list(person_search_queryset(viewer=viewer, name="Verity Dunford"))
    assert person_search(viewer=viewer, name="Verity Dunford") == whole[:MATCH_LIMIT]
    # Later pages (the API's): the ranking's own slice.
    assert person_search(viewer=viewer, name="Verity Dunford", start=5, stop=11) == whole[5:11]
    assert person_search(viewer=viewer, name="Verity Dunford", start=20, stop=40) == whole[20:40]
    assert ranked_names("verity dunford").covering(MATCH_LIMIT) is not None


def test_a_central_search_of_a_common_name_reads_only_the_best_names(monkeypatch, central_officer):
    """The point of the narrowing: for a viewer who sees everyone, the first page is read from
    the most similar names alone, in one query, never from every similar name."""
    from cases.selectors import people

    for i in range(25):
        PersonFactory(given_name="Verity", family_name="Dunford",
                      date_of_birth=date(1980, 1, 1) + timedelta(days=i))  # fmt: skip
    for family in ("Dunsford", "Smith", "Ashford"):
        PersonFactory(given_name="Verity", family_name=family)
    searched_names = []
    whole_search = people.person_search_queryset

    def recording(**kwargs):
        searched_names.append(kwargs.get("names"))
        return whole_search(**kwargs)

    monkeypatch.setattr(people, "person_search_queryset", recording)

    results = person_search(viewer=central_officer, name="Verity Dunford")

    assert len(results) == MATCH_LIMIT
    assert searched_names == [["verity dunford"]]


def test_search_ignores_a_one_letter_name(lambeth_officer):
    PersonFactory(given_name="J", family_name="S")

    assert person_search(viewer=lambeth_officer, name=" j ") == []


def _plan(queryset, *, forbid_full_index_scans: bool = False) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_person")
        cursor.execute("ANALYZE cases_personalias")
        # Only to ask whether an index *can* serve the query: with a few dozen rows the planner
        # rightly prefers a sequential scan; on millions it must not have to.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if forbid_full_index_scans:
            # A plain index scan can read a whole table in key order (as bad as a sequential
            # scan); bitmap scans always need an index condition.
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
        return queryset.explain()


def test_similar_names_are_found_through_the_trigram_index_of_distinct_names(lambeth_officer):
    PersonFactory.create_batch(50)
    PersonFactory(given_name="John", family_name="Smith")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_searchname")

    plan = _plan(SearchName.objects.filter(name__trigram_similar="john smith").order_by())

    assert "search_name_trgm" in plan


def test_the_whole_search_query_finds_people_and_aliases_by_exact_name_index(
    lambeth_officer, central_officer
):
    PersonFactory.create_batch(50, aliases=["Some Alias"])
    PersonFactory(given_name="John", family_name="Smith")

    # London-wide, people are read by name; a borough's by the ids of its own bearers of the
    # names (people_of_borough_named, below).
    for viewer, index in ((lambeth_officer, "cases_person_pkey"),
                          (central_officer, "person_search_name")):  # fmt: skip
        queryset = person_search_queryset(viewer=viewer, name="john smith")
        plan = _plan(queryset, forbid_full_index_scans=True)

        assert index in plan
        assert "Seq Scan on cases_person " not in plan
    # The people with a matching alias are read first, by exact name.
    aliases = _plan(PersonAlias.objects.filter(search_name__in=["some alias", "john smith"]))
    assert "alias_search_name" in aliases
    assert "Seq Scan on cases_personalias " not in aliases


def test_every_name_and_alias_is_registered_for_search_whatever_writes_it(lambeth_officer):
    person = person_create(
        actor=lambeth_officer, given_name="Wilhelmina", family_name="Quarrington"
    )
    person_update_with_aliases(
        actor=lambeth_officer,
        person_id=person.pk,
        expected_version=person.version,
        aliases=["Billie Q"],
    )
    # A write that bypasses the services is registered too: the database triggers do it.
    Person.objects.filter(pk=person.pk).update(search_name="mina quarrington")

    names = set(SearchName.objects.values_list("name", flat=True))
    assert {"wilhelmina quarrington", "billie q", "mina quarrington"} <= names
    assert [p.pk for p in person_search(viewer=lambeth_officer, name="Mina Quarington")] == [
        person.pk
    ]
    assert [p.pk for p in person_search(viewer=lambeth_officer, name="billie q")] == [person.pk]


# --- Selectors: scope and history --------------------------------------------------------------


def test_southwark_cannot_open_a_lambeth_only_person_but_central_can(
    lambeth_officer, southwark_officer, central_officer
):
    person = PersonFactory(actor=lambeth_officer)
    IncidentFactory(borough=Borough.objects.get(code="LAM"))

    assert person_get(viewer=central_officer, person_id=person.pk) == person
    assert person_get(viewer=lambeth_officer, person_id=person.pk) == person
    with pytest.raises(Exception) as denied:
        person_get(viewer=southwark_officer, person_id=person.pk)
    assert denied.typename == "Http404"


def test_a_party_in_a_borough_incident_makes_the_person_visible_there(southwark_officer):
    person = PersonFactory()  # registered by Lambeth
    incident = IncidentFactory(borough=Borough.objects.get(code="SOU"))
    add_party(incident, PartyRole.VICTIM, person=person)

    assert person_get(viewer=southwark_officer, person_id=person.pk) == person


def test_history_shows_visible_incidents_newest_first_and_counts_the_rest(lambeth_officer):
    person = PersonFactory()
    now = timezone.now()
    older = IncidentFactory(occurred_at=now - timedelta(days=30))
    newer = IncidentFactory(occurred_at=now - timedelta(days=2))
    elsewhere = IncidentFactory(
        borough=Borough.objects.get(code="SOU"), occurred_at=now - timedelta(days=5)
    )
    add_party(older, PartyRole.VICTIM, person=person)
    suspect = add_party(newer, PartyRole.SUSPECT, person=person)
    add_offence(newer, suspect)
    arrested(suspect)
    add_party(elsewhere, PartyRole.SUSPECT, person=person)
    add_party(elsewhere, PartyRole.WITNESS, person=person)

    history = person_history(viewer=lambeth_officer, person=person)

    assert [p.incident for p in history.parties] == [newer, older]
    assert history.parties[0].arrest_decision.outcome == "arrested"
    assert [o.offence_type.code for o in history.parties[0].offences.all()] == ["abh"]
    assert history.hidden_incident_count == 1


def test_history_hides_nothing_from_a_pan_london_viewer(central_officer):
    person = PersonFactory()
    add_party(IncidentFactory(borough=Borough.objects.get(code="SOU")), person=person)

    history = person_history(viewer=central_officer, person=person)

    assert len(history.parties) == 1
    assert history.hidden_incident_count == 0


def test_alias_rows_are_not_leaked_by_search_for_other_people(lambeth_officer):
    PersonFactory(given_name="Ann", family_name="Lee", aliases=["Zed Zee"])

    assert PersonAlias.objects.count() == 1
    assert person_search(viewer=lambeth_officer, name="Completely Different") == []


def test_confidential_addresses_are_never_disclosable(lambeth_officer):
    person = PersonFactory()
    home = person_address_add(
        actor=lambeth_officer, person=person, line_1="9 Old Street", postcode="SW9 8AA"
    )
    person_address_add(
        actor=lambeth_officer,
        person=person,
        line_1="Refuge",
        postcode="SE11 4AA",
        is_confidential=True,
    )

    assert list(person_disclosable_addresses(person=person)) == [home]


def test_a_boroughs_bearers_of_the_names_are_read_from_the_borough_indexes(
    lambeth_officer, southwark_officer
):
    # Southwark's namesakes are many, Lambeth's one: only the borough indexes read it alone.
    southwark = IncidentFactory(borough=southwark_officer.team.borough)
    namesakes = PersonFactory.create_batch(
        40, given_name="John", family_name="Smith", actor=southwark_officer
    )
    for person in namesakes:
        add_party(southwark, person=person, role=PartyRole.CHILD_IN_HOUSEHOLD)
    ours = PersonFactory(given_name="John", family_name="Smith", actor=lambeth_officer)
    add_party(IncidentFactory(), person=ours)
    with CaptureQueriesContext(connection) as captured:
        people_of_borough_named(["john smith", "jon smith"], lambeth_officer.team.borough_id)
    (sql,) = [q["sql"] for q in captured.captured_queries]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_person")
        cursor.execute("ANALYZE cases_party")
        # Which index *can* serve it: with a few dozen rows the planner rightly prefers a
        # sequential scan; on millions it must not have to.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # The people a borough registered come from an index too (on a few dozen rows the
    # planner may prefer the borough's registrations to person_search_name_borough).
    assert "Seq Scan on cases_person" not in plan, plan
    assert "party_search_name_borough" in plan, plan
