"""The person search carries into registration; one duplicate check; candidates told apart."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import IncidentStatus, PartyRole, Person
from cases.selectors.people import person_candidates_describe, postcode_district
from cases.services.people import person_address_add
from cases.tests.factories import IncidentFactory, PersonFactory, add_party

pytestmark = pytest.mark.django_db

CREATE = reverse("cases:person-create")
SEARCH = reverse("cases:person-search")


def register_data(**overrides):
    data = {
        "given_name": "Amira",
        "family_name": "Haddad",
        "date_of_birth": "1991-04-03",
        "gender": "female",
        "ethnicity": "other",
        "language": "Arabic",
    }
    data.update(overrides)
    return data


def party_search(client, incident, **overrides):
    url = reverse("cases:incident-party-add", args=[incident.reference])
    data = {
        "role": "victim",
        "name": "Amira Haddad",
        "date_of_birth": "1991-04-03",
        "relationship_to_victim": "",
        "notes": "",
    }
    data.update(overrides)
    return client.post(url, data)


def query_of(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


# --- Selector ----------------------------------------------------------------------------------


def test_postcode_district_is_the_outward_code():
    assert postcode_district("SW1A 1AA") == "SW1A"
    assert postcode_district("se11ab") == "SE1"
    assert postcode_district("E1 6AN") == "E1"


def test_candidates_show_borough_district_latest_incident_but_never_a_confidential_postcode(
    lambeth_officer,
):
    person = PersonFactory(actor=lambeth_officer)
    person_address_add(
        actor=lambeth_officer,
        person=person,
        line_1="1 Old Road",
        postcode="SE5 9QQ",
        from_date=date(2020, 1, 1),
    )
    person_address_add(
        actor=lambeth_officer,
        person=person,
        line_1="Refuge",
        postcode="N1 7AA",
        from_date=date(2026, 1, 1),
        is_confidential=True,
    )
    older = IncidentFactory(actor=lambeth_officer, occurred_at=timezone.now() - timedelta(days=90))
    newer = IncidentFactory(actor=lambeth_officer, occurred_at=timezone.now() - timedelta(days=3))
    add_party(older, PartyRole.VICTIM, person=person)
    add_party(newer, PartyRole.VICTIM, person=person)
    stranger = PersonFactory()  # registered by the central team, no address, no incident

    person_candidates_describe(people=[person, stranger])

    assert person.candidate.borough == "Lambeth"
    assert person.candidate.postcode_district == "SE5"  # the refuge's N1 is never shown
    assert person.candidate.last_incident_on == timezone.localdate(newer.occurred_at)
    assert stranger.candidate.postcode_district == ""
    assert stranger.candidate.last_incident_on is None
    assert person.reference == f"P{person.pk:07d}"


def test_describing_candidates_takes_the_same_queries_for_2_or_20(lambeth_officer):
    def describe(count):
        people = [PersonFactory(actor=lambeth_officer) for _ in range(count)]
        for person in people:
            person_address_add(
                actor=lambeth_officer, person=person, line_1="1 A St", postcode="SE1 1AA"
            )
        with CaptureQueriesContext(connection) as queries:
            person_candidates_describe(people=people)
        return len(queries)

    assert describe(2) == describe(20) == 3


# --- Search page to registration --------------------------------------------------------------


def test_people_search_register_link_carries_the_name_and_date_of_birth(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.get(SEARCH, {"name": "Mary Ann  Smith", "date_of_birth": "1985-02-01"})

    query = query_of(response.context["register_url"])
    assert query == {
        "given_name": "Mary Ann",
        "family_name": "Smith",
        "date_of_birth": "1985-02-01",
    }
    form = client.get(response.context["register_url"]).text
    assert 'value="Mary Ann"' in form and 'value="Smith"' in form
    # The date of birth in its day, month and year boxes.
    assert 'name="date_of_birth_day" value="1"' in form
    assert 'name="date_of_birth_month" value="2"' in form
    assert 'name="date_of_birth_year" value="1985"' in form


def test_registration_ignores_a_malformed_date_in_the_link(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.get(CREATE, {"family_name": "Smith", "date_of_birth": "1985-13-45"})

    assert response.status_code == 200
    assert 'value="Smith"' in response.text


def test_registering_from_the_people_search_still_checks_london_wide_once(
    client, southwark_officer
):
    # Lambeth's person: the Southwark search did not show them, so registering checks.
    PersonFactory(given_name="Amira", family_name="Haddad", date_of_birth=date(1991, 4, 3))
    client.force_login(southwark_officer)
    link = client.get(SEARCH, {"name": "Amira Haddad"}).context["register_url"]
    assert "checked" not in query_of(link)

    response = client.post(CREATE, register_data())

    assert response.status_code == 200 and "Possible matches" in response.text
    assert Person.objects.count() == 1


# --- Incident person search to registration: one check, not two -------------------------------


def test_incident_search_shows_candidates_told_apart(client, lambeth_officer, southwark_officer):
    lambeth_amira = PersonFactory(
        actor=lambeth_officer,
        given_name="Amira",
        family_name="Haddad",
        date_of_birth=date(1991, 4, 3),
    )
    person_address_add(
        actor=lambeth_officer, person=lambeth_amira, line_1="1 A St", postcode="SW9 8AA"
    )
    person_address_add(
        actor=lambeth_officer,
        person=lambeth_amira,
        line_1="Refuge",
        postcode="N1 7AA",
        from_date=date(2026, 1, 1),
        is_confidential=True,
    )
    southwark_amira = PersonFactory(
        actor=southwark_officer,
        given_name="Amira",
        family_name="Haddad",
        date_of_birth=date(1991, 4, 3),
    )
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)

    response = party_search(client, incident)

    text = response.text
    assert lambeth_amira.reference in text and southwark_amira.reference in text
    assert "Lambeth" in text and "Southwark" in text
    assert "SW9" in text
    assert "N1 7AA" not in text and ">N1<" not in text
    assert "1 A St" not in text  # only the district, never the address


def test_register_from_the_incident_search_does_not_check_again(client, lambeth_officer):
    PersonFactory(given_name="Amira", family_name="Haddad", date_of_birth=date(1991, 4, 3))
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)
    link = party_search(client, incident).context["register_url"]
    query = query_of(link)
    assert (query["given_name"], query["family_name"], query["date_of_birth"]) == (
        "Amira",
        "Haddad",
        "1991-04-03",
    )
    form = client.get(link)
    assert f'name="checked" value="{query["checked"]}"' in form.text

    response = client.post(CREATE, register_data(checked=query["checked"], next=query["next"]))

    assert response.status_code == 302
    person = Person.objects.latest("pk")
    assert response["Location"].endswith(
        f"role=victim&relationship_to_victim=&separation=&person={person.pk}"
    )
    assert Person.objects.filter(family_name="Haddad").count() == 2


def test_a_changed_name_is_checked_again(client, lambeth_officer):
    PersonFactory(given_name="Bashir", family_name="Khan", date_of_birth=date(1991, 4, 3))
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)
    token = query_of(party_search(client, incident).context["register_url"])["checked"]

    response = client.post(
        CREATE, register_data(given_name="Bashir", family_name="Khan", checked=token)
    )

    assert response.status_code == 200 and "Possible matches" in response.text
    assert Person.objects.count() == 1


def test_another_users_or_a_forged_check_counts_for_nothing(
    client, lambeth_officer, lambeth_supervisor
):
    PersonFactory(given_name="Amira", family_name="Haddad", date_of_birth=date(1991, 4, 3))
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)
    token = query_of(party_search(client, incident).context["register_url"])["checked"]
    client.force_login(lambeth_supervisor)

    for forged in (token, token[:-2] + "xx", "rubbish"):
        response = client.post(CREATE, register_data(checked=forged))
        assert response.status_code == 200 and "Possible matches" in response.text
    assert Person.objects.count() == 1


def test_register_form_candidates_are_told_apart(client, southwark_officer, lambeth_officer):
    amira = PersonFactory(
        actor=lambeth_officer,
        given_name="Amira",
        family_name="Haddad",
        date_of_birth=date(1991, 4, 3),
    )
    client.force_login(southwark_officer)

    response = client.post(CREATE, register_data())

    assert amira.reference in response.text and "Lambeth" in response.text
    assert Person.objects.count() == 1
