"""Reads of risk assessments, scoped to the viewer by the access core."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from publicprotection.access.roles import CASE_READERS, has_role
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer

from ..models import (
    Answer,
    AssessmentStatus,
    GradingReview,
    Instrument,
    Level,
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


def superseded_by_a_draft() -> QuerySet[RiskAssessment]:
    """The ids of assessments whose reassessment is still a draft (read from the few drafts).

    A draft has no level: until the reassessment is submitted, the level of the assessment it
    replaces is still the one in force, so rules that read the level in force (a HIGH to be
    referred to MARAC) read these as well as the current ones."""
    return RiskAssessment.objects.filter(
        status=AssessmentStatus.DRAFT, is_current=True, supersedes__isnull=False
    ).values("supersedes_id")


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
        )
        .prefetch_related(
            # Not joined: the page shows only its date, and with the table joined to itself
            # PostgreSQL took 6-10 ms to plan the query at a million assessments (2.5 without).
            Prefetch("supersedes", queryset=RiskAssessment.objects.only("id", "created_at")),
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
    confirmed = [a for a in history if a.is_confirmed]
    return max(confirmed, key=lambda a: (a.created_at, a.pk)) if confirmed else None


# --- A victim's current risk, London-wide ----------------------------------------------------


@dataclass(frozen=True)
class RiskSnapshot:
    """A level and where it came from, without the assessment itself: shown London-wide."""

    person_id: int
    level: str
    status: str
    set_at: datetime | None
    borough_id: int
    borough_name: str
    assessment_id: int

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def is_confirmed(self) -> bool:
        return self.status == AssessmentStatus.CONFIRMED


@dataclass(frozen=True)
class CurrentRisk:
    confirmed: RiskSnapshot | None
    # A newer submitted assessment not yet confirmed: it does not change the current level,
    # but whoever attends the victim must know of it.
    pending: RiskSnapshot | None


def _snapshots(person_ids: Iterable[int], status_filter: Q) -> dict[int, RiskSnapshot]:
    rows = (
        RiskAssessment.objects.filter(status_filter, person_id__in=list(person_ids))
        .exclude(final_level="")
        .order_by("person_id", "-created_at", "-id")
        .distinct("person_id")
        .values_list(
            "person_id",
            "final_level",
            "status",
            Coalesce("confirmed_at", "level_set_at", "submitted_at"),
            "borough_id",
            "borough__name",
            "id",
            "created_at",
        )
    )
    return {row[0]: (RiskSnapshot(*row[:7]), row[7]) for row in rows}


def current_risks(*, viewer, person_ids: Iterable[int]) -> dict[int, CurrentRisk]:
    """Each person's current risk across London: the latest confirmed level (latest by when
    the assessment was made, as `current_confirmed_level`), when and in which borough it was
    set, and any newer submitted assessment awaiting confirmation.

    DOMAIN.md: a victim's current risk level (when and in which borough it was set) is shown
    London-wide, like repeat flags; the assessment itself stays in its borough's scope. So
    this is read for every police viewer whatever their borough, and returns no answers,
    notes or plan. Two queries whatever the number of people."""
    if not has_role(viewer, CASE_READERS):
        return {}
    person_ids = set(person_ids)
    confirmed = _snapshots(person_ids, Q(status=AssessmentStatus.CONFIRMED))
    pending = _snapshots(person_ids, Q(status=AssessmentStatus.AWAITING_REVIEW, is_current=True))
    result = {}
    for person_id in person_ids:
        done, waiting = confirmed.get(person_id), pending.get(person_id)
        if waiting and done and waiting[1] <= done[1]:
            waiting = None  # older than the confirmed level: a late review, not news
        if done or waiting:
            result[person_id] = CurrentRisk(
                confirmed=done[0] if done else None, pending=waiting[0] if waiting else None
            )
    return result


def current_risk(*, viewer, person_id: int) -> CurrentRisk | None:
    return current_risks(viewer=viewer, person_ids=[person_id]).get(person_id)
