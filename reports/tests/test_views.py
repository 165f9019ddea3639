"""The dashboard page, its exports and "Refresh now": access, content, audit, query count."""

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError
from pypdf import PdfReader
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessAction, AccessLogEntry
from reports.figures import figure
from reports.models import DailyBoroughFigures, RollupRefresh
from reports.services import rollup_refresh

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")
CSV = reverse("reports:dashboard-csv")
PDF = reverse("reports:dashboard-pdf")
REFRESH = reverse("reports:refresh")


@pytest.fixture
def coordinator(db):
    return UserFactory(role=Role.MARAC_COORDINATOR, team=team("LAM"))


@pytest.fixture
def central_supervisor(db):
    return UserFactory(role=Role.SUPERVISOR, team=team("CEN"))


def snapshot():
    return (
        AccessLogEntry.objects.count(),
        RollupRefresh.objects.count(),
        DailyBoroughFigures.objects.count(),
    )


@pytest.mark.parametrize("who", ["lambeth_officer", "central_officer", "partner", "coordinator"])
@pytest.mark.parametrize(
    "method,url",
    [
        ("get", DASHBOARD),
        ("get", f"{CSV}?table=incidents_yearly"),
        ("get", PDF),
        ("post", REFRESH),
    ],
)
def test_officers_coordinators_and_partners_are_refused(client, request, who, method, url):
    client.force_login(request.getfixturevalue(who))
    before = snapshot()

    response = getattr(client, method)(url)

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("url", [DASHBOARD, f"{CSV}?table=incidents_yearly", PDF])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    before = snapshot()
    response = client.get(url)
    assert response.status_code == 302 and "sign-in" in response["Location"]
    assert client.post(REFRESH).status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [f"{DASHBOARD}?borough=SOU", f"{CSV}?table=incidents_yearly&borough=SOU", f"{PDF}?borough=SOU"],
)
def test_a_borough_supervisor_cannot_see_another_borough(client, lambeth_supervisor, url):
    client.force_login(lambeth_supervisor)
    before = snapshot()
    assert client.get(url).status_code == 404
    assert snapshot() == before


def test_a_borough_supervisor_sees_their_borough_and_cannot_refresh(client, lambeth_supervisor):
    client.force_login(lambeth_supervisor)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["dashboard"].area_name == "Lambeth"
    assert [t.rows[0].label for t in response.context["dashboard"].comparisons] == ["Lambeth"] * 4
    assert "Refresh now" not in response.content.decode()
    before = snapshot()
    assert client.post(REFRESH).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "role",
    [Role.REVIEW_LEAD, Role.OFFICER, Role.MARAC_COORDINATOR, Role.SUPERVISOR],
)
def test_only_london_wide_readers_of_the_trends_may_refresh_them(client, role):
    """A review lead reaches all London but does not read trends; the others read neither all
    London's cases nor, the supervisor aside, the trends. None may queue a refresh."""
    client.force_login(UserFactory(role=role, team=team("CEN")))
    before = snapshot()

    with mock.patch("reports.views.dashboard.refresh_rollup.apply_async") as apply_async:
        assert client.post(REFRESH).status_code == 403

    apply_async.assert_not_called()
    assert snapshot() == before


def test_a_central_supervisor_sees_london(client, central_supervisor):
    client.force_login(central_supervisor)
    response = client.get(DASHBOARD)
    assert response.context["dashboard"].area_name == "London"
    assert len(response.context["dashboard"].comparisons[0].rows) == Borough.objects.count()


def test_the_page_shows_charts_tables_and_definitions(client, analyst, dataset):
    rollup_refresh(start=dataset.start, end=dataset.end)
    client.force_login(analyst)

    response = client.get(DASHBOARD, {"borough": "LAM"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="img"') == 9
    assert page.count('<table class="govuk-table') == 13
    assert escape(figure("arrest_rate").definition) in page
    assert escape(figure("repeat_marac_rate").definition) in page
    assert "style=" not in page and "<style" not in page
    assert "table=comparison_rates&amp;borough=LAM&amp;start=" in page


def test_the_comparison_period_is_validated_and_kept(client, analyst):
    client.force_login(analyst)

    response = client.get(DASHBOARD, {"start": "2025-05-10", "end": "2025-02-01"})

    page = response.content.decode()
    assert "There is a problem" in page
    assert "The end of the period must be on or after its start" in page
    assert 'name="start_day" value="10"' in page and 'name="start_year" value="2025"' in page
    assert response.context["dashboard"].comparisons == []
    assert client.get(CSV, {"table": "comparison_rates", "start": "x"}).status_code == 404


def test_an_unknown_borough_or_table_is_not_found(client, analyst):
    client.force_login(analyst)
    assert client.get(DASHBOARD, {"borough": "ZZZ"}).status_code == 404
    assert client.get(CSV, {"table": "people"}).status_code == 404


def test_the_csv_has_a_header_the_numbers_and_the_definitions(client, analyst, dataset):
    rollup_refresh(start=dataset.start, end=dataset.end)
    client.force_login(analyst)
    period = {"start": dataset.start.isoformat(), "end": dataset.end.isoformat()}

    response = client.get(CSV, {"table": "comparison_rates", **period})

    assert response["Content-Type"].startswith("text/csv")
    assert "trends-london-comparison_rates.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Borough")
    assert rows[header - 1] == []  # the notes come first, then a blank line
    assert rows[header][:4] == [
        "Borough",
        "Offence arrest rate (%)",
        "Offence arrest rate: numerator",
        "Offence arrest rate: denominator",
    ]
    lambeth = next(r for r in rows if r and r[0] == "Lambeth")
    assert lambeth[1:] == ["50.0", "2", "4", "33.3", "1", "3", "50.0", "2", "4", "50.0", "1", "2"]
    southwark = next(r for r in rows if r and r[0] == "Southwark")
    assert southwark[1:4] == ["", "0", "0"]  # no rate: an empty cell, not text
    assert next(r for r in rows if r and r[0] == "London")[7:10] == ["40.0", "2", "5"]
    assert ["Definition: Offence arrest rate", figure("arrest_rate").definition] in rows[:header]
    assert rows[0] == ["OFFICIAL-SENSITIVE"]
    assert_tidy(rows[header + 1 :])
    entry = AccessLogEntry.objects.get()
    assert entry.user == analyst and entry.action == AccessAction.EXPORT
    assert "comparison_rates" in entry.object_label and "London" in entry.object_label


def assert_tidy(data_rows):
    """Every cell after the row label is a number or empty."""
    for row in data_rows:
        for cell in row[1:]:
            assert cell == "" or float(cell) >= 0, row


def test_the_monthly_csv_has_sixty_months(client, lambeth_supervisor, dataset):
    rollup_refresh(start=dataset.start, end=dataset.end)
    client.force_login(lambeth_supervisor)

    response = client.get(CSV, {"table": "incidents_monthly"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows.index(["Month", "Incidents", "Crimes", "Non-crimes"])
    months = rows[header + 1 :]
    today = timezone.localdate()
    assert len(months) == 60
    assert months[-1][0] == today.strftime("%b %Y")  # the marking is in a note, not the row
    assert [f"Note: {today:%b %Y} is incomplete: figures to {today:%-d %B %Y}."] in rows[:header]
    assert sum(int(r[1]) for r in months) == 4
    assert_tidy(months)


def test_the_pdf_has_the_marking_figures_and_is_logged(client, analyst, dataset):
    rollup_refresh(start=dataset.start, end=dataset.end)
    client.force_login(analyst)

    response = client.get(PDF, {"borough": "LAM"})

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "OFFICIAL-SENSITIVE" in text
    assert "Trends and performance: Lambeth" in text
    assert "Offence arrest rate" in text and "50.0%" in text
    assert "Repeat-MARAC rate" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert AccessLogEntry.objects.get().action == AccessAction.EXPORT


def test_the_page_takes_the_same_number_of_queries_whatever_the_data(client, analyst):
    client.force_login(analyst)
    lambeth, southwark = Borough.objects.get(code="LAM"), Borough.objects.get(code="SOU")
    today = timezone.localdate()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD).status_code == 200
        return len(captured)

    DailyBoroughFigures.objects.bulk_create(
        DailyBoroughFigures(day=today - timedelta(days=n), borough=lambeth, incidents=1, crimes=1)
        for n in range(5)
    )
    few = queries()
    DailyBoroughFigures.objects.bulk_create(
        DailyBoroughFigures(day=today - timedelta(days=n), borough=b, incidents=2, non_crimes=2)
        for n in range(5, 1500, 3)
        for b in (lambeth, southwark)
    )
    assert queries() == few


def test_refresh_now_queues_the_task(client, analyst):
    client.force_login(analyst)
    with mock.patch("reports.views.dashboard.refresh_rollup.apply_async") as apply_async:
        response = client.post(REFRESH, follow=True)
    apply_async.assert_called_once_with(kwargs={"days": 400}, retry=False)
    assert "are being refreshed" in response.content.decode()
    assert RollupRefresh.objects.count() == 0


@pytest.mark.parametrize(
    "broker_error",
    [
        OperationalError("connection refused"),
        # What the Redis client raises itself when the broker refuses or hangs.
        RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        RedisTimeoutError("Timeout reading from socket"),
    ],
)
def test_refresh_now_without_a_queue_refreshes_recent_days_at_once(
    client, admin_user, dataset, broker_error
):
    client.force_login(admin_user)
    with mock.patch("reports.views.dashboard.refresh_rollup.apply_async", side_effect=broker_error):
        response = client.post(REFRESH, follow=True)
    assert response.status_code == 200
    assert "only the last 35 days were refreshed" in response.content.decode()
    refresh = RollupRefresh.objects.get()
    assert (refresh.end - refresh.start).days == 34
    assert DailyBoroughFigures.objects.exists()


def test_the_month_and_year_still_running_are_marked_as_part_periods(client, analyst):
    client.force_login(analyst)
    today = timezone.localdate()

    response = client.get(DASHBOARD)

    part = f"(to {today.day} {today:%b})"
    assert f"{today:%b %Y} {part}" in response.text
    assert f"{today.year} {part}" in response.text


def test_the_pdf_leaves_out_rows_and_figures_with_nothing_recorded(client, analyst, dataset):
    rollup_refresh(start=dataset.start, end=dataset.end)
    client.force_login(analyst)

    response = client.get(PDF, {"borough": "LAM"})

    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    # The dataset spans the last 100 days: the other months of five years are summarised.
    assert "months with nothing recorded are not listed" in text
    assert "MARAC referrals by month: nothing recorded in the period." in text
    assert len(reader.pages) < 12
