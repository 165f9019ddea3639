"""Journey: two-factor set-up with recovery codes, then an API token made, used and revoked."""

import re
from base64 import b32decode

import pytest
from django.test import override_settings
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from publicprotection.accounts.models import ApiToken
from publicprotection.accounts.services import two_factor_setup_code_issue
from publicprotection.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "test-results"


def sign_in(page: Page, url: str, username: str):
    page.goto(f"{url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()


@override_settings(REQUIRE_TWO_FACTOR=True)
def test_officer_sets_up_two_factor_then_makes_and_revokes_an_api_token(live_app, page: Page):
    sam = UserFactory(username="sam.officer", first_name="Sam", last_name="Officer")
    # An administrator gives Sam a set-up code in person: the password alone enrols nothing.
    setup_code = two_factor_setup_code_issue(actor=None, user=sam)
    sign_in(page, live_app.url, "sam.officer")

    # A password alone leads to the set-up page, nothing else.
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    page.get_by_label("Set-up code").fill(setup_code)
    key = page.locator(".pp-secret").text_content()  # the key shown for typing in by hand
    page.get_by_label("Code from your authenticator app").fill(f"{totp(b32decode(key)):06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("li")
    expect(codes).to_have_count(10)
    recovery_code = codes.first.inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have saved my recovery codes: continue").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()

    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.get_by_role("heading", name="Sign-in and security")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("10 unused")
    page.get_by_role("link", name="Manage your API tokens").click()

    page.get_by_label("Token name").fill("Case export script")
    # A token outlives the session by weeks: making one needs the second factor again.
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(recovery_code)
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-api-token").inner_text()
    assert secret.startswith("pp_")
    expect(page.get_by_role("table")).to_contain_text("Case export script")
    page.screenshot(path=f"{SCREENSHOTS}/api-tokens.png", full_page=True)

    api = page.request.get(
        f"{live_app.url}/api/v1/me/", headers={"Authorization": f"Token {secret}"}
    )
    assert api.status == 200

    page.reload()  # shown once: not on the page again
    expect(page.get_by_test_id("new-api-token")).to_have_count(0)
    page.get_by_role("button", name="Revoke Case export script").click()
    expect(page.get_by_text("You have no active API tokens.")).to_be_visible()
    assert not ApiToken.objects.exists()
    refused = page.request.get(
        f"{live_app.url}/api/v1/me/", headers={"Authorization": f"Token {secret}"}
    )
    assert refused.status == 401


def test_the_form_keeps_the_name_when_it_is_refused(live_app, page: Page):
    UserFactory(username="kim.officer")
    sign_in(page, live_app.url, "kim.officer")
    page.goto(f"{live_app.url}/account/api-tokens/")
    page.get_by_label("Token name").fill("Export")
    page.get_by_role("button", name="Create token").click()

    page.get_by_label("Token name").fill("export")
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("alert")).to_contain_text("You already have a token with this name")
    expect(page.get_by_label("Token name")).to_have_value("export")
    assert ApiToken.objects.count() == 1
