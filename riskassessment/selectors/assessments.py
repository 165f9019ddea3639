"""Reads of risk assessments, scoped to the viewer by the access core."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from publicprotection.access.roles import CASE_READERS
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer

from ..models import (
    Answer,
    AssessmentStatus,
    GradingReview,
    Instrument,
    RaraAction,
    RiskAssessment,
)


def assessments_visible_to(*, viewer) -> QuerySet[RiskAssessment]:
    return scope_to_viewer(
        RiskAssessment.objects.all(),
        viewer=viewer,
        borough_field="borough_id",
        police_roles=CASE_READERS,
    )


def assessment_list(*, viewer, filters: dict) -> QuerySet[RiskAssessment]:
    """Filter by person, incident (ids), status or final level; every filter is indexed."""
    qs = assessments_visible_to(viewer=viewer).select_related(
        "incident", "person", "instrument", "created_by", "level_set_by"
    )
    for name, lookup in (("person", "person_id"), ("incident", "incident_id"),
                         ("status", "status"), ("final_level", "final_level")):  # fmt: skip
        if name in filters:
            qs = qs.filter(**{lookup: filters[name]})
    return qs


def active_instrument(*, code: str) -> Instrument | None:
    """The newest active version of an instrument, by its code."""
    return Instrument.objects.filter(code=code, is_active=True).order_by("-version").first()


def assessment_get(*, viewer, assessment_id) -> RiskAssessment:
    """One assessment with its answers, plan and reviews, in a fixed number of queries."""
    qs = (
        assessments_visible_to(viewer=viewer)
        .select_related(
            "incident",
            "person",
            "victim",
            "instrument",
            "created_by",
            "level_set_by",
            "supersedes",
        )
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by("question__order"),
            ),
            Prefetch(
                "actions",
                queryset=RaraAction.objects.select_related("action_type", "owner").order_by(
                    "due_date", "id"
                ),
            ),
            Prefetch("reviews", queryset=GradingReview.objects.select_related("actor")),
        )
    )
    return get_visible_or_404(qs, pk=assessment_id)


def grading_review_queue(*, viewer) -> QuerySet[RiskAssessment]:
    """Submitted assessments waiting for a supervisor, longest waiting first."""
    return (
        assessments_visible_to(viewer=viewer)
        .filter(status=AssessmentStatus.AWAITING_REVIEW)
        .select_related("incident", "person", "created_by")
        .order_by("submitted_at", "id")
    )


def incident_assessments(*, viewer, incident) -> QuerySet[RiskAssessment]:
    return (
        assessments_visible_to(viewer=viewer)
        .filter(incident=incident)
        .select_related("person", "created_by", "level_set_by", "instrument")
        .order_by("victim_id", "-created_at")
    )


def person_risk_history(*, viewer, person) -> list[RiskAssessment]:
    """Every visible assessment of the person, newest first."""
    return list(
        assessments_visible_to(viewer=viewer)
        .filter(person=person)
        .select_related("incident", "created_by", "level_set_by", "instrument")
        .prefetch_related(
            Prefetch("reviews", queryset=GradingReview.objects.select_related("actor"))
        )
        .order_by("-created_at", "-id")
    )


def current_confirmed_level(history: list[RiskAssessment]) -> RiskAssessment | None:
    """A victim's current risk is their latest confirmed level.

    Latest by when the assessment was made, not when it was confirmed: a late confirmation of
    an assessment that a reassessment has already replaced must not become the current risk.
    """
    confirmed = [a for a in history if a.status == AssessmentStatus.CONFIRMED]
    return max(confirmed, key=lambda a: (a.created_at, a.pk)) if confirmed else None
