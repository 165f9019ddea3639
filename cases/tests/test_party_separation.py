"""A recent or planned separation is asked when a suspect who is or was a partner is recorded
(a former-partner relationship alone says nothing about when they separated): page, API and
service share the rule."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import IncidentStatus, Party, PartyRole, RelationshipType, SeparationAnswer
from cases.tests.factories import IncidentFactory, PersonFactory, add_party

pytestmark = pytest.mark.django_db


def test_a_partner_suspect_records_the_separation():
    incident = IncidentFactory()

    suspect = add_party(
        incident,
        PartyRole.SUSPECT,
        relationship_to_victim=RelationshipType.FORMER_PARTNER,
        separation=SeparationAnswer.YES,
    )

    suspect.refresh_from_db()
    assert suspect.separation == SeparationAnswer.YES


def test_separation_is_not_asked_of_a_sibling():
    incident = IncidentFactory()

    with pytest.raises(ValidationError) as error:
        add_party(
            incident,
            PartyRole.SUSPECT,
            relationship_to_victim=RelationshipType.SIBLING,
            separation=SeparationAnswer.YES,
        )

    assert "separation" in error.value.message_dict
    assert not Party.objects.filter(role=PartyRole.SUSPECT).exists()


def test_a_made_up_answer_is_refused():
    incident = IncidentFactory()

    with pytest.raises(ValidationError) as error:
        add_party(incident, PartyRole.SUSPECT, separation="maybe")

    assert error.value.message_dict["separation"] == ["Answer yes, no or not known"]


def test_a_victim_carries_no_separation_answer():
    incident = IncidentFactory()

    victim = add_party(incident, PartyRole.VICTIM, separation=SeparationAnswer.YES)

    assert victim.separation == ""


def test_the_page_asks_and_saves_it(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    person = PersonFactory()
    url = reverse("cases:incident-party-add", args=[incident.reference])
    client.force_login(lambeth_officer)
    data = {
        "role": "suspect",
        "relationship_to_victim": "partner",
        "separation": "yes",
        "name": str(person),
    }

    form = client.get(url).text
    linked = client.post(url, {**data, "person": person.pk})

    assert "Have they separated in the last 12 months, or is a separation planned?" in form
    assert linked.status_code == 302
    assert Party.objects.get(person=person).separation == SeparationAnswer.YES
    page = client.get(reverse("cases:incident-detail", args=[incident.reference])).text
    assert "Separated or separating in the last 12 months" in page


def test_the_page_shows_the_rule_on_the_field(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    person = PersonFactory()
    client.force_login(lambeth_officer)

    response = client.post(
        reverse("cases:incident-party-add", args=[incident.reference]),
        {
            "role": "suspect",
            "relationship_to_victim": "sibling",
            "separation": "yes",
            "name": str(person),
            "person": person.pk,
        },
    )

    assert response.status_code == 200
    assert "Separation is asked only of a partner" in response.text
    assert 'id="id_separation_error"' in response.text
    assert not Party.objects.exists()


def test_registering_a_new_suspect_keeps_the_answer(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    url = reverse("cases:incident-party-add", args=[incident.reference])
    client.force_login(lambeth_officer)

    searched = client.post(
        url,
        {
            "role": "suspect",
            "relationship_to_victim": "spouse",
            "separation": "no",
            "name": "Nobody Known",
        },
    )
    register = parse_qs(urlsplit(searched.context["register_url"]).query)
    back = register["next"][0]
    person = PersonFactory()
    confirm = client.get(f"{back}&person={person.pk}").text

    assert parse_qs(urlsplit(back).query)["separation"] == ["no"]
    assert '<input type="hidden" name="separation" value="no">' in confirm


def test_the_api_takes_and_shows_it(api_client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    api_client.force_authenticate(lambeth_officer)
    url = reverse("api:incident-parties", args=[incident.pk])

    created = api_client.post(
        url,
        {
            "person": PersonFactory().pk,
            "role": "suspect",
            "relationship_to_victim": "co_parent",
            "separation": "yes",
        },
        format="json",
    )
    refused = api_client.post(
        url,
        {
            "person": PersonFactory().pk,
            "role": "suspect",
            "relationship_to_victim": "parent_child",
            "separation": "yes",
        },
        format="json",
    )
    victim = api_client.post(url, {"person": PersonFactory().pk, "role": "victim"}, format="json")

    assert created.status_code == 201 and created.json()["separation"] == "yes"
    assert refused.status_code == 400
    assert [e["attr"] for e in refused.json()["errors"]] == ["separation"]
    assert victim.json()["separation"] is None


# --- Corrected later --------------------------------------------------------------------------


def open_incident_with_partner_suspect(officer):
    incident = IncidentFactory(actor=officer, status=IncidentStatus.OPEN)
    suspect = add_party(
        incident,
        PartyRole.SUSPECT,
        relationship_to_victim=RelationshipType.PARTNER,
        separation=SeparationAnswer.NOT_KNOWN,
    )
    incident.refresh_from_db()
    return incident, suspect


def relationship_url(incident, suspect):
    return reverse("cases:incident-suspect-relationship", args=[incident.reference, suspect.pk])


def test_the_separation_learnt_later_is_saved_from_the_incident_page(client, lambeth_officer):
    # Asked when the suspect was added, "not known" then; the victim said later they had split
    # up last month. The answer is corrected on an open incident, not only on a draft.
    incident, suspect = open_incident_with_partner_suspect(lambeth_officer)
    client.force_login(lambeth_officer)
    page = client.get(reverse("cases:incident-detail", args=[incident.reference])).text
    assert relationship_url(incident, suspect) in page

    form = client.get(relationship_url(incident, suspect))
    saved = client.post(
        relationship_url(incident, suspect),
        {
            "relationship_to_victim": "former_partner",
            "separation": "yes",
            "version": incident.version,
        },
    )

    assert form.status_code == 200 and "Relationship to the victim" in form.text
    assert saved.status_code == 302
    suspect.refresh_from_db()
    assert (suspect.relationship_to_victim, suspect.separation) == ("former_partner", "yes")
    incident_after = type(incident).objects.get(pk=incident.pk)
    assert incident_after.version == incident.version + 1
    assert "Separated or separating in the last 12 months" in client.get(saved["Location"]).text


def test_a_wrong_answer_or_a_stale_form_is_refused_with_what_was_typed(client, lambeth_officer):
    incident, suspect = open_incident_with_partner_suspect(lambeth_officer)
    client.force_login(lambeth_officer)

    sibling = client.post(
        relationship_url(incident, suspect),
        {"relationship_to_victim": "sibling", "separation": "yes", "version": incident.version},
    )
    stale = client.post(
        relationship_url(incident, suspect),
        {"relationship_to_victim": "spouse", "separation": "no", "version": incident.version - 1},
    )

    assert "Separation is asked only of a partner" in sibling.text
    assert "Not asked: not a partner or parent" in sibling.text  # a way to untick the answer
    assert stale.status_code == 409 and "Someone else changed" in stale.text
    assert 'value="spouse" selected' in stale.text
    suspect.refresh_from_db()
    assert (suspect.relationship_to_victim, suspect.separation) == ("partner", "not_known")


def test_only_a_writer_of_the_borough_changes_it_and_only_for_a_suspect(
    client, lambeth_officer, southwark_officer, analyst
):
    incident, suspect = open_incident_with_partner_suspect(lambeth_officer)
    victim = add_party(incident, PartyRole.VICTIM)
    data = {"relationship_to_victim": "spouse", "separation": "no", "version": incident.version}

    client.force_login(southwark_officer)
    assert client.post(relationship_url(incident, suspect), data).status_code == 404
    client.force_login(analyst)
    assert client.post(relationship_url(incident, suspect), data).status_code == 403
    client.force_login(lambeth_officer)
    assert client.get(relationship_url(incident, victim)).status_code == 404
    suspect.refresh_from_db()
    assert suspect.relationship_to_victim == "partner"


def test_the_api_corrects_it_with_the_incidents_version(api_client, lambeth_officer):
    incident, suspect = open_incident_with_partner_suspect(lambeth_officer)
    url = reverse("api:incident-suspect-relationship", args=[incident.pk, suspect.pk])
    api_client.force_authenticate(lambeth_officer)

    unversioned = api_client.patch(url, {"relationship_to_victim": "spouse"}, format="json")
    stale = api_client.patch(
        url, {"relationship_to_victim": "spouse", "version": incident.version - 1}, format="json"
    )
    saved = api_client.patch(
        url,
        {"relationship_to_victim": "former_partner", "separation": "yes"},
        format="json",
        HTTP_IF_MATCH=f'"v{incident.version}"',
    )

    assert unversioned.status_code == 400 and stale.status_code == 409
    assert saved.status_code == 200, saved.content
    assert saved.json()["separation"] == "yes"
    suspect.refresh_from_db()
    assert suspect.relationship_to_victim == "former_partner"


def test_the_api_refuses_another_borough_an_analyst_and_a_party_who_is_not_a_suspect(
    api_client, lambeth_officer, southwark_officer, analyst
):
    incident, suspect = open_incident_with_partner_suspect(lambeth_officer)
    victim = add_party(incident, PartyRole.VICTIM)
    incident.refresh_from_db()
    body = {"relationship_to_victim": "spouse", "version": incident.version}

    def patch(user, party):
        api_client.force_authenticate(user)
        url = reverse("api:incident-suspect-relationship", args=[incident.pk, party.pk])
        return api_client.patch(url, body, format="json").status_code

    assert patch(southwark_officer, suspect) == 404
    assert patch(analyst, suspect) == 403
    assert patch(lambeth_officer, victim) == 404
    suspect.refresh_from_db()
    assert suspect.relationship_to_victim == "partner"
