"""The dashboard's content, built once from the selectors and used by the page, the PDF and
the CSV exports, so all three always show the same numbers and definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from django.utils.safestring import SafeString, mark_safe

from . import charts
from .figures import Figure, figure
from .selectors import Cell, Row, Trends, borough_comparison, trends

COLOURS = [charts.BLUE, charts.RED, charts.GREEN, charts.ORANGE, charts.PURPLE]
RISK_COLOURS = {
    "risk_standard": charts.GREEN,
    "risk_medium": charts.ORANGE,
    "risk_high": charts.RED,
}


@dataclass
class Table:
    key: str
    title: str
    row_header: str
    figures: list[Figure]
    rows: list[Row]
    total: Row | None = None
    chart: SafeString | None = None
    chart_kind: str = "line"

    @property
    def percent(self) -> bool:
        return all(f.is_rate for f in self.figures)

    @property
    def body(self) -> list[tuple[str, list[Cell]]]:
        """Rows as (label, cells in figure order), for templates."""
        return [(row.label, [row.cell(f) for f in self.figures]) for row in self.rows]

    @property
    def total_cells(self) -> list[Cell] | None:
        return [self.total.cell(f) for f in self.figures] if self.total else None

    # --- The PDF's compact version: no pages of zeros ---------------------------------------

    @property
    def _all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def printed_figures(self) -> list[Figure]:
        """The figures with something counted in at least one row."""
        return [f for f in self.figures if any(not r.is_empty([f]) for r in self._all_rows)]

    @property
    def omitted_figures(self) -> list[Figure]:
        printed = self.printed_figures
        return [f for f in self.figures if f not in printed]

    @property
    def printed_body(self) -> list[tuple[str, list[Cell]]]:
        """Rows with something counted, with the printed figures' cells."""
        figures = self.printed_figures
        return [
            (row.label, [row.cell(f) for f in figures])
            for row in self.rows
            if not row.is_empty(figures)
        ]

    @property
    def printed_total_cells(self) -> list[Cell] | None:
        return [self.total.cell(f) for f in self.printed_figures] if self.total else None

    @property
    def omitted_row_count(self) -> int:
        figures = self.printed_figures
        return sum(1 for row in self.rows if row.is_empty(figures))

    @property
    def html_rows(self) -> SafeString:
        """The table's body rows (and its total row) as GOV.UK table markup, for the page."""
        rows = [_row_html(label, cells) for label, cells in self.body]
        if self.total:
            rows.append(_row_html(self.total.label, self.total_cells))
        return mark_safe("".join(rows))  # noqa: S308 - every value is escaped in _row_html


# The rows are built here rather than in a template: the page shows about 500 rows and 1,200
# cells, and the template engine spends some 20 microseconds on each cell, which was most of
# the page's time. The markup is the same as a template would give (reports/includes/table.html
# holds the rest of the table).
_ROW = '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>{}</tr>'
_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
_RATE_CELL = (
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}'
    '<br><span class="govuk-body-s">{}</span></td>'
)


def _row_html(label: str, cells: list[Cell]) -> str:
    """One row as escaped markup: a rate shows what it was made from under it."""
    return _ROW.format(
        escape(label),
        "".join(
            _RATE_CELL.format(escape(cell.display), escape(cell.fraction))
            if cell.fraction
            else _CELL.format(escape(cell.display))
            for cell in cells
        ),
    )


@dataclass(frozen=True)
class _Spec:
    key: str
    title: str
    period: str  # "monthly" | "yearly"
    figure_keys: tuple[str, ...]


SPECS = [
    _Spec(
        "incidents_monthly", "Incidents by month", "monthly", ("incidents", "crimes", "non_crimes")
    ),
    _Spec(
        "rates_monthly",
        "Offence arrest and sanction-detection rates by month",
        "monthly",
        ("arrest_rate", "sanction_detection_rate"),
    ),
    _Spec(
        "victims_reviews_monthly",
        "Repeat victimisation and supervisor review compliance by month",
        "monthly",
        ("repeat_victim_rate", "review_compliance"),
    ),
    _Spec(
        "risk_monthly",
        "Risk level mix by month",
        "monthly",
        ("risk_standard", "risk_medium", "risk_high"),
    ),
    _Spec("marac_monthly", "MARAC referrals by month", "monthly", ("marac_referrals",)),
    _Spec("repeat_marac_monthly", "Repeat-MARAC rate by month", "monthly", ("repeat_marac_rate",)),
    _Spec("incidents_yearly", "Incidents by year", "yearly", ("incidents", "crimes", "non_crimes")),
    _Spec(
        "rates_yearly",
        "Rates by year",
        "yearly",
        (
            "arrest_rate",
            "sanction_detection_rate",
            "repeat_victim_rate",
            "review_compliance",
            "repeat_marac_rate",
        ),
    ),
    _Spec(
        "risk_yearly",
        "Risk level mix by year",
        "yearly",
        ("risk_standard", "risk_medium", "risk_high"),
    ),
]
# The borough comparison is split in three so each table fits the page without scrolling.
COMPARISONS = [
    ("comparison_incidents", "Incidents", ("incidents", "crimes", "non_crimes")),
    (
        "comparison_rates",
        "Rates",
        ("arrest_rate", "sanction_detection_rate", "repeat_victim_rate", "review_compliance"),
    ),
    ("comparison_risk", "Risk level mix", ("risk_standard", "risk_medium", "risk_high")),
    ("comparison_marac", "MARAC", ("marac_referrals", "repeat_marac_rate")),
]
TABLE_KEYS = [s.key for s in SPECS] + [key for key, _, _ in COMPARISONS]


@dataclass
class Dashboard:
    area_name: str
    tables: list[Table] = field(default_factory=list)
    comparisons: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table | None:
        return next((t for t in [*self.tables, *self.comparisons] if t.key == key), None)


def _chart(table: Table, area_name: str, monthly: bool) -> SafeString:
    series = [
        charts.Series(
            f.label,
            [row.cell(f).value for row in table.rows],
            RISK_COLOURS.get(f.key, COLOURS[i % len(COLOURS)]),
        )
        for i, f in enumerate(table.figures)
    ]
    labels = [row.label for row in table.rows]
    common = {
        "chart_id": f"chart-{table.key.replace('_', '-')}",
        "title": f"{table.title}, {area_name}",
        "description": "The same figures are in the table below the chart.",
        "series": series,
        "percent": table.percent,
    }
    if monthly:
        # Label every sixth month so the axis stays legible over five years.
        return charts.line_chart(labels=labels, label_every=6, **common)
    return charts.bar_chart(labels=labels, **common)


def trend_tables(data: Trends, area_name: str) -> list[Table]:
    tables = []
    for spec in SPECS:
        rows = data.monthly if spec.period == "monthly" else data.yearly
        table = Table(
            key=spec.key,
            title=spec.title,
            row_header="Month" if spec.period == "monthly" else "Year",
            figures=[figure(k) for k in spec.figure_keys],
            rows=rows,
            chart_kind="line" if spec.period == "monthly" else "bar",
        )
        table.chart = _chart(table, area_name, spec.period == "monthly")
        tables.append(table)
    return tables


def comparison_tables(*, viewer, start: date, end: date) -> list[Table]:
    rows, total = borough_comparison(viewer=viewer, start=start, end=end)
    period = f"{start:%-d %B %Y} to {end:%-d %B %Y}"
    return [
        Table(
            key=key,
            title=f"Borough comparison, {title.lower()}, {period}",
            row_header="Borough",
            figures=[figure(k) for k in keys],
            rows=rows,
            total=total,
        )
        for key, title, keys in COMPARISONS
    ]


def build_dashboard(*, viewer, borough, today: date, period: tuple[date, date] | None) -> Dashboard:
    area_name = borough.name if borough else "London"
    dashboard = Dashboard(area_name=area_name)
    dashboard.tables = trend_tables(trends(borough=borough, today=today), area_name)
    if period is not None:
        dashboard.comparisons = comparison_tables(viewer=viewer, start=period[0], end=period[1])
    return dashboard
