"""Screenshots of each role's home page on the demo data, at a desktop (1280 px) and a phone
(390 px) width, for the README: `PP_SCREENSHOTS=1 pytest tests/browser/test_home_screenshots.py`
writes them to docs/screenshots/. Without the variable the test only checks that every home
page renders its lists at both widths without scrolling sideways."""

import importlib
import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cases.reference_data import load_reference_data as load_offences
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRITE = bool(os.environ.get("PP_SCREENSHOTS"))
FOLDER = Path(settings.BASE_DIR) / "docs" / "screenshots"
WIDTHS = [1280, 390]
# (demo user, file name)
HOMES = [
    ("lam.officer", "officer"),
    ("lam.supervisor", "supervisor"),
    ("lam.coordinator", "marac-coordinator"),
    ("central.coordinator", "marac-coordinator-london"),
    ("partner.idva", "partner"),
    ("analyst", "analyst"),
]


@pytest.fixture
def demo(live_app, private_storage):
    load_offences()  # the flush between transactional tests removed the reference tables
    load_instruments()
    migration = importlib.import_module("homicidereviews.migrations.0002_lesson_themes")
    from django.apps import apps

    migration.add_themes(apps, None)
    call_command("seed_demo", stdout=StringIO())
    return live_app.url


def test_each_role_home_at_desktop_and_phone_width(demo, page: Page):
    if WRITE:
        FOLDER.mkdir(parents=True, exist_ok=True)
    for username, name in HOMES:
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1280, "height": 900})
        sign_in(page, demo, username, password=settings.DEMO_PASSWORD)
        if username == "central.coordinator":  # a borough chosen, as they would
            page.get_by_label("Borough", exact=True).select_option(label="Southwark")
            page.get_by_role("button", name="Show this borough").click()
            page.goto(f"{demo}/")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{demo}/")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{username}'s home is {overflow}px too wide at {width}px"
            if WRITE:
                page.screenshot(path=str(FOLDER / f"home-{name}-{width}.png"), full_page=True)
