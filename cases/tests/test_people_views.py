"""Person register pages: scoped to the viewer, default deny, reads logged, no N+1."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Incident, PartyRole, Person, PersonAddress
from cases.services.people import person_address_add, person_update
from cases.tests.factories import (
    IncidentFactory,
    PersonFactory,
    add_offence,
    add_party,
    arrested,
    not_arrested,
)
from publicprotection.accounts.models import Borough
from publicprotection.audit.models import AccessLogEntry

pytestmark = pytest.mark.django_db

SEARCH = reverse("cases:person-search")
CREATE = reverse("cases:person-create")


def detail_url(person):
    return reverse("cases:person-detail", args=[person.pk])


def edit_url(person):
    return reverse("cases:person-edit", args=[person.pk])


def address_url(person):
    return reverse("cases:person-address-add", args=[person.pk])


def person_form(**overrides):
    data = {
        "given_name": "Amira",
        "family_name": "Haddad",
        "aliases": "Amy Haddad\nAmira H",
        "date_of_birth": "1991-04-03",
        "estimated_age": "",
        "gender": "female",
        "ethnicity": "other",
        "language": "Arabic",
        "interpreter_needed": "on",
        "disability": "",
        "phone": "07700 900123",
        "email": "",
        "safe_contact_method": "idva",
        "safe_contact_times": "Weekdays 10am to 2pm",
    }
    data.update(overrides)
    return data


def edit_form(person, **overrides):
    data = person_form(
        given_name=person.given_name,
        family_name=person.family_name,
        aliases="",
        date_of_birth=person.date_of_birth.isoformat() if person.date_of_birth else "",
        version=str(person.version),
    )
    data.update(overrides)
    return data


# --- Search ------------------------------------------------------------------------------------


def test_search_finds_close_spellings_and_links_to_the_person(client, lambeth_officer):
    john = PersonFactory(given_name="John", family_name="Smith", aliases=["Johnny Smyth"])
    PersonFactory(given_name="Mary", family_name="Jones")
    client.force_login(lambeth_officer)

    response = client.get(SEARCH, {"name": "Jon Smth"})

    assert response.status_code == 200
    assert response.context["results"] == [john]
    assert detail_url(john) in response.text
    assert "Johnny Smyth" in response.text
    assert "17 May 1990" in response.text
    assert "Mary Jones" not in response.text
    assert "Register a new person" in response.text


def test_search_shows_only_visible_people(client, southwark_officer):
    PersonFactory(given_name="John", family_name="Smith")  # Lambeth's
    client.force_login(southwark_officer)

    response = client.get(SEARCH, {"name": "John Smith"})

    assert response.context["results"] == []
    assert "No people found" in response.text


def test_search_without_a_name_is_an_error_not_a_list(client, lambeth_officer):
    PersonFactory(given_name="John", family_name="Smith")
    client.force_login(lambeth_officer)

    first_visit = client.get(SEARCH)
    bad = client.get(SEARCH, {"name": "", "date_of_birth": "1990-02-31"})

    assert first_visit.context["results"] is None
    assert "John Smith" not in first_visit.text
    assert bad.status_code == 200
    assert bad.context["results"] is None
    assert "Error: People" in bad.text
    assert "Enter a name to search for" in bad.text
    assert "Date of birth must be a real date" in bad.text


def test_readers_who_cannot_write_get_no_register_link(client, admin_user):
    client.force_login(admin_user)

    response = client.get(SEARCH)

    assert response.status_code == 200
    assert CREATE not in response.text


# --- Person page -------------------------------------------------------------------------------


def test_person_page_shows_details_addresses_flags_and_history(client, lambeth_officer):
    person = PersonFactory(
        given_name="Dana",
        family_name="Kerr",
        aliases=["Dee Kerr"],
        language="Polish",
        interpreter_needed=True,
        safe_contact_method="idva",
        safe_contact_times="Mornings only",
        phone="07700 900111",
    )
    person_address_add(
        actor=lambeth_officer,
        person=person,
        line_1="1 Safe House Road",
        postcode="SE11 5AA",
        from_date=date(2025, 1, 2),
        is_confidential=True,
    )
    person_address_add(
        actor=lambeth_officer,
        person=person,
        line_1="9 Old Street",
        postcode="SW9 8AA",
        from_date=date(2020, 1, 1),
        to_date=date(2025, 1, 1),
    )
    now = timezone.now()
    first = IncidentFactory(occurred_at=now - timedelta(days=20))
    second = IncidentFactory(occurred_at=now - timedelta(days=3))
    add_party(first, PartyRole.VICTIM, person=person)
    suspect = add_party(second, PartyRole.SUSPECT, person=person)
    add_offence(second, suspect)
    arrested(suspect)
    victim2 = add_party(IncidentFactory(occurred_at=now - timedelta(days=5)), person=person)
    client.force_login(lambeth_officer)

    response = client.get(detail_url(person))

    assert response.status_code == 200
    text = response.text
    for expected in (
        "Dana Kerr",
        "Dee Kerr",
        "Polish",
        "Interpreter needed",
        "Through the IDVA",
        "Mornings only",
        "07700 900111",
        "1 Safe House Road",
        "Confidential: do not disclose",
        "9 Old Street",
        "2 January 2025",
        "Repeat victim",
        "Former intimate partner",
        "Actual bodily harm",
        "Arrested",
        'class="moj-timeline"',
    ):
        assert expected in text, expected
    references = [p.incident.reference for p in response.context["history"].parties]
    assert references == [second.reference, victim2.incident.reference, first.reference]
    assert reverse("cases:incident-detail", args=[second.reference]) in text
    assert "further incident" not in text


def test_person_page_counts_but_does_not_show_other_boroughs_incidents(client, lambeth_officer):
    person = PersonFactory()
    add_party(IncidentFactory(), person=person)
    for _ in range(2):
        elsewhere = IncidentFactory(borough=Borough.objects.get(code="SOU"))
        add_party(elsewhere, PartyRole.SUSPECT, person=person)
    client.force_login(lambeth_officer)

    response = client.get(detail_url(person))

    assert "2 further incidents in other boroughs are not shown" in response.text
    assert "DV/SOU/" not in response.text
    assert len(response.context["history"].parties) == 1


def test_person_page_read_is_logged(client, lambeth_officer):
    person = PersonFactory()
    client.force_login(lambeth_officer)

    response = client.get(detail_url(person), HTTP_USER_AGENT="pytest")

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.channel) == (lambeth_officer, "view", "web")
    assert entry.object_id == str(person.pk)
    assert entry.content_type.model == "person"


def test_other_borough_person_is_404_like_a_missing_one(client, southwark_officer):
    person = PersonFactory()  # registered by Lambeth, in no incident
    client.force_login(southwark_officer)

    out_of_scope = client.get(detail_url(person))
    missing = client.get(reverse("cases:person-detail", args=[999_999]))

    assert out_of_scope.status_code == missing.status_code == 404
    assert AccessLogEntry.objects.count() == 0


def test_central_team_can_open_any_borough_person(client, central_officer):
    person = PersonFactory()

    assert client.get(detail_url(person)).status_code == 302  # not signed in yet
    client.force_login(central_officer)
    assert client.get(detail_url(person)).status_code == 200


def test_partner_cannot_open_any_person_page(client, partner):
    person = PersonFactory()
    client.force_login(partner)

    for url in (SEARCH, detail_url(person), CREATE, edit_url(person), address_url(person)):
        assert client.get(url).status_code == 403, url
    assert client.post(CREATE, person_form()).status_code == 403
    assert client.post(edit_url(person), edit_form(person, phone="1")).status_code == 403
    assert AccessLogEntry.objects.count() == 0
    assert Person.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client):
    person = PersonFactory()

    for url in (SEARCH, detail_url(person), CREATE, edit_url(person), address_url(person)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    client.post(CREATE, person_form())
    assert Person.objects.count() == 1


def test_person_page_query_count_does_not_grow_with_incidents(
    client, lambeth_officer, django_assert_max_num_queries
):
    person = PersonFactory()
    person_address_add(actor=lambeth_officer, person=person, line_1="1 A St", postcode="SE1 1AA")

    def involve(count):
        for _ in range(count):
            incident = IncidentFactory()
            suspect = add_party(incident, PartyRole.SUSPECT, person=person)
            add_offence(incident, suspect)
            not_arrested(suspect)
            add_party(incident, PartyRole.VICTIM)

    client.force_login(lambeth_officer)
    involve(5)
    with django_assert_max_num_queries(25) as five:
        assert client.get(detail_url(person)).status_code == 200
    involve(15)
    with django_assert_max_num_queries(25) as twenty:
        response = client.get(detail_url(person))
    assert len(response.context["history"].parties) == 20
    assert len(twenty.captured_queries) == len(five.captured_queries)


# --- Register ----------------------------------------------------------------------------------


def test_register_a_new_person_with_no_likely_match(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.post(CREATE, person_form())

    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(person)
    assert (person.full_name, person.date_of_birth) == ("Amira Haddad", date(1991, 4, 3))
    assert person.interpreter_needed and person.safe_contact_method == "idva"
    assert sorted(person.aliases.values_list("full_name", flat=True)) == ["Amira H", "Amy Haddad"]
    assert person.registered_borough.code == "LAM"
    assert "Amira Haddad has been registered" in client.get(response["Location"]).text


def test_register_shows_likely_matches_from_anywhere_with_name_and_dob_only(
    client, southwark_officer
):
    # Registered in Lambeth: not visible to Southwark, but still a possible duplicate.
    PersonFactory(
        given_name="Amira",
        family_name="Haddad",
        date_of_birth=date(1991, 4, 3),
        phone="07700 900999",
    )
    client.force_login(southwark_officer)

    response = client.post(CREATE, person_form(given_name="Amirah"))

    assert response.status_code == 200
    assert Person.objects.count() == 1
    assert "Possible matches" in response.text
    assert "3 April 1991" in response.text
    assert "07700 900999" not in response.text
    assert "None of these is the person: create a new record" in response.text
    assert 'value="Amirah"' in response.text  # what was typed is kept


def test_register_after_confirming_none_of_the_matches(client, lambeth_officer):
    PersonFactory(given_name="Amira", family_name="Haddad", date_of_birth=date(1991, 4, 3))
    client.force_login(lambeth_officer)
    first = client.post(CREATE, person_form())
    match_key = first.context["match_key"]

    response = client.post(CREATE, person_form(confirm_new="on", match_key=match_key))

    assert response.status_code == 302
    assert Person.objects.filter(given_name="Amira").count() == 2


def test_confirming_counts_only_for_the_name_that_was_checked(client, lambeth_officer):
    PersonFactory(given_name="Amira", family_name="Haddad")
    PersonFactory(given_name="Bashir", family_name="Khan")
    client.force_login(lambeth_officer)
    first = client.post(CREATE, person_form())

    response = client.post(
        CREATE,
        person_form(
            given_name="Bashir",
            family_name="Khan",
            confirm_new="on",
            match_key=first.context["match_key"],
        ),
    )

    assert response.status_code == 200
    assert [m.full_name for m in response.context["matches"]] == ["Bashir Khan"]
    assert Person.objects.count() == 2


def test_register_returns_to_a_safe_next_url_with_the_new_person(client, lambeth_officer):
    client.force_login(lambeth_officer)
    next_url = "/incidents/DV/LAM/2026/000001/people/add/?role=victim"

    response = client.post(f"{CREATE}?next={next_url}", person_form())

    person = Person.objects.get()
    assert response["Location"] == f"{next_url}&person={person.pk}"


def test_register_ignores_an_unsafe_next_url(client, lambeth_officer):
    client.force_login(lambeth_officer)

    form = client.get(CREATE, {"next": "https://evil.example/"})
    response = client.post(CREATE, person_form(next="https://evil.example/"))

    assert "evil.example" not in form.text
    assert response["Location"] == detail_url(Person.objects.get())


def test_register_validation_errors_keep_what_was_typed(client, lambeth_officer):
    client.force_login(lambeth_officer)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = client.post(
        CREATE,
        person_form(
            family_name="",
            date_of_birth=tomorrow,
            estimated_age="130",
            email="not-an-email",
            phone="07700 900555",
        ),
    )

    assert response.status_code == 200
    assert Person.objects.count() == 0
    text = response.text
    assert "Error: Register a person" in text
    assert "There is a problem" in text
    for message in (
        "Enter the family name",
        "Date of birth must be today or in the past",
        "Estimated age must be between 0 and 120",
        "Enter an email address in the correct format",
    ):
        assert message in text
    assert 'href="#id_family_name"' in text
    assert 'value="07700 900555"' in text
    assert "Amy Haddad" in text


def test_register_with_an_estimated_age_and_no_date_of_birth(client, lambeth_officer):
    client.force_login(lambeth_officer)

    client.post(CREATE, person_form(date_of_birth="", estimated_age="35"))

    person = Person.objects.get()
    assert (person.date_of_birth, person.estimated_age) == (None, 35)


def test_register_form_prefills_from_the_incident_search(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.get(CREATE, {"given_name": "Zara", "family_name": "Ali"})

    assert 'value="Zara"' in response.text and 'value="Ali"' in response.text


def test_readers_who_cannot_write_cannot_register_or_edit(client, analyst):
    person = PersonFactory()
    client.force_login(analyst)

    assert client.post(CREATE, person_form()).status_code == 403
    assert client.post(edit_url(person), edit_form(person, phone="1")).status_code == 403
    assert client.post(address_url(person), {"line_1": "x"}).status_code == 403
    assert Person.objects.count() == 1
    person.refresh_from_db()
    assert person.phone == "" and person.version == 1


# --- Edit --------------------------------------------------------------------------------------


def test_edit_form_shows_the_current_details_and_logs_the_read(client, lambeth_officer):
    person = PersonFactory(given_name="Tom", family_name="Reed", aliases=["Tommy Reed"])
    client.force_login(lambeth_officer)

    response = client.get(edit_url(person))

    assert response.status_code == 200
    assert 'value="Tom"' in response.text
    assert "Tommy Reed" in response.text
    assert 'name="version" value="1"' in response.text
    assert AccessLogEntry.objects.filter(object_id=str(person.pk)).count() == 1


def test_edit_saves_changes_and_aliases(client, lambeth_officer):
    person = PersonFactory(given_name="Tom", family_name="Reed", aliases=["Old Alias"])
    client.force_login(lambeth_officer)

    response = client.post(
        edit_url(person), edit_form(person, family_name="Reid", aliases="New Alias")
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.family_name, person.search_name, person.version) == ("Reid", "tom reid", 2)
    assert list(person.aliases.values_list("full_name", flat=True)) == ["New Alias"]


def test_edit_conflict_keeps_what_was_typed_and_overwrites_nothing(client, lambeth_officer):
    person = PersonFactory(given_name="Tom", family_name="Reed")
    stale = edit_form(person, phone="07700 900777", safe_contact_times="Evenings")
    person_update(actor=lambeth_officer, person_id=person.pk, expected_version=1, phone="0800")
    client.force_login(lambeth_officer)

    response = client.post(edit_url(person), stale)

    assert response.status_code == 409
    assert "Someone else changed this person" in response.text
    assert 'value="07700 900777"' in response.text
    assert 'value="Evenings"' in response.text
    person.refresh_from_db()
    assert (person.phone, person.safe_contact_times, person.version) == ("0800", "", 2)
    # Saving again after checking is a deliberate choice, and then it works.
    assert 'name="version" value="2"' in response.text
    again = client.post(edit_url(person), {**stale, "version": "2"})
    assert again.status_code == 302
    person.refresh_from_db()
    assert person.phone == "07700 900777"


def test_edit_other_borough_person_is_404_and_changes_nothing(client, southwark_officer):
    person = PersonFactory(given_name="Tom", family_name="Reed")
    client.force_login(southwark_officer)

    assert client.get(edit_url(person)).status_code == 404
    response = client.post(edit_url(person), edit_form(person, family_name="Changed"))

    assert response.status_code == 404
    person.refresh_from_db()
    assert (person.family_name, person.version) == ("Reed", 1)
    assert AccessLogEntry.objects.count() == 0


# --- Addresses ---------------------------------------------------------------------------------


def test_add_a_confidential_address(client, lambeth_officer):
    person = PersonFactory()
    client.force_login(lambeth_officer)

    response = client.post(
        address_url(person),
        {
            "line_1": "Refuge, 3 Quiet Road",
            "town": "London",
            "postcode": "se11 4aa",
            "from_date": "2025-06-01",
            "is_confidential": "on",
        },
    )

    assert response.status_code == 302
    link = PersonAddress.objects.select_related("address").get(person=person)
    assert link.is_confidential
    assert (link.address.postcode, link.from_date) == ("SE11 4AA", date(2025, 6, 1))


def test_address_validation_errors_are_shown_and_input_kept(client, lambeth_officer):
    person = PersonFactory()
    client.force_login(lambeth_officer)

    response = client.post(
        address_url(person),
        {
            "line_1": "4 Long Lane",
            "town": "London",
            "postcode": "NOT A CODE",
            "from_date": "2025-06-01",
            "to_date": "2025-05-01",
        },
    )

    assert response.status_code == 200
    assert "Error: Add an address" in response.text
    assert "Enter a real postcode, like SW1A 1AA" in response.text
    assert "must be the same as or after the date they moved in" in response.text
    assert 'value="4 Long Lane"' in response.text
    assert PersonAddress.objects.count() == 0


def test_add_address_to_other_borough_person_is_404(client, southwark_officer):
    person = PersonFactory()
    client.force_login(southwark_officer)

    response = client.post(address_url(person), {"line_1": "1 A St", "postcode": "SE1 1AA"})

    assert response.status_code == 404
    assert PersonAddress.objects.count() == 0


def test_match_list_include_renders_link_buttons(lambeth_officer):
    from django.template.loader import render_to_string

    from cases.selectors.people import person_candidates_describe

    person = PersonFactory(given_name="Lee", family_name="Chan", aliases=["L Chan"])

    person_candidates_describe(people=[person])
    html = render_to_string(
        "cases/people/includes/match_list.html", {"people": [person], "link": True}
    )

    assert f'name="person" value="{person.pk}"' in html
    assert "Link<span" in html and "Lee Chan" in html and "L Chan" in html
    assert "17 May 1990" in html and person.reference in html
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("form_page", ["cases:person-edit", "cases:person-address-add"])
def test_a_refused_form_about_a_person_logs_the_read_of_the_person(
    client, lambeth_officer, form_page
):
    """The form shown again names the person: an empty POST must not read them unlogged."""
    person = PersonFactory(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    response = client.post(reverse(form_page, args=[person.pk]), {})

    assert response.status_code == 200
    assert person.full_name in response.text
    entry = AccessLogEntry.objects.get(user=lambeth_officer)
    assert (entry.content_type.model_class(), entry.object_id) == (Person, str(person.pk))
