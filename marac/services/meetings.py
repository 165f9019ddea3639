"""Writes of MARAC meetings: scheduling, listing referred cases (capacity enforced) and taking
them off again, recording attendance with each attendee's acknowledgement of the
confidentiality statement, and the meeting's own transitions (held, cancelled)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from publicprotection.accounts.models import Agency, Team
from publicprotection.errors import ConcurrentEditError, StateError

from ..models import (
    AttendanceStatus,
    CaseDiscussion,
    ListingCategory,
    MaracCaseListing,
    MaracMeeting,
    MaracReferral,
    MeetingAttendance,
    MeetingStatus,
    ReferralEventKind,
    ReferralHistoryEntry,
    ReferralStatus,
)
from ..selectors.meetings import listing_removal_blockers
from .coordinators import require_coordinator_for
from .referrals import ReferralStateError, record_event
from .referrals import locked as locked_referral
from .sharing import listing_share_with_invited, listing_shares_revoke, meeting_shares_revoke


class MeetingStateError(StateError):
    """The meeting, or a case listed on it, is not in a state for this action."""


MEETING_FIELDS = ("starts_at", "venue", "is_online", "chair", "max_cases", "minutes_per_case")


def meeting_schedule_next(*, after: datetime) -> datetime:
    """The regular monthly slot after a meeting: the same weekday in the same week of the next
    month (the 2nd Tuesday stays the 2nd Tuesday), or 28 days later when that month has no
    such day (a 5th Tuesday). Same local time of day."""
    local = timezone.localtime(after)
    week = (local.day - 1) // 7
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    first_weekday, days = calendar.monthrange(year, month)
    day = 1 + (local.weekday() - first_weekday) % 7 + 7 * week
    if day > days:
        return after + timedelta(days=28)
    naive = datetime(year, month, day, local.hour, local.minute)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def meeting_defaults(*, team: Team) -> dict:
    """Initial values for a new meeting: the slot after the team's last one, and capacity."""
    last = MaracMeeting.objects.filter(team=team).exclude(status=MeetingStatus.CANCELLED)
    last = last.order_by("-starts_at").first()
    initial = {
        "max_cases": settings.MARAC_CASES_PER_MEETING,
        "minutes_per_case": settings.MARAC_MINUTES_PER_CASE,
    }
    if last is not None:
        initial.update(
            starts_at=meeting_schedule_next(after=last.starts_at),
            venue=last.venue,
            is_online=last.is_online,
            chair=last.chair,
        )
    return initial


def _check_team(actor, team: Team | None) -> None:
    if team is None:
        raise PermissionDenied("Only a borough team's coordinator can schedule MARAC meetings.")
    require_coordinator_for(actor, borough_id=team.borough_id, noun="team")


def _require_coordinator_of(actor, meeting: MaracMeeting) -> None:
    require_coordinator_for(actor, borough_id=meeting.team.borough_id, noun="meeting")


@transaction.atomic
def meeting_create(
    *,
    actor,
    team: Team,
    starts_at: datetime,
    venue: str = "",
    is_online: bool = False,
    chair: str,
    max_cases: int | None = None,
    minutes_per_case: int | None = None,
) -> MaracMeeting:
    _check_team(actor, team)
    meeting = MaracMeeting(
        team=team,
        starts_at=starts_at,
        venue=venue.strip(),
        is_online=is_online,
        chair=chair.strip(),
        max_cases=max_cases or settings.MARAC_CASES_PER_MEETING,
        minutes_per_case=minutes_per_case or settings.MARAC_MINUTES_PER_CASE,
        created_by=actor,
    )
    _validate_meeting(meeting)
    meeting.save()
    return meeting


# Meetings are scheduled months ahead, never decades: a mistyped year (9999) would be kept and
# then break every date computed from it (slots, the next regular meeting).
SCHEDULE_HORIZON = timedelta(days=5 * 365)


def _validate_meeting(meeting: MaracMeeting) -> None:
    errors = {}
    if not meeting.is_online and not meeting.venue:
        errors["venue"] = ["Enter the venue, or say the meeting is online."]
    if meeting.starts_at and meeting.starts_at > timezone.now() + SCHEDULE_HORIZON:
        errors["starts_at"] = ["Enter a date within the next five years."]
    # A meeting already held may be recorded afterwards, but not centuries ago (a mistyped
    # year 0217 would be kept, and London's 18th-century local mean time shown with it).
    if meeting.starts_at and meeting.starts_at < timezone.now() - SCHEDULE_HORIZON:
        errors["starts_at"] = ["Enter a date within the last five years."]
    if meeting.pk is not None:
        listed = meeting.listings.count()
        if meeting.max_cases and listed > meeting.max_cases:
            errors["max_cases"] = [
                f"{listed} cases are already listed; the capacity cannot be lower than that."
            ]
    if errors:
        raise ValidationError(errors)
    meeting.full_clean(exclude=["team", "created_by"])


@transaction.atomic
def meeting_update(
    *, actor, meeting_id: int, expected_version: int | None = None, **fields
) -> MaracMeeting:
    """Change a scheduled meeting's details; refused if someone saved it since
    `expected_version` (the edit form always sends it)."""
    meeting = MaracMeeting.objects.select_for_update().select_related("team").get(pk=meeting_id)
    _require_coordinator_of(actor, meeting)
    if not meeting.is_scheduled:
        raise ReferralStateError("Only a scheduled meeting can be changed.")
    if expected_version is not None and meeting.version != expected_version:
        raise ConcurrentEditError("meeting")
    for name in MEETING_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    _validate_meeting(meeting)
    meeting.version += 1
    meeting.save()
    return meeting


NOT_A_REPEAT_ERROR = (
    "Only a repeat MARAC referral can be listed as reaching 12 months since its last MARAC: "
    "this referral is not a repeat."
)


def listing_category(referral, *, twelve_month_review: bool) -> str:
    # A case already heard comes back only for its review (DOMAIN.md: cases reaching 12
    # months since their last MARAC).
    if twelve_month_review or referral.is_heard:
        return ListingCategory.TWELVE_MONTH_REVIEW
    if referral.children_in_household:
        return ListingCategory.NEW_WITH_CHILDREN
    return ListingCategory.NEW_ADULT_ONLY


@transaction.atomic
def referral_list_at_meeting(
    *, actor, referral_id: int, meeting_id: int, twelve_month_review: bool = False
) -> MaracCaseListing:
    """List a referral at a meeting of its borough's team, if the meeting has space."""
    meeting = MaracMeeting.objects.select_for_update().select_related("team").get(pk=meeting_id)
    _require_coordinator_of(actor, meeting)
    referral = locked_referral(referral_id)
    if not referral.can_list():
        raise ReferralStateError(
            f"This referral is {referral.get_status_display().lower()}; it cannot be listed."
        )
    if twelve_month_review and not referral.may_be_twelve_month_review():
        raise ValidationError({"twelve_month_review": [NOT_A_REPEAT_ERROR]})
    if not meeting.can_list_cases():
        raise ValidationError({"meeting": ["Cases can only be listed at a scheduled meeting."]})
    if meeting.team.borough_id != referral.borough_id:
        raise ValidationError({"meeting": ["Choose a meeting of the referral's borough."]})
    listings = meeting.listings.all()
    if listings.count() >= meeting.max_cases:
        raise ValidationError(
            {"meeting": [f"This meeting is full ({meeting.max_cases} cases). Choose another."]}
        )
    position = (listings.aggregate(top=Max("position"))["top"] or 0) + 1
    listing = MaracCaseListing(
        meeting=meeting,
        referral=referral,
        category=listing_category(referral, twelve_month_review=twelve_month_review),
        position=position,
        listed_by=actor,
    )
    listing.full_clean()
    listing.save()
    referral.status = ReferralStatus.LISTED
    referral.save(update_fields=["status", "updated_at"])
    record_event(referral, kind=ReferralEventKind.LISTED, actor=actor, comment=str(meeting))
    listing_share_with_invited(listing=listing)
    return listing


@transaction.atomic
def attendance_add(
    *,
    actor,
    meeting: MaracMeeting,
    person_name: str,
    agency: Agency | None = None,
    agency_name: str = "",
    status: str = AttendanceStatus.PRESENT,
    confidentiality_acknowledged: bool = False,
) -> MeetingAttendance:
    _require_coordinator_of(actor, meeting)
    errors = {}
    if agency is None and not agency_name.strip():
        errors["agency"] = ["Choose the agency, or enter its name."]
    if status == AttendanceStatus.APOLOGIES and confidentiality_acknowledged:
        errors["confidentiality_acknowledged"] = [
            "Only someone present can acknowledge the confidentiality statement."
        ]
    if errors:
        raise ValidationError(errors)
    attendance = MeetingAttendance(
        meeting=meeting,
        agency=agency,
        agency_name="" if agency else agency_name.strip(),
        person_name=person_name.strip(),
        status=status,
        confidentiality_acknowledged=confidentiality_acknowledged,
        acknowledged_at=timezone.now() if confidentiality_acknowledged else None,
        recorded_by=actor,
    )
    attendance.full_clean()
    attendance.save()
    return attendance


@transaction.atomic
def attendance_acknowledge(*, actor, attendance_id: int) -> MeetingAttendance:
    """Record that a present attendee acknowledged the confidentiality statement."""
    attendance = (
        MeetingAttendance.objects.select_for_update(of=("self",))
        .select_related("meeting__team")
        .get(pk=attendance_id)
    )
    _require_coordinator_of(actor, attendance.meeting)
    if not attendance.is_present:
        raise ValidationError("Only someone present can acknowledge the confidentiality statement.")
    if not attendance.confidentiality_acknowledged:
        attendance.confidentiality_acknowledged = True
        attendance.acknowledged_at = timezone.now()
        attendance.save(update_fields=["confidentiality_acknowledged", "acknowledged_at"])
    return attendance


@transaction.atomic
def case_discussion_save(
    *, actor, listing: MaracCaseListing, summary: str, expected_version: int | None = None
) -> CaseDiscussion:
    """Record (or replace) the minutes' summary of one case's discussion. Coordinators write
    the minutes together: `expected_version` is the version the caller read (0 when there was
    none yet); a save from an older read is refused (the form always sends it)."""
    _require_coordinator_of(actor, listing.meeting)
    # Locked before the listing, as meeting_cancel locks it before its cases: a cancellation
    # under way finishes first, and the save then sees it.
    meeting = _locked_meeting(listing.meeting)
    if not meeting.can_record_discussions():
        raise MeetingStateError(_status_refusal(meeting, "its cases were not discussed"))
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": ["Enter the summary of the discussion."]})
    # The listing's lock makes two first saves wait for each other instead of one failing on
    # the one-to-one.
    MaracCaseListing.objects.select_for_update().filter(pk=listing.pk).first()
    discussion = CaseDiscussion.objects.select_for_update().filter(
        listing=listing
    ).first() or CaseDiscussion(listing=listing, version=0)
    if expected_version is not None and discussion.version != expected_version:
        raise ConcurrentEditError("discussion summary")
    discussion.version += 1
    discussion.summary = summary
    discussion.recorded_by = actor
    discussion.full_clean(validate_unique=discussion.pk is None)
    discussion.save()
    return discussion


# --- The meeting's transitions -------------------------------------------------------------
# The guards are the model's predicates (MaracMeeting.can_mark_held(), can_cancel()) and
# marac.selectors.meetings.listing_removal_blockers, which also decide the page's buttons.


def _status_refusal(meeting: MaracMeeting, doing: str) -> str:
    return f"This meeting is {meeting.get_status_display().lower()}; {doing}."


def _locked_meeting(meeting: MaracMeeting) -> MaracMeeting:
    return MaracMeeting.objects.select_for_update().select_related("team").get(pk=meeting.pk)


def _locked_listed_referrals(meeting: MaracMeeting) -> list[MaracReferral]:
    return list(
        MaracReferral.objects.select_for_update()
        .filter(listings__meeting=meeting, status=ReferralStatus.LISTED)
        .order_by("pk")
    )


@transaction.atomic
def meeting_mark_held(*, actor, meeting: MaracMeeting) -> MaracMeeting:
    """Record that the meeting took place: its listed cases are now heard."""
    meeting = _locked_meeting(meeting)
    _require_coordinator_of(actor, meeting)
    if not meeting.is_scheduled:
        raise MeetingStateError(_status_refusal(meeting, "it cannot be marked as held"))
    if not meeting.can_mark_held():
        raise MeetingStateError("This meeting has not started yet; mark it as held once it has.")
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status", "updated_at"])
    referrals = _locked_listed_referrals(meeting)
    MaracReferral.objects.filter(pk__in=[r.pk for r in referrals]).update(
        status=ReferralStatus.HEARD, updated_at=timezone.now()
    )
    ReferralHistoryEntry.objects.bulk_create(
        ReferralHistoryEntry(
            referral=referral, kind=ReferralEventKind.HEARD, actor=actor, comment=str(meeting)
        )
        for referral in referrals
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: MaracMeeting) -> MaracMeeting:
    """Cancel a scheduled meeting. Its listed cases go back to accepted, to be listed at another
    meeting, and the invited agencies lose access to them (the purpose of the share is gone; a
    case listed again is shared afresh with that meeting's agencies). Listings, research and
    invitations stay as the record."""
    meeting = _locked_meeting(meeting)
    _require_coordinator_of(actor, meeting)
    if not meeting.can_cancel():
        raise MeetingStateError(_status_refusal(meeting, "it cannot be cancelled"))
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    for referral in _locked_listed_referrals(meeting):
        _back_to_accepted(
            referral,
            actor=actor,
            comment=f"{meeting} was cancelled; the case is to be listed at another meeting.",
        )
    meeting_shares_revoke(meeting=meeting)
    return meeting


def _back_to_accepted(referral: MaracReferral, *, actor, comment: str) -> None:
    """A case off its meeting: accepted again, to be listed at another, with the event."""
    if referral.is_listed:
        referral.status = ReferralStatus.ACCEPTED
        referral.save(update_fields=["status", "updated_at"])
    record_event(referral, kind=ReferralEventKind.UNLISTED, actor=actor, comment=comment)


@transaction.atomic
def listing_remove(*, actor, listing: MaracCaseListing) -> MaracReferral:
    """Take a case off a scheduled meeting: the listing goes, with the shares it gave the
    invited agencies, and the referral is back to accepted, to be listed again. Refused once
    the meeting is held or cancelled, or once research, actions or minutes exist on the case.

    Raises MaracCaseListing.DoesNotExist when someone else removed it first."""
    meeting = _locked_meeting(listing.meeting)
    _require_coordinator_of(actor, meeting)
    listing = MaracCaseListing.objects.select_for_update().get(pk=listing.pk, meeting=meeting)
    blocker = listing_removal_blockers(meeting, listing_id=listing.pk)[listing.pk]
    if blocker:
        raise MeetingStateError(blocker)
    referral = locked_referral(listing.referral_id)
    listing_shares_revoke(listing=listing)
    listing.delete()
    _back_to_accepted(
        referral,
        actor=actor,
        comment=f"Removed from {meeting}; the case is to be listed at another meeting.",
    )
    return referral
