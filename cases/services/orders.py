"""Writes for protective orders."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Incident, Party, ProtectiveOrder
from .incidents import require_writer_for


@transaction.atomic
def protective_order_add(
    *,
    actor,
    incident_id: int,
    protected: Party,
    order_type: str,
    made_on: date,
    expires_on: date | None = None,
    respondent: Party | None = None,
    issued_by: str = "",
    conditions: str = "",
) -> ProtectiveOrder:
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_writer_for(actor, incident)
    errors = {}
    if protected.incident_id != incident.pk or not protected.can_be_protected:
        errors["protected"] = "Choose a victim or child in this incident"
    if respondent is not None and (
        respondent.incident_id != incident.pk or not respondent.is_suspect
    ):
        errors["respondent"] = "Choose a suspect in this incident"
    if expires_on is not None and expires_on < made_on:
        errors["expires_on"] = "The expiry date must be on or after the date it was made"
    if errors:
        raise ValidationError(errors)
    order = ProtectiveOrder(
        incident=incident,
        borough_id=incident.borough_id,
        protected_person_id=protected.person_id,
        respondent_id=respondent.person_id if respondent else None,
        order_type=order_type,
        made_on=made_on,
        expires_on=expires_on,
        issued_by=issued_by.strip(),
        conditions=conditions.strip(),
        recorded_by=actor,
    )
    order.full_clean()
    order.save()
    return order
