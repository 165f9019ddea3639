"""Who can be linked to an incident by id: a person the viewer already sees, or a match of the
London-wide duplicate check for the name (and date of birth) sent with the link. An id alone,
counted up, links no one outside the viewer's scope, page or API, and the refusal is the same
whether the id names someone or no one."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import IncidentStatus, Party, Person
from cases.selectors.people import MATCH_LIMIT, person_linkable_get, person_search
from cases.services.incidents import PERSON_NOT_LINKABLE, party_add
from cases.services.people import person_alias_add
from cases.tests.factories import IncidentFactory, PersonFactory
from publicprotection.audit.models import AccessAction, AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(southwark_officer):
    """Southwark's person: Lambeth does not see her until she is linked."""
    return PersonFactory(
        actor=southwark_officer,
        given_name="Dana",
        family_name="Kerr",
        date_of_birth=date(1990, 2, 3),
    )


@pytest.fixture
def mo(southwark_officer):
    """Another of Southwark's people, with a name nothing like Dana's."""
    return PersonFactory(actor=southwark_officer, given_name="Mohinder", family_name="Patel")


@pytest.fixture
def incident(lambeth_officer):
    return IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)


def nobodys_id() -> int:
    return (Person.objects.aggregate(last=Max("pk"))["last"] or 0) + 1000


def link_on_the_page(client, incident, person_id, **fields):
    data = {"role": "victim", "name": "", "date_of_birth": "", "person": person_id, **fields}
    return client.post(reverse("cases:incident-party-add", args=[incident.reference]), data)


def link_by_api(api_client, incident, person_id, **fields):
    return api_client.post(
        reverse("api:incident-parties", args=[incident.pk]),
        {"person": person_id, "role": "victim", **fields},
        format="json",
    )


def page_errors(response) -> list[str]:
    assert response.status_code == 200
    return [str(error) for error in response.context["form"].non_field_errors()]


def api_errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 400
    return [(error["attr"], error["detail"]) for error in response.json()["errors"]]


def nothing_linked(incident):
    assert not Party.objects.filter(incident=incident).exists()
    assert not AccessLogEntry.objects.filter(action=AccessAction.COMBINE).exists()


# --- Refused: page and API ---------------------------------------------------------------------


ATTEMPTS = {
    # another borough's person by id alone (the API without a name)
    "no name": lambda dana, mo: (dana.pk, {}),
    "a blank name": lambda dana, mo: (dana.pk, {"name": ""}),
    "a name nothing like theirs": lambda dana, mo: (dana.pk, {"name": "Zebedee Quartermaine"}),
    # the name of someone who is a match, with another person's id
    "another person's name": lambda dana, mo: (mo.pk, {"name": "Dana Kerr"}),
    "a date of birth without a name": lambda dana, mo: (dana.pk, {"date_of_birth": "1990-02-03"}),
    "an id that names no one": lambda dana, mo: (nobodys_id(), {"name": "Dana Kerr"}),
}


# The page's form asks for the name before anything else: its attempts all send one.
NAMED_ATTEMPTS = [
    "a name nothing like theirs",
    "another person's name",
    "an id that names no one",
]


@pytest.mark.parametrize("attempt", NAMED_ATTEMPTS)
def test_the_page_refuses_a_person_neither_seen_nor_matched(
    client, lambeth_officer, incident, dana, mo, attempt
):
    person_id, fields = ATTEMPTS[attempt](dana, mo)
    client.force_login(lambeth_officer)

    response = link_on_the_page(client, incident, person_id, **fields)

    assert page_errors(response) == [PERSON_NOT_LINKABLE]
    # The matches of the name typed are shown again, to choose from (what searching for it
    # shows): nothing of the person whose id was sent.
    shown = response.context["matches"]
    assert shown == person_search(viewer=lambeth_officer, name=fields["name"], visible_only=False)
    assert mo.reference not in response.text and "Mohinder" not in response.text
    if fields["name"] != "Dana Kerr":
        assert dana.reference not in response.text
    nothing_linked(incident)


def test_a_refused_link_shows_the_matches_again_to_choose_from(
    client, lambeth_officer, incident, dana
):
    """A suspect chosen without their relationship to the victim: the error, and the match
    list again, so the officer answers and chooses without searching again."""
    client.force_login(lambeth_officer)

    response = link_on_the_page(client, incident, dana.pk, role="suspect", name="Dana Kerr")

    assert response.status_code == 200
    assert "Select how the suspect is related to the victim" in response.text
    assert list(response.context["matches"]) == [dana]
    assert dana.reference in response.text
    assert not Party.objects.filter(incident=incident).exists()


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_api_refuses_a_person_neither_seen_nor_matched(
    api_client, lambeth_officer, incident, dana, mo, attempt
):
    person_id, fields = ATTEMPTS[attempt](dana, mo)
    api_client.force_authenticate(lambeth_officer)

    response = link_by_api(api_client, incident, person_id, **fields)

    assert api_errors(response) == [("person", PERSON_NOT_LINKABLE)]
    assert dana.reference not in response.text and mo.reference not in response.text
    nothing_linked(incident)


def test_an_unlinkable_id_and_an_id_of_no_one_get_the_same_answer(
    client, api_client, lambeth_officer, incident, dana
):
    """Nothing in the answer tells a caller counting ids which of them exist."""
    client.force_login(lambeth_officer)
    api_client.force_authenticate(lambeth_officer)
    wrong = {"name": "Zebedee Quartermaine"}

    someone = link_by_api(api_client, incident, dana.pk, **wrong)
    no_one = link_by_api(api_client, incident, nobodys_id(), **wrong)
    assert someone.status_code == no_one.status_code == 400
    assert someone.json() == no_one.json()

    someone = link_on_the_page(client, incident, dana.pk, **wrong)
    no_one = link_on_the_page(client, incident, nobodys_id(), **wrong)
    not_an_id = link_on_the_page(client, incident, "x1", **wrong)
    assert page_errors(someone) == page_errors(no_one) == page_errors(not_an_id)
    nothing_linked(incident)


def test_the_service_refuses_whoever_calls_it(lambeth_officer, incident, dana):
    """The rule is in party_add, so a task or command gets it as well as the page and API."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        party_add(actor=lambeth_officer, incident_id=incident.pk, person_id=dana.pk, role="victim")

    assert refused.value.message_dict == {"person": [PERSON_NOT_LINKABLE]}
    assert not Party.objects.filter(incident=incident).exists()


# --- Allowed: the journeys ----------------------------------------------------------------------


def test_search_then_choose_a_london_wide_match_links_them_on_the_page(
    client, lambeth_officer, incident, dana
):
    client.force_login(lambeth_officer)
    typed = {"role": "victim", "name": "Dana Ker", "date_of_birth": "1990-02-03"}
    url = reverse("cases:incident-party-add", args=[incident.reference])

    # The London-wide duplicate check lists Southwark's Dana, with a Link button in the form
    # that carries the typed name and date of birth
    found = client.post(url, typed)
    assert [person.pk for person in found.context["matches"]] == [dana.pk]
    assert f'name="person" value="{dana.pk}"' in found.text

    linked = client.post(url, {**typed, "person": dana.pk})

    assert linked.status_code == 302
    assert Party.objects.filter(incident=incident, person=dana).exists()
    assert AccessLogEntry.objects.filter(
        action=AccessAction.COMBINE, object_id=str(dana.pk), user=lambeth_officer
    ).exists()


def test_the_api_links_a_london_wide_match_of_the_name_sent(
    api_client, lambeth_officer, incident, dana
):
    api_client.force_authenticate(lambeth_officer)

    response = link_by_api(
        api_client, incident, dana.pk, name="dana kerr", date_of_birth="1990-02-03"
    )

    assert response.status_code == 201, response.json()
    assert Party.objects.filter(incident=incident, person=dana).exists()


def test_a_match_by_alias_can_be_linked(
    client, api_client, lambeth_officer, southwark_officer, incident, dana
):
    person_alias_add(actor=southwark_officer, person=dana, full_name="Dee Marchetti")
    other = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)
    api_client.force_authenticate(lambeth_officer)

    page = link_on_the_page(client, incident, dana.pk, name="Dee Marchetti")
    api = link_by_api(api_client, other, dana.pk, name="Dee Marchetti")

    assert page.status_code == 302
    assert api.status_code == 201, api.json()
    assert Party.objects.filter(person=dana).count() == 2


def test_a_match_beyond_the_first_page_of_the_ranking_can_be_linked(
    api_client, lambeth_officer, southwark_officer, incident
):
    """The check is every match of the name, not the first page person_search shows: the
    officer may have paged on, or narrowed by date of birth."""
    for _ in range(MATCH_LIMIT + 1):
        PersonFactory(actor=southwark_officer, given_name="Dana", family_name="Kerr")
    further = PersonFactory(actor=southwark_officer, given_name="Dana", family_name="Kerrison")
    first_page = person_search(viewer=lambeth_officer, name="Dana Kerr", visible_only=False)
    assert len(first_page) == MATCH_LIMIT and further not in first_page
    api_client.force_authenticate(lambeth_officer)

    response = link_by_api(api_client, incident, further.pk, name="Dana Kerr")

    assert response.status_code == 201, response.json()


def test_a_person_the_viewer_already_sees_needs_no_name(
    client, api_client, lambeth_officer, incident
):
    ours = PersonFactory(actor=lambeth_officer, given_name="Lee", family_name="Mint")
    other = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)
    api_client.force_authenticate(lambeth_officer)

    # The page's form always has a name; it need not be theirs
    page = link_on_the_page(client, incident, ours.pk, name="registered")
    api = link_by_api(api_client, other, ours.pk)

    assert page.status_code == 302
    assert api.status_code == 201, api.json()


def test_a_person_seen_through_one_of_the_boroughs_incidents_needs_no_name(
    api_client, lambeth_officer, incident, dana
):
    # Linked once (from a search), Dana is Lambeth's to see and link again
    earlier = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    party_add(
        actor=lambeth_officer,
        incident_id=earlier.pk,
        person_id=dana.pk,
        role="victim",
        searched_name="Dana Kerr",
    )
    assert person_linkable_get(viewer=lambeth_officer, person_id=dana.pk) == dana
    api_client.force_authenticate(lambeth_officer)

    assert link_by_api(api_client, incident, dana.pk).status_code == 201


def test_the_central_team_sees_all_london_so_links_anyone(
    api_client, central_officer, incident, dana
):
    api_client.force_authenticate(central_officer)

    assert link_by_api(api_client, incident, dana.pk).status_code == 201


def query_of(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_register_a_new_person_then_link_them(client, lambeth_officer, incident, dana):
    """None of the matches is the person: registered by Lambeth, Lambeth sees and links them."""
    client.force_login(lambeth_officer)
    url = reverse("cases:incident-party-add", args=[incident.reference])
    found = client.post(url, {"role": "victim", "name": "Dana Kerr", "date_of_birth": "1985-06-07"})
    query = query_of(found.context["register_url"])

    registered = client.post(
        reverse("cases:person-create"),
        {
            "given_name": "Dana",
            "family_name": "Kerr",
            "date_of_birth": "1985-06-07",
            "gender": "female",
            "ethnicity": "other",
            "language": "English",
            "checked": query["checked"],
            "next": query["next"],
        },
    )
    assert registered.status_code == 302
    new = Person.objects.latest("pk")
    assert new != dana
    confirm = client.get(registered["Location"])
    assert "Link Dana Kerr to this incident as victim?" in confirm.text

    # The confirmation's own form, as the page posts it
    linked = client.post(url, {"role": "victim", "name": "registered", "person": new.pk})

    assert linked.status_code == 302
    assert list(Party.objects.filter(incident=incident).values_list("person", flat=True)) == [
        new.pk
    ]


# --- Cost ---------------------------------------------------------------------------------------


def test_the_check_costs_the_same_however_many_people_match(
    api_client, lambeth_officer, southwark_officer
):
    """One query for the viewer's own people, then the duplicate check filtered by id: the
    ranking is never read to find the person in it."""
    api_client.force_authenticate(lambeth_officer)

    def counted_link() -> int:
        # Each time someone Lambeth does not see yet, so the check is the name's
        unseen = PersonFactory(actor=southwark_officer, given_name="Dana", family_name="Kerr")
        incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
        with CaptureQueriesContext(connection) as queries:
            response = link_by_api(api_client, incident, unseen.pk, name="Dana Kerr")
        assert response.status_code == 201
        return len(queries)

    counted_link()  # caches filled
    before = counted_link()
    for _ in range(30):
        PersonFactory(actor=southwark_officer, given_name="Dana", family_name="Kerr")

    assert counted_link() == before
