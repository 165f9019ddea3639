"""Escalation suggested from the victim's history (DOMAIN.md).

The victim's Nth domestic incident within the repeat window (this one included), or a more
serious offence than in their last incident, pre-ticks escalation with the reason shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max

from cases.models import Incident, Offence, Party, PartyRole
from cases.selectors.flags import window


@dataclass
class EscalationSuggestion:
    suggested: bool
    reasons: list[str]


def _max_seriousness(incident_id: int) -> int | None:
    return Offence.objects.filter(incident_id=incident_id).aggregate(
        top=Max("offence_type__seriousness")
    )["top"]


def escalation_suggestion(*, incident: Incident, person_id: int) -> EscalationSuggestion:
    reasons = []
    earlier = (
        Party.objects.filter(
            person_id=person_id,
            role=PartyRole.VICTIM,
            incident__occurred_at__gte=incident.occurred_at - window(),
            incident__occurred_at__lt=incident.occurred_at,
        )
        .exclude(incident=incident)
        .order_by("-incident__occurred_at")
        .values_list("incident_id", flat=True)
    )
    earlier = list(earlier)
    count = len(earlier) + 1
    needed = settings.ESCALATION_INCIDENT_COUNT
    if count >= needed:
        reasons.append(
            f"This is the victim's domestic incident number {count} within "
            f"{settings.REPEAT_WINDOW_DAYS} days ({needed} or more suggests escalation)."
        )
    if earlier:
        now, before = _max_seriousness(incident.pk), _max_seriousness(earlier[0])
        if now is not None and before is not None and now > before:
            reasons.append("The offence is more serious than in the victim's last incident.")
    return EscalationSuggestion(suggested=bool(reasons), reasons=reasons)
