"""Reads of case records, always narrowed to the viewer by the access core."""

from __future__ import annotations

from django.db.models import QuerySet

from publicprotection.access.roles import CASE_READERS
from publicprotection.access.scope import get_visible_or_404, scope_to_viewer

from .models import Incident


def incidents_visible_to(*, viewer) -> QuerySet[Incident]:
    # Partners never read incidents directly: MARAC shares them a case summary instead.
    return scope_to_viewer(
        Incident.objects.all(), viewer=viewer, borough_field="borough_id", police_roles=CASE_READERS
    )


def incident_list(*, viewer, filters: dict | None = None) -> QuerySet[Incident]:
    filters = filters or {}
    qs = incidents_visible_to(viewer=viewer).select_related("borough", "officer_in_charge")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("borough"):
        qs = qs.filter(borough__code=filters["borough"])
    if filters.get("reference"):
        qs = qs.filter(reference__iexact=filters["reference"].strip())
    return qs.order_by("-occurred_at", "-id")


def incident_get(*, viewer, reference: str) -> Incident:
    qs = incidents_visible_to(viewer=viewer).select_related(
        "borough", "officer_in_charge", "created_by"
    )
    return get_visible_or_404(qs, reference=reference)
