"""Reads for partner agencies: the cases shared with them (listings at meetings they are
invited to) and their meetings. Coordinators read the same listings within their borough."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from publicprotection.access.roles import MARAC_COORDINATORS, PARTNERS, has_role
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer
from publicprotection.london_time import london_today

from ..models import (
    VIEW_LISTING,
    MaracCaseListing,
    MaracCaseListingGroupObjectPermission,
    MaracMeeting,
    MeetingStatus,
)

IDVA_AGENCY_TYPE = "idva"


def cases_shared_with(*, viewer) -> QuerySet[MaracCaseListing]:
    """Listed cases the viewer may read: partners through their agency's share, coordinators
    within their borough (the central team's across London)."""
    qs = MaracCaseListing.objects.select_related(
        "meeting__team", "referral__person", "referral__assessment"
    )
    return scope_to_viewer(
        qs,
        viewer=viewer,
        borough_field="referral__borough_id",
        share_model=MaracCaseListingGroupObjectPermission,
        share_codename=VIEW_LISTING,
        police_roles=MARAC_COORDINATORS,
    ).order_by("-meeting__starts_at", "position", "id")


def shared_case_get(*, viewer, listing_id) -> MaracCaseListing:
    return get_visible_or_404(cases_shared_with(viewer=viewer), pk=listing_id)


def partner_meetings(*, viewer, upcoming: bool = True) -> QuerySet[MaracMeeting]:
    """Meetings the viewer's agency is invited to."""
    if not has_role(viewer, PARTNERS) or viewer.agency_id is None:
        return MaracMeeting.objects.none()
    qs = MaracMeeting.objects.select_related("team").filter(invitations__agency_id=viewer.agency_id)
    if upcoming:
        qs = qs.filter(starts_at__gte=timezone.now(), status=MeetingStatus.SCHEDULED)
    return qs.order_by("starts_at", "id")


def may_see_safe_contact(viewer) -> bool:
    """Safe contact details go only through the designated route: the IDVA (and the
    coordinator). Every other agency is told to contact through the IDVA."""
    if has_role(viewer, MARAC_COORDINATORS):
        return True
    agency = getattr(viewer, "agency", None)
    return bool(
        has_role(viewer, PARTNERS) and agency and agency.agency_type.code == IDVA_AGENCY_TYPE
    )


def age_of(person, *, today: date | None = None) -> int | None:
    if person.date_of_birth is None:
        return person.estimated_age
    today = today or london_today()
    born = person.date_of_birth
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
