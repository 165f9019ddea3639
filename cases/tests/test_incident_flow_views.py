"""Recording an incident in the browser flow: every step keeps input and refuses bad data."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    ArrestDecision,
    ChildrensServicesReferral,
    Incident,
    IncidentStatus,
    Outcome,
    Party,
    PartyRole,
)
from cases.tests.factories import (
    IncidentFactory,
    PersonFactory,
    add_offence,
    add_party,
    assess_victims,
    complete_incident,
    datetime_local,
    incident_details_form,
)

pytestmark = pytest.mark.django_db


def test_officer_records_a_draft_incident(client, lambeth_officer):
    client.force_login(lambeth_officer)

    response = client.post(reverse("cases:incident-create"), incident_details_form())

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:incident-detail", args=[incident.reference])
    assert incident.status == IncidentStatus.DRAFT
    assert incident.abuse_types == ["physical", "coercive_control"]
    assert str(incident.location) == "12 Acacia Avenue, London, SW9 8AA"
    page = client.get(response["Location"])
    assert "Add the victim." in page.text


def test_bad_details_show_errors_and_keep_what_was_typed(client, lambeth_officer):
    client.force_login(lambeth_officer)
    future = datetime_local(timezone.now() + timedelta(days=1))

    response = client.post(
        reverse("cases:incident-create"),
        incident_details_form(occurred_at=future, how_reported="", location_postcode=""),
    )

    assert response.status_code == 200
    assert Incident.objects.count() == 0
    text = response.text
    assert "There is a problem" in text
    assert "The time it happened must be in the past" in text
    assert "Select how it was reported" in text
    assert "Enter the postcode of the address" in text
    assert 'value="12 Acacia Avenue"' in text
    assert 'value="CAD 1234"' in text


def test_an_officer_cannot_record_in_another_borough(client, southwark_officer):
    client.force_login(southwark_officer)

    response = client.post(reverse("cases:incident-create"), incident_details_form(borough="LAM"))

    assert response.status_code == 200
    assert Incident.objects.count() == 0
    assert "Select a valid choice" in response.text


def test_a_later_save_from_an_older_page_is_refused_keeping_the_input(client, lambeth_officer):
    incident = IncidentFactory(
        actor=lambeth_officer, status=IncidentStatus.DRAFT, cad_reference="A"
    )
    url = reverse("cases:incident-edit-details", args=[incident.reference])
    client.force_login(lambeth_officer)
    first = incident_details_form(
        version=incident.version,
        officer_in_charge=lambeth_officer.pk,
        occurred_at=datetime_local(incident.occurred_at),
        reported_at=datetime_local(incident.reported_at),
    )
    assert client.post(url, {**first, "cad_reference": "FIRST"}).status_code == 302

    response = client.post(url, {**first, "cad_reference": "SECOND"})

    assert response.status_code == 409
    assert "Someone else changed this incident" in response.text
    assert 'value="SECOND"' in response.text
    incident.refresh_from_db()
    assert incident.cad_reference == "FIRST"
    # Saving again from the refused page, after checking the other change, now works.
    again = client.post(
        url, {**first, "cad_reference": "SECOND", "version": shown_version(response)}
    )
    assert again.status_code == 302
    incident.refresh_from_db()
    assert incident.cad_reference == "SECOND"


def shown_version(response) -> str:
    return re.search(r'name="version" value="(\d+)"', response.text).group(1)


def test_two_tabs_cannot_overwrite_each_others_childrens_referral(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    add_party(
        incident, PartyRole.CHILD_IN_HOUSEHOLD, person=PersonFactory(date_of_birth=date(2019, 1, 1))
    )
    incident.refresh_from_db()
    url = reverse("cases:incident-referral", args=[incident.reference])
    client.force_login(lambeth_officer)
    opened = client.get(url)
    assert f'name="version" value="{incident.version}"' in opened.text
    form = {
        "version": incident.version,
        "referred_at": datetime_local(timezone.now() - timedelta(minutes=30)),
        "referral_reference": "",
        "notes": "",
    }
    assert client.post(url, {**form, "referred_to": "Lambeth MASH"}).status_code == 302

    stale = client.post(url, {**form, "referred_to": "Southwark MASH"})

    assert stale.status_code == 409
    assert "Someone else changed this incident" in stale.text
    assert 'value="Southwark MASH"' in stale.text
    assert ChildrensServicesReferral.objects.get(incident=incident).referred_to == "Lambeth MASH"
    again = client.post(
        url, {**form, "referred_to": "Southwark MASH", "version": shown_version(stale)}
    )
    assert again.status_code == 302
    assert ChildrensServicesReferral.objects.get(incident=incident).referred_to == "Southwark MASH"


def test_two_tabs_cannot_overwrite_each_others_outcome(client, lambeth_officer):
    incident, _, _ = complete_incident(actor=lambeth_officer)
    url = reverse("cases:incident-outcome", args=[incident.reference])
    client.force_login(lambeth_officer)
    assert f'name="version" value="{incident.version}"' in client.get(url).text
    charged = {"version": incident.version, "outcome": Outcome.CHARGE}
    assert client.post(url, charged).status_code == 302

    stale = client.post(
        url,
        {
            "version": incident.version,
            "outcome": Outcome.NO_FURTHER_ACTION,
            "no_further_action_reason": "Victim withdrew",
        },
    )

    assert stale.status_code == 409
    assert "Someone else changed this incident" in stale.text
    assert "Victim withdrew" in stale.text
    incident.refresh_from_db()
    assert incident.outcome == Outcome.CHARGE


def test_adding_a_party_searches_then_links_the_person(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    person = PersonFactory(given_name="Jane", family_name="Doherty")
    url = reverse("cases:incident-party-add", args=[incident.reference])
    client.force_login(lambeth_officer)
    search = {"role": "victim", "name": "Jane Dohert", "relationship_to_victim": "", "notes": ""}

    found = client.post(url, search)
    assert "Possible matches" in found.text
    assert "Jane Doherty" in found.text

    linked = client.post(url, {**search, "person": person.pk})
    assert linked.status_code == 302
    assert Party.objects.filter(incident=incident, person=person, role=PartyRole.VICTIM).exists()


def test_a_suspect_without_relationship_is_refused(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    person = PersonFactory()
    client.force_login(lambeth_officer)

    response = client.post(
        reverse("cases:incident-party-add", args=[incident.reference]),
        {"role": "suspect", "name": str(person), "person": person.pk},
    )

    assert response.status_code == 200
    assert "Select how the suspect is related to the victim" in response.text
    assert not Party.objects.exists()


def test_not_arresting_because_the_victim_will_not_support_is_refused_with_the_policy(
    client, lambeth_officer
):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    add_party(incident, PartyRole.VICTIM)
    suspect = add_party(incident, PartyRole.SUSPECT)
    add_offence(incident, suspect)
    client.force_login(lambeth_officer)
    url = reverse("cases:incident-arrest-decision", args=[incident.reference, suspect.pk])

    response = client.post(
        url,
        {
            "outcome": "not_arrested",
            "reason": "other",
            "justification": "The victim does not support a prosecution.",
        },
    )

    assert response.status_code == 200
    assert "Positive action policy" in response.text
    assert "The victim does not support a prosecution." in response.text
    assert not ArrestDecision.objects.exists()


def test_the_whole_draft_can_be_submitted_from_its_page(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    add_party(incident, PartyRole.VICTIM)
    suspect = add_party(incident, PartyRole.SUSPECT)
    add_offence(incident, suspect)
    client.force_login(lambeth_officer)
    client.post(
        reverse("cases:incident-arrest-decision", args=[incident.reference, suspect.pk]),
        {
            "outcome": "arrested",
            "arrested_at": datetime_local(timezone.now() - timedelta(minutes=30)),
            "arrested_by": "PC 123",
        },
    )
    incident.refresh_from_db()

    response = client.post(
        reverse("cases:incident-submit", args=[incident.reference]),
        {"version": incident.version},
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_submitting_an_incomplete_draft_explains_why(client, lambeth_officer):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    client.force_login(lambeth_officer)

    response = client.post(
        reverse("cases:incident-submit", args=[incident.reference]),
        {"version": incident.version},
        follow=True,
    )

    assert "Add the victim." in response.text
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_detail_page_shows_flags_evidence_and_decision_history(client, lambeth_officer):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    client.force_login(lambeth_officer)

    response = client.get(reverse("cases:incident-detail", args=[incident.reference]))

    assert response.status_code == 200
    assert "Outstanding suspect" in response.text
    assert "could not proceed without a victim statement" in response.text
    assert str(suspect.person) in response.text


@pytest.mark.parametrize(
    "url_name",
    [
        "incident-edit-details",
        "incident-edit-evidence",
        "incident-party-add",
        "incident-offence-add",
    ],
)
def test_write_pages_deny_other_boroughs_and_partners(client, southwark_officer, partner, url_name):
    incident = IncidentFactory(status=IncidentStatus.DRAFT)
    url = reverse(f"cases:{url_name}", args=[incident.reference])

    client.force_login(southwark_officer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": 1, "cad_reference": "X"}).status_code == 404
    client.force_login(partner)
    assert client.get(url).status_code == 403

    incident.refresh_from_db()
    assert incident.version == 1 and incident.cad_reference == ""


def test_analysts_neither_read_nor_record_incidents(client, analyst):
    # Analysts see trends and de-identified figures only (reports/), never a case page.
    incident = IncidentFactory()
    client.force_login(analyst)

    assert (
        client.get(reverse("cases:incident-detail", args=[incident.reference])).status_code == 403
    )
    assert client.get(reverse("cases:incident-list")).status_code == 403
    assert client.get(reverse("cases:incident-create")).status_code == 403
    assert client.post(reverse("cases:incident-create"), incident_details_form()).status_code == 403
    assert Incident.objects.count() == 1


def test_only_supervisors_close_incidents(client, lambeth_officer, lambeth_supervisor):
    incident, _, _ = complete_incident(actor=lambeth_officer)
    assess_victims(incident)
    url = reverse("cases:incident-close", args=[incident.reference])

    client.force_login(lambeth_officer)
    assert client.post(url, {"comment": "done"}).status_code == 403
    client.force_login(lambeth_supervisor)
    assert client.post(url, {"comment": ""}).status_code == 200
    assert client.post(url, {"comment": "All enquiries complete"}).status_code == 302

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_closing_with_a_suspect_awaiting_an_arrest_decision_shows_why(
    client, lambeth_officer, lambeth_supervisor
):
    incident, _, _ = complete_incident(actor=lambeth_officer)
    late = add_party(incident, PartyRole.SUSPECT, actor=lambeth_officer)
    add_offence(incident, late, actor=lambeth_officer)
    client.force_login(lambeth_supervisor)

    response = client.post(
        reverse("cases:incident-close", args=[incident.reference]), {"comment": "All done"}
    )

    assert response.status_code == 409
    assert f"Record the arrest decision for {late.person}" in response.text
    assert "All done" in response.text
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_closing_with_a_victim_not_assessed_shows_why_until_the_assessment_is_started(
    client, lambeth_officer, lambeth_supervisor
):
    """Given an open incident whose victim has no risk assessment, when a supervisor closes it,
    then the close is refused naming the victim, keeping the comment, and the incident stays
    open; once the assessment is started, it closes. Closing let a victim leave the officer's
    "Victims to assess" list with nothing asking for their assessment again."""
    incident, victim, _ = complete_incident(actor=lambeth_officer)
    client.force_login(lambeth_supervisor)
    url = reverse("cases:incident-close", args=[incident.reference])

    # The page says so before the supervisor writes why it can close.
    page = client.get(url)
    assert "The incident cannot be closed yet" in page.text
    assert f"Make the risk assessment of {victim.person} before closing" in page.text

    response = client.post(url, {"comment": "Enquiries complete"})

    assert response.status_code == 409
    assert f"Make the risk assessment of {victim.person} before closing" in response.text
    assert "Enquiries complete" in response.text
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN

    # A missing comment keeps the warning beside the field's error.
    missing = client.post(url, {"comment": ""})
    assert missing.status_code == 200
    assert "The incident cannot be closed yet" in missing.text

    assess_victims(incident)
    assert "cannot be closed yet" not in client.get(url).text
    assert client.post(url, {"comment": "Enquiries complete"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_detail_query_count_does_not_grow_with_parties(
    client, lambeth_officer, django_assert_max_num_queries
):
    small, _, _ = complete_incident(actor=lambeth_officer)
    big, _, _ = complete_incident(actor=lambeth_officer)
    for _ in range(6):
        add_party(big, PartyRole.WITNESS)
        suspect = add_party(big, PartyRole.SUSPECT)
        add_offence(big, suspect)
    client.force_login(lambeth_officer)

    with django_assert_max_num_queries(60) as few:
        client.get(reverse("cases:incident-detail", args=[small.reference]))
    with django_assert_max_num_queries(60) as many:
        client.get(reverse("cases:incident-detail", args=[big.reference]))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_officer_in_charge_can_be_handed_over_within_the_borough(
    client, lambeth_officer, lambeth_supervisor, southwark_officer
):
    incident = IncidentFactory(actor=lambeth_officer, status=IncidentStatus.DRAFT)
    url = reverse("cases:incident-edit-details", args=[incident.reference])
    client.force_login(lambeth_officer)
    data = incident_details_form(
        version=incident.version,
        occurred_at=datetime_local(incident.occurred_at),
        reported_at=datetime_local(incident.reported_at),
    )

    refused = client.post(url, {**data, "officer_in_charge": southwark_officer.pk})
    handed = client.post(url, {**data, "officer_in_charge": lambeth_supervisor.pk})

    assert "Select a valid choice" in refused.text
    assert handed.status_code == 302
    incident.refresh_from_db()
    assert incident.officer_in_charge == lambeth_supervisor


def test_another_boroughs_supervisor_cannot_see_or_use_an_incidents_close_page(
    client, lambeth_officer
):
    """The close page names the victims not yet assessed: a Southwark supervisor gets a 404
    for a Lambeth incident's page, with no name, and cannot close it."""
    from publicprotection.accounts.models import Role
    from publicprotection.accounts.tests.factories import UserFactory, team

    incident, victim, _ = complete_incident(actor=lambeth_officer)
    client.force_login(UserFactory(role=Role.SUPERVISOR, team=team("SOU")))
    url = reverse("cases:incident-close", args=[incident.reference])

    page = client.get(url)
    refused = client.post(url, {"comment": "Closing someone else's case"})

    assert page.status_code == 404 and str(victim.person) not in page.text
    assert refused.status_code == 404
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN
