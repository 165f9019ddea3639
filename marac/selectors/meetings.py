"""Reads of MARAC meetings, scoped like referrals (a coordinator's own borough team; the
central team's coordinators see all), and the ordered agenda of one meeting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from publicprotection.access.roles import MARAC_COORDINATORS, has_role
from publicprotection.access.scope import get_visible_or_404

from ..models import (
    LISTING_ORDER,
    CaseDiscussion,
    CaseResearch,
    ListingCategory,
    MaracAction,
    MaracCaseListing,
    MaracMeeting,
    MaracReferral,
    MeetingAttendance,
    MeetingInvitation,
    MeetingStatus,
)
from .actions import incomplete_actions_from_last_meeting

MEETING_READERS = MARAC_COORDINATORS

CONFIDENTIALITY_STATEMENT = (
    "The information discussed at this meeting is shared only to increase the safety of "
    "victims, their children and others at risk. It must not be passed on outside the "
    "agencies here without the agreement of the agency that gave it, except where the law "
    "requires."
)


def meetings_visible_to(*, viewer) -> QuerySet[MaracMeeting]:
    if not has_role(viewer, MEETING_READERS) or viewer.team_id is None:
        return MaracMeeting.objects.none()
    qs = MaracMeeting.objects.select_related("team")
    if viewer.team.is_central:
        return qs
    return qs.filter(team_id=viewer.team_id)


def with_listed_count(meetings: QuerySet[MaracMeeting]) -> QuerySet[MaracMeeting]:
    """Each meeting's number of listed cases (`listed`), as a subquery per meeting returned:
    a page of a list counts its own meetings' cases only, where a GROUP BY counted the cases
    of every meeting the viewer can see before the page was taken."""
    cases = (
        MaracCaseListing.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return meetings.annotate(listed=Coalesce(Subquery(cases), 0))


def meeting_list(*, viewer, upcoming: bool | None = None) -> QuerySet[MaracMeeting]:
    qs = with_listed_count(meetings_visible_to(viewer=viewer))
    if upcoming is True:
        return qs.filter(starts_at__gte=timezone.now()).order_by("starts_at", "id")
    if upcoming is False:
        return qs.filter(starts_at__lt=timezone.now()).order_by("-starts_at", "-id")
    return qs.order_by("-starts_at", "-id")


def meeting_get(*, viewer, meeting_id) -> MaracMeeting:
    return get_visible_or_404(meetings_visible_to(viewer=viewer), pk=meeting_id)


def meetings_with_space_for(*, viewer, referral: MaracReferral) -> QuerySet[MaracMeeting]:
    """Upcoming scheduled meetings of the referral's borough that are not full."""
    return (
        meetings_visible_to(viewer=viewer)
        .filter(
            team__borough_id=referral.borough_id,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .annotate(listed=Count("listings"))
        .filter(listed__lt=F("max_cases"))
        .exclude(listings__referral=referral)
        .order_by("starts_at", "id")
    )


def listing_removal_blockers(meeting: MaracMeeting, *, listing_id: int | None = None) -> dict:
    """Why each of the meeting's listings cannot be taken off it, by listing id ("" when it
    can): once the meeting is not scheduled, or once research, actions or minutes exist on the
    case, it stays, since removing it would delete that record. One query for all listings,
    which is why this is a selector and not a predicate on MaracCaseListing: the guard of
    marac.services.meetings.listing_remove and the meeting page's remove buttons."""
    listings = (
        meeting.listings.all() if listing_id is None else meeting.listings.filter(pk=listing_id)
    )
    rows = listings.annotate(
        has_research=Exists(CaseResearch.objects.filter(listing=OuterRef("pk"))),
        has_actions=Exists(MaracAction.objects.filter(listing=OuterRef("pk"))),
        has_discussion=Exists(CaseDiscussion.objects.filter(listing=OuterRef("pk"))),
    ).values_list("pk", "has_research", "has_actions", "has_discussion")
    blockers = {}
    for pk, has_research, has_actions, has_discussion in rows:
        if not meeting.is_scheduled:
            reason = (
                f"This meeting is {meeting.get_status_display().lower()}; "
                "cases can only be removed from a scheduled meeting."
            )
        elif has_research:
            reason = "Agencies have recorded research on this case, so it stays on the meeting."
        elif has_actions:
            reason = "This case has actions in its plan, so it stays on the meeting."
        elif has_discussion:
            reason = "The minutes record a discussion of this case, so it stays on the meeting."
        else:
            reason = ""
        blockers[pk] = reason
    return blockers


@dataclass
class AgendaCase:
    listing: MaracCaseListing
    number: int
    starts_at: datetime
    ends_at: datetime


@dataclass
class AgendaEntry:
    key: str
    title: str
    text: str = ""
    cases: list[AgendaCase] = field(default_factory=list)
    actions: list = field(default_factory=list)


def _listings(meeting: MaracMeeting) -> list[MaracCaseListing]:
    listings = meeting.listings.select_related(
        "referral__person", "referral__incident", "referral__borough"
    )
    return sorted(listings, key=lambda li: (LISTING_ORDER[li.category], li.position, li.pk))


def meeting_agenda(meeting: MaracMeeting) -> list[AgendaEntry]:
    """The agenda in the suggested order (DOMAIN.md): introductions, the confidentiality
    statement, incomplete actions from the last meeting, new cases with children, new
    adult-only cases, cases reaching 12 months since their last MARAC, any other business.
    Case slots follow the opening items, one `minutes_per_case` each."""
    carried = incomplete_actions_from_last_meeting(meeting)
    minutes = timedelta(minutes=meeting.minutes_per_case)
    clock = meeting.starts_at + timedelta(minutes=settings.MARAC_OPENING_MINUTES)
    by_category: dict[str, list[AgendaCase]] = {value: [] for value in ListingCategory.values}
    for number, listing in enumerate(_listings(meeting), start=1):
        by_category[listing.category].append(
            AgendaCase(listing=listing, number=number, starts_at=clock, ends_at=clock + minutes)
        )
        clock += minutes
    entries = [
        AgendaEntry("introductions", "Introductions"),
        AgendaEntry("confidentiality", "Confidentiality statement", CONFIDENTIALITY_STATEMENT),
        AgendaEntry(
            "incomplete_actions",
            "Incomplete actions from the last meeting",
            "" if carried else "None recorded yet.",
            actions=carried,
        ),
    ]
    entries += [
        AgendaEntry(value, label, cases=by_category[value])
        for value, label in ListingCategory.choices
    ]
    entries.append(AgendaEntry("any_other_business", "Any other business"))
    return entries


def meeting_attendance(meeting: MaracMeeting) -> list[MeetingAttendance]:
    return list(meeting.attendance.select_related("agency").order_by("id"))


def upcoming_meetings(*, viewer, limit: int = 5) -> list[MaracMeeting]:
    return list(
        meeting_list(viewer=viewer, upcoming=True).filter(status=MeetingStatus.SCHEDULED)[:limit]
    )


def meeting_invitations(meeting: MaracMeeting) -> list[MeetingInvitation]:
    return list(meeting.invitations.select_related("agency").order_by("agency__name", "id"))


def meeting_research(meeting: MaracMeeting) -> dict[int, list[CaseResearch]]:
    """Every agency's research on the meeting's cases, by listing id (the coordinator's view)."""
    by_listing: dict[int, list[CaseResearch]] = {}
    research = CaseResearch.objects.filter(listing__meeting=meeting).select_related("agency")
    for item in research.order_by("agency__name", "id"):
        by_listing.setdefault(item.listing_id, []).append(item)
    return by_listing


@dataclass
class MinutesCase:
    number: int
    listing: MaracCaseListing
    summary: str
    actions: list
    version: int = 0  # of the discussion summary (0: none yet), for the minutes' form


@dataclass
class Minutes:
    meeting: MaracMeeting
    present: list[MeetingAttendance]
    apologies: list[MeetingAttendance]
    not_acknowledged: list[MeetingAttendance]
    cases: list[MinutesCase]


def meeting_minutes(meeting: MaracMeeting) -> Minutes:
    """The minutes assembled from the meeting's records: attendance by agency, apologies,
    confidentiality acknowledgements, and each case's discussion summary and actions."""
    attendance = sorted(meeting_attendance(meeting), key=lambda a: (a.agency_label, a.pk))
    present = [a for a in attendance if a.is_present]
    summaries = {
        listing_id: (summary, version)
        for listing_id, summary, version in CaseDiscussion.objects.filter(
            listing__meeting=meeting
        ).values_list("listing_id", "summary", "version")
    }
    actions: dict[int, list] = {}
    for action in MaracAction.objects.filter(listing__meeting=meeting).select_related("agency"):
        actions.setdefault(action.listing_id, []).append(action)
    cases = [
        MinutesCase(
            number=number,
            listing=listing,
            summary=summaries.get(listing.pk, ("", 0))[0],
            actions=actions.get(listing.pk, []),
            version=summaries.get(listing.pk, ("", 0))[1],
        )
        for number, listing in enumerate(_listings(meeting), start=1)
    ]
    return Minutes(
        meeting=meeting,
        present=present,
        apologies=[a for a in attendance if a.is_apologies],
        not_acknowledged=[a for a in present if not a.confidentiality_acknowledged],
        cases=cases,
    )
