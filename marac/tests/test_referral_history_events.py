"""A referral's history follows it through its meeting: heard when the meeting is held, taken
off it (with the reason) when the case is removed or the meeting cancelled; the referral page
shows those events."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import ReferralEventKind, ReferralHistoryEntry
from ..services.meetings import listing_remove, meeting_cancel, meeting_mark_held
from .factories import coordinator, listed_case, meeting

pytestmark = pytest.mark.django_db


def kinds(referral) -> list[str]:
    return list(referral.history.values_list("kind", flat=True))


def test_marking_held_records_one_heard_event_per_listed_case():
    at = meeting(starts_at=timezone.now() - timedelta(hours=1))
    coord = coordinator()
    listings = [listed_case(at, coord) for _ in range(3)]
    elsewhere = listed_case(meeting(), coord)

    meeting_mark_held(actor=coord, meeting=at)

    for listing in listings:
        assert kinds(listing.referral) == ["submitted", "listed", "heard"]
        heard = listing.referral.history.last()
        assert (heard.actor, heard.comment) == (coord, str(at))
        assert heard.get_kind_display() == "Heard at the meeting"
    assert kinds(elsewhere.referral) == ["submitted", "listed"]
    assert ReferralHistoryEntry.objects.filter(kind=ReferralEventKind.HEARD).count() == 3


def test_marking_held_a_meeting_with_no_cases_records_no_events():
    at = meeting(starts_at=timezone.now() - timedelta(hours=1))
    before = ReferralHistoryEntry.objects.count()

    meeting_mark_held(actor=coordinator(), meeting=at)

    assert ReferralHistoryEntry.objects.count() == before


def test_cancelling_records_an_unlisted_event_with_the_reason():
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)

    meeting_cancel(actor=coord, meeting=at)

    assert kinds(listing.referral) == ["submitted", "listed", "unlisted"]
    event = listing.referral.history.last()
    assert event.actor == coord
    assert event.comment == f"{at} was cancelled; the case is to be listed at another meeting."


def test_removing_a_case_records_an_unlisted_event_with_the_reason():
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)

    referral = listing_remove(actor=coord, listing=listing)

    assert kinds(referral) == ["submitted", "listed", "unlisted"]
    event = referral.history.last()
    assert event.actor == coord
    assert event.comment == f"Removed from {at}; the case is to be listed at another meeting."
    assert not referral.history.filter(kind=ReferralEventKind.ACCEPTED).exists()


def test_the_database_refuses_an_unknown_event_kind():
    listing = listed_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralHistoryEntry.objects.create(
            referral=listing.referral, kind="vanished", actor=listing.listed_by
        )


def test_the_referral_page_shows_heard_and_removed_events(client):
    held_at = meeting(starts_at=timezone.now() - timedelta(hours=1))
    coord = coordinator()
    heard = listed_case(held_at, coord)
    meeting_mark_held(actor=coord, meeting=held_at)
    removed = listed_case(meeting(), coord)
    listing_remove(actor=coord, listing=removed)
    client.force_login(coord)

    page = client.get(reverse("marac:referral-detail", args=[heard.referral.pk])).text
    assert "Heard at the meeting</strong>" in page
    page = client.get(reverse("marac:referral-detail", args=[removed.referral.pk])).text
    assert "Removed from the meeting</strong>" in page
    assert "the case is to be listed at another meeting" in page
