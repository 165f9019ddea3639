"""Referral pages and API: the coordinator's journey, and denials (anonymous, wrong role,
other borough) that change nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publicprotection.audit.models import AccessLogEntry

from ..models import MaracReferral, ReferralStatus
from ..services.referrals import referral_accept
from .factories import (
    REFERRAL_FIELDS,
    coordinator,
    high_assessment,
    meeting,
    new_incident_of,
    refer,
    referral_made_days_ago,
)

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        **REFERRAL_FIELDS,
        "victim_aware": "true",
        "victim_consents": "true",
        "children_in_household": "0",
        "criteria": ["visible_high_risk"],
    }
    data.update(overrides)
    return data


def test_coordinator_home_lists_what_needs_doing(client):
    waiting = high_assessment()
    submitted = refer()
    coord = coordinator()
    client.force_login(coord)

    page = client.get(reverse("marac:home")).text

    assert f"?assessment={waiting.pk}" in page
    assert submitted.reference in page


def test_home_triage_list_reads_no_perpetrators(client):
    # The home's table names none: they are not read (the referral list's page does).
    submitted = refer()
    assert submitted.perpetrators.exists()
    client.force_login(coordinator())

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("marac:home"))

    assert response.context["awaiting_triage"] == [submitted]
    assert submitted.reference in response.text
    assert not [q for q in captured.captured_queries if "marac_referralperpetrator" in q["sql"]]


def repeat_alert_candidate_queries(captured) -> int:
    """The borough path's candidates query of `repeat_marac_alerts` (the costly part)."""
    return sum(
        1
        for query in captured.captured_queries
        if 'FROM "marac_repeatmaraccandidate"' in query["sql"]
    )


def test_home_works_out_the_repeat_alerts_once_for_its_list_and_the_navigation(client):
    referral = referral_made_days_ago(100)
    first = new_incident_of(referral.person, 30, referral)
    coord = coordinator()
    referral_accept(actor=coord, referral_id=referral.pk)  # off the triage list
    client.force_login(coord)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("marac:home"))

    assert repeat_alert_candidate_queries(captured) == 1
    assert response.context["repeat_alerts"] == [first]
    assert 'data-waiting="1"' in response.text  # the alert, counted by the navigation

    # The next request reads again: a new alert shows in the list and the number.
    second = new_incident_of(referral.person, 60, referral)
    response = client.get(reverse("marac:home"))

    assert response.context["repeat_alerts"] == [second, first]
    assert 'data-waiting="2"' in response.text

    # ...and an alert referred (the new referral awaits triage) leaves both.
    again = refer(high_assessment(victim=second))
    referral_accept(actor=coord, referral_id=again.pk)
    response = client.get(reverse("marac:home"))

    assert response.context["repeat_alerts"] == [first]
    assert 'data-waiting="1"' in response.text


def test_home_and_referral_list_links_are_the_reversed_urls(client):
    # The rows' links are built from one reverse a kind: each must be what {% url %} gave.
    referral = referral_made_days_ago(100)
    alert = new_incident_of(referral.person, 30, referral)
    waiting = high_assessment()
    coord = coordinator()
    client.force_login(coord)

    home = client.get(reverse("marac:home")).text
    listed = client.get(reverse("marac:referral-list")).text

    assert alert.incident.reference.count("/") == 3  # a reference with its slashes
    assert f'href="{reverse("cases:incident-detail", args=[alert.incident.reference])}"' in home
    assert f'href="{reverse("marac:referral-detail", args=[referral.pk])}"' in home
    refer_link = f"{reverse('marac:referral-create')}?assessment={waiting.pk}"
    assert f'href="{refer_link}"' in home
    assert f'href="{reverse("marac:referral-detail", args=[referral.pk])}"' in listed


def test_partner_home_is_an_empty_state(client, partner):
    refer()
    client.force_login(partner)
    response = client.get(reverse("marac:home"))
    assert response.status_code == 200
    assert "Cases shared with your agency will appear here" in response.text
    assert "MR-" not in response.text


def test_officer_refers_their_assessment(client, lambeth_officer):
    assessment = high_assessment()
    client.force_login(lambeth_officer)
    url = reverse("marac:referral-create") + f"?assessment={assessment.pk}"

    page = client.get(url)
    assert page.status_code == 200
    assert "Assessed as HIGH risk." in page.text
    response = client.post(url, form_data())

    assert response.status_code == 302
    referral = MaracReferral.objects.get()
    assert referral.assessment == assessment
    assert referral.referred_by == lambeth_officer


def test_form_errors_keep_what_was_typed(client, lambeth_officer):
    assessment = high_assessment()
    client.force_login(lambeth_officer)
    response = client.post(
        reverse("marac:referral-create") + f"?assessment={assessment.pk}",
        form_data(victim_consents="false", recent_history="Kept text"),
    )
    assert response.status_code == 400
    assert "<title>Error: " in response.text
    assert "Say why the referral goes ahead without" in response.text
    assert "Kept text" in response.text
    assert not MaracReferral.objects.exists()


def test_coordinator_triages_accept_then_list(client):
    referral = refer()
    at = meeting()
    coord = coordinator()
    client.force_login(coord)

    detail = client.get(reverse("marac:referral-detail", args=[referral.pk]))
    assert detail.status_code == 200
    assert AccessLogEntry.objects.filter(object_id=str(referral.pk)).exists()
    client.post(reverse("marac:referral-accept", args=[referral.pk]))
    response = client.post(
        reverse("marac:referral-list-at", args=[referral.pk]), {"meeting": at.pk}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.LISTED
    agenda = client.get(reverse("marac:meeting-agenda", args=[at.pk])).text
    assert referral.reference in agenda


def test_reject_without_reason_is_an_error(client):
    referral = refer()
    client.force_login(coordinator())
    response = client.post(reverse("marac:referral-reject", args=[referral.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Say why the referral is rejected" in response.text
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_list_filters_by_status(client):
    accepted = refer()
    MaracReferral.objects.filter(pk=accepted.pk).update(status=ReferralStatus.ACCEPTED)
    waiting = refer()
    client.force_login(coordinator())
    page = client.get(reverse("marac:referral-list"), {"status": "submitted"}).text
    assert waiting.reference in page
    assert accepted.reference not in page


# --- Denials -------------------------------------------------------------------------------------

COORDINATOR_PAGES = [
    ("get", "marac:referral-list", False),
    ("get", "marac:referral-detail", True),
    ("post", "marac:referral-accept", True),
    ("post", "marac:referral-reject", True),
    ("post", "marac:referral-list-at", True),
]


def snapshot():
    return list(MaracReferral.objects.values_list("pk", "status").order_by("pk"))


@pytest.mark.parametrize("method,name,with_pk", COORDINATOR_PAGES)
def test_pages_deny_anonymous_wrong_role_and_other_borough(
    client, lambeth_officer, partner, method, name, with_pk
):
    referral = refer()
    at = meeting()
    url = reverse(name, args=[referral.pk] if with_pk else [])
    data = {"reason": "x", "meeting": at.pk}
    before = snapshot()

    assert getattr(client, method)(url, data).status_code == 302  # to sign in
    for user in (lambeth_officer, partner):
        client.force_login(user)
        assert getattr(client, method)(url, data).status_code == 403
    client.force_login(coordinator("SOU"))
    expected = 200 if not with_pk else 404
    assert getattr(client, method)(url, data).status_code == expected
    assert snapshot() == before


def test_create_page_denials(client, partner, southwark_officer):
    assessment = high_assessment()
    url = reverse("marac:referral-create") + f"?assessment={assessment.pk}"
    assert client.post(url, form_data()).status_code == 302
    client.force_login(partner)
    assert client.post(url, form_data()).status_code == 403
    client.force_login(southwark_officer)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert not MaracReferral.objects.exists()


def test_partners_only_reach_home(client, lambeth_officer):
    client.force_login(lambeth_officer)
    assert client.get(reverse("marac:home")).status_code == 403


def test_referral_list_queries_do_not_grow(client):
    coord = coordinator()
    client.force_login(coord)

    def queries_for(n):
        while MaracReferral.objects.count() < n:
            refer()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("marac:referral-list")).status_code == 200
        return len(ctx)

    assert queries_for(5) == queries_for(20)


# --- API -----------------------------------------------------------------------------------------


def test_api_create_triage_and_conflict(api_client, lambeth_officer):
    assessment = high_assessment()
    api_client.force_authenticate(lambeth_officer)
    response = api_client.post(
        "/api/v1/marac/referrals/",
        {**REFERRAL_FIELDS, "assessment": assessment.pk, "victim_consents": False},
        format="json",
    )
    assert response.status_code == 400
    assert "no_consent_reason" in str(response.json())

    response = api_client.post(
        "/api/v1/marac/referrals/", {**REFERRAL_FIELDS, "assessment": assessment.pk}, format="json"
    )
    assert response.status_code == 201
    referral_id = response.json()["id"]

    api_client.force_authenticate(coordinator())
    detail = api_client.get(f"/api/v1/marac/referrals/{referral_id}/")
    assert detail.status_code == 200
    assert detail.json()["criteria"] == ["visible_high_risk"]
    assert api_client.post(f"/api/v1/marac/referrals/{referral_id}/accept/").status_code == 200
    assert api_client.post(f"/api/v1/marac/referrals/{referral_id}/accept/").status_code == 409
    at = meeting()
    listed = api_client.post(
        f"/api/v1/marac/referrals/{referral_id}/list-at-meeting/", {"meeting": at.pk}
    )
    assert listed.status_code == 200
    assert listed.json()["status"] == "listed"
    assert api_client.get("/api/v1/marac/referrals/?status=listed").json()["results"][0]["id"] == (
        referral_id
    )


@pytest.mark.parametrize(
    "method,suffix",
    [("get", ""), ("post", "accept/"), ("post", "reject/"), ("post", "list-at-meeting/")],
)
def test_api_denials(api_client, lambeth_officer, partner, method, suffix):
    referral = refer()
    url = f"/api/v1/marac/referrals/{referral.pk}/{suffix}"
    before = snapshot()
    data = {"reason": "x", "meeting": meeting().pk}

    assert getattr(api_client, method)(url, data).status_code in (401, 403)
    for user in (lambeth_officer, partner):
        api_client.force_authenticate(user)
        assert getattr(api_client, method)(url, data).status_code == 403
    api_client.force_authenticate(coordinator("SOU"))
    assert getattr(api_client, method)(url, data).status_code == 404
    assert snapshot() == before


def test_api_list_and_create_denials(api_client, partner, southwark_officer):
    assessment = high_assessment()
    body = {**REFERRAL_FIELDS, "assessment": assessment.pk}
    assert api_client.get("/api/v1/marac/referrals/").status_code in (401, 403)
    api_client.force_authenticate(partner)
    assert api_client.get("/api/v1/marac/referrals/").status_code == 403
    assert api_client.post("/api/v1/marac/referrals/", body, format="json").status_code == 403
    api_client.force_authenticate(southwark_officer)
    assert api_client.get("/api/v1/marac/referrals/").status_code == 403
    response = api_client.post("/api/v1/marac/referrals/", body, format="json")
    assert response.status_code == 400
    assert "assessment" in str(response.json())
    assert not MaracReferral.objects.exists()
