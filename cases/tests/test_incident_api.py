"""Recording incidents through the API: the same services and scope as the pages."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Incident, IncidentStatus, ReviewStatus
from cases.tests.factories import (
    GOOD_JUSTIFICATION,
    IncidentFactory,
    PersonFactory,
    add_party,
    complete_incident,
)

pytestmark = pytest.mark.django_db


def create_body(**overrides):
    now = timezone.now()
    body = {
        "borough": "LAM",
        "occurred_at": (now - timedelta(hours=3)).isoformat(),
        "reported_at": (now - timedelta(hours=2)).isoformat(),
        "how_reported": "999",
        "location": {"line_1": "5 Mill Lane", "postcode": "SE11 4AA"},
        "abuse_types": ["physical"],
        "officer_narrative": "Attended; both parties spoken to.",
    }
    body.update(overrides)
    return body


def test_an_officer_records_a_whole_incident_through_the_api(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    created = api_client.post(reverse("api:incident-list"), create_body(), format="json")
    assert created.status_code == 201, created.json()
    incident_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    victim = api_client.post(
        reverse("api:incident-parties", args=[incident_id]),
        {"person": PersonFactory().pk, "role": "victim"},
        format="json",
    )
    suspect = api_client.post(
        reverse("api:incident-parties", args=[incident_id]),
        {"person": PersonFactory().pk, "role": "suspect", "relationship_to_victim": "partner"},
        format="json",
    )
    assert victim.status_code == suspect.status_code == 201
    offence = api_client.post(
        reverse("api:incident-offences", args=[incident_id]),
        {"suspect": suspect.json()["id"], "offence_type": "abh"},
        format="json",
    )
    assert offence.status_code == 201
    decision = api_client.post(
        reverse("api:arrest-decision-list"),
        {
            "suspect": suspect.json()["id"],
            "outcome": "not_arrested",
            "reason": "not_present",
            "justification": GOOD_JUSTIFICATION,
        },
        format="json",
    )
    assert decision.status_code == 201, decision.json()

    submitted = api_client.post(
        reverse("api:incident-submit", args=[incident_id]), {}, format="json"
    )

    assert submitted.status_code == 200, submitted.json()
    body = submitted.json()
    assert body["status"] == "open"
    assert body["arrest_decisions"][0]["review_status"] == ReviewStatus.AWAITING


def test_bad_input_is_a_400_with_field_errors(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        reverse("api:incident-list"),
        create_body(how_reported="carrier pigeon", occurred_at="yesterday", borough="XXX"),
        format="json",
    )

    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert {"how_reported", "occurred_at", "borough"} <= attrs
    assert Incident.objects.count() == 0


def test_recording_in_another_borough_is_refused(api_client, southwark_officer):
    api_client.force_authenticate(southwark_officer)

    response = api_client.post(
        reverse("api:incident-list"), create_body(borough="LAM"), format="json"
    )

    # The service's own rule, in its own words (docs/adr/0012).
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == (
        "You can record incidents in your own borough only."
    )
    assert Incident.objects.count() == 0


def test_a_stale_version_gets_409_and_changes_nothing(api_client, lambeth_officer):
    incident = IncidentFactory(cad_reference="A")
    api_client.force_authenticate(lambeth_officer)
    url = reverse("api:incident-detail", args=[incident.pk])

    first = api_client.patch(url, {"version": 1, "cad_reference": "B"}, format="json")
    second = api_client.patch(url, {"version": 1, "cad_reference": "C"}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "conflict"
    incident.refresh_from_db()
    assert incident.cad_reference == "B"


def test_patch_without_version_is_a_400(api_client, lambeth_officer):
    incident = IncidentFactory()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        reverse("api:incident-detail", args=[incident.pk]), {"cad_reference": "B"}, format="json"
    )

    assert response.status_code == 400


def test_filters_narrow_the_list(api_client, lambeth_officer):
    complete_incident()
    IncidentFactory(is_crime=False)
    IncidentFactory(status=IncidentStatus.DRAFT)
    api_client.force_authenticate(lambeth_officer)
    url = reverse("api:incident-list")

    def count(**params):
        return len(api_client.get(url, params).json()["results"])

    assert count() == 3
    assert count(crime="non_crime") == 1
    assert count(status="draft") == 1
    assert count(outstanding_suspect="true") == 1
    assert count(review_status="awaiting") == 1
    assert count(status="draft", recorded_by_me="true") == 0
    IncidentFactory(status=IncidentStatus.DRAFT, actor=lambeth_officer)
    assert count(status="draft", recorded_by_me="true") == 1


def test_a_bad_filter_is_a_400_not_a_500(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(reverse("api:incident-list"), {"date_from": "not-a-date"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "date_from"


def test_name_search_finds_incidents_by_a_partys_name(api_client, lambeth_officer):
    incident = IncidentFactory()
    add_party(incident, person=PersonFactory(given_name="Margaret", family_name="Okonkwo"))
    other = IncidentFactory()
    add_party(other, person=PersonFactory(given_name="Sean", family_name="Byrne"))
    api_client.force_authenticate(lambeth_officer)

    response = api_client.get(reverse("api:incident-list"), {"q": "margret okonkwo"})

    assert [row["reference"] for row in response.json()["results"]] == [incident.reference]


def test_partners_and_analysts_cannot_write(api_client, partner, analyst):
    for user in (partner, analyst):
        api_client.force_authenticate(user)
        assert (
            api_client.post(reverse("api:incident-list"), create_body(), format="json").status_code
            == 403
        )
    assert Incident.objects.count() == 0


def test_parties_cannot_be_added_to_another_boroughs_incident(api_client, southwark_officer):
    incident = IncidentFactory(status=IncidentStatus.DRAFT)
    api_client.force_authenticate(southwark_officer)

    response = api_client.post(
        reverse("api:incident-parties", args=[incident.pk]),
        {"person": PersonFactory().pk, "role": "victim"},
        format="json",
    )

    assert response.status_code == 404
    assert not incident.parties.exists()


def test_detail_lists_parties_offences_and_decisions_and_is_logged(api_client, lambeth_officer):
    from publicprotection.audit.models import AccessLogEntry

    incident, _, _ = complete_incident()
    api_client.force_authenticate(lambeth_officer)

    body = api_client.get(reverse("api:incident-detail", args=[incident.pk])).json()

    assert {p["role"] for p in body["parties"]} == {"victim", "suspect"}
    assert body["offences"][0]["offence_type"] == "abh"
    assert body["arrest_decisions"][0]["is_outstanding"] is True
    assert AccessLogEntry.objects.filter(object_id=str(incident.pk), channel="api").count() == 1


@pytest.mark.parametrize(
    "overrides, attr",
    [
        ({"occurred_at": "2099-01-01T10:00:00Z", "reported_at": "2099-01-01T11:00:00Z"}, None),
        ({"reported_at": "2099-01-01T11:00:00Z"}, "reported_at"),
        ({"occurred_at": "1850-06-01T10:00:00Z", "reported_at": "1850-06-01T11:00:00Z"}, None),
        ({"occurred_at": "1850-06-01T10:00:00Z"}, "occurred_at"),
    ],
)
def test_incidents_in_the_future_or_in_1850_are_refused(api_client, lambeth_officer, overrides,
                                                        attr):  # fmt: skip
    api_client.force_authenticate(lambeth_officer)

    response = api_client.post(
        reverse("api:incident-list"), create_body(**overrides), format="json"
    )

    assert response.status_code == 400, response.json()
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert attrs == ({attr} if attr else {"occurred_at", "reported_at"})
    assert Incident.objects.count() == 0


def test_moving_an_incident_into_the_future_is_refused(api_client, lambeth_officer):
    incident = IncidentFactory()
    api_client.force_authenticate(lambeth_officer)

    response = api_client.patch(
        reverse("api:incident-detail", args=[incident.pk]),
        {"version": incident.version, "reported_at": "2099-01-01T11:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"reported_at"}
    incident.refresh_from_db()
    assert incident.reported_at.year < 2099


def child_safeguarding_draft(api_client):
    """A draft through the API with a victim aged 15 and an arrest decision recorded."""
    created = api_client.post(reverse("api:incident-list"), create_body(), format="json")
    incident_id = created.json()["id"]
    fifteen = timezone.localdate() - timedelta(days=15 * 365 + 30)
    victim = PersonFactory(date_of_birth=fifteen)
    parties = reverse("api:incident-parties", args=[incident_id])
    api_client.post(parties, {"person": victim.pk, "role": "victim"}, format="json")
    suspect = api_client.post(
        parties,
        {"person": PersonFactory().pk, "role": "suspect", "relationship_to_victim": "partner"},
        format="json",
    ).json()
    api_client.post(
        reverse("api:incident-offences", args=[incident_id]),
        {"suspect": suspect["id"], "offence_type": "abh"},
        format="json",
    )
    api_client.post(
        reverse("api:arrest-decision-list"),
        {"suspect": suspect["id"], "outcome": "not_arrested", "reason": "not_present",
         "justification": GOOD_JUSTIFICATION},
        format="json",
    )  # fmt: skip
    return incident_id


@override_settings(DOMESTIC_ABUSE_MINIMUM_AGE=16)
def test_an_api_client_records_the_childrens_referral_and_submits(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    incident_id = child_safeguarding_draft(api_client)
    submit = reverse("api:incident-submit", args=[incident_id])
    refused = api_client.post(submit, {}, format="json")
    assert refused.status_code == 400
    assert "Record the children's services referral." in str(refused.json())
    url = reverse("api:incident-childrens-referral", args=[incident_id])

    recorded = api_client.post(
        url,
        {"referred_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
         "referred_to": "Lambeth MASH", "referral_reference": "MASH/123"},
        format="json",
    )  # fmt: skip

    assert recorded.status_code == 200, recorded.json()
    assert recorded.json()["is_made"] is True
    assert recorded.json()["reasons"] == ["victim_under_age"]
    submitted = api_client.post(submit, {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    body = submitted.json()
    assert body["status"] == "open"
    assert body["child_safeguarding"] is True
    assert body["childrens_referral"]["referred_to"] == "Lambeth MASH"


@override_settings(DOMESTIC_ABUSE_MINIMUM_AGE=16)
def test_a_childrens_referral_needs_who_and_a_past_time(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    incident_id = child_safeguarding_draft(api_client)
    url = reverse("api:incident-childrens-referral", args=[incident_id])

    future = api_client.post(
        url,
        {"referred_at": (timezone.now() + timedelta(days=1)).isoformat(), "referred_to": "MASH"},
        format="json",
    )
    missing = api_client.post(url, {"referred_to": ""}, format="json")

    assert future.status_code == 400
    assert {e["attr"] for e in future.json()["errors"]} == {"referred_at"}
    assert missing.status_code == 400
    assert {e["attr"] for e in missing.json()["errors"]} == {"referred_at", "referred_to"}
    assert not Incident.objects.get(pk=incident_id).childrens_referral.is_made


def test_no_referral_to_record_is_a_400_and_other_boroughs_get_404(
    api_client, lambeth_officer, southwark_officer
):
    incident, _, _ = complete_incident()
    body = {"referred_at": timezone.now().isoformat(), "referred_to": "MASH"}
    url = reverse("api:incident-childrens-referral", args=[incident.pk])

    api_client.force_authenticate(southwark_officer)
    assert api_client.post(url, body, format="json").status_code == 404
    api_client.force_authenticate(lambeth_officer)
    response = api_client.post(url, body, format="json")

    assert response.status_code == 400
    assert "needs no children's services referral" in str(response.json())


@override_settings(DOMESTIC_ABUSE_MINIMUM_AGE=16)
def test_a_stale_childrens_referral_is_409_or_412_and_changes_nothing(api_client, lambeth_officer):
    api_client.force_authenticate(lambeth_officer)
    incident_id = child_safeguarding_draft(api_client)
    read = api_client.get(reverse("api:incident-detail", args=[incident_id]))
    version = read.json()["version"]
    url = reverse("api:incident-childrens-referral", args=[incident_id])
    body = {"referred_at": (timezone.now() - timedelta(minutes=10)).isoformat()}

    first = api_client.post(
        url, {**body, "referred_to": "Lambeth MASH"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    stale_header = api_client.post(
        url, {**body, "referred_to": "Southwark MASH"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    stale_body = api_client.post(
        url, {**body, "referred_to": "Croydon MASH", "version": version}, format="json"
    )

    assert first.status_code == 200, first.json()
    assert stale_header.status_code == 412
    assert stale_body.status_code == 409
    assert stale_body.json()["errors"][0]["code"] == "conflict"
    referral = Incident.objects.get(pk=incident_id).childrens_referral
    assert referral.referred_to == "Lambeth MASH"
