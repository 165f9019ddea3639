"""Reads of MARAC actions. Partners see their own agency's open actions (an action stops being
visible to them once finished) while their agency still sees the case: an action rides on the
listing's share, so withdrawing the agency's invitation, or cancelling the meeting, ends its
access to the action too. Coordinators see their borough's, and which open actions are held by
an agency that no longer sees the case (to reassign or close)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer, shared_with_agency
from publicprotection.london_time import london_today

from ..models import (
    VIEW_LISTING,
    ActionStatus,
    MaracAction,
    MaracActionUpdate,
    MaracCaseListingGroupObjectPermission,
    MaracMeeting,
    MeetingStatus,
)


def owning_agency_sees_case() -> Exists:
    """Whether the action's own agency still has the share on the action's case."""
    return shared_with_agency(
        MaracCaseListingGroupObjectPermission,
        OuterRef("agency__group_id"),
        VIEW_LISTING,
        shared="listing_id",
    )


def actions_visible_to(*, viewer) -> QuerySet[MaracAction]:
    qs = MaracAction.objects.select_related(
        "agency", "listing__referral__person", "listing__meeting"
    ).prefetch_related(
        Prefetch("updates", queryset=MaracActionUpdate.objects.select_related("actor"))
    )
    if has_role(viewer, PARTNERS):
        # Their agency's open actions on cases still shared with it: an agency whose
        # invitation was withdrawn (or whose meeting was cancelled) no longer sees the action,
        # its victim's name or its updates, though the action stays assigned to it.
        if viewer.agency_id is None:
            return qs.none()
        return qs.filter(
            shared_with_agency(
                MaracCaseListingGroupObjectPermission,
                viewer.agency.group_id,
                VIEW_LISTING,
                shared="listing_id",
            ),
            agency_id=viewer.agency_id,
            status=ActionStatus.OPEN,
        ).annotate(agency_has_access=Value(True))
    return scope_to_viewer(
        qs,
        viewer=viewer,
        borough_field="listing__referral__borough_id",
        police_roles=MARAC_COORDINATORS,
    ).annotate(agency_has_access=owning_agency_sees_case())


@dataclass(frozen=True)
class ActionFilters:
    """What a list of actions may be narrowed by; None (or "") leaves it out."""

    status: str = ""
    meeting: int | None = None
    case: int | None = None
    overdue: bool | None = None  # True: open and past due; False: every other action
    # False: actions whose agency no longer sees the case (invitation withdrawn, meeting
    # cancelled); True: the others.
    agency_has_access: bool | None = None


def action_list(*, viewer, filters: ActionFilters | None = None) -> QuerySet[MaracAction]:
    """The viewer's actions (actions_visible_to), narrowed by the filters."""
    filters = filters or ActionFilters()
    qs = actions_visible_to(viewer=viewer)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.meeting:
        qs = qs.filter(listing__meeting_id=filters.meeting)
    if filters.case:
        qs = qs.filter(listing_id=filters.case)
    overdue = Q(status=ActionStatus.OPEN, due_date__lt=london_today())
    if filters.overdue is True:
        qs = qs.filter(overdue)
    elif filters.overdue is False:
        qs = qs.exclude(overdue)
    if filters.agency_has_access is not None:
        qs = qs.filter(agency_has_access=filters.agency_has_access)
    return qs


def action_get(*, viewer, action_id) -> MaracAction:
    return get_visible_or_404(actions_visible_to(viewer=viewer), pk=action_id)


def previous_meeting(meeting: MaracMeeting) -> MaracMeeting | None:
    return (
        MaracMeeting.objects.filter(team_id=meeting.team_id, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at", "-id")
        .first()
    )


def incomplete_actions_from_last_meeting(meeting: MaracMeeting) -> list[MaracAction]:
    previous = previous_meeting(meeting)
    if previous is None:
        return []
    return list(
        MaracAction.objects.filter(listing__meeting=previous, status=ActionStatus.OPEN)
        .select_related("agency", "listing__referral__person")
        .order_by("due_date", "id")
    )


def actions_without_access(meeting: MaracMeeting) -> list[MaracAction]:
    """Open actions on the meeting's cases held by an agency that no longer sees the case (its
    invitation was withdrawn, or the meeting cancelled): the coordinator reassigns or closes
    them (the coordinator's view)."""
    return list(
        MaracAction.objects.filter(listing__meeting=meeting, status=ActionStatus.OPEN)
        .exclude(owning_agency_sees_case())
        .select_related("agency", "listing__referral__person")
        .order_by("agency__name", "due_date", "id")
    )


def open_actions_by_agency(meeting: MaracMeeting) -> dict[int, int]:
    """How many open actions each agency holds on the meeting's cases (agency id: count), so
    the coordinator knows what withdrawing an invitation leaves to reassign."""
    rows = (
        MaracAction.objects.filter(listing__meeting=meeting, status=ActionStatus.OPEN)
        .order_by()
        .values("agency_id")
        .annotate(open=Count("id"))
    )
    return {row["agency_id"]: row["open"] for row in rows}


def meeting_actions(meeting: MaracMeeting) -> dict[int, list[MaracAction]]:
    """The meeting's action plans by listing id (the coordinator's view)."""
    by_listing: dict[int, list[MaracAction]] = {}
    actions = MaracAction.objects.filter(listing__meeting=meeting).select_related("agency")
    for action in actions.order_by("due_date", "id"):
        by_listing.setdefault(action.listing_id, []).append(action)
    return by_listing
