"""Journeys: each role signs in to a home page listing what waits for them, follows an item
to where the work is finished, finishes it, and finds it gone from home (and from the number
in the navigation)."""

import pytest
from playwright.sync_api import Page, expect

from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Borough, Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import sign_in
from worklists.tests import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_app):
    load_offences()  # the flush between transactional tests removed the reference tables
    load_instruments()
    return live_app.url


def home_section(page: Page, title: str):
    return page.get_by_role("region", name=title, exact=False)


def nav_home(page: Page):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home")


def test_officer_answers_a_returned_decision_from_home(base, page: Page):
    officer = UserFactory(username="pc.home", first_name="Pat", last_name="Jones",
                          role=Role.OFFICER, team=team("LAM"))  # fmt: skip
    supervisor = UserFactory(username="ds.home", role=Role.SUPERVISOR, team=team("LAM"))
    decision = builders.returned_decision(officer, supervisor)
    name = decision.suspect.person.full_name

    sign_in(page, base, "pc.home")
    returned = home_section(page, "Decisions returned to you")
    expect(returned.get_by_role("link", name=name, exact=False)).to_be_visible()
    # Returned decision, its outstanding suspect and its victim to assess.
    expect(nav_home(page)).to_contain_text("3")

    returned.get_by_role("link", name=name, exact=False).click()
    expect(page.get_by_text(builders.REQUIRED_ACTION).first).to_be_visible()
    page.get_by_label("Your response").fill("Spoke to the neighbour; the 999 recording is saved.")
    page.get_by_role("button", name="Send response").click()
    expect(page.get_by_text("Your response has been sent")).to_be_visible()

    nav_home(page).click()
    expect(home_section(page, "Decisions returned to you")).to_contain_text("Nothing waiting")
    expect(nav_home(page)).to_contain_text("2")


def test_supervisor_endorses_a_decision_from_home(base, page: Page):
    officer = UserFactory(role=Role.OFFICER, team=team("LAM"))
    UserFactory(username="ds.home", role=Role.SUPERVISOR, team=team("LAM"))
    incident, _, suspect = complete_incident(actor=officer)

    sign_in(page, base, "ds.home")
    reviews = home_section(page, "Decisions not to arrest to review")
    reviews.get_by_role("link", name=incident.reference, exact=False).click()
    page.get_by_label("Endorse the decision").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text(f"Decision on {suspect.person} endorsed.")).to_be_visible()

    nav_home(page).click()
    expect(home_section(page, "Decisions not to arrest to review")).to_contain_text(
        "Nothing waiting"
    )


def test_london_wide_coordinator_chooses_a_borough_and_triages_from_home(base, page: Page):
    UserFactory(username="cen.coord", role=Role.MARAC_COORDINATOR, team=team("CEN"))
    lambeth = builders.referral("LAM")
    southwark = builders.referral("SOU")

    sign_in(page, base, "cen.coord")
    triage = home_section(page, "Referrals to triage")
    expect(triage.get_by_role("link", name=lambeth.person.full_name, exact=False)).to_be_visible()
    expect(triage.get_by_role("link", name=southwark.person.full_name, exact=False)).to_be_visible()

    page.get_by_label("Borough", exact=True).select_option(label="Southwark")
    page.get_by_role("button", name="Show this borough").click()
    expect(page.get_by_text("Showing the work of Southwark.")).to_be_visible()
    triage = home_section(page, "Referrals to triage")
    expect(triage.get_by_role("link", name=lambeth.person.full_name, exact=False)).to_have_count(0)

    triage.get_by_role("link", name=southwark.person.full_name, exact=False).click()
    page.get_by_role("button", name="Accept referral").click()

    nav_home(page).click()  # the borough is remembered
    expect(page.get_by_label("Borough", exact=True)).to_have_value(
        str(Borough.objects.get(code="SOU").pk)
    )
    expect(home_section(page, "Referrals to triage")).to_contain_text("Nothing waiting")


def test_partner_records_research_from_home(base, page: Page):
    at = builders.meeting("LAM")
    idva = builders.idva_partner()
    idva.username = "idva.home"
    idva.save()
    listing = builders.listed_case(at, idva.agency)

    sign_in(page, base, "idva.home")
    research = home_section(page, "Research to record")
    research.get_by_role("link", name=listing.referral.person.full_name, exact=False).click()
    page.get_by_label("Facts your agency holds").fill("Known to the IDVA service since May.")
    page.get_by_role("button", name="Save research").click()
    expect(page.get_by_text("Research saved.")).to_be_visible()

    nav_home(page).click()
    expect(home_section(page, "Research to record")).to_contain_text("Nothing waiting")
    expect(home_section(page, "Cases at your coming meetings")).to_contain_text(
        listing.referral.person.full_name
    )
