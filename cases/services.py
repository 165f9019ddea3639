"""Every write to case records."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from publicprotection.accounts.models import Borough

from .models import Incident, IncidentReferenceCounter, IncidentStatus


def next_incident_reference(*, borough: Borough, when: datetime) -> str:
    """DV/<borough>/<year>/<number>, numbered per borough and year without gaps from races."""
    year = timezone.localtime(when).year
    counter, _ = IncidentReferenceCounter.objects.get_or_create(borough=borough, year=year)
    counter = IncidentReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"DV/{borough.code}/{year}/{counter.last_number:06d}"


@transaction.atomic
def incident_create(
    *,
    actor,
    borough: Borough,
    occurred_at: datetime,
    reported_at: datetime,
    how_reported: str,
    is_crime: bool = True,
    status: str = IncidentStatus.DRAFT,
    **fields,
) -> Incident:
    incident = Incident(
        borough=borough,
        occurred_at=occurred_at,
        reported_at=reported_at,
        how_reported=how_reported,
        is_crime=is_crime,
        status=status,
        created_by=actor,
        officer_in_charge=fields.pop("officer_in_charge", actor),
        **fields,
    )
    incident.reference = next_incident_reference(borough=borough, when=reported_at)
    incident.full_clean()
    incident.save()
    return incident
