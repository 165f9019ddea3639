"""Reads of RARA plans: actions scoped to the viewer, overdue lists and who may own an action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from publicprotection.access.roles import ALL_LONDON_ROLES, CASE_READERS
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer
from publicprotection.london_time import london_today

from ..models import OPEN_RARA_STATUSES, RaraAction, RiskAssessment
from .assessments import assessments_visible_to


def _with_overdue(queryset: QuerySet[RaraAction], today: date) -> QuerySet[RaraAction]:
    return queryset.annotate(
        is_overdue=Case(
            When(Q(status__in=OPEN_RARA_STATUSES, due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def rara_actions_visible_to(*, viewer) -> QuerySet[RaraAction]:
    return scope_to_viewer(
        RaraAction.objects.all(),
        viewer=viewer,
        borough_field="borough_id",
        police_roles=CASE_READERS,
    )


def _with_related(queryset: QuerySet[RaraAction]) -> QuerySet[RaraAction]:
    return queryset.select_related(
        "assessment__incident",
        "assessment__person",
        "action_type",
        "owner__team",
        "borough",
    )


def rara_action_get(*, viewer, action_id) -> RaraAction:
    """One action in the viewer's scope (missing and forbidden are the same 404)."""
    qs = _with_overdue(_with_related(rara_actions_visible_to(viewer=viewer)), london_today())
    return get_visible_or_404(qs, pk=action_id)


def plan_assessment_get(*, viewer, assessment_id) -> RiskAssessment:
    """The assessment a plan page is about, with what its header shows."""
    qs = assessments_visible_to(viewer=viewer).select_related("incident", "person")
    return get_visible_or_404(qs, pk=assessment_id)


@dataclass(frozen=True)
class RaraActionFilters:
    assessment_id: int | None = None
    status: str = ""
    overdue: bool | None = None
    owner_id: int | None = None


def rara_action_list(*, viewer, filters: RaraActionFilters) -> QuerySet[RaraAction]:
    today = london_today()
    qs = _with_overdue(_with_related(rara_actions_visible_to(viewer=viewer)), today)
    if filters.assessment_id is not None:
        qs = qs.filter(assessment_id=filters.assessment_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue is True:
        qs = qs.filter(status__in=OPEN_RARA_STATUSES, due_date__lt=today)
    elif filters.overdue is False:
        qs = qs.exclude(status__in=OPEN_RARA_STATUSES, due_date__lt=today)
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    return qs.order_by("due_date", "id")


def _overdue(queryset: QuerySet[RaraAction]) -> QuerySet[RaraAction]:
    today = london_today()
    return (
        _with_overdue(_with_related(queryset), today)
        .filter(status__in=OPEN_RARA_STATUSES, due_date__lt=today)
        .order_by("due_date", "id")
    )


def overdue_actions_for_owner(*, viewer) -> QuerySet[RaraAction]:
    """Open actions the viewer owns that are past their due date, oldest due first."""
    return _overdue(rara_actions_visible_to(viewer=viewer).filter(owner=viewer))


def overdue_actions_for_supervisor(*, viewer) -> QuerySet[RaraAction]:
    """Every overdue open action in the viewer's scope (their borough, or London)."""
    return _overdue(rara_actions_visible_to(viewer=viewer))


def owner_candidates(*, borough_id: int):
    """Who may own an action on a case in the borough: active police users who can see it
    (the borough's team, the central team, and the pan-London roles), ordered by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=CASE_READERS, team__isnull=False)
        .filter(
            Q(team__borough_id=borough_id)
            | Q(team__borough__isnull=True)
            | Q(role__in=ALL_LONDON_ROLES)
        )
        .select_related("team")
        .order_by("last_name", "first_name", "username")
    )
