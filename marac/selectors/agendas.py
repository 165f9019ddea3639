"""Reads of agendas for signed-in viewers: a borough's supervisors and coordinators see their
own team's agendas; the central team sees every team's. Out of scope is a 404."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import QuerySet

from cases.models import ArrestDecision, Party, ProtectiveOrder
from publicprotection.access.roles import MARAC_COORDINATORS, SUPERVISORS, has_role
from publicprotection.access.scope import get_visible_or_404
from riskassessment.models import RaraAction, RiskAssessment

from ..meeting_calendar import is_meeting_day, meeting_time
from ..models import Agenda, AgendaItem, ItemObjectType, MaracReferral
from ..schedule import BEAT_SCHEDULE

AGENDA_READERS = SUPERVISORS | MARAC_COORDINATORS


def agendas_visible_to(*, viewer) -> QuerySet[Agenda]:
    if not has_role(viewer, AGENDA_READERS) or viewer.team_id is None:
        return Agenda.objects.none()
    qs = Agenda.objects.select_related("team")
    if viewer.team.is_central:
        return qs
    return qs.filter(team_id=viewer.team_id)


def agenda_list(*, viewer) -> QuerySet[Agenda]:
    return agendas_visible_to(viewer=viewer).order_by("-meeting_date", "team__name", "id")


def agenda_get(*, viewer, agenda_id) -> Agenda:
    return get_visible_or_404(agendas_visible_to(viewer=viewer), pk=agenda_id)


def agenda_items(agenda: Agenda) -> list[AgendaItem]:
    """Items with their decisions and what was decided last time, in a fixed number of queries."""
    return list(
        agenda.items.select_related(
            "decision__recorded_by", "carried_from__decision", "carried_from__agenda"
        ).order_by("position", "id")
    )


def agenda_item_get(*, viewer, agenda_id, item_id) -> AgendaItem:
    agenda = agenda_get(viewer=viewer, agenda_id=agenda_id)
    return get_visible_or_404(agenda.items.select_related("agenda__team"), pk=item_id)


# --- When the automatic check builds an agenda ---------------------------------------------------

AGENDA_CHECK = "marac-daily-agendas"


def automatic_generation_time(meeting_date: date) -> datetime:
    """When the beat check first finds the day's agenda due: its first run at or after the
    meeting time (settings.DAILY_AGENDA_HOUR:MINUTE), read from the beat schedule."""
    schedule = BEAT_SCHEDULE[AGENDA_CHECK]["schedule"]
    when = meeting_time(meeting_date)
    for minutes in range(24 * 60):
        tick = when + timedelta(minutes=minutes)
        if tick.minute in schedule.minute and tick.hour in schedule.hour:
            return tick
    return when


def next_meeting_date(day: date) -> date:
    """The day itself if a meeting is held on it, otherwise the next meeting day."""
    while not is_meeting_day(day):
        day += timedelta(days=1)
    return day


def agenda_subjects(agenda: Agenda) -> list[int]:
    """The people the agenda's items are about (ADR 0002): the person, victim party, assessed
    victim, suspect, referred victim, or protected person and respondent each item names. Its
    page and PDF download log them, so a person's record history shows who read an agenda
    naming them. One query for the items and one for each kind of record they hold."""
    ids: dict[str, list[int]] = {}
    for object_type, object_id in agenda.items.values_list("object_type", "object_id"):
        ids.setdefault(object_type, []).append(object_id)
    people = list(ids.get(ItemObjectType.PERSON, []))
    lookups = {
        ItemObjectType.PARTY: (Party, ("person_id",)),
        ItemObjectType.RISK_ASSESSMENT: (RiskAssessment, ("person_id",)),
        ItemObjectType.ARREST_DECISION: (ArrestDecision, ("suspect__person_id",)),
        ItemObjectType.RARA_ACTION: (RaraAction, ("assessment__person_id",)),
        ItemObjectType.MARAC_REFERRAL: (MaracReferral, ("person_id",)),
        ItemObjectType.PROTECTIVE_ORDER: (
            ProtectiveOrder,
            ("protected_person_id", "respondent_id"),
        ),
    }
    for object_type, (model, fields) in lookups.items():
        if ids.get(object_type):
            for row in model.objects.filter(pk__in=ids[object_type]).values_list(*fields):
                people.extend(person_id for person_id in row if person_id is not None)
    return list(dict.fromkeys(people))
