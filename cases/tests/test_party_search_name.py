"""Parties carry their person's search name (kept by database triggers) for name search."""

import pytest
from django.apps import apps

from cases.models import Party, PartyRole
from cases.selectors.incidents import IncidentFilters, incident_ids_matching, incident_list
from cases.services.people import person_alias_add, person_update

from .factories import IncidentFactory, PersonFactory, add_party

pytestmark = pytest.mark.django_db


def _party_names(person):
    return set(Party.objects.filter(person=person).values_list("person_search_name", flat=True))


def test_a_new_party_carries_its_persons_name():
    party = add_party(IncidentFactory(), person=PersonFactory(given_name="Imelda",
                                                              family_name="Rosewarne"))  # fmt: skip

    assert _party_names(party.person) == {"imelda rosewarne"}


def test_renaming_a_person_renames_every_party_without_party_history(lambeth_officer):
    person = PersonFactory(given_name="Imelda", family_name="Rosewarne")
    first, second = IncidentFactory(), IncidentFactory()
    add_party(first, person=person)
    add_party(second, person=person, role=PartyRole.SUSPECT)
    party_events = apps.get_model("cases", "PartyEvent").objects
    events_before = party_events.count()

    person_update(actor=lambeth_officer, person_id=person.pk, expected_version=person.version,
                  given_name="Imelda", family_name="Trevelyan")  # fmt: skip

    assert _party_names(person) == {"imelda trevelyan"}
    assert party_events.count() == events_before  # the copy is not a change to the party
    assert set(incident_ids_matching("Imelda Trevelyan")) == {first.pk, second.pk}
    assert incident_ids_matching("Imelda Rosewarne") == []


def test_whatever_the_orm_writes_the_party_keeps_its_persons_name():
    party = add_party(IncidentFactory(), person=PersonFactory(given_name="Imelda",
                                                              family_name="Rosewarne"))  # fmt: skip
    other = PersonFactory(given_name="Oswin", family_name="Tregothnan")

    Party.objects.filter(pk=party.pk).update(person_search_name="someone else")
    assert _party_names(party.person) == {"imelda rosewarne"}
    Party.objects.filter(pk=party.pk).update(person=other)
    assert Party.objects.get(pk=party.pk).person_search_name == "oswin tregothnan"


def test_the_incident_list_finds_incidents_by_a_similar_name_or_an_alias(lambeth_supervisor):
    victim = PersonFactory(given_name="Imelda", family_name="Rosewarne")
    known_as = PersonFactory(given_name="Mel", family_name="Penrose")
    person_alias_add(actor=lambeth_supervisor, person=known_as, full_name="Imelda Rosewarne")
    by_name, by_alias, unrelated = IncidentFactory(), IncidentFactory(), IncidentFactory()
    add_party(by_name, person=victim)
    add_party(by_alias, person=known_as)
    add_party(unrelated, person=PersonFactory(given_name="Oswin", family_name="Tregothnan"))

    found = incident_list(viewer=lambeth_supervisor, filters=IncidentFilters(q="Imelda Rosewarn"))

    assert set(found) == {by_name, by_alias}
