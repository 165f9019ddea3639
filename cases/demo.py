"""Fictional incidents in the demo boroughs."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from publicprotection.accounts.models import User

from .models import HowReported, Incident, IncidentStatus
from .services.incidents import incident_create


def seed_demo(stdout) -> None:
    now = timezone.now()
    for username in ("lam.officer", "sou.officer"):
        officer = User.objects.get(username=username)
        if Incident.objects.filter(created_by=officer).exists():
            continue
        for days_ago in (1, 3, 8, 15, 22):
            occurred = now - timedelta(days=days_ago, hours=3)
            incident_create(
                actor=officer,
                borough=officer.team.borough,
                occurred_at=occurred,
                reported_at=occurred + timedelta(minutes=20),
                how_reported=HowReported.EMERGENCY_999 if days_ago % 2 else HowReported.IN_PERSON,
                status=IncidentStatus.OPEN,
                officer_narrative="Fictional demo incident.",
            )
    stdout.write(f"Demo incidents: {Incident.objects.count()}\n")
