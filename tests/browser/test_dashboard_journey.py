"""Journey: an analyst opens Trends, sees the charts and their tables, switches to a borough and
downloads a table as CSV."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from reports.services import rollup_refresh
from tests.browser.steps import fill_date, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_sees_charts_and_tables_and_downloads_a_csv(live_app, page: Page):
    load_offences()
    UserFactory(username="an.patel", first_name="Asha", last_name="Patel",
                role=Role.ANALYST, team=team("CEN"))  # fmt: skip
    complete_incident(borough_code="LAM", decision="arrested")
    complete_incident(borough_code="SOU", occurred_at=timezone.now() - timedelta(days=40))
    today = timezone.localdate()
    rollup_refresh(start=today - timedelta(days=60), end=today)
    base = live_app.url

    sign_in(page, base, "an.patel")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Trends").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("London")
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(9)
    expect(charts.first).to_be_visible()
    expect(page.get_by_role("img", name="Incidents by month, London")).to_be_visible()
    yearly = page.locator("#table-incidents_yearly")
    expect(yearly).to_be_visible()
    expect(yearly.get_by_role("row").last).to_contain_text("2")  # this year: two incidents
    expect(yearly.get_by_role("row").last).to_contain_text(f"{today.year} (to {today.day} ")
    # Series told apart without colour: a dashed line and a named line end for each.
    monthly = page.get_by_role("img", name="Incidents by month, London")
    expect(monthly.locator("polyline[stroke-dasharray]")).not_to_have_count(0)
    expect(monthly.locator("text", has_text="Non-crimes")).to_have_count(2)
    expect(page.get_by_role("img", name="MARAC referrals by month, London")).to_be_visible()

    page.get_by_label("Area").select_option(label="Lambeth")
    start = today - timedelta(days=90)
    fill_date(page, "Comparison from", start)
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lambeth")
    expect(page.get_by_role("img", name="Incidents by year, Lambeth")).to_be_visible()
    expect(page.get_by_role("group", name="Comparison from").get_by_label("Day")).to_have_value(
        str(start.day)
    )

    with page.expect_download() as download_info:
        page.locator("#heading-incidents_yearly").locator("..").get_by_role(
            "link", name="Download CSV"
        ).click()
    download = download_info.value
    assert download.suggested_filename == "trends-LAM-incidents_yearly.csv"
    with open(download.path(), encoding="utf-8") as file:
        content = file.read()
    lines = content.splitlines()
    # Notes first, then the header and rows of numbers; the part year is marked in a note.
    assert lines.index("Year,Incidents,Crimes,Non-crimes") > lines.index("OFFICIAL-SENSITIVE")
    assert f"{today.year},1,1,0" in lines
    assert f"Note: {today.year} is incomplete: figures to {today:%-d %B %Y}." in lines
