"""Person API: the same access core as the pages; field errors, never a 500."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import PartyRole, Person
from cases.selectors.people import person_search_queryset
from cases.services.people import person_address_add, person_update
from cases.tests.factories import IncidentFactory, PersonFactory, add_party
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db

LIST = reverse("api:person-list")


def detail_url(person_or_pk):
    return reverse("api:person-detail", args=[getattr(person_or_pk, "pk", person_or_pk)])


def error_attrs(response) -> set[str]:
    return {error["attr"] for error in response.json()["errors"]}


# --- List and search ---------------------------------------------------------------------------


def test_list_is_scoped_ordered_by_name_and_paged_without_a_count(
    api_client, southwark_officer, lambeth_officer
):
    PersonFactory(given_name="Zoe", family_name="Adams", actor=southwark_officer)
    PersonFactory(given_name="Amy", family_name="Brown", actor=southwark_officer)
    PersonFactory(given_name="Not", family_name="Mine", actor=lambeth_officer)
    api_client.force_authenticate(southwark_officer)

    response = api_client.get(LIST, {"page_size": 1})

    assert response.status_code == 200
    body = response.json()
    assert [p["full_name"] for p in body["results"]] == ["Zoe Adams"]
    assert "count" not in body
    assert body["previous"] is None
    second = api_client.get(body["next"]).json()
    assert [p["full_name"] for p in second["results"]] == ["Amy Brown"]
    assert second["next"] is None


def test_search_by_name_finds_typos_and_aliases_with_dob_first(api_client, lambeth_officer):
    exact = PersonFactory(given_name="John", family_name="Smith", date_of_birth=None)
    born = PersonFactory(given_name="Jon", family_name="Smyth", date_of_birth=date(1980, 1, 2))
    by_alias = PersonFactory(given_name="Peter", family_name="Kay", aliases=["John Smith"])
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST, {"name": "Jon Smth", "date_of_birth": "1980-01-02"})

    assert response.status_code == 200
    ids = [p["id"] for p in response.json()["results"]]
    assert ids[0] == born.pk
    assert set(ids) == {exact.pk, born.pk, by_alias.pk}
    alias_row = next(p for p in response.json()["results"] if p["id"] == by_alias.pk)
    assert alias_row["aliases"] == ["John Smith"]


def test_search_pages_follow_one_ranking(api_client, central_officer, lambeth_officer):
    for i in range(8):
        PersonFactory(given_name="Verity", family_name="Dunford", actor=lambeth_officer,
                      date_of_birth=date(1980, 1, 1) + timedelta(days=i))  # fmt: skip
    for family in ("Dunforde", "Dumford", "Durnford", "Dunsford"):
        PersonFactory(given_name="Verity", family_name=family, actor=lambeth_officer)
    api_client.force_authenticate(central_officer)

    seen, url = [], LIST + "?name=Verity+Dunford&page_size=5"
    while url:
        body = api_client.get(url).json()
        seen += [p["id"] for p in body["results"]]
        url = body["next"]

    ranking = person_search_queryset(viewer=central_officer, name="Verity Dunford")
    assert seen == [p.pk for p in ranking] and len(seen) == 12


def test_search_with_a_bad_date_is_a_400_with_the_field(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(LIST, {"name": "John", "date_of_birth": "02/01/1980"})

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert error_attrs(response) == {"date_of_birth"}


def test_bad_page_numbers_are_not_errors(api_client, lambeth_officer):
    PersonFactory()
    api_client.force_authenticate(lambeth_officer)

    assert api_client.get(LIST, {"page": "abc", "page_size": "x"}).status_code == 200
    assert api_client.get(LIST, {"page": "999999"}).json()["results"] == []


def test_list_query_count_does_not_grow_with_rows(
    api_client, lambeth_officer, django_assert_max_num_queries
):
    api_client.force_authenticate(lambeth_officer)
    PersonFactory.create_batch(5, aliases=["An Alias"])
    with django_assert_max_num_queries(10) as five:
        api_client.get(LIST)
    PersonFactory.create_batch(20, aliases=["An Alias"])
    with django_assert_max_num_queries(10) as twenty_five:
        response = api_client.get(LIST)
    assert len(response.json()["results"]) == 25
    assert len(twenty_five.captured_queries) == len(five.captured_queries)


# --- Create ------------------------------------------------------------------------------------


def test_create_returns_201_with_the_person(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST,
        {
            "given_name": "Amira",
            "family_name": "Haddad",
            "aliases": ["Amy Haddad"],
            "estimated_age": 30,
            "safe_contact_method": "idva",
            "interpreter_needed": True,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get()
    assert body["id"] == person.pk
    assert (body["full_name"], body["estimated_age"], body["version"]) == ("Amira Haddad", 30, 1)
    assert body["aliases"] == ["Amy Haddad"]
    assert body["addresses"] == [] and body["flags"] == []
    assert person.registered_borough.code == "LAM"


@pytest.mark.parametrize(
    ("payload", "attrs"),
    [
        ({"given_name": "Amira"}, {"family_name"}),
        ({"given_name": "Amira", "family_name": "  "}, {"family_name"}),
        ({"given_name": "A", "family_name": "B", "date_of_birth": "1990-13-45"}, {"date_of_birth"}),
        ({"given_name": "A", "family_name": "B", "estimated_age": 121}, {"estimated_age"}),
        ({"given_name": "A", "family_name": "B", "gender": "dragon"}, {"gender"}),
        ({"given_name": "A", "family_name": "B", "email": "nope"}, {"email"}),
        ({"given_name": "A", "family_name": "B", "aliases": "not a list"}, {"aliases"}),
    ],
)
def test_create_with_bad_input_is_a_400_with_field_errors(
    api_client, lambeth_officer, payload, attrs
):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(LIST, payload, format="json")

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert error_attrs(response) == attrs
    assert Person.objects.count() == 0


def test_create_with_a_future_date_of_birth_is_a_400(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = api_client.post(
        LIST, {"given_name": "A", "family_name": "B", "date_of_birth": tomorrow}, format="json"
    )

    assert response.status_code == 400
    assert error_attrs(response) == {"date_of_birth"}
    assert Person.objects.count() == 0


def test_malformed_json_is_a_400_not_a_500(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(LIST, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert Person.objects.count() == 0


# --- Detail ------------------------------------------------------------------------------------


def test_detail_includes_confidential_addresses_flags_and_logs_the_read(
    api_client, lambeth_officer
):
    person = PersonFactory(aliases=["Dee"])
    person_address_add(
        actor=lambeth_officer,
        person=person,
        line_1="Refuge, 3 Quiet Road",
        postcode="SE11 4AA",
        is_confidential=True,
    )
    now = timezone.now()
    for days in (3, 10):
        add_party(IncidentFactory(occurred_at=now - timedelta(days=days)), person=person)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(detail_url(person))

    assert response.status_code == 200
    body = response.json()
    assert body["aliases"] == ["Dee"]
    assert body["addresses"] == [
        {
            "id": person.addresses.get().pk,
            "line_1": "Refuge, 3 Quiet Road",
            "line_2": "",
            "town": "London",
            "postcode": "SE11 4AA",
            "from_date": None,
            "to_date": None,
            "is_confidential": True,
        }
    ]
    assert body["flags"] == ["Repeat victim"]
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.channel, entry.object_id) == (lambeth_officer, "api", str(person.pk))


def test_other_borough_detail_is_404_like_a_missing_one(api_client, southwark_officer):
    person = PersonFactory()  # Lambeth's
    api_client.force_authenticate(southwark_officer)

    out_of_scope = api_client.get(detail_url(person))
    missing = api_client.get(detail_url(999_999))

    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()
    assert AccessLogEntry.objects.count() == 0


def test_a_party_in_a_southwark_incident_makes_the_person_visible_there(
    api_client, southwark_officer
):
    from publicprotection.accounts.models import Borough

    person = PersonFactory()
    add_party(IncidentFactory(borough=Borough.objects.get(code="SOU")), PartyRole.WITNESS, person)
    api_client.force_authenticate(southwark_officer)

    assert api_client.get(detail_url(person)).status_code == 200


# --- Update ------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api_client, lambeth_officer):
    person = PersonFactory(given_name="Tom", family_name="Reed", phone="0700")
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        detail_url(person), {"version": 1, "family_name": "Reid"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["full_name"], response.json()["version"]) == ("Tom Reid", 2)
    person.refresh_from_db()
    assert (person.family_name, person.phone, person.search_name) == ("Reid", "0700", "tom reid")


def test_patch_on_a_stale_version_is_a_409_and_changes_nothing(api_client, lambeth_officer):
    person = PersonFactory(given_name="Tom", family_name="Reed")
    person_update(actor=lambeth_officer, person_id=person.pk, expected_version=1, phone="0800")
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        detail_url(person), {"version": 1, "phone": "0900", "aliases": []}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"
    assert "Someone else changed this person" in response.json()["errors"][0]["detail"]
    person.refresh_from_db()
    assert (person.phone, person.version) == ("0800", 2)


@pytest.mark.parametrize(
    ("payload", "attrs"),
    [
        ({"family_name": "X"}, {"version"}),
        ({"version": "one"}, {"version"}),
        ({"version": 1, "given_name": ""}, {"given_name"}),
        ({"version": 1, "date_of_birth": "yesterday"}, {"date_of_birth"}),
        ({"version": 1, "estimated_age": -1}, {"estimated_age"}),
    ],
)
def test_patch_with_bad_input_is_a_400(api_client, lambeth_officer, payload, attrs):
    person = PersonFactory(given_name="Tom", family_name="Reed")
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(detail_url(person), payload, format="json")

    assert response.status_code == 400
    assert error_attrs(response) == attrs
    person.refresh_from_db()
    assert (person.given_name, person.version) == ("Tom", 1)


def test_patch_other_borough_person_is_404_and_changes_nothing(api_client, southwark_officer):
    person = PersonFactory(given_name="Tom", family_name="Reed")
    api_client.force_authenticate(southwark_officer)

    response = api_client.patch(
        detail_url(person), {"version": 1, "given_name": "X"}, format="json"
    )

    assert response.status_code == 404
    person.refresh_from_db()
    assert (person.given_name, person.version) == ("Tom", 1)


# --- Denials -----------------------------------------------------------------------------------


def test_partner_is_forbidden_everywhere(api_client, partner):
    person = PersonFactory()
    api_client.force_authenticate(partner)

    assert api_client.get(LIST).status_code == 403
    assert api_client.get(LIST, {"name": person.full_name}).status_code == 403
    assert api_client.post(LIST, {"given_name": "A", "family_name": "B"}).status_code == 403
    assert api_client.get(detail_url(person)).status_code == 403
    assert api_client.patch(detail_url(person), {"version": 1, "phone": "1"}).status_code == 403
    assert Person.objects.count() == 1
    assert AccessLogEntry.objects.count() == 0


def test_readers_who_cannot_write_may_read_but_not_write(api_client, admin_user):
    person = PersonFactory()
    api_client.force_authenticate(admin_user)

    assert api_client.get(detail_url(person)).status_code == 200
    assert api_client.post(LIST, {"given_name": "A", "family_name": "B"}).status_code == 403
    response = api_client.patch(detail_url(person), {"version": 1, "phone": "1"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert (person.phone, person.version) == ("", 1)
    assert Person.objects.count() == 1


def test_analysts_are_refused_every_person_read_and_write(api_client, analyst):
    person = PersonFactory()
    api_client.force_authenticate(analyst)

    for response in (
        api_client.get(LIST),
        api_client.get(LIST, {"name": person.full_name}),
        api_client.get(detail_url(person)),
        api_client.post(LIST, {"given_name": "A", "family_name": "B"}),
        api_client.patch(detail_url(person), {"version": 1, "phone": "1"}),
    ):
        assert response.status_code == 403
    person.refresh_from_db()
    assert (person.phone, person.version) == ("", 1)
    assert Person.objects.count() == 1
    assert not AccessLogEntry.objects.exists()


def test_anonymous_is_unauthorised(api_client):
    person = PersonFactory()

    for response in (
        api_client.get(LIST),
        api_client.get(detail_url(person)),
        api_client.post(LIST, {"given_name": "A", "family_name": "B"}),
        api_client.patch(detail_url(person), {"version": 1, "phone": "1"}),
    ):
        assert response.status_code in (401, 403)
        assert response.json()["type"] == "client_error"
    assert Person.objects.count() == 1


def test_person_endpoints_are_in_the_openapi_schema(client, lambeth_officer):
    client.force_login(lambeth_officer)

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")

    assert schema.status_code == 200
    text = schema.content.decode()
    for operation_id in (
        "persons_list",
        "persons_create",
        "persons_retrieve",
        "persons_partial_update",
    ):
        assert operation_id in text


def test_create_with_a_date_of_birth_in_1850_is_a_400(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST, {"given_name": "A", "family_name": "B", "date_of_birth": "1850-03-01"}, format="json"
    )

    assert response.status_code == 400
    assert error_attrs(response) == {"date_of_birth"}
    assert Person.objects.count() == 0


# --- The London-wide duplicate check before registering -----------------------------------------

CHECK = reverse("api:person-duplicate-check")


def southwark_victim(southwark_officer):
    person = PersonFactory(
        given_name="Leah", family_name="Whitfield", date_of_birth=date(1990, 5, 6),
        actor=southwark_officer,
    )  # fmt: skip
    person_address_add(actor=southwark_officer, person=person, line_1="1 Walworth Road",
                       postcode="SE17 1AA")  # fmt: skip
    person_address_add(actor=southwark_officer, person=person, line_1="Refuge",
                       postcode="N7 9ZZ", from_date=date(2026, 1, 1), is_confidential=True)  # fmt: skip
    return person


def test_registering_a_name_already_on_the_register_elsewhere_is_refused_until_confirmed(
    api_client, lambeth_officer, southwark_officer
):
    """Through the API a person was registered with no duplicate check at all (the page has
    one): a Southwark victim registered again by Lambeth gets a second record, which splits
    their history and hides them as a repeat victim."""
    known = southwark_victim(southwark_officer)
    api_client.force_authenticate(lambeth_officer)
    payload = {"given_name": "Leah", "family_name": "Whitfield", "date_of_birth": "1990-05-06"}

    refused = api_client.post(LIST, payload, format="json")

    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "possible_duplicate"
    assert "duplicate-check" in refused.json()["errors"][0]["detail"]
    assert list(Person.objects.filter(family_name="Whitfield")) == [known]

    registered = api_client.post(LIST, {**payload, "confirm_new": True}, format="json")

    assert registered.status_code == 201
    assert "confirm_new" not in registered.json()
    assert Person.objects.filter(family_name="Whitfield").count() == 2


def test_a_name_with_no_candidates_registers_without_confirming(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        LIST, {"given_name": "Quillon", "family_name": "Zebedee"}, format="json"
    )

    assert response.status_code == 201


def test_the_duplicate_check_shows_every_boroughs_candidates_and_no_address(
    api_client, lambeth_officer, southwark_officer
):
    known = southwark_victim(southwark_officer)
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(CHECK, {"name": "Lea Whitfeld", "date_of_birth": "1990-05-06"})

    assert response.status_code == 200
    [candidate] = response.json()
    assert candidate == {
        "id": known.pk,
        "reference": known.reference,
        "given_name": "Leah",
        "family_name": "Whitfield",
        "full_name": "Leah Whitfield",
        "aliases": [],
        "date_of_birth": "1990-05-06",
        "estimated_age": None,
        "registered_by": "Southwark",
        "postcode_district": "SE17",
        "latest_incident_on": None,
    }
    assert "N7" not in response.text and "Walworth" not in response.text
    # The read is logged, naming the person shown; the record itself stays out of reach.
    entry = AccessLogEntry.objects.filter(user=lambeth_officer).latest("id")
    assert str(known.pk) in [str(i) for i in entry.object_ids]
    assert api_client.get(detail_url(known)).status_code == 404


def test_a_candidate_found_is_linked_to_the_incident_with_the_name_checked(
    api_client, lambeth_officer, southwark_officer
):
    known = southwark_victim(southwark_officer)
    incident = IncidentFactory(actor=lambeth_officer)
    api_client.force_authenticate(lambeth_officer)
    [candidate] = api_client.get(CHECK, {"name": "Leah Whitfield"}).json()

    response = api_client.post(
        reverse("api:incident-parties", args=[incident.pk]),
        {"person": candidate["id"], "name": "Leah Whitfield", "role": "victim"},
        format="json",
    )

    assert response.status_code == 201
    assert incident.parties.get().person == known


def test_the_duplicate_check_needs_a_name_and_a_role_that_registers_people(
    api_client, lambeth_officer, partner, analyst
):
    api_client.force_authenticate(lambeth_officer)
    assert api_client.get(CHECK).status_code == 400
    assert api_client.get(CHECK, {"name": " a "}).status_code == 400
    assert api_client.get(CHECK, {"name": "x" * 500}).status_code == 400
    assert api_client.get(CHECK, {"name": "Leah", "date_of_birth": "06/05/1990"}).status_code == 400
    for user in (partner, analyst):
        api_client.force_authenticate(user)
        assert api_client.get(CHECK, {"name": "Leah Whitfield"}).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(CHECK, {"name": "Leah Whitfield"}).status_code in (401, 403)
