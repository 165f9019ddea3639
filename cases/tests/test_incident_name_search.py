"""The incident list's search box: the matching ids travel as one array PostgreSQL writes
(AnyOfIdArray), and the list must be exactly the incidents a name or reference matches, in
date order, scoped to the viewer, a page at a time."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from cases.models import Incident, PartyRole
from cases.selectors.incidents import IncidentFilters, incident_ids_matching, incident_list
from cases.services.people import person_alias_add
from cases.tests.factories import IncidentFactory, PersonFactory, add_party
from publicprotection.accounts.models import Borough
from publicprotection.lookups import AnyOfIdArray
from publicprotection.pagination import paginate_without_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(lambeth_supervisor):
    """Incidents of similar names, an alias, a dissimilar name, in two boroughs, at distinct
    times (newest first: index 0). Returns (matching incidents, newest first, others)."""
    now = timezone.now()
    lambeth, southwark = Borough.objects.get(code="LAM"), Borough.objects.get(code="SOU")
    exact = PersonFactory(given_name="Imelda", family_name="Rosewarne")
    close = PersonFactory(given_name="Imelda", family_name="Rosewarn")
    looser = PersonFactory(given_name="Imelda", family_name="Smith")  # 0.33: still similar
    known_as = PersonFactory(given_name="Mel", family_name="Penrose")
    person_alias_add(actor=lambeth_supervisor, person=known_as, full_name="Imelda Rosewarne")
    other = PersonFactory(given_name="Oswin", family_name="Tregothnan")
    matching, others = [], []
    hours = iter(range(1, 1000))
    for i in range(30):
        borough = lambeth if i % 3 else southwark
        incident = IncidentFactory(borough=borough, occurred_at=now - timedelta(hours=next(hours)))
        person = (exact, close, looser, known_as, other)[i % 5]
        add_party(incident, person=person)
        if i % 7 == 0:  # the same person twice in one incident: listed once
            add_party(incident, person=person, role=PartyRole.SUSPECT)
        (others if person is other else matching).append(incident)
    return matching, others


def _listed(viewer, q, page=1):
    found = incident_list(viewer=viewer, filters=IncidentFilters(q=q))
    return paginate_without_count(found, page, per_page=10)


@pytest.mark.parametrize("viewer", ["central_officer", "lambeth_officer", "southwark_officer"])
def test_the_list_is_every_visible_match_newest_first_a_page_at_a_time(request, viewer, scenario):
    viewer = request.getfixturevalue(viewer)
    matching, others = scenario
    borough_id = viewer.team.borough_id
    visible = [i for i in matching if borough_id in (None, i.borough_id)]
    assert len(visible) >= 8  # enough for the pages below to mean something

    pages = [_listed(viewer, "Imelda Rosewarne", page) for page in (1, 2, 3)]

    assert [i for page in pages for i in page.object_list] == visible
    assert [page.has_next for page in pages] == [
        len(visible) > 10, len(visible) > 20, len(visible) > 30]  # fmt: skip
    assert not set(others) & {i for page in pages for i in page.object_list}


def test_the_ids_are_the_same_as_a_list_or_an_array(scenario):
    matching, _others = scenario

    assert set(incident_ids_matching("Imelda Rosewarne")) == {i.pk for i in matching}
    assert incident_ids_matching("Quentin Oyelaran") == []


def test_nothing_similar_lists_nothing(lambeth_officer, scenario):
    assert list(_listed(lambeth_officer, "Quentin Oyelaran").object_list) == []


def test_a_reference_is_still_found(lambeth_officer, scenario):
    matching, _others = scenario
    incident = next(i for i in matching if i.borough.code == "LAM")
    Incident.objects.filter(pk=incident.pk).update(cad_reference="CAD 1234")

    assert list(_listed(lambeth_officer, "cad 1234").object_list) == [incident]


@pytest.mark.parametrize(
    "value", [[1, 2], "{1,2", "{1,2};DROP TABLE x", "{a}", "{1,,2}", "{²}", "1,2", None]
)
def test_the_array_lookup_takes_only_an_array_postgresql_wrote(value):
    with pytest.raises(TypeError):
        list(Incident.objects.filter(AnyOfIdArray(F("pk"), value)))


def test_the_array_lookup_filters_by_the_arrays_ids(scenario):
    matching, _others = scenario
    ids = sorted(i.pk for i in matching[:3])

    found = Incident.objects.filter(AnyOfIdArray(F("pk"), "{" + ",".join(map(str, ids)) + "}"))

    assert sorted(i.pk for i in found) == ids
    assert list(Incident.objects.filter(AnyOfIdArray(F("pk"), "{}"))) == []
