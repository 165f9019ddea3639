"""The action plan of a listed case: the coordinator creates actions, the owning agency (or the
coordinator) records updates and closes them."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from publicprotection.accounts.models import Agency

from ..models import (
    ActionStatus,
    MaracAction,
    MaracActionUpdate,
    MaracCaseListing,
    MeetingInvitation,
    MeetingStatus,
)


class ActionStateError(ValidationError):
    """The action (or its meeting) is not in a state for this. A ValidationError, so the pages
    show it as a message like any other refusal; the API answers it with a 409."""


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
    if listing.meeting.status == MeetingStatus.CANCELLED:
        raise ActionStateError("This meeting is cancelled; its cases take no new actions.")
    # An action shows its case to the owning agency until it is finished, so only an agency
    # invited to the meeting (which already sees the case) can own one.
    if not MeetingInvitation.objects.filter(meeting_id=listing.meeting_id, agency=agency).exists():
        raise ValidationError(
            {"agency": [f"{agency} is not invited to this meeting: invite it first."]}
        )
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
        action.save(update_fields=["status", "updated_at"])
    return update
