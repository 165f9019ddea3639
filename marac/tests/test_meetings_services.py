"""Meetings: the monthly schedule, listing cases with capacity, the agenda's order and time
slots, and attendance with the confidentiality acknowledgement."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from publicprotection.accounts.tests.factories import team

from ..models import ListingCategory, MaracCaseListing, MaracMeeting, MaracReferral, ReferralStatus
from ..selectors.meetings import meeting_agenda, meetings_with_space_for
from ..services.meetings import (
    attendance_acknowledge,
    attendance_add,
    meeting_create,
    meeting_defaults,
    meeting_schedule_next,
    referral_list_at_meeting,
)
from ..services.referrals import ReferralStateError, referral_reject
from .factories import coordinator, meeting, refer

pytestmark = pytest.mark.django_db


def london(*args):
    return timezone.make_aware(datetime(*args))


def test_next_meeting_is_the_same_weekday_of_the_same_week_next_month():
    second_tuesday = london(2026, 1, 13, 10, 0)
    assert meeting_schedule_next(after=second_tuesday) == london(2026, 2, 10, 10, 0)


def test_a_fifth_weekday_falls_back_to_four_weeks_later():
    fifth_thursday = london(2026, 1, 29, 14, 0)  # February 2026 has no 5th Thursday
    assert meeting_schedule_next(after=fifth_thursday) == london(2026, 2, 26, 14, 0)


def test_a_new_meeting_defaults_to_the_next_regular_date_and_capacity(settings):
    settings.MARAC_CASES_PER_MEETING = 18
    settings.MARAC_MINUTES_PER_CASE = 12
    assert meeting_defaults(team=team("LAM")) == {"max_cases": 18, "minutes_per_case": 12}
    last = meeting(starts_at=london(2026, 3, 10, 10, 0))

    defaults = meeting_defaults(team=team("LAM"))

    assert defaults["starts_at"] == london(2026, 4, 14, 10, 0)
    assert defaults["venue"] == last.venue
    assert last.max_cases == 18 and last.minutes_per_case == 12


def test_a_meeting_needs_a_venue_or_to_be_online():
    with pytest.raises(ValidationError) as exc:
        meeting(venue="")
    assert "venue" in exc.value.message_dict
    assert meeting(venue="", is_online=True).place == "Online"


def listed(referral, at, **kwargs):
    return referral_list_at_meeting(
        actor=coordinator(), referral_id=referral.pk, meeting_id=at.pk, **kwargs
    )


def test_listing_sets_the_status_and_keeps_the_history():
    referral = refer()
    at = meeting()

    listing = listed(referral, at)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.LISTED
    assert listing.category == ListingCategory.NEW_ADULT_ONLY
    assert [e.kind for e in referral.history.all()] == ["submitted", "listed"]
    with pytest.raises(ReferralStateError):
        listed(referral, meeting())


def test_a_full_meeting_refuses_another_case():
    at = meeting(max_cases=2)
    listed(refer(), at)
    listed(refer(), at)
    third = refer()

    with pytest.raises(ValidationError) as exc:
        listed(third, at)

    assert "full" in exc.value.message_dict["meeting"][0]
    third.refresh_from_db()
    assert third.status == ReferralStatus.SUBMITTED
    assert at.listings.count() == 2
    assert list(meetings_with_space_for(viewer=coordinator(), referral=third)) == []


def test_only_meetings_of_the_referrals_borough():
    # A London-wide coordinator may run either borough's MARAC, but not list one's case at the
    # other's meeting.
    referral = refer()
    with pytest.raises(ValidationError):
        referral_list_at_meeting(
            actor=coordinator("CEN"), referral_id=referral.pk, meeting_id=meeting("SOU").pk
        )
    assert not MaracCaseListing.objects.exists()


def test_a_rejected_referral_cannot_be_listed():
    referral = refer()
    referral_reject(actor=coordinator(), referral_id=referral.pk, reason="Duplicate")
    with pytest.raises(ReferralStateError):
        listed(referral, meeting())


def test_agenda_order_children_first_then_adults_then_reviews_with_slots(settings):
    settings.MARAC_OPENING_MINUTES = 10
    at = meeting(starts_at=london(2026, 3, 10, 10, 0), minutes_per_case=15)
    review = refer(children_in_household=2)
    # Only a repeat referral is listed as a 12-month review.
    MaracReferral.objects.filter(pk=review.pk).update(is_repeat=True)
    review.refresh_from_db()
    adult = refer()
    children = refer(children_in_household=1)
    listed(review, at, twelve_month_review=True)
    listed(adult, at)
    listed(children, at)

    agenda = meeting_agenda(at)

    assert [entry.key for entry in agenda] == [
        "introductions",
        "confidentiality",
        "incomplete_actions",
        "new_with_children",
        "new_adult_only",
        "twelve_month_review",
        "any_other_business",
    ]
    cases = [case for entry in agenda for case in entry.cases]
    assert [case.listing.referral for case in cases] == [children, adult, review]
    assert [timezone.localtime(c.starts_at).strftime("%H:%M") for c in cases] == [
        "10:10",
        "10:25",
        "10:40",
    ]
    assert cases[-1].ends_at - cases[-1].starts_at == timedelta(minutes=15)
    assert agenda[2].text == "None recorded yet."


def test_attendance_with_apologies_and_acknowledgement():
    at = meeting()
    coord = coordinator()
    present = attendance_add(
        actor=coord, meeting=at, person_name="Ann Lee", agency_name="Lambeth IDVA service"
    )
    apologies = attendance_add(
        actor=coord,
        meeting=at,
        person_name="Raj Shah",
        agency_name="Housing",
        status="apologies",
    )

    attendance_acknowledge(actor=coord, attendance_id=present.pk)

    present.refresh_from_db()
    assert present.confidentiality_acknowledged and present.acknowledged_at
    with pytest.raises(ValidationError):
        attendance_acknowledge(actor=coord, attendance_id=apologies.pk)
    with pytest.raises(ValidationError) as exc:
        attendance_add(actor=coord, meeting=at, person_name="No Agency")
    assert "agency" in exc.value.message_dict
    assert at.attendance.count() == 2


def test_a_meeting_in_the_past_offers_no_space():
    referral = refer()
    meeting(starts_at=timezone.now() - timedelta(days=1))
    upcoming = meeting()
    assert list(meetings_with_space_for(viewer=coordinator(), referral=referral)) == [upcoming]


def test_only_a_borough_teams_coordinator_schedules_meetings():
    # The central team's coordinator (no borough team) may see meetings but not hold one; the
    # rule is the service's, so the page, the API and the scheduler all get it.
    central = coordinator("CEN")

    with pytest.raises(PermissionDenied, match="Only a borough team's coordinator"):
        meeting_create(
            actor=central,
            team=None,
            starts_at=timezone.now() + timedelta(days=7),
            venue="Room 1",
            chair="DI Jo Patel",
        )

    assert not MaracMeeting.objects.exists()
