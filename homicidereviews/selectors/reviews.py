"""Reads of domestic homicide reviews. Reviews are read and written by the force's review lead
and by central supervisors, London-wide; nobody else sees that they exist (404 on a review,
403 on the pages)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from publicprotection.access.roles import ANALYSTS, REVIEW_LEADS, SUPERVISORS, has_role
from publicprotection.access.scope import get_visible_or_404
from publicprotection.london_time import london_today

from ..models import (
    OPEN_RECOMMENDATION_STATUSES,
    HomicideReview,
    Lesson,
    LessonTheme,
    Recommendation,
)


def can_work_on_reviews(user) -> bool:
    if has_role(user, REVIEW_LEADS):
        return True
    return has_role(user, SUPERVISORS) and user.team_id is not None and user.team.is_central


def reviews_visible_to(*, viewer) -> QuerySet[HomicideReview]:
    if not can_work_on_reviews(viewer):
        return HomicideReview.objects.none()
    return HomicideReview.objects.all()


def review_list(*, viewer) -> QuerySet[HomicideReview]:
    return (
        reviews_visible_to(viewer=viewer)
        .select_related("victim", "suspect", "borough")
        .annotate(
            open_recommendations=Count(
                "recommendations",
                filter=Q(recommendations__status__in=OPEN_RECOMMENDATION_STATUSES),
            )
        )
        .order_by("-date_of_death", "-id")
    )


def review_get(*, viewer, review_id) -> HomicideReview:
    qs = (
        reviews_visible_to(viewer=viewer)
        .select_related("victim", "suspect", "borough", "created_by")
        .prefetch_related(
            Prefetch("recommendations", queryset=Recommendation.objects.order_by("due_on", "id")),
            Prefetch("lessons", queryset=Lesson.objects.select_related("theme")),
        )
    )
    return get_visible_or_404(qs, pk=review_id)


def reviews_with_overdue_steps(*, viewer, today: date | None = None) -> list[tuple]:
    """(review, its overdue steps) for every unfinished review with a step past its deadline.
    Reviews are few (tens a year), so the deadlines are worked out on the rows."""
    today = today or london_today()
    rows = (
        review_list(viewer=viewer)
        .filter(published_on__isnull=True)
        .exclude(decision="not_commissioned")
    )
    return [(review, steps) for review in rows if (steps := review.overdue_steps(today))]


def recommendations_open(*, viewer, overdue_only: bool = False) -> QuerySet[Recommendation]:
    qs = Recommendation.objects.filter(
        review__in=reviews_visible_to(viewer=viewer), status__in=OPEN_RECOMMENDATION_STATUSES
    ).select_related("review")
    if overdue_only:
        qs = qs.filter(due_on__lt=london_today())
    return qs.order_by("due_on", "id")


def lesson_counts_by_theme(*, viewer) -> list[LessonTheme]:
    """Every theme with its number of lessons and of reviews: counts only, no names."""
    if not (can_work_on_reviews(viewer) or viewer_is_analyst(viewer)):
        return []
    return list(
        LessonTheme.objects.annotate(
            lesson_count=Count("lessons"), review_count=Count("lessons__review", distinct=True)
        ).order_by("-lesson_count", "name")
    )


def viewer_is_analyst(viewer) -> bool:
    return has_role(viewer, ANALYSTS)
