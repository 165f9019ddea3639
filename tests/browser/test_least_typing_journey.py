"""Journeys of issue #19 (least typing), each at 1280 and 390 CSS px: the person search carries
into registration with one duplicate check; the supervisor reviews a decision with the case
beside it; the incident list shows risk and MARAC state and keeps status and flags in view on
a phone; the MARAC meeting is split into sections."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.models import IncidentStatus, Person
from cases.reference_data import load_reference_data as load_offences
from cases.services.incidents import incident_update
from cases.services.people import person_address_add
from cases.tests.factories import IncidentFactory, PersonFactory, complete_incident, not_arrested
from marac.services.meetings import referral_list_at_meeting
from marac.tests.factories import coordinator, high_assessment, meeting, refer
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import audit, fill_date, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)
# Screenshots for a person to look at, when asked for (SCREENSHOTS=/some/folder).
SHOTS = os.environ.get("SCREENSHOTS", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fits(page: Page, width: int) -> None:
    """Nothing makes the page scroll sideways."""
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide"


def in_view(page: Page, locator, width: int) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


@pytest.mark.parametrize("width", WIDTHS)
def test_search_carries_into_registration_with_one_duplicate_check(live_app, page: Page, width):
    page.set_viewport_size({"width": width, "height": 900})
    officer = UserFactory(username="pc.adams", role=Role.OFFICER, team=team("LAM"))
    known = PersonFactory(
        actor=officer, given_name="Amira", family_name="Haddad", date_of_birth=date(1991, 4, 3)
    )
    person_address_add(actor=officer, person=known, line_1="4 Brixton Road", postcode="SW9 6DE")
    person_address_add(
        actor=officer, person=known, line_1="Refuge", postcode="N1 7AA",
        from_date=date(2026, 1, 1), is_confidential=True,
    )  # fmt: skip
    incident = IncidentFactory(actor=officer, status=IncidentStatus.DRAFT)
    base = live_app.url
    sign_in(page, base, "pc.adams")

    page.goto(f"{base}{reverse('cases:incident-party-add', args=[incident.reference])}")
    page.get_by_label("Victim", exact=True).check()
    page.get_by_label("Name", exact=True).fill("Amira Haddad")
    fill_date(page, "Date of birth (optional)", date(1991, 4, 3))
    page.get_by_role("button", name="Search for the person").click()

    # The candidate is told apart: register number, borough, postcode district, never the refuge
    row = page.get_by_role("row").filter(has_text=known.reference)
    expect(row).to_contain_text("Lambeth")
    expect(row).to_contain_text("SW9")
    expect(page.locator("main")).not_to_contain_text("N1 7AA")
    problems = audit(page)
    assert not problems, "\n".join(problems)
    fits(page, width)
    shot(page, f"party-search-{width}")

    # None of these: the registration form already holds what was typed
    page.get_by_role("link", name="None of these: register a new person").click()
    expect(page.get_by_label("Given name")).to_have_value("Amira")
    expect(page.get_by_label("Family name")).to_have_value("Haddad")
    born = page.get_by_role("group", name="Date of birth")
    expect(born.get_by_label("Day")).to_have_value("3")
    expect(born.get_by_label("Month")).to_have_value("4")
    expect(born.get_by_label("Year")).to_have_value("1991")
    shot(page, f"register-prefilled-{width}")
    page.get_by_role("button", name="Register person").click()

    # No second duplicate check: straight back to link the new person
    expect(page.get_by_text("Amira Haddad has been registered.")).to_be_visible()
    expect(page.get_by_text("Possible matches")).to_have_count(0)
    page.get_by_role("button", name="Link Amira Haddad").click()
    expect(page.get_by_text("Amira Haddad added.")).to_be_visible()
    assert Person.objects.filter(family_name="Haddad").count() == 2


@pytest.mark.parametrize("width", WIDTHS)
def test_supervisor_reviews_with_the_case_beside_the_decision(live_app, page: Page, width):
    load_offences()
    load_instruments()
    page.set_viewport_size({"width": width, "height": 900})
    officer = UserFactory(username="pc.brown", role=Role.OFFICER, team=team("LAM"))
    UserFactory(username="ds.green", role=Role.SUPERVISOR, team=team("LAM"))
    incident, _victim, suspect = complete_incident(actor=officer, decision=None)
    incident.refresh_from_db()
    incident_update(
        actor=officer,
        incident_id=incident.pk,
        expected_version=incident.version,
        victim_account="He held me against the wall by my throat.",
        evidence_types=["bwv"],
    )
    decision = not_arrested(suspect, actor=officer)
    base = live_app.url
    sign_in(page, base, "ds.green")

    page.goto(f"{base}{reverse('cases:review-decision', args=[decision.pk])}")

    case = page.locator("#review-case")
    expect(case.get_by_role("heading", name="The case")).to_be_visible()
    expect(case).to_contain_text("Actual bodily harm (ABH)")
    expect(case).to_contain_text("He held me against the wall by my throat.")
    expect(case).to_contain_text("body-worn video")
    # The victim's risk, loaded from the risk app
    expect(case.get_by_text("No confirmed assessment")).to_be_visible()
    expect(page.locator("#review-decision")).to_contain_text(decision.justification[:40])
    if width >= 1280:  # beside, not below
        decision_box = page.locator("#review-decision").bounding_box()
        case_box = case.bounding_box()
        assert case_box["x"] > decision_box["x"] + decision_box["width"] - 1
    problems = audit(page)
    assert not problems, "\n".join(problems)
    fits(page, width)
    shot(page, f"review-{width}")
    page.get_by_label("Endorse the decision").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text(f"Decision on {suspect.person.full_name} endorsed.")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_incident_list_shows_risk_and_marac_and_keeps_status_in_view(live_app, page: Page, width):
    load_offences()
    load_instruments()
    page.set_viewport_size({"width": width, "height": 900})
    UserFactory(username="pc.clark", role=Role.OFFICER, team=team("LAM"))
    assessment = high_assessment()
    refer(assessment)
    base = live_app.url
    sign_in(page, base, "pc.clark")

    page.goto(f"{base}{reverse('cases:incident-list')}")

    state = page.locator(f"#incident-state-{assessment.incident_id}")
    expect(state).to_contain_text("High risk (unconfirmed)")
    expect(state).to_contain_text("MARAC: awaiting triage")
    row = page.get_by_role("row").filter(has_text=assessment.incident.reference)
    in_view(page, row.get_by_text("Open", exact=True), width)
    in_view(page, state.get_by_text("High risk (unconfirmed)"), width)
    in_view(page, row.get_by_text("Outstanding suspect"), width)
    problems = audit(page)
    assert not problems, "\n".join(problems)
    fits(page, width)
    shot(page, f"incident-list-{width}")

    row.get_by_role("link", name=assessment.incident.reference).click()
    expect(page.locator("#incident-risk-state")).to_contain_text("High risk (unconfirmed)")
    expect(page.locator("#incident-risk-state")).to_contain_text("MARAC: awaiting triage")
    shot(page, f"incident-page-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_moves_between_the_meeting_sections(live_app, page: Page, width):
    load_offences()
    load_instruments()
    page.set_viewport_size({"width": width, "height": 900})
    coord = coordinator()
    coord.username = "lam.coord"
    coord.save()
    at = meeting()
    referral = refer(children_in_household=2)
    referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
    base = live_app.url
    sign_in(page, base, "lam.coord")
    page.goto(f"{base}{reverse('marac:meeting-detail', args=[at.pk])}")
    nav = page.get_by_role("navigation", name="Meeting sections")

    for name, text in (
        ("Agenda", referral.reference),
        ("Research", "No agency has recorded research yet."),
        ("Action plans", "Add an action"),
        ("Invited agencies", "No agencies invited yet."),
        ("Attendance", "Add an attendee or apologies"),
        ("Overview", "Meeting pack and minutes (PDF)"),
    ):
        nav.get_by_role("link", name=name, exact=True).click()
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        expect(page.locator("main")).to_contain_text(text)
        problems = audit(page)
        assert not problems, "\n".join(problems)
        fits(page, width)
        shot(page, f"meeting-{name.lower().replace(' ', '-')}-{width}")
    sign_out(page)
