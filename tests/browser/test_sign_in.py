"""Journey: sign in, see the marking and role navigation, sign out."""

import pytest
from playwright.sync_api import Page, expect

from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_signs_in_sees_banner_and_navigation_then_signs_out(live_app, page: Page):
    UserFactory(username="jo.sergeant", first_name="Jo", last_name="Sergeant",
                role=Role.SUPERVISOR, team=team("LAM"))  # fmt: skip

    page.goto(f"{live_app.url}/")
    expect(page).to_have_url(f"{live_app.url}/account/sign-in/?next=/")
    expect(page.locator(".pp-marking").first).to_have_text("OFFICIAL-SENSITIVE")

    page.get_by_label("Username").fill("jo.sergeant")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Welcome, Jo Sergeant")).to_be_visible()
    expect(page.locator(".pp-marking").first).to_be_visible()
    header = page.locator("header")
    expect(header).to_contain_text("Supervisor")
    expect(header).to_contain_text("Lambeth public protection group")
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Incidents")).to_be_visible()
    expect(menu.get_by_role("link", name="Audit")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_app.url}/account/sign-in/")
    page.goto(f"{live_app.url}/cases/incidents/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_shows_an_error_summary_and_keeps_the_username(live_app, page: Page):
    UserFactory(username="sam.officer")

    page.goto(f"{live_app.url}/account/sign-in/")
    page.get_by_label("Username").fill("sam.officer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Username")).to_have_value("sam.officer")
