"""Reads for the trends dashboard. They read only the rollup, never the case tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from publicprotection.access.roles import ANALYSTS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.accounts.models import Borough

from .figures import Figure
from .models import MEASURES, DailyBoroughFigures, RollupRefresh

MONTHS = 60
YEARS = 5


@dataclass(frozen=True)
class Cell:
    """One figure for one period: a count, or a rate with what it was made from."""

    numerator: int
    denominator: int | None

    @property
    def has_data(self) -> bool:
        return self.denominator is None or self.denominator > 0

    @property
    def value(self) -> float | None:
        """The count, or the rate as a percentage; None when a rate has no denominator."""
        if self.denominator is None:
            return self.numerator
        if not self.denominator:
            return None
        return 100 * self.numerator / self.denominator

    @property
    def display(self) -> str:
        if self.denominator is None:
            return f"{self.numerator:,}"
        if not self.denominator:
            return "No data"
        return f"{self.value:.1f}%"

    @property
    def fraction(self) -> str:
        """What a rate was made from ("3 of 40"); empty for counts and rates without data."""
        if self.denominator is None or not self.has_data:
            return ""
        return f"{self.numerator} of {self.denominator}"


@dataclass
class Row:
    """Summed rollup counts for one period or one borough.

    `label` is what the page shows ("Dec 2026 (to 6 Dec)" for the month still running);
    `period` is the bare period ("Dec 2026") and `part_to` the last day counted in a period
    cut short by today, for exports that keep the marking out of their data rows."""

    label: str
    key: object
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    period: str = ""
    part_to: date | None = None

    def is_empty(self, figures: list[Figure]) -> bool:
        """Nothing counted for any of these figures (no numerator, no denominator)."""
        return not any(
            self.sums[f.numerator] or (f.denominator and self.sums[f.denominator]) for f in figures
        )

    def cell(self, figure: Figure) -> Cell:
        denominator = self.sums[figure.denominator] if figure.denominator else None
        return Cell(self.sums[figure.numerator], denominator)


@dataclass
class Trends:
    monthly: list[Row]
    yearly: list[Row]


def _sums() -> dict:
    return {m: Sum(m) for m in MEASURES}


def _filled(values: dict) -> dict[str, int]:
    return {m: values.get(m) or 0 for m in MEASURES}


def dashboard_area(*, viewer, borough_code: str | None) -> Borough | None:
    """The area the viewer asked for: a borough, or None for all of London.

    Analysts and administrators (and central-team supervisors) may choose any borough or
    London; a borough supervisor sees their own borough only, and asking for another is the
    same 404 as a borough that does not exist.
    """
    if not has_role(viewer, ANALYSTS):
        raise PermissionDenied
    own = viewer_borough_id(viewer)
    if own is not None:
        if borough_code and borough_code != viewer.team.borough.code:
            raise Http404("No such borough")
        return viewer.team.borough
    if not borough_code:
        return None
    try:
        return Borough.objects.get(code=borough_code)
    except Borough.DoesNotExist as exc:
        raise Http404("No such borough") from exc


def visible_boroughs(*, viewer) -> list[Borough]:
    own = viewer_borough_id(viewer)
    boroughs = Borough.objects.all()
    if own is not None:
        boroughs = boroughs.filter(pk=own)
    return list(boroughs)


def _month_starts(today: date) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def trends(*, borough: Borough | None, today: date) -> Trends:
    """Monthly figures for the last 60 months and yearly for the last five calendar years
    (the current ones to date), for one borough or London, in one query: a year's figures are
    the sums of its months, and the 60 months always span the five years (MONTHS >= 12 *
    YEARS)."""
    months = _month_starts(today)
    years = list(range(today.year - YEARS + 1, today.year + 1))
    rows = DailyBoroughFigures.objects.filter(day__lte=today, day__gte=months[0])
    if borough is not None:
        rows = rows.filter(borough=borough)
    by_month = {
        r["period"]: r
        for r in rows.annotate(period=TruncMonth("day"))
        .values("period")
        .annotate(**_sums())
        .order_by()
    }
    current = (today.year, today.month)
    monthly = [
        Row(
            f"{m:%b %Y} (to {today.day} {today:%b})"
            if (m.year, m.month) == current
            else f"{m:%b %Y}",
            m,
            _filled(by_month.get(m, {})),
            period=f"{m:%b %Y}",
            part_to=today if (m.year, m.month) == current else None,
        )
        for m in months
    ]
    by_year = {y: dict.fromkeys(MEASURES, 0) for y in years}
    for row in monthly:
        year = by_year.get(row.key.year)
        if year is not None:
            for m in MEASURES:
                year[m] += row.sums[m]
    yearly = [
        Row(
            f"{y} (to {today.day} {today:%b})" if y == today.year else str(y),
            y,
            by_year[y],
            period=str(y),
            part_to=today if y == today.year else None,
        )
        for y in years
    ]
    return Trends(monthly=monthly, yearly=yearly)


def borough_comparison(*, viewer, start: date, end: date) -> tuple[list[Row], Row | None]:
    """Each visible borough's figures for start..end, and the London total for pan-London
    viewers (None for a borough supervisor)."""
    boroughs = visible_boroughs(viewer=viewer)
    sums = {
        r["borough_id"]: r
        for r in DailyBoroughFigures.objects.filter(
            day__range=(start, end), borough__in=[b.pk for b in boroughs]
        )
        .values("borough_id")
        .annotate(**_sums())
        .order_by()
    }
    rows = [Row(b.name, b.code, _filled(sums.get(b.pk, {}))) for b in boroughs]
    if viewer_borough_id(viewer) is not None:
        return rows, None
    total = Row("London", "london")
    for row in rows:
        for m in MEASURES:
            total.sums[m] += row.sums[m]
    return rows, total


def last_refresh() -> RollupRefresh | None:
    return RollupRefresh.objects.order_by("-finished_at", "-id").first()
