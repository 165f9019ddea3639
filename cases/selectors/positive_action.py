"""Reads for positive action: the supervisor review queue and outstanding suspects."""

from __future__ import annotations

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.db.models.functions import Now

from publicprotection.access.roles import CASE_READERS
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer

from ..models import ArrestDecision, ReviewStatus


def decisions_visible_to(*, viewer) -> QuerySet[ArrestDecision]:
    return scope_to_viewer(
        ArrestDecision.objects.all(),
        viewer=viewer,
        borough_field="incident__borough_id",
        police_roles=CASE_READERS,
    )


def _with_related(qs: QuerySet[ArrestDecision]) -> QuerySet[ArrestDecision]:
    return qs.select_related("incident__borough", "suspect__person", "decided_by")


def review_queue(*, viewer, include_returned: bool = False) -> QuerySet[ArrestDecision]:
    """Decisions not to arrest awaiting a supervisor, oldest deadline first, overdue marked."""
    statuses = [ReviewStatus.AWAITING]
    if include_returned:
        statuses.append(ReviewStatus.RETURNED)
    return (
        _with_related(decisions_visible_to(viewer=viewer))
        .filter(review_status__in=statuses)
        .annotate(
            is_overdue=Case(
                When(review_due_at__lt=Now(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("review_due_at", "id")
    )


def returned_to_officer(*, viewer) -> QuerySet[ArrestDecision]:
    """Decisions a supervisor returned, waiting for their officer's response."""
    return (
        _with_related(decisions_visible_to(viewer=viewer))
        .filter(review_status=ReviewStatus.RETURNED)
        .order_by("updated_at", "id")
    )


def outstanding_suspects(*, viewer) -> QuerySet[ArrestDecision]:
    """Suspects not yet traced and arrested, oldest first."""
    return (
        _with_related(decisions_visible_to(viewer=viewer))
        .filter(is_outstanding=True)
        .order_by("decided_at", "id")
    )


def decision_get(*, viewer, decision_id) -> ArrestDecision:
    qs = _with_related(decisions_visible_to(viewer=viewer)).prefetch_related("review_events__actor")
    return get_visible_or_404(qs, pk=decision_id)
