"""A meeting's transitions (held, cancelled) and taking a case off a scheduled meeting: the
services' guards, the buttons and POST views on the meeting page, and the API (409 on a
transition the status does not allow); denials change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ..models import (
    MaracCaseListing,
    MaracCaseListingGroupObjectPermission,
    MaracMeeting,
    MaracReferral,
    ReferralHistoryEntry,
)
from ..services.meetings import (
    MeetingStateError,
    case_discussion_save,
    listing_remove,
    meeting_cancel,
    meeting_mark_held,
    referral_list_at_meeting,
)
from ..services.research import research_save
from ..services.sharing import meeting_invite
from .factories import an_action, coordinator, idva_partner, listed_case, meeting

pytestmark = pytest.mark.django_db


def started_meeting():
    return meeting(starts_at=timezone.now() - timedelta(hours=1))


def shared_case(at):
    """A case listed at `at`, shared with an invited IDVA."""
    coord = coordinator()
    listing = listed_case(at, coord)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    return coord, listing, idva


def snapshot():
    return (
        list(MaracMeeting.objects.values_list("pk", "status").order_by("pk")),
        list(MaracReferral.objects.values_list("pk", "status").order_by("pk")),
        list(MaracCaseListing.objects.values_list("pk", flat=True).order_by("pk")),
        MaracCaseListingGroupObjectPermission.objects.count(),
        ReferralHistoryEntry.objects.count(),
    )


def status_of(obj):
    obj.refresh_from_db()
    return obj.status


# --- Predicates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,started,can_mark_held,can_cancel",
    [
        ("scheduled", False, False, True),
        ("scheduled", True, True, True),
        ("held", True, False, False),
        ("cancelled", False, False, False),
        ("cancelled", True, False, False),
    ],
)
def test_the_meeting_predicates(status, started, can_mark_held, can_cancel):
    starts_at = timezone.now() + timedelta(hours=-1 if started else 1)
    at = MaracMeeting(status=status, starts_at=starts_at)
    assert (at.can_mark_held(), at.can_cancel()) == (can_mark_held, can_cancel)


# --- Services ----------------------------------------------------------------------------------


def test_marking_held_hears_the_listed_cases():
    at = started_meeting()
    coord, listing, idva = shared_case(at)

    meeting_mark_held(actor=coord, meeting=at)

    assert status_of(at) == "held"
    assert status_of(listing.referral) == "heard"
    # The agencies keep the case for its action plan.
    assert MaracCaseListingGroupObjectPermission.objects.filter(content_object=listing).exists()
    with pytest.raises(MeetingStateError, match="held"):
        meeting_mark_held(actor=coord, meeting=at)
    with pytest.raises(MeetingStateError, match="held"):
        meeting_cancel(actor=coord, meeting=at)


def test_a_meeting_that_has_not_started_cannot_be_marked_held():
    at = meeting()
    coord, listing, _ = shared_case(at)
    before = snapshot()
    with pytest.raises(MeetingStateError, match="not started"):
        meeting_mark_held(actor=coord, meeting=at)
    assert snapshot() == before


def test_cancelling_returns_cases_for_listing_and_withdraws_the_shares():
    at = meeting()
    coord, listing, idva = shared_case(at)

    meeting_cancel(actor=coord, meeting=at)

    assert status_of(at) == "cancelled"
    referral = listing.referral
    assert status_of(referral) == "accepted"
    assert "cancelled" in referral.history.last().comment
    assert not MaracCaseListingGroupObjectPermission.objects.exists()
    # The record stays; the case can be listed at another meeting.
    assert MaracCaseListing.objects.filter(pk=listing.pk).exists()
    referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=meeting().pk)
    with pytest.raises(MeetingStateError, match="cancelled"):
        meeting_cancel(actor=coord, meeting=at)
    with pytest.raises(MeetingStateError, match="cancelled"):
        meeting_mark_held(actor=coord, meeting=at)


def test_removing_a_case_revokes_its_shares_and_returns_it_for_listing():
    at = meeting()
    coord, listing, idva = shared_case(at)
    kept = listed_case(at, coord)

    referral = listing_remove(actor=coord, listing=listing)

    assert not MaracCaseListing.objects.filter(pk=listing.pk).exists()
    assert referral.status == "accepted"
    assert "Removed from" in referral.history.last().comment
    shares = MaracCaseListingGroupObjectPermission.objects.all()
    assert [share.content_object_id for share in shares] == [kept.pk]
    referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)


@pytest.mark.parametrize("record", ["research", "action", "discussion", "held"])
def test_a_case_with_records_or_at_a_held_meeting_stays(record):
    at = started_meeting()
    coord, listing, idva = shared_case(at)
    if record == "research":
        research_save(actor=idva, listing=listing, facts="Known since 2023")
    elif record == "action":
        an_action(listing, idva.agency, coord)
    elif record == "discussion":
        case_discussion_save(actor=coord, listing=listing, summary="Discussed")
    else:
        meeting_mark_held(actor=coord, meeting=at)
    before = snapshot()

    with pytest.raises(MeetingStateError) as exc:
        listing_remove(actor=coord, listing=listing)

    assert {"research": "research", "action": "actions", "discussion": "minutes",
            "held": "scheduled"}[record] in str(exc.value)  # fmt: skip
    assert snapshot() == before


# --- Pages -------------------------------------------------------------------------------------


def test_meeting_page_buttons_follow_the_status(client):
    future, started = meeting(), started_meeting()
    coord, listing, idva = shared_case(future)
    client.force_login(coord)

    page = client.get(reverse("marac:meeting-detail", args=[future.pk])).text
    assert reverse("marac:meeting-cancel", args=[future.pk]) in page
    assert reverse("marac:meeting-held", args=[future.pk]) not in page
    assert reverse("marac:meeting-listing-remove", args=[future.pk, listing.pk]) in page

    research_save(actor=idva, listing=listing, facts="Known")
    page = client.get(reverse("marac:meeting-detail", args=[future.pk])).text
    assert reverse("marac:meeting-listing-remove", args=[future.pk, listing.pk]) not in page
    assert "Agencies have recorded research on this case" in page

    page = client.get(reverse("marac:meeting-detail", args=[started.pk])).text
    assert reverse("marac:meeting-held", args=[started.pk]) in page

    meeting_mark_held(actor=coord, meeting=started)
    page = client.get(reverse("marac:meeting-detail", args=[started.pk])).text
    assert reverse("marac:meeting-held", args=[started.pk]) not in page
    assert reverse("marac:meeting-cancel", args=[started.pk]) not in page


def test_coordinator_marks_held_cancels_and_removes_on_the_pages(client):
    started, future = started_meeting(), meeting()
    coord, listing, _ = shared_case(future)
    client.force_login(coord)
    detail = reverse("marac:meeting-detail", args=[future.pk])

    response = client.post(reverse("marac:meeting-listing-remove", args=[future.pk, listing.pk]))
    assert response.status_code == 302
    assert not MaracCaseListing.objects.filter(pk=listing.pk).exists()
    assert f"{listing.referral.reference} removed" in client.get(detail).text

    assert client.post(reverse("marac:meeting-held", args=[started.pk])).status_code == 302
    assert status_of(started) == "held"
    assert client.post(reverse("marac:meeting-cancel", args=[future.pk])).status_code == 302
    assert status_of(future) == "cancelled"

    # Refused transitions: a message, nothing changed.
    before = snapshot()
    response = client.post(reverse("marac:meeting-cancel", args=[started.pk]), follow=True)
    assert "This meeting is held; it cannot be cancelled." in response.text
    assert snapshot() == before


@pytest.mark.parametrize("name", ["meeting-held", "meeting-cancel", "meeting-listing-remove"])
def test_pages_deny_and_change_nothing(client, lambeth_officer, partner, name):
    at = started_meeting()
    _, listing, idva = shared_case(at)
    args = [at.pk, listing.pk] if name == "meeting-listing-remove" else [at.pk]
    url = reverse(f"marac:{name}", args=args)
    before = snapshot()

    assert client.post(url).status_code == 302  # to sign in
    assert "sign-in" in client.post(url)["Location"]
    for user in (lambeth_officer, partner, idva):
        client.force_login(user)
        assert client.post(url).status_code == 403
    client.force_login(coordinator("SOU"))
    assert client.post(url).status_code == 404
    client.force_login(coordinator())
    assert client.get(url).status_code == 405
    assert snapshot() == before


def test_a_listing_of_another_meeting_is_404(client):
    at, other = meeting(), meeting()
    coord, listing, _ = shared_case(other)
    client.force_login(coord)
    before = snapshot()
    url = reverse("marac:meeting-listing-remove", args=[at.pk, listing.pk])
    assert client.post(url).status_code == 404
    assert snapshot() == before


# --- API ---------------------------------------------------------------------------------------


def api(at, action, listing=None):
    if action == "remove":
        return f"/api/v1/marac/meetings/{at.pk}/listings/{listing.pk}/"
    return f"/api/v1/marac/meetings/{at.pk}/{action}/"


def test_api_marks_held_and_cancels(api_client):
    started, future = started_meeting(), meeting()
    coord, listing, _ = shared_case(started)
    api_client.force_authenticate(coord)

    response = api_client.post(api(started, "held"))
    assert response.status_code == 200
    assert response.json()["status"] == "held"
    assert status_of(listing.referral) == "heard"

    response = api_client.post(api(future, "cancel"))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_api_conflicts_say_why_and_change_nothing(api_client):
    future, started = meeting(), started_meeting()
    coord, listing, idva = shared_case(future)
    research_save(actor=idva, listing=listing, facts="Known")
    meeting_mark_held(actor=coord, meeting=started)
    api_client.force_authenticate(coord)
    before = snapshot()

    conflicts = [
        (api_client.post, api(future, "held"), "not started"),
        (api_client.post, api(started, "held"), "held"),
        (api_client.post, api(started, "cancel"), "held"),
        (api_client.delete, api(future, "remove", listing), "research"),
    ]
    for call, url, reason in conflicts:
        response = call(url)
        assert response.status_code == 409, url
        assert reason in response.json()["errors"][0]["detail"]
    assert snapshot() == before


def test_api_removes_a_case(api_client):
    at = meeting()
    coord, listing, idva = shared_case(at)
    api_client.force_authenticate(coord)

    assert api_client.delete(api(at, "remove", listing)).status_code == 204
    assert not MaracCaseListing.objects.filter(pk=listing.pk).exists()
    assert status_of(listing.referral) == "accepted"
    assert api_client.delete(api(at, "remove", listing)).status_code == 404
    api_client.force_authenticate(idva)
    assert api_client.get(f"/api/v1/marac/cases/{listing.pk}/").status_code == 404


@pytest.mark.parametrize("action", ["held", "cancel", "remove"])
def test_api_denials_change_nothing(api_client, lambeth_officer, partner, action):
    at = started_meeting()
    _, listing, idva = shared_case(at)
    other = meeting()
    url = api(at, action, listing)
    method = "delete" if action == "remove" else "post"
    before = snapshot()

    assert getattr(api_client, method)(url).status_code in (401, 403)
    for user in (lambeth_officer, partner, idva):
        api_client.force_authenticate(user)
        assert getattr(api_client, method)(url).status_code == 403
    api_client.force_authenticate(coordinator("SOU"))
    assert getattr(api_client, method)(url).status_code == 404
    api_client.force_authenticate(coordinator())
    assert api_client.delete(api(other, "remove", listing)).status_code == 404
    assert snapshot() == before
