"""Parties carry their incident's borough (kept by database triggers), and a borough's name
search reads its own people with similar names through it: the same people
persons_visible_to lets the borough see, never more."""

import pytest

from cases.models import Incident, Party, PartyRole
from cases.selectors.names import people_of_borough_named
from cases.selectors.people import person_search, person_search_queryset, persons_visible_to
from publicprotection.accounts.models import Borough

from .factories import IncidentFactory, PersonFactory, add_party

pytestmark = pytest.mark.django_db


def _borough(code):
    return Borough.objects.get(code=code)


def _party_boroughs(incident):
    return set(Party.objects.filter(incident=incident).values_list("incident_borough__code",
                                                                   flat=True))  # fmt: skip


def test_a_new_party_carries_its_incidents_borough_whatever_the_write_says():
    incident = IncidentFactory(borough=_borough("SOU"))
    party = add_party(incident)

    assert _party_boroughs(incident) == {"SOU"}
    Party.objects.filter(pk=party.pk).update(incident_borough=_borough("LAM"))
    assert _party_boroughs(incident) == {"SOU"}


def test_a_party_moved_to_another_incident_takes_its_borough():
    southwark, lambeth = IncidentFactory(borough=_borough("SOU")), IncidentFactory()
    party = add_party(southwark)

    Party.objects.filter(pk=party.pk).update(incident=lambeth)

    assert Party.objects.get(pk=party.pk).incident_borough.code == "LAM"


def test_an_incident_moved_to_another_borough_in_the_database_moves_its_parties():
    incident = IncidentFactory()
    add_party(incident)
    add_party(incident, role=PartyRole.SUSPECT)

    Incident.objects.filter(pk=incident.pk).update(borough=_borough("SOU"))

    assert _party_boroughs(incident) == {"SOU"}


@pytest.fixture
def harriets(lambeth_officer, southwark_officer, central_officer):
    """People named Harriet Ashcombe (or close): registered in Lambeth, in a Lambeth incident,
    in a Southwark incident only, registered by the central team, and one with an alias."""
    registered = PersonFactory(given_name="Harriet", family_name="Ashcombe", actor=lambeth_officer)
    in_incident = PersonFactory(given_name="Harriet", family_name="Ashcomb", actor=central_officer)
    add_party(IncidentFactory(), person=in_incident)
    elsewhere = PersonFactory(given_name="Harriet", family_name="Ashcombe",
                              actor=southwark_officer)  # fmt: skip
    add_party(IncidentFactory(borough=_borough("SOU")), person=elsewhere, role=PartyRole.SUSPECT)
    central = PersonFactory(given_name="Harriet", family_name="Ashcome", actor=central_officer)
    return {"registered": registered, "in_incident": in_incident, "elsewhere": elsewhere,
            "central": central}  # fmt: skip


def test_a_boroughs_people_of_a_name_are_those_it_sees(harriets):
    names = ["harriet ashcombe", "harriet ashcomb", "harriet ashcome"]
    for code in ("LAM", "SOU"):
        borough = _borough(code)
        visible = persons_visible_to(viewer=_viewer(code))
        expected = set(visible.filter(search_name__in=names).values_list("pk", flat=True))

        assert set(people_of_borough_named(names, borough.pk)) == expected
    assert set(people_of_borough_named(names, _borough("LAM").pk)) == {
        harriets["registered"].pk, harriets["in_incident"].pk}  # fmt: skip
    assert people_of_borough_named([], _borough("LAM").pk) == []


def _viewer(code):
    from publicprotection.accounts.tests.factories import UserFactory, team

    return UserFactory(team=team(code))


@pytest.mark.parametrize("viewer", ["lambeth_officer", "southwark_officer", "central_officer"])
def test_a_name_search_finds_whom_the_viewer_sees_and_no_one_else(request, viewer, harriets):
    viewer = request.getfixturevalue(viewer)
    visible = set(persons_visible_to(viewer=viewer).values_list("pk", flat=True))
    similar = {p.pk for p in harriets.values()}

    found = {p.pk for p in person_search(viewer=viewer, name="Harriet Ashcombe")}

    assert found == similar & visible
    assert found == {p.pk for p in person_search_queryset(viewer=viewer, name="Harriet Ashcombe")}


def test_a_boroughs_search_does_not_read_londons_namesakes(
    lambeth_officer, central_officer, harriets
):
    """A borough's search reads people by the ids of its own bearers of the names, never by
    name among everyone in London (29,000 people for some names at a million incidents); a
    London-wide viewer's reads them by name."""
    by_name = '"cases_person"."search_name" = ANY('

    borough_sql = str(person_search_queryset(viewer=lambeth_officer, name="Harriet Ashcombe").query)
    london_sql = str(person_search_queryset(viewer=central_officer, name="Harriet Ashcombe").query)

    assert by_name not in borough_sql and '"cases_person"."id" = ANY(' in borough_sql
    assert by_name in london_sql
