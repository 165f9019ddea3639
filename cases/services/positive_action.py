"""Positive action: arrest decisions, supervisor reviews, outstanding suspects.

Every step is an ArrestReviewEvent row, so the exchange between officer and supervisor is
kept whole; the decision row itself is also tracked by the history triggers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from publicprotection.access.roles import CASE_WRITERS, SUPERVISORS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.errors import StateError

from ..models import (
    VICTIM_NOT_SUPPORTING,
    ArrestDecision,
    ArrestOutcome,
    ArrestReviewEvent,
    Incident,
    NecessityCriterion,
    NotArrestedReason,
    Party,
    ReviewEventKind,
    ReviewStatus,
)
from .justification import (  # noqa: F401 - POSITIVE_ACTION_POLICY is re-exported
    POSITIVE_ACTION_POLICY,
    justification_problem,
    says_victim_does_not_support,
)

# Reasons that rest on the arrest not being necessary: the officer says, criterion by
# criterion, why none of PACE Code G 2.9 applied. ("Not present" and "insufficient grounds" do
# not reach the necessity test.)
NECESSITY_REASONS = (NotArrestedReason.NOT_NECESSARY, NotArrestedReason.OTHER)
NECESSITY_MIN_WORDS = 3


def review_deadline(start: datetime) -> datetime:
    """When a supervisor must have reviewed a decision not to arrest (DOMAIN.md: 24 hours)."""
    return start + timedelta(hours=settings.ARREST_REVIEW_DEADLINE_HOURS)


def non_arrests_queue_for_review(incident: Incident, *, actor, submitted_at: datetime) -> None:
    """The positive-action step of submitting an incident (its row locked by the caller): every
    decision not to arrest goes to the supervisor review queue, due within the deadline."""
    for decision in incident.arrest_decisions.select_for_update().filter(
        outcome=ArrestOutcome.NOT_ARRESTED, review_status=ReviewStatus.NOT_REQUIRED
    ):
        decision.review_status = ReviewStatus.AWAITING
        decision.review_due_at = review_deadline(submitted_at)
        decision.save(update_fields=["review_status", "review_due_at", "updated_at"])
        ArrestReviewEvent.objects.create(
            decision=decision, kind=ReviewEventKind.SUBMITTED, actor=actor
        )


def necessity_problems(*, reason: str, grounds: dict[str, str]) -> dict[str, str]:
    """What is wrong with a necessity assessment, by field (`necessity_<criterion>`).

    DOMAIN.md: an arrest is lawful only where necessary (PACE Code G 2.9); a decision not to
    arrest says, criterion by criterion, why none applied. In domestic abuse "prevent physical
    injury" and "protect a child or vulnerable person" usually apply, so each needs its own
    reason; the victim's unwillingness to support a prosecution is never one."""
    problems: dict[str, str] = {}
    unknown = set(grounds) - set(NecessityCriterion.values)
    if unknown:
        problems["necessity_grounds"] = f"Unknown necessity criteria: {', '.join(sorted(unknown))}"
    required = reason in NECESSITY_REASONS
    for criterion in NecessityCriterion:
        text = (grounds.get(criterion.value) or "").strip()
        field = f"necessity_{criterion.value}"
        if not text:
            if required:
                problems[field] = f"Say why this does not apply: {criterion.label.lower()}"
        elif says_victim_does_not_support(text):
            problems[field] = POSITIVE_ACTION_POLICY
        elif len(text.split()) < NECESSITY_MIN_WORDS:
            problems[field] = f"Say why this does not apply: {criterion.label.lower()}"
    return problems


class DecisionStateError(StateError):
    """The decision is not in a state that allows this step (already reviewed, not returned...)."""


def _require_role_for(actor, incident: Incident, roles: frozenset, message: str) -> None:
    """The actor has one of `roles` and works in the incident's borough (central: anywhere)."""
    if not has_role(actor, roles):
        raise PermissionDenied(message)
    borough_id = viewer_borough_id(actor)
    if borough_id is not None and borough_id != incident.borough_id:
        raise PermissionDenied("This decision belongs to another borough.")


def _require_supervisor_for(actor, incident: Incident) -> None:
    """Supervisors review decisions in their borough (the central team, anywhere)."""
    _require_role_for(actor, incident, SUPERVISORS, "Only a supervisor can do this.")


def _require_case_writer_for(actor, incident: Incident) -> None:
    _require_role_for(actor, incident, CASE_WRITERS, "Only an officer or supervisor can do this.")


def review_refusal(*, actor, decision: ArrestDecision) -> str | None:
    """Why `actor` may not review `decision`, or None.

    A review is a second pair of eyes, so the reviewer wrote none of what is reviewed: not the
    decision (its maker), and not an answer to a returned review (whoever responded, which a
    supervisor may do too). The page uses this to decide whether to show the form; the
    services below enforce it for every caller. Reads the decision's events through
    `review_events.all()`, so a prefetched decision costs no query."""
    if decision.decided_by_id == actor.pk:
        return "You made this decision: another supervisor must review it."
    if any(
        event.is_response and event.actor_id == actor.pk for event in decision.review_events.all()
    ):
        return "You answered a returned review of this decision: another supervisor must review it."
    return None


def respond_refusal(*, actor, decision: ArrestDecision) -> str | None:
    """Why `actor` may not answer the returned `decision`, or None: whoever returned it waits
    for someone else's answer (a supervisor may answer another's return). Reads the events
    through `review_events.all()`, so a prefetched decision costs no query."""
    returns = [event for event in decision.review_events.all() if event.is_return]
    if returns and returns[-1].actor_id == actor.pk:
        return "You returned this decision: the officer must answer it."
    return None


def _require_independent_reviewer(actor, decision: ArrestDecision) -> None:
    refusal = review_refusal(actor=actor, decision=decision)
    if refusal:
        raise PermissionDenied(refusal)


@transaction.atomic
def arrest_decision_record(
    *,
    actor,
    suspect: Party,
    outcome: str,
    arrested_at: datetime | None = None,
    arrested_by: str = "",
    reason: str = "",
    justification: str = "",
    necessity_grounds: dict[str, str] | None = None,
) -> ArrestDecision:
    """Record the positive-action decision for a suspect (DOMAIN.md, positive action).

    Not arrested needs a reason and a written justification; "victim does not support a
    prosecution" is offered as a reason only to be refused with the policy, and the written
    justification is read for it too (the second guard). A decision resting on necessity
    carries the PACE Code G assessment, criterion by criterion (`necessity_problems`)."""
    necessity_grounds = {k: (v or "").strip() for k, v in (necessity_grounds or {}).items()}
    incident = Incident.objects.select_for_update().get(pk=suspect.incident_id)
    _require_case_writer_for(actor, incident)
    if not suspect.is_suspect:
        raise ValidationError("Arrest decisions are for suspects.")
    if not incident.can_edit():
        raise DecisionStateError("A closed incident cannot be changed.")
    if not suspect.offences.filter(offence_type__power_of_arrest=True).exists():
        raise ValidationError(
            "Record an offence with a power of arrest against this suspect before the arrest "
            "decision."
        )
    if ArrestDecision.objects.filter(suspect=suspect).exists():
        raise DecisionStateError(
            "An arrest decision is already recorded for this suspect; it is kept as it is. "
            "Record a later arrest, or answer the supervisor's review, instead."
        )
    errors: dict[str, str] = {}
    if outcome == ArrestOutcome.ARRESTED:
        if arrested_at is None:
            errors["arrested_at"] = "Enter when the suspect was arrested"
        elif arrested_at > timezone.now():
            errors["arrested_at"] = "The arrest time cannot be in the future"
        elif arrested_at < incident.occurred_at:
            errors["arrested_at"] = "The arrest cannot be before the incident happened"
        if not arrested_by.strip():
            errors["arrested_by"] = "Enter who arrested the suspect"
        reason, justification, necessity_grounds = "", "", {}
    elif outcome == ArrestOutcome.NOT_ARRESTED:
        if not reason:
            errors["reason"] = "Select the reason the suspect was not arrested"
        elif reason == VICTIM_NOT_SUPPORTING:
            errors["reason"] = POSITIVE_ACTION_POLICY
        elif reason not in NotArrestedReason.values:
            errors["reason"] = "Select the reason the suspect was not arrested"
        problem = justification_problem(justification)
        if problem:
            errors["justification"] = problem
        errors.update(necessity_problems(reason=reason, grounds=necessity_grounds))
        arrested_at, arrested_by = None, ""
        necessity_grounds = {k: v for k, v in necessity_grounds.items() if v}
    else:
        errors["outcome"] = "Select whether the suspect was arrested"
    if errors:
        raise ValidationError(errors)

    decision = ArrestDecision(
        incident=incident,
        borough_id=incident.borough_id,  # the database sets it too (arrest_decision_borough)
        suspect=suspect,
        outcome=outcome,
        arrested_at=arrested_at,
        arrested_by=arrested_by.strip(),
        reason=reason,
        justification=justification.strip(),
        necessity_grounds=necessity_grounds,
        is_outstanding=(
            outcome == ArrestOutcome.NOT_ARRESTED
            and reason == NotArrestedReason.SUSPECT_NOT_PRESENT
        ),
        decided_by=actor,
    )
    # Decisions on a submitted incident go to the queue at once; drafts go on submission.
    if outcome == ArrestOutcome.NOT_ARRESTED and not incident.is_draft:
        decision.review_status = ReviewStatus.AWAITING
        decision.review_due_at = review_deadline(timezone.now())
    decision.full_clean()
    decision.save()
    if decision.is_awaiting_review:
        ArrestReviewEvent.objects.create(
            decision=decision, kind=ReviewEventKind.SUBMITTED, actor=actor
        )
    Incident.objects.filter(pk=incident.pk).update(version=incident.version + 1)
    return decision


def _lock_decision(decision_id: int) -> ArrestDecision:
    return ArrestDecision.objects.select_for_update().select_related("incident").get(pk=decision_id)


@transaction.atomic
def arrest_decision_endorse(*, actor, decision_id: int, comment: str = "") -> ArrestDecision:
    decision = _lock_decision(decision_id)
    _require_supervisor_for(actor, decision.incident)
    _require_independent_reviewer(actor, decision)
    if not decision.can_review():
        raise DecisionStateError("This decision is not awaiting review.")
    decision.review_status = ReviewStatus.ENDORSED
    decision.save(update_fields=["review_status", "updated_at"])
    ArrestReviewEvent.objects.create(
        decision=decision, kind=ReviewEventKind.ENDORSED, actor=actor, comment=comment.strip()
    )
    return decision


@transaction.atomic
def arrest_decision_return(
    *, actor, decision_id: int, required_action: str, comment: str = ""
) -> ArrestDecision:
    decision = _lock_decision(decision_id)
    _require_supervisor_for(actor, decision.incident)
    _require_independent_reviewer(actor, decision)
    if not decision.can_review():
        raise DecisionStateError("This decision is not awaiting review.")
    if not required_action.strip():
        raise ValidationError({"required_action": "Say what the officer must do"})
    decision.review_status = ReviewStatus.RETURNED
    decision.save(update_fields=["review_status", "updated_at"])
    ArrestReviewEvent.objects.create(
        decision=decision,
        kind=ReviewEventKind.RETURNED,
        actor=actor,
        required_action=required_action.strip(),
        comment=comment.strip(),
    )
    return decision


@transaction.atomic
def arrest_decision_respond(*, actor, decision_id: int, response: str) -> ArrestDecision:
    """The officer answers a returned decision; it goes back to the queue with a new deadline."""
    decision = _lock_decision(decision_id)
    _require_case_writer_for(actor, decision.incident)
    if not decision.can_respond():
        raise DecisionStateError("This decision has not been returned to an officer.")
    refusal = respond_refusal(actor=actor, decision=decision)
    if refusal:
        raise PermissionDenied(refusal)
    if not response.strip():
        raise ValidationError({"response": "Say what you have done about the required action"})
    decision.review_status = ReviewStatus.AWAITING
    decision.review_due_at = review_deadline(timezone.now())
    decision.save(update_fields=["review_status", "review_due_at", "updated_at"])
    ArrestReviewEvent.objects.create(
        decision=decision, kind=ReviewEventKind.RESPONDED, actor=actor, comment=response.strip()
    )
    return decision


@transaction.atomic
def outstanding_suspect_arrested(
    *, actor, decision_id: int, arrested_at: datetime | None, arrested_by: str = ""
) -> ArrestDecision:
    """An outstanding suspect has been traced and arrested."""
    decision = _lock_decision(decision_id)
    _require_case_writer_for(actor, decision.incident)
    if not decision.is_outstanding:
        raise DecisionStateError("This suspect is not outstanding.")
    errors: dict[str, str] = {}
    if arrested_at is None:
        errors["arrested_at"] = "Enter when the suspect was arrested"
    elif arrested_at > timezone.now():
        errors["arrested_at"] = "The arrest time cannot be in the future"
    elif arrested_at < decision.incident.occurred_at:
        errors["arrested_at"] = "The arrest cannot be before the incident happened"
    if not arrested_by.strip():
        errors["arrested_by"] = "Enter the name or number of the arresting officer"
    if errors:
        raise ValidationError(errors)
    decision.is_outstanding = False
    decision.arrested_at = arrested_at
    decision.arrested_by = arrested_by.strip()
    decision.save(update_fields=["is_outstanding", "arrested_at", "arrested_by", "updated_at"])
    ArrestReviewEvent.objects.create(
        decision=decision,
        kind=ReviewEventKind.ARRESTED,
        actor=actor,
        comment=f"Arrested {timezone.localtime(arrested_at):%d %b %Y %H:%M}"
        + (f" by {arrested_by.strip()}" if arrested_by.strip() else ""),
    )
    return decision


@transaction.atomic
def outstanding_suspect_close(*, actor, decision_id: int, comment: str) -> ArrestDecision:
    decision = _lock_decision(decision_id)
    _require_supervisor_for(actor, decision.incident)
    if not decision.is_outstanding:
        raise DecisionStateError("This suspect is not outstanding.")
    if not comment.strip():
        raise ValidationError({"comment": "Say why the suspect no longer needs to be traced"})
    _close_outstanding(decision, actor=actor, comment=comment)
    return decision


def _close_outstanding(decision: ArrestDecision, *, actor, comment: str) -> None:
    decision.is_outstanding = False
    decision.outstanding_closed_at = timezone.now()
    decision.save(update_fields=["is_outstanding", "outstanding_closed_at", "updated_at"])
    ArrestReviewEvent.objects.create(
        decision=decision,
        kind=ReviewEventKind.OUTSTANDING_CLOSED,
        actor=actor,
        comment=comment.strip(),
    )


def close_outstanding_in_incident(*, actor, incident: Incident, comment: str) -> None:
    _require_supervisor_for(actor, incident)
    for decision in incident.arrest_decisions.select_for_update().filter(is_outstanding=True):
        _close_outstanding(decision, actor=actor, comment=comment or "Incident closed")
