"""Writes for RARA plans: add an action to an assessment's plan, and move it on.

Plans evolve: actions may be added while the assessment is a draft and after it is submitted,
but not to one a reassessment has superseded. Actions already on a superseded assessment can
still be updated, so they can be closed rather than left overdue for ever.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from publicprotection.access.roles import CASE_WRITERS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.errors import ConcurrentEditError
from publicprotection.london_time import london_today

from ..models import (
    AssessmentStatus,
    Level,
    RaraAction,
    RaraActionType,
    RaraCategory,
    RaraStatus,
    RiskAssessment,
)
from ..selectors.assessments import superseded_by_a_draft
from ..selectors.plans import owner_candidates

OWNER_ERROR = "Choose an active police user who can see this case"
PAST_DUE_ERROR = "The due date must be today or later"
ACCEPT_ERRORS = {
    "options_offered": "List each option offered to the victim",
    "declined_reason": "Record the victim's reasons for declining",
    "monitoring": "Say how the remaining risk is monitored",
}
DECLINED_REASON_ERROR = "Record why the victim declined"

# Where each status may move to. Done, declined and cancelled are final.
RARA_TRANSITIONS: dict[str, frozenset[str]] = {
    RaraStatus.PLANNED: frozenset(
        {RaraStatus.IN_PROGRESS, RaraStatus.DONE, RaraStatus.DECLINED, RaraStatus.CANCELLED}
    ),
    RaraStatus.IN_PROGRESS: frozenset({RaraStatus.DONE, RaraStatus.DECLINED, RaraStatus.CANCELLED}),
    RaraStatus.DONE: frozenset(),
    RaraStatus.DECLINED: frozenset(),
    RaraStatus.CANCELLED: frozenset(),
}


def statuses_reachable_from(status: str) -> list[str]:
    """The action's current status and those it may move to, in the order of RaraStatus."""
    reachable = RARA_TRANSITIONS.get(status, frozenset()) | {status}
    return [value for value in RaraStatus.values if value in reachable]


def _require_writer(actor, borough_id: int) -> None:
    if not has_role(actor, CASE_WRITERS):
        raise PermissionDenied("Only officers and supervisors can change a RARA plan.")
    actor_borough = viewer_borough_id(actor)
    if actor_borough is not None and actor_borough != borough_id:
        raise PermissionDenied("This case belongs to another borough.")


def _owner_can_own(owner, borough_id: int) -> bool:
    return (
        owner is not None and owner_candidates(borough_id=borough_id).filter(pk=owner.pk).exists()
    )


@transaction.atomic
def rara_action_add(
    *,
    actor,
    assessment_id: int,
    category: str,
    action_type: RaraActionType,
    owner,
    due_date: date,
    notes: str = "",
    options_offered: str = "",
    declined_reason: str = "",
    monitoring: str = "",
) -> RaraAction:
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment_id)
    _require_writer(actor, assessment.borough_id)
    if not assessment.is_current:
        raise ValidationError(
            "This assessment has been replaced by a reassessment: add the action to the "
            "current assessment."
        )
    accept = {
        "options_offered": options_offered.strip(),
        "declined_reason": declined_reason.strip(),
        "monitoring": monitoring.strip(),
    }
    errors: dict[str, str] = {}
    if category == RaraCategory.ACCEPT:
        errors.update({field: ACCEPT_ERRORS[field] for field, text in accept.items() if not text})
    if due_date < london_today():
        errors["due_date"] = PAST_DUE_ERROR
    if not _owner_can_own(owner, assessment.borough_id):
        errors["owner"] = OWNER_ERROR
    if errors:
        raise ValidationError(errors)

    action = RaraAction(
        assessment=assessment,
        borough_id=assessment.borough_id,
        category=category,
        action_type=action_type,
        owner=owner,
        due_date=due_date,
        notes=notes.strip(),
        created_by=actor,
        **accept,
    )
    action.full_clean()
    action.save()
    return action


def _last_action_of_a_needed_plan(action: RaraAction) -> str:
    """The level in force, if cancelling `action` would leave an assessment whose level needs
    a plan (DOMAIN.md, RARA: medium and high risk) with none: every other action cancelled.
    A draft is checked when it is submitted, and a level replaced by a submitted reassessment
    is in force nowhere. The assessment is locked, so two people cancelling the last two
    actions at once cannot both succeed."""
    assessment = (
        RiskAssessment.objects.select_for_update()
        .only("final_level", "status", "is_current")
        .get(pk=action.assessment_id)
    )
    in_force = (
        assessment.is_current
        or RiskAssessment.objects.filter(pk=assessment.pk, id__in=superseded_by_a_draft()).exists()
    )
    if (
        assessment.status == AssessmentStatus.DRAFT
        or not in_force
        or assessment.final_level not in settings.RARA_PLAN_REQUIRED_LEVELS
    ):
        return ""
    others = assessment.actions.exclude(pk=action.pk).exclude(status=RaraStatus.CANCELLED)
    return "" if others.exists() else assessment.final_level


@transaction.atomic
def rara_action_update(
    *,
    actor,
    action_id: int,
    status: str | None = None,
    notes: str | None = None,
    due_date: date | None = None,
    declined_reason: str | None = None,
    expected_version: int | None = None,
) -> RaraAction:
    """Change an action; a field left as None keeps its value. Refused if someone else saved
    it since `expected_version` (forms and the API always send it)."""
    action = RaraAction.objects.select_for_update().get(pk=action_id)
    _require_writer(actor, action.borough_id)
    if expected_version is not None and action.version != expected_version:
        raise ConcurrentEditError("RARA action")
    errors: dict[str, str] = {}

    if declined_reason is not None:
        action.declined_reason = declined_reason.strip()
    if notes is not None:
        action.notes = notes.strip()
    if due_date is not None and due_date != action.due_date:
        if due_date < london_today():
            errors["due_date"] = PAST_DUE_ERROR
        action.due_date = due_date

    if status is not None and status != action.status:
        if status not in RaraStatus.values:
            errors["status"] = "Select the status"
        elif status not in RARA_TRANSITIONS[action.status]:
            errors["status"] = (
                f"An action that is {RaraStatus(action.status).label.lower()} cannot be "
                f"changed to {RaraStatus(status).label.lower()}"
            )
        elif status == RaraStatus.CANCELLED and (last := _last_action_of_a_needed_plan(action)):
            errors["status"] = (
                f"This is the last action of the plan, and {Level(last).label.lower()} risk "
                "needs a RARA plan: add the action that replaces it first, then cancel this one"
            )
        else:
            action.status = status
            if status == RaraStatus.DONE:
                action.completed_at = timezone.now()

    if action.is_declined and not action.declined_reason:
        errors["declined_reason"] = DECLINED_REASON_ERROR
    if action.category == RaraCategory.ACCEPT and not action.declined_reason:
        errors["declined_reason"] = ACCEPT_ERRORS["declined_reason"]
    if errors:
        raise ValidationError(errors)

    action.version += 1
    action.full_clean()
    action.save()
    return action
