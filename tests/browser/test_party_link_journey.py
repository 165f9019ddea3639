"""Linking another borough's person: found by the London-wide duplicate check, then linked
with the Link button, which sends the typed name and date of birth with the person's id (the
link is refused without them)."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.models import IncidentStatus, Party
from cases.tests.factories import IncidentFactory, PersonFactory
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from tests.browser.steps import fill_date, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_links_another_boroughs_person_found_by_the_search(live_app, page: Page):
    southwark = UserFactory(role=Role.OFFICER, team=team("SOU"))
    dana = PersonFactory(
        actor=southwark, given_name="Dana", family_name="Kerr", date_of_birth=date(1990, 2, 3)
    )
    officer = UserFactory(username="pc.lane", role=Role.OFFICER, team=team("LAM"))
    incident = IncidentFactory(actor=officer, status=IncidentStatus.DRAFT)
    sign_in(page, live_app.url, "pc.lane")

    page.goto(f"{live_app.url}{reverse('cases:incident-party-add', args=[incident.reference])}")
    page.get_by_label("Victim", exact=True).check()
    page.get_by_label("Name", exact=True).fill("Dana Ker")
    fill_date(page, "Date of birth (optional)", date(1990, 2, 3))
    page.get_by_role("button", name="Search for the person").click()
    row = page.get_by_role("row").filter(has_text=dana.reference)
    expect(row).to_contain_text("Southwark")
    row.get_by_role("button", name="Link").click()

    expect(page.get_by_text("Dana Kerr added.")).to_be_visible()
    assert Party.objects.filter(incident=incident, person=dana).exists()
