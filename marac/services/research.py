"""Each invited agency's research on a listed case: one record per agency, which it edits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from publicprotection.errors import ConcurrentEditError

from ..models import CaseResearch, MaracCaseListing, MeetingInvitation
from ..selectors.sharing import cases_shared_with


@transaction.atomic
def research_save(
    *,
    actor,
    listing: MaracCaseListing,
    facts: str = "",
    opinion: str = "",
    withheld: str = "",
    withheld_reason: str = "",
    expected_version: int | None = None,
) -> CaseResearch:
    """Create or replace the actor's agency's research, on a case still shared with it.

    Colleagues of one agency share the record: `expected_version` is the version the caller
    read (0 when there was none yet); a save from an older read is refused."""
    if actor.agency_id is None:
        raise PermissionDenied("Only a partner agency records research.")
    # The invitation's lock makes the agency's saves take turns (two first saves: the second
    # reads the first's record and is stale, instead of failing on the one-record constraint)
    # and waits for a withdrawal under way (then there is no invitation).
    invitation = (
        MeetingInvitation.objects.select_for_update()
        .filter(meeting_id=listing.meeting_id, agency_id=actor.agency_id)
        .first()
    )
    if invitation is None:
        raise PermissionDenied("Only an agency invited to the meeting records research.")
    # The share is the door, not the invitation (ADR 0008): a cancelled meeting keeps its
    # invitations as the record but shares its cases with nobody. Checked in the service so
    # every caller gets it, not only the pages and the API, which read the listing through
    # the selector first.
    if not cases_shared_with(viewer=actor).filter(pk=listing.pk).exists():
        raise PermissionDenied("This case is no longer shared with your agency.")
    facts, opinion = facts.strip(), opinion.strip()
    withheld, withheld_reason = withheld.strip(), withheld_reason.strip()
    errors = {}
    if withheld and not withheld_reason:
        errors["withheld_reason"] = ["Say why the information is withheld."]
    if not (facts or opinion or withheld):
        errors["facts"] = ["Enter what your agency holds, or what it withholds."]
    if errors:
        raise ValidationError(errors)
    research = (
        CaseResearch.objects.select_for_update()
        .filter(listing=listing, agency_id=actor.agency_id)
        .first()
    ) or CaseResearch(listing=listing, agency_id=actor.agency_id, version=0)
    if expected_version is not None and research.version != expected_version:
        raise ConcurrentEditError("research")
    research.version += 1
    research.facts, research.opinion = facts, opinion
    research.withheld, research.withheld_reason = withheld, withheld_reason
    research.recorded_by = actor
    research.full_clean(validate_unique=research.pk is None)
    research.save()
    return research
