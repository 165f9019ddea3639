"""Journey: an administrator searches the audit trail by record within its date window (the
last 12 months unless changed), is told how to look further back, and gets clear errors for a
window that cannot be (issue #22). Each search that ran is itself on the trail."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.selectors import search_window_start
from tests.browser.steps import audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_searches_a_record_in_the_window_and_is_told_how_to_look_further_back(
    live_app, page: Page
):
    UserFactory(username="ada.admin", role=Role.ADMIN, team=team("CEN"))
    today = timezone.localdate()
    start = search_window_start(today)
    sign_in(page, live_app.url, "ada.admin")

    page.goto(f"{live_app.url}/audit/")
    date_from = page.get_by_role("group", name="From")
    expect(date_from.get_by_label("Day")).to_have_value(str(start.day))
    expect(date_from.get_by_label("Year")).to_have_value(str(start.year))
    expect(page.get_by_role("group", name="To").get_by_label("Year")).to_have_value(str(today.year))

    page.get_by_label("Record", exact=True).fill("DA-404")
    page.get_by_role("button", name="Search").click()

    expect(page.locator("#no-reads")).to_contain_text("No reads of DA-404")
    expect(page.locator("#no-reads")).to_contain_text(f"from {start:%-d %B %Y} to")
    expect(page.get_by_text("To look further back, change the From date.")).to_be_visible()
    assert audit(page) == []

    page.get_by_role("group", name="To").get_by_label("Year").fill(str(today.year + 1))
    page.get_by_role("button", name="Search").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The end date must be today or in the past")
    expect(page.get_by_role("group", name="To").get_by_label("Year")).to_have_value(
        str(today.year + 1)
    )
    expect(page.get_by_label("Record", exact=True)).to_have_value("DA-404")
    assert audit(page) == []

    # The search that ran is a read of the trail: searching by her own name shows it (the rows
    # of the trail it showed: none; DA-404 names no record, so it showed no changes either),
    # with what she looked for. The refused one is not there.
    page.goto(f"{live_app.url}/audit/?username=ada.admin")
    rows = page.get_by_role("region", name="Reads").locator("tbody").get_by_role("row")
    expect(rows).to_have_count(1)
    expect(rows.filter(has_text="Access log entry (0 in a list)")).to_have_count(1)
    for row in rows.all():
        expect(row).to_contain_text("ada.admin")
        expect(row).to_contain_text('any user, any record type, record "DA-404"')
    assert audit(page) == []
