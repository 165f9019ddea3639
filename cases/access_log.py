"""Who an incident record is about, for the access log (access_log_record's `subjects`): the
people recorded as its parties (victims, suspects, witnesses, children), so that every read of
the incident or of an arrest decision is in their record history (ADR 0002). From what the
selectors loaded: no query."""

from __future__ import annotations

from collections.abc import Iterable

from .models import ArrestDecision, Incident


def incident_subjects(incident: Incident) -> list[int]:
    """The incident's parties' people (incident_get prefetches its parties)."""
    return [party.person_id for party in incident.parties.all()]


def decision_subjects(decisions: Iterable[ArrestDecision]) -> list[int]:
    """The suspect each decision is about."""
    return [decision.suspect.person_id for decision in decisions]
