"""The daily risk management meetings' calendar: which days they sit, when, and the period
each agenda covers. Meetings are held Monday to Friday except bank holidays (England and
Wales), at settings.DAILY_AGENDA_HOUR:MINUTE London time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings

from publicprotection.london_time import LONDON

from .bank_holidays import is_bank_holiday

SATURDAY = 5


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


def meeting_time(meeting_date: date) -> datetime:
    """The meeting's start, as an aware datetime (London local time, summer time included)."""
    local = time(settings.DAILY_AGENDA_HOUR, settings.DAILY_AGENDA_MINUTE)
    return datetime.combine(meeting_date, local, tzinfo=LONDON)


def previous_meeting_date(meeting_date: date) -> date:
    """Meetings are held Monday to Friday except bank holidays (England and Wales): the
    previous one is the previous working day."""
    day = meeting_date - timedelta(days=1)
    while not is_meeting_day(day):
        day -= timedelta(days=1)
    return day


def is_meeting_day(day: date) -> bool:
    return day.weekday() < SATURDAY and not is_bank_holiday(day)


def meeting_period(meeting_date: date) -> Period:
    """Since the previous meeting: Tuesday to Friday the previous morning; Monday from Friday's
    meeting, so the weekend is covered."""
    return Period(
        start=meeting_time(previous_meeting_date(meeting_date)), end=meeting_time(meeting_date)
    )
