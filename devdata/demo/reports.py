"""Demo data for the dashboard.

The demo's case records cover only the last few weeks, so on their own the five-year trends
would be flat zeros. The demo therefore loads five years of fictional daily figures for its
boroughs into the rollup for the days before its first incident (history as a force would
import it from a previous system; `rollup_refresh` never recomputes days before the first
record), then computes the recent days from the demo's own records as the nightly task does.

Fast and idempotent: a few thousand rows in one bulk insert, only when the demo boroughs have
no history yet; the recent days only if they were not refreshed in the last day (seed_demo
runs at every `make run`).
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from django.utils import timezone

from cases.models import Incident
from reports.models import DailyBoroughFigures
from reports.selectors import MONTHS, last_refresh
from reports.services import records_begin, rollup_refresh_recent
from reports.tasks import NIGHTLY_DAYS

# About the demo records' own rate (8 incidents in four weeks a borough), rising a fifth over
# the five years, with more in summer and around Christmas.
DAILY_INCIDENTS = 0.3
GROWTH = 0.2


def seed_demo(stdout) -> None:
    rows = seed_history(today=timezone.localdate())
    if rows:
        stdout.write(f"Demo trends history: {rows} day-borough rows before the demo's records\n")
    last = last_refresh()
    if last is not None and last.finished_at > timezone.now() - timedelta(days=1):
        return
    refresh = rollup_refresh_recent(days=NIGHTLY_DAYS)
    stdout.write(f"Demo trends: {refresh.rows} day-borough rows, {refresh.start} to {refresh.end}")


def seed_history(*, today: date) -> int:
    """Fictional daily figures for each demo borough from five years back (the dashboard's
    first month) to the day before the first incident; none if a borough already has any."""
    first = records_begin()
    if first is None:
        return 0
    # The first of the dashboard's 60 months (the month after this one, five years ago).
    start = (date(today.year - MONTHS // 12, today.month, 1) + timedelta(days=32)).replace(day=1)
    boroughs = list(
        Incident.objects.values_list("borough_id", flat=True).order_by("borough_id").distinct()
    )
    has_history = set(
        DailyBoroughFigures.objects.filter(day__lt=first, borough_id__in=boroughs)
        .values_list("borough_id", flat=True)
        .distinct()
    )
    rng = random.Random(2026)  # noqa: S311 - reproducible fiction, not a secret
    rows = []
    days = (first - start).days
    for borough_id in boroughs:
        if borough_id in has_history:
            continue
        for n in range(max(days, 0)):
            day = start + timedelta(days=n)
            figures = _day(rng, day, progress=n / max(days, 1))
            if figures["incidents"]:  # the rollup has no rows for days with nothing
                rows.append(DailyBoroughFigures(day=day, borough_id=borough_id, **figures))
    DailyBoroughFigures.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means here.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _share(rng: random.Random, n: int, rate: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < rate)


def _day(rng: random.Random, day: date, *, progress: float) -> dict[str, int]:
    """One borough's day: counts that keep every rollup constraint (parts within wholes)."""
    season = 1 + 0.15 * math.cos((day.timetuple().tm_yday - 200) / 365 * 2 * math.pi)
    if day.month == 12 and day.day >= 20 or day.month == 1 and day.day <= 2:
        season += 0.3
    incidents = _poisson(rng, DAILY_INCIDENTS * (1 + GROWTH * progress) * season)
    crimes = _share(rng, incidents, 0.7)
    arrestable = _share(rng, crimes, 0.9)
    arrested = _share(rng, arrestable, 0.55 + 0.2 * progress)  # positive action improving
    reviews_due = arrestable - arrested
    victims = incidents
    assessed = _share(rng, victims, 0.9)
    high = _share(rng, assessed, 0.15)
    medium = _share(rng, assessed - high, 0.35)
    referrals = _share(rng, high, 0.9)
    return {
        "incidents": incidents,
        "crimes": crimes,
        "non_crimes": incidents - crimes,
        "crimes_with_sanction": _share(rng, crimes, 0.25 + 0.1 * progress),
        "arrestable_suspects": arrestable,
        "arrested_suspects": arrested,
        "victims": victims,
        "repeat_victims": _share(rng, victims, 0.3 - 0.08 * progress),
        "reviews_due": reviews_due,
        "reviews_in_time": _share(rng, reviews_due, 0.8 + 0.15 * progress),
        "assessments_standard": assessed - high - medium,
        "assessments_medium": medium,
        "assessments_high": high,
        "marac_referrals": referrals,
        "repeat_marac_referrals": _share(rng, referrals, 0.25),
    }
