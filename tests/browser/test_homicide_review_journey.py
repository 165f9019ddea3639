"""Journey: the review lead records a death, naming the victim by record number and name; a name
that is not the record's is refused without saying which part was wrong, a close spelling is
accepted; then a suspect is added to the review, by number and name too."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cases.tests.factories import PersonFactory
from homicidereviews.models import HomicideReview
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.london_time import london_today
from tests.browser.steps import audit, fill_date, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SUCH_PERSON = "No person in the register has that record number and name"


def test_the_review_lead_names_the_victim_and_the_suspect(live_app, page: Page):
    officer = UserFactory(username="pc.jones", role=Role.OFFICER, team=team("LAM"))
    UserFactory(username="dhr.lead", role=Role.REVIEW_LEAD, team=team("CEN"))
    victim = PersonFactory(actor=officer, given_name="Mohammed", family_name="Khan")
    suspect = PersonFactory(actor=officer, given_name="Sid", family_name="Suspect")
    base = live_app.url

    # The lead fills in the form with the victim's number and someone else's name.
    sign_in(page, base, "dhr.lead")
    page.goto(f"{base}/homicide-reviews/")
    page.get_by_role("link", name="Record a death").click()
    page.get_by_label("Victim's person record number").fill(str(victim.pk))
    page.get_by_label("Victim's full name").fill("Sid Suspect")
    fill_date(page, "Date of death", london_today() - timedelta(days=2))
    page.get_by_label("Circumstances").fill("Found dead at home by a neighbour.")
    page.get_by_label("Borough where the death occurred").select_option(label="Lambeth")
    page.get_by_label("Community Safety Partnership").fill("Safer Lambeth")
    page.get_by_role("button", name="Save").click()

    # Refused, by the record number, with what was typed kept; the page passes axe.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(NO_SUCH_PERSON)
    summary.get_by_role("link", name=NO_SUCH_PERSON).click()
    expect(page.get_by_label("Victim's person record number")).to_be_focused()
    expect(page.get_by_label("Victim's full name")).to_have_value("Sid Suspect")
    expect(page.get_by_label("Circumstances")).to_have_value("Found dead at home by a neighbour.")
    assert not audit(page)
    assert not HomicideReview.objects.exists()

    # A close spelling of the victim's name is accepted.
    page.get_by_label("Victim's full name").fill("Muhammad Khan")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Review of the death of Mohammed Khan")).to_be_visible()

    # A suspect added later needs their name too.
    page.get_by_role("link", name="Edit the review").click()
    expect(page.get_by_label("Victim's full name")).to_have_count(0)
    page.get_by_label("Suspect's person record number (optional)").fill(str(suspect.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the suspect's full name")
    page.get_by_label("Suspect's full name").fill("Sid Suspect")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("saved.")).to_be_visible()
    assert HomicideReview.objects.get().suspect == suspect
