"""Who may change a person's details (`persons_editable_by`): the borough that registered
them, or one that names them in an incident past the draft. A draft link shows another
borough's person but changes nothing of theirs: anyone in London found by a similar name could
otherwise be linked to a draft, have their safe-contact details changed, and be unlinked."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.models import Incident, IncidentStatus, PartyRole, Person, PersonAddress
from cases.services.incidents import party_remove
from cases.services.people import (
    NOT_EDITABLE_FROM_A_DRAFT,
    person_address_add,
    person_update,
)
from cases.tests.factories import IncidentFactory, PersonFactory, add_party
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def southwark_victim(southwark_officer):
    return PersonFactory(
        given_name="Leah", family_name="Whitfield", phone="020 7946 0000", actor=southwark_officer
    )


@pytest.fixture
def lambeth_draft(lambeth_officer):
    return IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)


def linked_in_draft(draft, person, officer):
    return add_party(
        draft, PartyRole.WITNESS, person=person, actor=officer, searched_name="Whitfield"
    )


def test_a_draft_link_shows_another_boroughs_person_but_changes_nothing_of_theirs(
    lambeth_officer, lambeth_draft, southwark_victim
):
    linked_in_draft(lambeth_draft, southwark_victim, lambeth_officer)

    with pytest.raises(PermissionDenied) as refused:
        person_update(
            actor=lambeth_officer,
            person_id=southwark_victim.pk,
            expected_version=southwark_victim.version,
            phone="07700 900000",
        )
    with pytest.raises(PermissionDenied):
        person_address_add(
            actor=lambeth_officer, person=southwark_victim, line_1="1 False Street",
            postcode="SW9 9ZZ",
        )  # fmt: skip

    assert str(refused.value) == NOT_EDITABLE_FROM_A_DRAFT
    assert Person.objects.get(pk=southwark_victim.pk).phone == "020 7946 0000"
    assert not PersonAddress.objects.filter(person=southwark_victim).exists()


def test_once_the_incident_is_submitted_its_borough_may_change_them(
    lambeth_officer, lambeth_draft, southwark_victim
):
    linked_in_draft(lambeth_draft, southwark_victim, lambeth_officer)
    Incident.objects.filter(pk=lambeth_draft.pk).update(status=IncidentStatus.OPEN)

    person_update(
        actor=lambeth_officer,
        person_id=southwark_victim.pk,
        expected_version=southwark_victim.version,
        phone="07700 900000",
    )

    assert Person.objects.get(pk=southwark_victim.pk).phone == "07700 900000"


def test_the_registering_borough_and_central_supervisors_may_change_them(
    southwark_officer, southwark_victim
):
    central = UserFactory(role=Role.SUPERVISOR, team=team("CEN"))
    for actor in (southwark_officer, central):
        person = Person.objects.get(pk=southwark_victim.pk)
        person_update(actor=actor, person_id=person.pk, expected_version=person.version,
                      phone=f"020 7946 {actor.pk:04d}")  # fmt: skip
        assert Person.objects.get(pk=person.pk).phone == f"020 7946 {actor.pk:04d}"


def test_the_api_refuses_the_change_with_the_reason(
    api_client, lambeth_officer, lambeth_draft, southwark_victim
):
    """The attack as found: link by surname through the API, change the safe-contact
    details, unlink. The change is refused; the link and unlink still work."""
    api_client.force_authenticate(lambeth_officer)
    linked = api_client.post(
        reverse("api:incident-parties", args=[lambeth_draft.pk]),
        {"person": southwark_victim.pk, "name": "Whitfield", "role": "witness"},
        format="json",
    )
    assert linked.status_code == 201

    response = api_client.patch(
        reverse("api:person-detail", args=[southwark_victim.pk]),
        {"version": southwark_victim.version, "phone": "07700 900000",
         "safe_contact_times": "any time"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == NOT_EDITABLE_FROM_A_DRAFT
    assert Person.objects.get(pk=southwark_victim.pk).phone == "020 7946 0000"
    party_remove(actor=lambeth_officer, party_id=linked.json()["id"])
    assert (
        api_client.get(reverse("api:person-detail", args=[southwark_victim.pk])).status_code == 404
    )


def test_the_pages_say_why_and_keep_what_was_typed(
    client, lambeth_officer, lambeth_draft, southwark_victim
):
    linked_in_draft(lambeth_draft, southwark_victim, lambeth_officer)
    client.force_login(lambeth_officer)

    detail = client.get(reverse("cases:person-detail", args=[southwark_victim.pk]))
    assert detail.status_code == 200
    assert NOT_EDITABLE_FROM_A_DRAFT in detail.text
    assert reverse("cases:person-edit", args=[southwark_victim.pk]) not in detail.text

    for page in ("cases:person-edit", "cases:person-address-add"):
        assert (
            NOT_EDITABLE_FROM_A_DRAFT in client.get(reverse(page, args=[southwark_victim.pk])).text
        )

    edited = client.post(
        reverse("cases:person-edit", args=[southwark_victim.pk]),
        {"given_name": "Leah", "family_name": "Whitfield", "phone": "07700 900123",
         "version": southwark_victim.version},
    )  # fmt: skip
    assert edited.status_code == 200
    assert NOT_EDITABLE_FROM_A_DRAFT in edited.text and "07700 900123" in edited.text

    address = client.post(
        reverse("cases:person-address-add", args=[southwark_victim.pk]),
        {"line_1": "1 False Street", "postcode": "SW9 9ZZ", "town": "London"},
    )
    assert address.status_code == 200
    assert NOT_EDITABLE_FROM_A_DRAFT in address.text and "1 False Street" in address.text
    assert Person.objects.get(pk=southwark_victim.pk).phone == "020 7946 0000"
    assert not PersonAddress.objects.filter(person=southwark_victim).exists()


def test_a_person_page_of_ones_own_borough_still_offers_the_changes(client, southwark_officer,
                                                                    southwark_victim):  # fmt: skip
    client.force_login(southwark_officer)
    detail = client.get(reverse("cases:person-detail", args=[southwark_victim.pk]))
    assert reverse("cases:person-edit", args=[southwark_victim.pk]) in detail.text
    assert NOT_EDITABLE_FROM_A_DRAFT not in detail.text
