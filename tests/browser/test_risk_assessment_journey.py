"""Journey: an officer assesses a victim as HIGH with strangulation present, sees why, builds a
RARA plan, and the supervisor confirms the grading."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import AssessmentStatus, RiskAssessment
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import fill_date, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_assesses_high_builds_a_plan_and_the_supervisor_confirms(live_app, page: Page):
    load_offences()
    load_instruments()
    officer = UserFactory(username="pc.ali", first_name="Sam", last_name="Ali",
                          role=Role.OFFICER, team=team("LAM"))  # fmt: skip
    UserFactory(username="ds.okoro", first_name="Ngozi", last_name="Okoro",
                role=Role.SUPERVISOR, team=team("LAM"))  # fmt: skip
    incident, victim, _ = complete_incident(actor=officer, decision="arrested")
    base = live_app.url

    sign_in(page, base, "pc.ali")
    page.goto(f"{base}/cases/incidents/{incident.reference}/")
    page.get_by_role("link", name="Risk assessments for this incident").click()
    page.get_by_role("button", name=f"Assess the risk to {victim.person.full_name}").click()
    expect(page.get_by_role("heading", name=f"Risk to {victim.person.full_name}")).to_be_visible()

    page.get_by_role("group", name="Strangulation or choking", exact=True).get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Note on strangulation or choking").fill("Hands round her neck; marks seen.")
    page.get_by_role("group", name="Stalking", exact=True).get_by_label("No", exact=True).check()
    # The live recommendation (htmx) says why, before anything is saved.
    recommendation = page.locator("#recommendation")
    expect(recommendation).to_contain_text("Recommended: HIGH")
    expect(recommendation).to_contain_text("Strangulation or choking is present")
    page.get_by_role("group", name="Final risk level").get_by_label("High", exact=True).check()
    page.get_by_label("Refer to MARAC").check()
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(page.get_by_text("Draft saved")).to_be_visible()

    # The plan: a refuge place (Remove), offered today.
    page.get_by_role("link", name="Add an action to the plan").click()
    page.get_by_label("Remove", exact=True).check()
    page.get_by_label("Action").select_option(label="Refuge or other safe housing (usually Remove)")
    fill_date(page, "Due date", timezone.localdate() + timedelta(days=2))
    page.get_by_role("button", name="Add action").click()
    expect(
        page.get_by_role("cell", name="Refuge or other safe housing", exact=True)
    ).to_be_visible()

    page.get_by_role("button", name="Submit the assessment").click()
    expect(page.get_by_text("Assessment submitted")).to_be_visible()
    sign_out(page)

    sign_in(page, base, "ds.okoro")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Gradings").click()
    page.get_by_role("row").filter(has_text=victim.person.full_name).get_by_role(
        "link", name="Review"
    ).click()
    expect(page.get_by_text("Strangulation or choking is present")).to_be_visible()
    page.get_by_label("Confirm the grading").check()
    page.get_by_role("button", name="Save review").click()
    # The review is saved once the queue says so (the click does not wait for the answer)
    expect(page.get_by_text(f"Grading of {victim.person.full_name} confirmed")).to_be_visible()

    assessment = RiskAssessment.objects.get()
    assert assessment.status == AssessmentStatus.CONFIRMED
    assert assessment.final_level == "high"
    assert assessment.actions.get().action_type.code == "refuge"
