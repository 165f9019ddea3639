"""Journey: an officer records an incident with a decision not to arrest; the supervisor finds
it in the review queue and returns it; the officer sees the required action and responds."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import ArrestDecision, ReviewStatus
from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import PersonFactory
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from tests.browser.steps import fill_datetime, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JUSTIFICATION = (
    "The victim does not support a prosecution. The suspect had also left the address before "
    "officers arrived, and an area search and a visit to his brother's flat did not find him."
)


def add_person(page: Page, role: str, name: str, relationship: str | None = None) -> None:
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label(role, exact=True).check()
    if relationship:
        page.get_by_label("Relationship to the victim").select_option(label=relationship)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Search for the person").click()
    page.get_by_role("button", name=f"Link {name}").click()
    expect(page.get_by_text(f"{name} added.")).to_be_visible()


def test_not_arrested_decision_is_returned_by_the_supervisor_and_answered(live_app, page: Page):
    load_offences()
    officer = UserFactory(username="pc.jones", first_name="Pat", last_name="Jones",
                          role=Role.OFFICER, team=team("LAM"))  # fmt: skip
    UserFactory(username="ds.khan", first_name="Sara", last_name="Khan",
                role=Role.SUPERVISOR, team=team("LAM"))  # fmt: skip
    PersonFactory(actor=officer, given_name="Rosa", family_name="Marsh")
    PersonFactory(actor=officer, given_name="Keith", family_name="Dunmore")
    base = live_app.url

    # The officer records the incident.
    sign_in(page, base, "pc.jones")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents").click()
    page.get_by_role("link", name="Record an incident").first.click()
    now = timezone.now()
    fill_datetime(page, "When did it happen?", now - timedelta(hours=3))
    fill_datetime(page, "When was it reported?", now - timedelta(hours=2))
    page.get_by_label("999 call").check()
    page.get_by_label("Address line 1").fill("22 Ferndale Road")
    page.get_by_label("Postcode").fill("SW9 8BJ")
    page.get_by_label("Crime", exact=True).check()
    page.get_by_label("Physical").check()
    page.get_by_role("button", name="Save draft and continue").click()
    expect(page.get_by_text("Add the victim.")).to_be_visible()
    reference = page.get_by_role("heading", level=1).inner_text().split()[0]

    add_person(page, "Victim", "Rosa Marsh")
    add_person(page, "Suspect", "Keith Dunmore", relationship="Former intimate partner")

    page.get_by_role("link", name="Record an offence").click()
    page.get_by_label("Suspect").select_option(label="Keith Dunmore")
    page.get_by_label("Offence").select_option(label="Actual bodily harm (ABH)")
    page.get_by_role("button", name="Record offence").click()

    page.get_by_role("link", name="Record the arrest decision").click()
    page.get_by_label("Not arrested").check()
    page.get_by_label("Suspect not present: to be traced").check()
    page.get_by_label("Your justification").fill("The victim does not support a prosecution.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Positive action policy")
    expect(page.get_by_label("Your justification")).to_have_value(
        "The victim does not support a prosecution."
    )
    page.get_by_label("Your justification").fill(JUSTIFICATION)
    page.get_by_role("button", name="Record decision").click()

    page.get_by_role("link", name="Change accounts and evidence").click()
    page.get_by_label("Your narrative").fill("Called to a disturbance; victim had a cut lip.")
    page.get_by_label("Body-worn video").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Everything needed is recorded")).to_be_visible()
    page.get_by_role("button", name="Submit incident").click()
    expect(page.get_by_text("submitted")).to_be_visible()
    sign_out(page)

    # The supervisor finds it in the queue and returns it.
    sign_in(page, base, "ds.khan")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Review queue").click()
    queue_row = page.get_by_role("row").filter(has_text=reference)
    expect(queue_row).to_contain_text("Keith Dunmore")
    queue_row.get_by_role("link", name="Review").click()
    page.get_by_label("Return it to the officer").check()
    page.get_by_label("Required action").fill("Take a statement from the neighbour who called 999.")
    page.get_by_role("button", name="Save review").click()
    sign_out(page)

    # The officer sees the required action and responds.
    sign_in(page, base, "pc.jones")
    page.goto(f"{base}/cases/incidents/{reference}/")
    # The banner at the top of the incident says what to do; the decision below shows it too.
    banner = page.get_by_role("region", name="Decision returned")
    expect(
        banner.get_by_text("Take a statement from the neighbour who called 999.")
    ).to_be_visible()
    page.get_by_role("link", name="Respond to the review").click()
    page.get_by_label("Your response").fill("Statement taken from the neighbour at 14:10 today.")
    page.get_by_role("button", name="Send response").click()
    expect(page.get_by_text("Statement taken from the neighbour")).to_be_visible()

    decision = ArrestDecision.objects.get()
    assert decision.review_status == ReviewStatus.AWAITING
    assert [e.kind for e in decision.review_events.all()] == ["submitted", "returned", "responded"]
