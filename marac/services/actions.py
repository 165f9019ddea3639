"""The action plan of a listed case: the coordinator creates actions, the owning agency (or the
coordinator) records updates and closes them; the coordinator reassigns an action whose agency
no longer sees the case (its invitation withdrawn) to an invited agency."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from publicprotection.access.roles import MARAC_COORDINATORS, has_role
from publicprotection.accounts.models import Agency
from publicprotection.errors import ConcurrentEditError, StateError

from ..models import (
    ActionStatus,
    MaracAction,
    MaracActionUpdate,
    MaracCaseListing,
    MeetingInvitation,
)
from .coordinators import require_coordinator_for


class ActionStateError(StateError):
    """The action (or its meeting) is not in a state for this."""


def _require_invited(listing: MaracCaseListing, agency: Agency) -> None:
    # An action shows its case to the owning agency until it is finished, so only an agency
    # invited to the meeting (which already sees the case) can own one.
    if not MeetingInvitation.objects.filter(meeting_id=listing.meeting_id, agency=agency).exists():
        raise ValidationError(
            {"agency": [f"{agency} is not invited to this meeting: invite it first."]}
        )


# An action is agreed around its meeting and due within weeks: these bounds catch a mistyped
# year (2062 for 2026, 0026) and leave room for a long action or one recorded late.
ACTION_DUE_AFTER_MEETING = timedelta(days=2 * 365)
ACTION_DUE_BEFORE_MEETING = timedelta(days=365)


def _require_plausible_due_date(listing: MaracCaseListing, due_date: date) -> None:
    meeting_day = timezone.localdate(listing.meeting.starts_at)
    if due_date < meeting_day - ACTION_DUE_BEFORE_MEETING:
        raise ValidationError(
            {"due_date": ["The due date must be no more than a year before the meeting"]}
        )
    if due_date > meeting_day + ACTION_DUE_AFTER_MEETING:
        raise ValidationError(
            {"due_date": ["The due date must be within two years of the meeting"]}
        )


def _require_sees(actor, action: MaracAction) -> None:
    """Only someone who sees the action changes it: its agency while that agency still sees the
    case, or a coordinator of its borough. Every caller gets this, not only the pages that
    fetched the action through the selector."""
    from ..selectors.actions import actions_visible_to

    if not actions_visible_to(viewer=actor).filter(pk=action.pk).exists():
        raise PermissionDenied


@transaction.atomic
def action_create(
    *,
    actor,
    listing: MaracCaseListing,
    subject: str,
    agency: Agency,
    owner: str,
    description: str,
    due_date: date,
) -> MaracAction:
    require_coordinator_for(actor, borough_id=listing.meeting.team.borough_id, noun="meeting")
    if listing.meeting.is_cancelled:
        raise ActionStateError("This meeting is cancelled; its cases take no new actions.")
    _require_invited(listing, agency)
    _require_plausible_due_date(listing, due_date)
    action = MaracAction(
        listing=listing,
        subject=subject,
        agency=agency,
        owner=owner.strip(),
        description=description.strip(),
        due_date=due_date,
        created_by=actor,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_update(*, actor, action_id: int, text: str, status: str = "") -> MaracActionUpdate:
    """Record an update, optionally finishing the action. A finished action is not reopened."""
    action = MaracAction.objects.select_for_update().get(pk=action_id)
    _require_sees(actor, action)
    if not action.is_open:
        raise ActionStateError(
            f"This action is finished ({action.get_status_display()}); it cannot be updated."
        )
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = ["Enter the update."]
    if status and status not in ActionStatus.values:
        errors["status"] = ["Choose a valid status."]
    if errors:
        raise ValidationError(errors)
    update = MaracActionUpdate(action=action, text=text, status=status, actor=actor)
    update.full_clean()
    update.save()
    if status and status != action.status:
        action.status = status
        action.version += 1
        action.save(update_fields=["status", "version", "updated_at"])
    return update


@transaction.atomic
def action_reassign(
    *,
    actor,
    action_id: int,
    agency: Agency,
    owner: str,
    note: str = "",
    expected_version: int | None = None,
) -> MaracAction:
    """Give an open action to another invited agency (or owner), recording who had it. Used
    when the owning agency's invitation is withdrawn: that agency no longer sees the case.

    Refused if the action changed since `expected_version` (the form and the API always send
    it): two coordinators reassigning it at once would otherwise each overwrite the other."""
    action = (
        MaracAction.objects.select_for_update(of=("self",))
        .select_related("agency", "listing__meeting")
        .get(pk=action_id)
    )
    if not has_role(actor, MARAC_COORDINATORS):
        raise PermissionDenied("Only a MARAC coordinator can reassign an action.")
    _require_sees(actor, action)
    if not action.is_open:
        raise ActionStateError(
            f"This action is finished ({action.get_status_display()}); it cannot be reassigned."
        )
    if action.listing.meeting.is_cancelled:
        raise ActionStateError(
            "This meeting is cancelled, so no agency sees its cases: close the action instead."
        )
    if expected_version is not None and action.version != expected_version:
        raise ConcurrentEditError("action")
    owner = owner.strip()
    if not owner:
        raise ValidationError({"owner": ["Enter who owns the action"]})
    _require_invited(action.listing, agency)
    if agency.pk == action.agency_id and owner == action.owner:
        raise ValidationError({"agency": ["Choose another agency or owner."]})
    text = f"Reassigned from {action.agency} ({action.owner}) to {agency} ({owner})."
    if note.strip():
        text = f"{text} {note.strip()}"
    action.agency = agency
    action.owner = owner
    action.version += 1
    action.full_clean()
    action.save(update_fields=["agency", "owner", "version", "updated_at"])
    MaracActionUpdate.objects.create(action=action, text=text, actor=actor)
    return action
