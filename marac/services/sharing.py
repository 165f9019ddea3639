"""Sharing listed cases with the agencies invited to a meeting.

Each invited agency's auth group gets `view_maraccaselisting` on every listing of the meeting,
in either order (a case listed after the invitation, an agency invited after the listing).
Withdrawing the invitation removes the grants for that meeting's listings only."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm

from publicprotection.accounts.models import Agency

from ..models import (
    MaracCaseListing,
    MaracCaseListingGroupObjectPermission,
    MaracMeeting,
    MeetingInvitation,
    MeetingStatus,
)

VIEW_LISTING = "view_maraccaselisting"


def _grant(listing: MaracCaseListing, agency: Agency) -> None:
    assign_perm(f"marac.{VIEW_LISTING}", agency.group, listing)


def listing_share_with_invited(*, listing: MaracCaseListing) -> None:
    """Called by the listing service: share a newly listed case with the invited agencies."""
    invitations = MeetingInvitation.objects.filter(meeting_id=listing.meeting_id)
    for invitation in invitations.select_related("agency__group"):
        _grant(listing, invitation.agency)


@transaction.atomic
def meeting_invite(*, actor, meeting: MaracMeeting, agency: Agency) -> MeetingInvitation:
    meeting = MaracMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"agency": ["This meeting is cancelled."]})
    if MeetingInvitation.objects.filter(meeting=meeting, agency=agency).exists():
        raise ValidationError({"agency": [f"{agency} is already invited."]})
    invitation = MeetingInvitation(meeting=meeting, agency=agency, invited_by=actor)
    invitation.full_clean()
    invitation.save()
    for listing in meeting.listings.all():
        _grant(listing, agency)
    return invitation


@transaction.atomic
def meeting_invitation_withdraw(*, actor, invitation_id: int) -> None:
    invitation = MeetingInvitation.objects.select_for_update().get(pk=invitation_id)
    MaracCaseListingGroupObjectPermission.objects.filter(
        group_id=invitation.agency.group_id,
        content_object__meeting_id=invitation.meeting_id,
        permission__codename=VIEW_LISTING,
    ).delete()
    invitation.delete()


def listing_shares_revoke(*, listing: MaracCaseListing) -> int:
    """Remove every agency's grant on one listing (the case is taken off the meeting)."""
    deleted, _ = MaracCaseListingGroupObjectPermission.objects.filter(
        content_object=listing, permission__codename=VIEW_LISTING
    ).delete()
    return deleted


def meeting_shares_revoke(*, meeting: MaracMeeting) -> int:
    """Remove every agency's grants on the meeting's listings (the meeting is cancelled). The
    invitations stay as the record of who was invited."""
    deleted, _ = MaracCaseListingGroupObjectPermission.objects.filter(
        content_object__meeting=meeting, permission__codename=VIEW_LISTING
    ).delete()
    return deleted
