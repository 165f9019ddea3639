"""Writes of MARAC referrals: the referral itself and the coordinator's triage.

Each transition locks the row, checks the model's predicate, changes the status and records an
event, so the referral's history is complete. Listing at a meeting is in services.meetings.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from publicprotection.access.roles import has_role
from publicprotection.errors import StateError
from riskassessment.models import RiskAssessment

from ..models import (
    MaracReferral,
    ReferralCriterion,
    ReferralEventKind,
    ReferralHistoryEntry,
    ReferralPerpetrator,
    ReferralStatus,
)
from ..selectors.referrals import REFERRAL_CREATORS, perpetrator_candidates, suggested_criteria
from .coordinators import require_coordinator_for


class ReferralStateError(StateError):
    """The referral is not in a state for this action (someone else may have triaged it)."""


class AlreadyReferred(StateError):
    """The assessment has an open referral already."""

    default_message = "This assessment has already been referred to MARAC."


NO_CONSENT_REASON_ERROR = (
    "Say why the referral goes ahead without the victim's consent (for example, the risk is "
    "too high to wait)."
)


# DOMAIN.md, MARAC: a repeat is detected from the records (`suggested_criteria`), not claimed.
NOT_A_REPEAT_ERROR = (
    "Repeat MARAC does not apply: the records show no MARAC referral of the victim about the "
    "same perpetrator within 12 months before this incident."
)
NO_PERPETRATOR_ERROR = (
    "Choose the perpetrator from the people on record, or describe one who is not on record."
)
UNKNOWN_PERPETRATOR_ERROR = (
    "Choose perpetrators from the people recorded as suspects in the victim's incidents."
)


def _perpetrators_checked(*, actor, assessment: RiskAssessment, person_ids, note: str) -> list:
    """The people to link, each recorded as a suspect in the victim's incidents that the
    referrer may see. Another id is refused the same way whether the person exists, is no
    suspect of the victim's, or is out of the referrer's sight (existence must not show)."""
    wanted = list(dict.fromkeys(person_ids))
    if not wanted and not note.strip():
        raise ValidationError({"perpetrators": [NO_PERPETRATOR_ERROR]})
    allowed = set(
        perpetrator_candidates(viewer=actor, assessment=assessment)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if set(wanted) - allowed:
        raise ValidationError({"perpetrators": [UNKNOWN_PERPETRATOR_ERROR]})
    return wanted


def record_event(referral: MaracReferral, *, kind: str, actor, comment: str = "") -> None:
    ReferralHistoryEntry.objects.create(referral=referral, kind=kind, actor=actor, comment=comment)


@transaction.atomic
def referral_create(
    *,
    actor,
    assessment: RiskAssessment,
    referring_agency: str,
    criteria: list[str],
    victim_aware: bool,
    victim_consents: bool | None,
    no_consent_reason: str = "",
    safe_contact: str = "",
    safe_contact_times: str = "",
    language: str = "",
    interpreter: bool = False,
    children_in_household: int = 0,
    perpetrators: Sequence[int] = (),
    perpetrator_note: str = "",
    recent_history: str,
) -> MaracReferral:
    """Refer the assessed victim. Criteria the records show are always kept: the referrer can
    add professional judgement but never drop a criterion that applies.

    `perpetrators`: ids of people recorded as suspects in the victim's incidents (the
    referrer's view of them); `perpetrator_note` describes one not on record. One or both."""
    if not has_role(actor, REFERRAL_CREATORS):
        raise PermissionDenied(
            "Only an officer, a supervisor or a MARAC coordinator can make a MARAC referral."
        )
    suggested = [s.criterion for s in suggested_criteria(assessment=assessment)]
    chosen = set(criteria) | set(suggested)
    ordered = [value for value in ReferralCriterion.values if value in chosen]
    errors = {}
    if not ordered:
        errors["criteria"] = ["Choose the criteria the referral meets."]
    if ReferralCriterion.REPEAT in criteria and ReferralCriterion.REPEAT not in suggested:
        errors["criteria"] = [NOT_A_REPEAT_ERROR]
    if not victim_aware and victim_consents:
        errors["victim_consents"] = ["A victim who does not know of the referral cannot consent."]
    if victim_consents is not True and not no_consent_reason.strip():
        errors["no_consent_reason"] = [NO_CONSENT_REASON_ERROR]
    try:
        people = _perpetrators_checked(
            actor=actor, assessment=assessment, person_ids=perpetrators, note=perpetrator_note
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    # Two referrals of one assessment at the same moment (a double click, two officers): the
    # assessment's row lock makes the second wait and then see the first.
    RiskAssessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk").first()
    if (
        MaracReferral.objects.filter(assessment=assessment)
        .exclude(status=ReferralStatus.REJECTED)
        .exists()
    ):
        raise AlreadyReferred
    referral = MaracReferral(
        borough_id=assessment.incident.borough_id,
        person_id=assessment.person_id,
        incident_id=assessment.incident_id,
        assessment=assessment,
        referring_agency=referring_agency.strip(),
        referred_by=actor,
        criteria=ordered,
        victim_aware=victim_aware,
        victim_consents=victim_consents,
        no_consent_reason=no_consent_reason.strip() if victim_consents is not True else "",
        safe_contact=safe_contact,
        safe_contact_times=safe_contact_times,
        language=language,
        interpreter=interpreter,
        children_in_household=children_in_household,
        perpetrator_note=perpetrator_note.strip(),
        recent_history=recent_history,
        is_repeat=ReferralCriterion.REPEAT in ordered,
    )
    referral.full_clean()
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as error:  # the unique index, should the lock ever be bypassed
        raise AlreadyReferred from error
    ReferralPerpetrator.objects.bulk_create(
        ReferralPerpetrator(referral=referral, person_id=person_id) for person_id in people
    )
    record_event(referral, kind=ReferralEventKind.SUBMITTED, actor=actor)
    return referral


def locked(referral_id: int) -> MaracReferral:
    return MaracReferral.objects.select_for_update().get(pk=referral_id)


def _locked_for_triage(actor, referral_id: int) -> MaracReferral:
    """The referral, locked for its borough's coordinator to triage."""
    referral = locked(referral_id)
    require_coordinator_for(actor, borough_id=referral.borough_id, noun="referral")
    return referral


@transaction.atomic
def referral_accept(*, actor, referral_id: int, comment: str = "") -> MaracReferral:
    referral = _locked_for_triage(actor, referral_id)
    if not referral.can_accept():
        raise ReferralStateError(
            f"This referral is {referral.get_status_display().lower()}; it cannot be accepted."
        )
    referral.status = ReferralStatus.ACCEPTED
    referral.save(update_fields=["status", "updated_at"])
    record_event(referral, kind=ReferralEventKind.ACCEPTED, actor=actor, comment=comment)
    return referral


@transaction.atomic
def referral_reject(*, actor, referral_id: int, reason: str) -> MaracReferral:
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the referral is rejected."]})
    referral = _locked_for_triage(actor, referral_id)
    if not referral.can_reject():
        raise ReferralStateError(
            f"This referral is {referral.get_status_display().lower()}; it cannot be rejected."
        )
    referral.status = ReferralStatus.REJECTED
    referral.rejection_reason = reason.strip()
    referral.save(update_fields=["status", "rejection_reason", "updated_at"])
    record_event(referral, kind=ReferralEventKind.REJECTED, actor=actor, comment=reason.strip())
    return referral
