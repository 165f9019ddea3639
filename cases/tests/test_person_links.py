"""Linking an existing person to an incident never widens what the linker sees: a confidential
or refuge address stays with the borough that recorded it (and central supervisors); linking
is a POST (a GET changes nothing, names nobody the viewer cannot already see); and the link is
written to the access log, page and API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import IncidentStatus, Party, PartyRole
from cases.services.people import person_address_add
from cases.tests.factories import IncidentFactory, PersonFactory
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessAction, AccessLogEntry

pytestmark = pytest.mark.django_db

REFUGE = "Refuge, 3 Quiet Road"
HOME = "9 Old Street"


@pytest.fixture
def southwark_person(southwark_officer):
    """A victim known to Southwark, whose refuge address Southwark recorded."""
    person = PersonFactory(actor=southwark_officer, given_name="Dana", family_name="Kerr")
    person_address_add(
        actor=southwark_officer, person=person, line_1=REFUGE, postcode="SE1 4AA",
        is_confidential=True,
    )  # fmt: skip
    person_address_add(actor=southwark_officer, person=person, line_1=HOME, postcode="SW9 8AA")
    return person


def lambeth_draft(officer):
    return IncidentFactory(actor=officer, status=IncidentStatus.DRAFT)


def add_url(incident):
    return reverse("cases:incident-party-add", args=[incident.reference])


def person_page(client, viewer, person) -> str:
    client.force_login(viewer)
    response = client.get(reverse("cases:person-detail", args=[person.pk]))
    assert response.status_code == 200
    return response.text


def person_api(api_client, viewer, person) -> list[str]:
    api_client.force_authenticate(viewer)
    response = api_client.get(reverse("api:person-detail", args=[person.pk]))
    assert response.status_code == 200
    return [row["line_1"] for row in response.json()["addresses"]]


def test_linking_shows_the_linker_the_person_but_never_another_boroughs_refuge(
    client, api_client, lambeth_officer, southwark_officer, southwark_person
):
    # Given a Lambeth officer links Southwark's victim to a Lambeth incident (a POST)
    incident = lambeth_draft(lambeth_officer)
    client.force_login(lambeth_officer)
    linked = client.post(
        add_url(incident), {"role": "victim", "name": "Dana Kerr", "person": southwark_person.pk}
    )
    assert linked.status_code == 302

    # Then Lambeth now sees the person, with the ordinary address but not the refuge
    page = person_page(client, lambeth_officer, southwark_person)
    assert HOME in page and REFUGE not in page
    assert person_api(api_client, lambeth_officer, southwark_person) == [HOME]
    # And Southwark, which recorded the refuge, still sees it
    assert REFUGE in person_page(client, southwark_officer, southwark_person)
    assert REFUGE in person_api(api_client, southwark_officer, southwark_person)


@pytest.mark.parametrize(
    ("role", "team_code", "sees_refuge"),
    [
        (Role.SUPERVISOR, "CEN", True),  # central supervisors
        (Role.OFFICER, "CEN", False),
        (Role.SUPERVISOR, "LAM", False),
        (Role.MARAC_COORDINATOR, "LAM", False),
        (Role.ADMIN, "CEN", False),
    ],
)
def test_who_sees_a_confidential_address(
    api_client, southwark_person, lambeth_officer, role, team_code, sees_refuge
):
    # Linked into Lambeth, so every viewer below sees the person
    incident = lambeth_draft(lambeth_officer)
    Party.objects.create(incident=incident, person=southwark_person, role=PartyRole.VICTIM)
    viewer = UserFactory(role=role, team=team(team_code))

    assert (REFUGE in person_api(api_client, viewer, southwark_person)) is sees_refuge


def test_another_borough_typing_the_refuges_first_line_never_sees_what_was_recorded_there(
    client, southwark_officer, lambeth_officer
):
    # Given Southwark recorded a victim's refuge, with a second line naming it as a refuge
    victim = PersonFactory(actor=southwark_officer)
    person_address_add(
        actor=southwark_officer, person=victim, line_1="3 Quiet Road",
        line_2="Safe House refuge, flat 2", postcode="SE1 4AA", is_confidential=True,
    )  # fmt: skip

    # When a Lambeth officer records the same first line and postcode, as typed by them, for a
    # person of their own and as an incident's location
    suspect = PersonFactory(actor=lambeth_officer)
    person_address_add(
        actor=lambeth_officer, person=suspect, line_1="3 quiet road", postcode="se1 4aa"
    )
    incident = IncidentFactory(
        actor=lambeth_officer, location={"line_1": "3 Quiet Road", "postcode": "SE1 4AA"}
    )

    # Then neither page shows Southwark's second line: the refuge's row is its own
    assert "Safe House" not in person_page(client, lambeth_officer, suspect)
    page = client.get(reverse("cases:incident-detail", args=[incident.reference])).text
    assert "3 quiet road" in page.lower() and "Safe House" not in page
    # And Southwark still sees its refuge as recorded
    assert "Safe House refuge, flat 2" in person_page(client, southwark_officer, victim)


def test_a_get_never_links_and_names_only_a_person_the_viewer_already_sees(
    client, lambeth_officer, southwark_person
):
    incident = lambeth_draft(lambeth_officer)
    mine = PersonFactory(actor=lambeth_officer, given_name="Lee", family_name="Mint")
    client.force_login(lambeth_officer)

    # Back from registering their own new person: asked to confirm, nothing linked yet
    own = client.get(add_url(incident), {"role": "victim", "person": mine.pk})
    assert own.status_code == 200
    assert "Link Lee Mint to this incident as victim?" in own.text
    # Someone else's person, named by id in the address bar: not named, not linked
    other = client.get(add_url(incident), {"role": "victim", "person": southwark_person.pk})
    assert other.status_code == 200
    assert "Dana" not in other.text and "Kerr" not in other.text
    assert not Party.objects.filter(incident=incident).exists()
    assert not AccessLogEntry.objects.filter(action=AccessAction.COMBINE).exists()

    # The confirmation posts the link
    confirmed = client.post(
        add_url(incident), {"role": "victim", "name": "registered", "person": mine.pk}
    )
    assert confirmed.status_code == 302
    assert Party.objects.filter(incident=incident, person=mine, role=PartyRole.VICTIM).exists()


def test_the_link_is_logged_page_and_api(client, api_client, lambeth_officer, southwark_person):
    incident = lambeth_draft(lambeth_officer)
    other = lambeth_draft(lambeth_officer)
    client.force_login(lambeth_officer)
    # Each time chosen from the London-wide duplicate check for her name
    client.post(
        add_url(incident), {"role": "victim", "name": "Dana Kerr", "person": southwark_person.pk}
    )
    api_client.force_authenticate(lambeth_officer)
    response = api_client.post(
        reverse("api:incident-parties", args=[other.pk]),
        {"person": southwark_person.pk, "role": "witness", "name": "dana  kerr"},
        format="json",
    )
    assert response.status_code == 201

    entries = AccessLogEntry.objects.filter(action=AccessAction.COMBINE).order_by("id")
    assert [(e.user, e.object_id, e.channel, e.purpose) for e in entries] == [
        (
            lambeth_officer,
            str(southwark_person.pk),
            "web",
            f"Linked as victim to {incident.reference}",
        ),
        (
            lambeth_officer,
            str(southwark_person.pk),
            "api",
            f"Linked as witness to {other.reference}",
        ),
    ]


def test_a_refused_link_changes_nothing_and_logs_nothing(
    client, api_client, southwark_officer, partner, analyst, southwark_person
):
    incident = lambeth_draft(UserFactory(role=Role.OFFICER, team=team("LAM")))
    body = {"role": "victim", "name": "x", "person": southwark_person.pk}

    for user, status in ((southwark_officer, 404), (partner, 403), (analyst, 403)):
        client.force_login(user)
        assert client.post(add_url(incident), body).status_code == status
        assert client.get(add_url(incident), body).status_code == status
        api_client.force_authenticate(user)
        api = api_client.post(
            reverse("api:incident-parties", args=[incident.pk]),
            {"person": southwark_person.pk, "role": "victim"},
            format="json",
        )
        assert api.status_code == status

    assert not Party.objects.filter(incident=incident).exists()
    assert not AccessLogEntry.objects.filter(action=AccessAction.COMBINE).exists()
