"""London time: the one zone for "today", due dates and what pages and documents show.

Every app takes "today" and local days from here, whatever the server's or a request's zone.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def london_today() -> date:
    """Today's date in London (due dates, overdue lists, the day's agendas)."""
    return timezone.localdate(timezone=LONDON)


def london_midnight(day: date) -> datetime:
    """The moment `day` begins in London (an aware datetime, for ranges of whole days)."""
    return datetime.combine(day, time.min, tzinfo=LONDON)
