"""Cases reaching 12 months since their last MARAC: found, shown, listed for review."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ..models import ListingCategory, MaracMeeting, ReferralStatus
from ..selectors.referrals import twelve_month_reviews_due
from ..services.meetings import meeting_mark_held, referral_list_at_meeting
from .factories import coordinator, high_assessment, meeting, refer

pytestmark = pytest.mark.django_db


def heard(days_ago: int, team_code: str = "LAM"):
    """A referral heard at a meeting held `days_ago` days ago."""
    coord = coordinator(team_code)
    at = meeting(team_code)
    referral = refer(high_assessment(borough_code=team_code))
    referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
    MaracMeeting.objects.filter(pk=at.pk).update(
        starts_at=timezone.now() - timedelta(days=days_ago)
    )
    meeting_mark_held(actor=coord, meeting=MaracMeeting.objects.get(pk=at.pk))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.HEARD
    return referral


def test_cases_heard_about_a_year_ago_are_due_for_review():
    due = heard(360)
    heard(200)  # too recent
    heard(500)  # long past: not shown as due any more
    heard(360, "SOU")  # another borough

    assert list(twelve_month_reviews_due(viewer=coordinator())) == [due]


def test_a_heard_case_is_listed_again_as_a_12_month_review_and_leaves_the_list(client):
    due = heard(350)
    coord = coordinator()
    client.force_login(coord)
    home = client.get(reverse("marac:home")).text
    assert due.reference in home and "12 months since their last MARAC" in home
    assert f'href="{reverse("marac:referral-detail", args=[due.pk])}"' in home

    page = client.get(reverse("marac:referral-detail", args=[due.pk])).text
    assert "List for its 12-month review" in page
    next_meeting = meeting()
    response = client.post(
        reverse("marac:referral-list-at", args=[due.pk]), {"meeting": next_meeting.pk}
    )

    assert response.status_code == 302
    listing = next_meeting.listings.get(referral=due)
    assert listing.category == ListingCategory.TWELVE_MONTH_REVIEW
    due.refresh_from_db()
    assert due.status == ReferralStatus.LISTED
    assert list(twelve_month_reviews_due(viewer=coord)) == []


def test_reviews_are_for_coordinators(lambeth_officer, partner):
    heard(360)

    assert twelve_month_reviews_due(viewer=lambeth_officer).count() == 0
    assert twelve_month_reviews_due(viewer=partner).count() == 0


def test_a_case_heard_again_since_is_not_due():
    due_once = heard(360)
    coord = coordinator()
    later = meeting()
    referral_list_at_meeting(actor=coord, referral_id=due_once.pk, meeting_id=later.pk)
    MaracMeeting.objects.filter(pk=later.pk).update(starts_at=timezone.now() - timedelta(days=90))
    meeting_mark_held(actor=coord, meeting=MaracMeeting.objects.get(pk=later.pk))

    assert list(twelve_month_reviews_due(viewer=coord)) == []


def test_a_case_heard_twice_in_the_window_is_due_from_its_last_hearing():
    twice, once = heard(380), heard(360)
    coord = coordinator()
    again = meeting()
    referral_list_at_meeting(actor=coord, referral_id=twice.pk, meeting_id=again.pk)
    MaracMeeting.objects.filter(pk=again.pk).update(starts_at=timezone.now() - timedelta(days=340))
    meeting_mark_held(actor=coord, meeting=MaracMeeting.objects.get(pk=again.pk))

    due = list(twelve_month_reviews_due(viewer=coord))

    assert due == [once, twice]  # oldest last hearing first: 360 days ago, then 340
    assert due[1].last_heard == MaracMeeting.objects.get(pk=again.pk).starts_at


def test_a_central_coordinator_sees_every_boroughs_reviews():
    lambeth, southwark = heard(360), heard(350, "SOU")

    assert set(twelve_month_reviews_due(viewer=coordinator("CEN"))) == {lambeth, southwark}


def test_older_hearings_are_not_read():
    # The cases heard long ago are not even candidates: only a year ago's meetings are read.
    old = heard(360)
    for days in (800, 1200, 1500):
        heard(days)
    with CaptureQueriesContext(connection) as queries:
        due = list(twelve_month_reviews_due(viewer=coordinator()))

    assert [r.pk for r in due] == [old.pk]
    candidates = re.search(r"ANY\('\{([0-9,]*)\}'", queries.captured_queries[-1]["sql"])
    assert candidates.group(1) == str(old.pk)


@pytest.mark.parametrize("team_code", ["LAM", "CEN"])
def test_the_homes_first_page_is_the_start_of_the_whole_list(team_code):
    # Due, oldest last hearing first; ties in the hearing's time by id.
    first, second, third = heard(390), heard(370), heard(350)
    tied = heard(350)
    MaracMeeting.objects.filter(listings__referral=tied).update(
        starts_at=MaracMeeting.objects.get(listings__referral=third).starts_at
    )
    coord = coordinator()
    # Heard in the window and listed since: at a meeting still to come, or heard again.
    coming = heard(360)
    referral_list_at_meeting(actor=coord, referral_id=coming.pk, meeting_id=meeting().pk)
    again = heard(365)
    later = meeting()
    referral_list_at_meeting(actor=coord, referral_id=again.pk, meeting_id=later.pk)
    MaracMeeting.objects.filter(pk=later.pk).update(starts_at=timezone.now() - timedelta(days=300))
    meeting_mark_held(actor=coord, meeting=MaracMeeting.objects.get(pk=later.pk))
    heard(200)  # too recent
    viewer = coordinator(team_code)

    whole = list(twelve_month_reviews_due(viewer=viewer))
    page = list(twelve_month_reviews_due(viewer=viewer, first=3))

    assert whole == [first, second, *sorted([third, tied], key=lambda r: r.pk)]
    assert page == whole[:3]
    assert [r.last_heard for r in page] == [r.last_heard for r in whole[:3]]
    assert page[0].person.full_name == first.person.full_name  # read with the page


def test_the_homes_first_page_is_for_coordinators_in_scope(lambeth_officer):
    heard(360)

    assert list(twelve_month_reviews_due(viewer=coordinator("SOU"), first=20)) == []
    assert list(twelve_month_reviews_due(viewer=lambeth_officer, first=20)) == []


@pytest.mark.parametrize("team_code", ["LAM", "CEN"])
def test_the_homes_first_page_looks_past_the_oldest_hearings_listed_since(team_code):
    # The page is chosen among the window's hearings oldest first, a batch at a time: when the
    # oldest were listed again since (or are no longer heard), the later batches fill it.
    coord = coordinator()
    for days in (394, 393, 392):
        listed_again = heard(days)
        referral_list_at_meeting(actor=coord, referral_id=listed_again.pk, meeting_id=meeting().pk)
    due = [heard(days) for days in (380, 370, 360)]
    viewer = coordinator(team_code)

    whole = list(twelve_month_reviews_due(viewer=viewer))
    assert whole == due
    for first in range(1, len(whole) + 2):
        page = list(twelve_month_reviews_due(viewer=viewer, first=first))
        assert page == whole[:first]
        assert [r.last_heard for r in page] == [r.last_heard for r in whole[:first]]
