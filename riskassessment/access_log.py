"""What the access log says about risk assessment records: a label that tells an auditor what
was read, and the person each record is about (access_log_record's `subjects`), so that every
read of a victim's assessment or plan appears in that person's record history (ADR 0002).

Each reads only what the selectors already loaded: no query of its own."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from publicprotection.london_time import LONDON

from .models import RaraAction, RiskAssessment


def assessment_label(assessment: RiskAssessment) -> str:
    """ "Risk assessment of 3 Dec 2026, DV/2026/000123" (the incident loaded with it)."""
    made = timezone.localdate(assessment.created_at, timezone=LONDON)
    return f"Risk assessment of {made.day} {made:%b %Y}, {assessment.incident.reference}"


def rara_action_label(action: RaraAction) -> str:
    return f"{action.assessment.incident.reference} RARA action {action.pk}"


def assessment_subjects(assessments: Iterable[RiskAssessment]) -> list[int]:
    """The assessed victims' people."""
    return [assessment.person_id for assessment in assessments]


def rara_action_subjects(actions: Iterable[RaraAction]) -> list[int]:
    """The victims whose plans the actions belong to (the assessment loaded with them)."""
    return [action.assessment.person_id for action in actions]
