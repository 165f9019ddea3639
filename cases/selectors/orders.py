"""Reads of protective orders."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from publicprotection.access.roles import CASE_READERS
from publicprotection.access.scope import scope_to_viewer

from ..models import ProtectiveOrder


def orders_visible_to(*, viewer) -> QuerySet[ProtectiveOrder]:
    return scope_to_viewer(
        ProtectiveOrder.objects.all(),
        viewer=viewer,
        borough_field="borough_id",
        police_roles=CASE_READERS,
    )


def orders_expiring(*, borough_id: int | None, today: date, within_days: int = 7):
    """Orders expiring from today to `within_days` ahead (a borough, or London when None)."""
    qs = ProtectiveOrder.objects.filter(
        expires_on__gte=today, expires_on__lte=today + timedelta(days=within_days)
    )
    if borough_id is not None:
        qs = qs.filter(borough_id=borough_id)
    return qs.select_related("incident", "protected_person", "respondent").order_by(
        "expires_on", "id"
    )
