"""Records placed at chosen times, for the agenda's period rules."""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timedelta

from pypdf import PdfReader

from cases.models import ArrestDecision, Incident, PartyRole
from cases.tests.factories import (
    PersonFactory,
    add_offence,
    add_party,
    complete_incident,
    not_arrested,
)
from publicprotection.accounts.models import Borough
from riskassessment.models import AssessmentStatus, RaraAction, RiskAssessment
from riskassessment.tests.factories import add_action, answer, start_assessment

# A Monday in British Summer Time: its meeting covers Friday 30 May 07:00 to Monday 07:00.
MONDAY = date(2025, 6, 2)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    from publicprotection.london_time import LONDON

    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LONDON)


def incident_reported(when: datetime, borough_code: str = "LAM", decision=None, **kwargs):
    return complete_incident(
        borough_code=borough_code,
        decision=decision,
        occurred_at=when - timedelta(minutes=30),
        reported_at=when,
        **kwargs,
    )


def submitted_assessment(when: datetime, level: str = "high", borough_code: str = "LAM",
                         escalation: bool = False) -> RiskAssessment:  # fmt: skip
    assessment = start_assessment(borough_code=borough_code)
    if escalation:
        assessment = answer(assessment, yes=["escalation"])
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.AWAITING_REVIEW,
        recommended_level=level,
        final_level=level,
        submitted_at=when,
    )
    assessment.refresh_from_db()
    return assessment


def awaiting_decision(borough_code: str = "LAM", decided_at: datetime | None = None,
                      due_at: datetime | None = None) -> ArrestDecision:  # fmt: skip
    incident, _, suspect = complete_incident(borough_code=borough_code, decision=None)
    decision = not_arrested(suspect)
    updates = {}
    if decided_at:
        updates["decided_at"] = decided_at
    if due_at:
        updates["review_due_at"] = due_at
    if updates:
        ArrestDecision.objects.filter(pk=decision.pk).update(**updates)
    decision.refresh_from_db()
    return decision


def overdue_action(due: date, borough_code: str = "LAM") -> RaraAction:
    action = add_action(start_assessment(borough_code=borough_code))
    RaraAction.objects.filter(pk=action.pk).update(due_date=due)
    action.refresh_from_db()
    return action


def victim_again(person, when: datetime, borough_code: str = "LAM") -> Incident:
    incident, _, _ = incident_reported(when, borough_code=borough_code)
    add_party(incident, PartyRole.WITNESS)  # unrelated extra party
    add_party(incident, PartyRole.VICTIM, person=person)
    return incident


def suspect_of(person, when: datetime, borough_code: str = "LAM") -> Incident:
    incident, victim, _ = incident_reported(when, borough_code=borough_code)
    suspect = add_party(incident, PartyRole.SUSPECT, person=person)
    add_offence(incident, suspect)
    return incident


def borough(code: str) -> Borough:
    return Borough.objects.get(code=code)


__all__ = ["PersonFactory"]


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll `predicate` until it is true (a real worker finishing a task) or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def empty_queue(app) -> None:
    """Start a real-worker test from an empty queue: the Redis database may hold messages that
    earlier runs left (a message a stopped worker had taken comes back after the visibility
    timeout), naming ids that a fresh test database gives to other rows."""
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("celery", "unacked", "unacked_index")


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def separate_connection():
    """A connection of its own to the test database, outside Django's (a second writer)."""
    import psycopg2
    from django.conf import settings

    database = settings.DATABASES["default"]
    return psycopg2.connect(
        dbname=database["NAME"], user=database["USER"], password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1", port=database["PORT"] or 5432,
    )  # fmt: skip
