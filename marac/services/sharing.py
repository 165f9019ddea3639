"""Sharing listed cases with the agencies invited to a meeting.

Each invited agency's auth group gets `view_maraccaselisting` on every listing of the meeting,
in either order (a case listed after the invitation, an agency invited after the listing).
Withdrawing the invitation removes the grants for that meeting's listings only."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm

from publicprotection.accounts.models import Agency
from publicprotection.private_files import remove_other_files

from ..models import (
    VIEW_LISTING,
    ActionStatus,
    MaracAction,
    MaracCaseListing,
    MaracCaseListingGroupObjectPermission,
    MaracMeeting,
    MeetingDocument,
    MeetingInvitation,
)
from .coordinators import require_coordinator_for
from .documents import document_directory


def _grant(listing: MaracCaseListing, agency: Agency) -> None:
    assign_perm(f"marac.{VIEW_LISTING}", agency.group, listing)


def listing_share_with_invited(*, listing: MaracCaseListing) -> None:
    """Called by the listing service: share a newly listed case with the invited agencies."""
    invitations = MeetingInvitation.objects.filter(meeting_id=listing.meeting_id)
    for invitation in invitations.select_related("agency__group"):
        _grant(listing, invitation.agency)


@transaction.atomic
def meeting_invite(*, actor, meeting: MaracMeeting, agency: Agency) -> MeetingInvitation:
    meeting = (
        MaracMeeting.objects.select_for_update(of=("self",))
        .select_related("team")
        .get(pk=meeting.pk)
    )
    require_coordinator_for(actor, borough_id=meeting.team.borough_id, noun="meeting")
    if meeting.is_cancelled:
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
def meeting_invitation_withdraw(*, actor, invitation_id: int) -> list[MaracAction]:
    """Withdraw an agency's invitation: it no longer sees the meeting's cases anywhere (case
    pages, research, its actions on them, its copies of the pack and minutes).

    Returns the open actions the agency held on those cases, which stay open for the
    coordinator to reassign or close (marac.selectors.actions.actions_without_access)."""
    invitation = (
        MeetingInvitation.objects.select_for_update(of=("self",))
        .select_related("agency", "meeting__team")
        .get(pk=invitation_id)
    )
    require_coordinator_for(actor, borough_id=invitation.meeting.team.borough_id, noun="meeting")
    MaracCaseListingGroupObjectPermission.objects.filter(
        group_id=invitation.agency.group_id,
        content_object__meeting_id=invitation.meeting_id,
        permission__codename=VIEW_LISTING,
    ).delete()
    agency_documents_remove(meeting_id=invitation.meeting_id, agency_id=invitation.agency_id)
    invitation.delete()
    return list(
        MaracAction.objects.filter(
            listing__meeting_id=invitation.meeting_id,
            agency_id=invitation.agency_id,
            status=ActionStatus.OPEN,
        ).order_by("due_date", "id")
    )


def agency_documents_remove(*, meeting_id: int, agency_id: int | None = None) -> None:
    """Delete agencies' copies of a meeting's pack and minutes (one agency's, or every
    agency's), rows and files: they hold cases the agency no longer sees. The coordinator's
    copy stays."""
    copies = MeetingDocument.objects.filter(meeting_id=meeting_id, agency__isnull=False)
    if agency_id is not None:
        copies = copies.filter(agency_id=agency_id)
    # Each copy's whole folder, not the file its row names now: a build still rendering holds
    # its row (the delete below waits for it) and points it at a new file when it commits, and
    # a worker killed after writing a file left one no row names. Either would stay in storage,
    # holding cases the agency no longer sees, with nothing to find it by.
    directories = [document_directory(copy) for copy in copies.only("meeting", "kind", "agency")]
    copies.delete()

    def remove_files() -> None:
        for directory in directories:
            remove_other_files(directory, keep=None)

    transaction.on_commit(remove_files)


def listing_shares_revoke(*, listing: MaracCaseListing) -> int:
    """Remove every agency's grant on one listing (the case is taken off the meeting), and the
    agencies' copies of the meeting's documents, which may hold the case."""
    deleted, _ = MaracCaseListingGroupObjectPermission.objects.filter(
        content_object=listing, permission__codename=VIEW_LISTING
    ).delete()
    agency_documents_remove(meeting_id=listing.meeting_id)
    return deleted


def meeting_shares_revoke(*, meeting: MaracMeeting) -> int:
    """Remove every agency's grants on the meeting's listings, and their copies of its
    documents (the meeting is cancelled). The invitations stay as the record of who was
    invited; the agencies' open actions stay for the coordinator to close."""
    deleted, _ = MaracCaseListingGroupObjectPermission.objects.filter(
        content_object__meeting=meeting, permission__codename=VIEW_LISTING
    ).delete()
    agency_documents_remove(meeting_id=meeting.pk)
    return deleted
