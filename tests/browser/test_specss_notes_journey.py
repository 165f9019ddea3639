"""Journey: the SPECSS+ form on a phone (390 CSS px) opens a factor's note only when the answer
needs it (GOV.UK conditional reveal), keeps a note from the record in view, keeps what was
typed (revealed notes included) when the submission is refused, passes the axe audit, and shows
every note without JavaScript."""

import pytest
from playwright.sync_api import Browser, Page, expect

from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import add_offence, complete_incident
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import Answer, AnswerValue
from riskassessment.reference_data import load_reference_data as load_instruments
from riskassessment.services.assessments import assessment_start
from tests.browser.steps import FACTORY_PASSWORD, audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _assessment_with_strangulation_recorded():
    load_offences()
    load_instruments()
    officer = UserFactory(username="pc.notes", role=Role.OFFICER, team=team("LAM"))
    incident, victim, suspect = complete_incident(actor=officer, decision="arrested")
    add_offence(incident, suspect, code="strangulation")
    return assessment_start(actor=officer, victim=victim)


def _factor(page: Page, question: str):
    return page.get_by_role("group", name=question, exact=True)


def test_a_factors_note_opens_when_the_answer_needs_it(live_app, page: Page):
    assessment = _assessment_with_strangulation_recorded()
    page.set_viewport_size(PHONE)
    sign_in(page, live_app.url, "pc.notes")
    page.goto(f"{live_app.url}/risk/assessments/{assessment.pk}/")

    # Unanswered factors show their question and answers only.
    stalking_note = page.get_by_label("Note on stalking (optional)")
    expect(stalking_note).to_be_hidden()
    expect(page.get_by_label("Note on pregnancy or a new birth within 18 months")).to_be_hidden()
    # The answer from the record keeps its note in view: changing it shows why it was given.
    record_note = page.get_by_label("Note on strangulation or choking (optional)")
    expect(record_note).to_be_visible()
    expect(record_note).to_have_value(
        "From the record: Non-fatal strangulation is recorded as an offence in this incident."
    )

    _factor(page, "Stalking").get_by_label("Yes", exact=True).check()
    expect(stalking_note).to_be_visible()
    stalking_note.fill("Turns up at her work every day.")
    _factor(page, "Stalking").get_by_label("No", exact=True).check()
    expect(stalking_note).to_be_hidden()
    _factor(page, "Stalking").get_by_label("Yes", exact=True).check()
    expect(stalking_note).to_have_value("Turns up at her work every day.")
    _factor(page, "Sexual assault").get_by_label("Yes", exact=True).check()
    _factor(page, "Strangulation or choking").get_by_label("No", exact=True).check()
    expect(record_note).to_be_visible()
    # Three short answers sit side by side on a phone, and nothing scrolls sideways.
    answers = _factor(page, "Pregnancy or a new birth within 18 months")
    yes, unknown = answers.get_by_label("Yes", exact=True), answers.get_by_label("Not known")
    assert yes.bounding_box()["y"] == unknown.bounding_box()["y"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    problems = audit(page)
    assert not problems, "\n".join(problems)

    # Submitted without a level: refused, and everything typed and revealed is still there.
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the final risk level")
    expect(_factor(page, "Stalking").get_by_label("Yes", exact=True)).to_be_checked()
    expect(stalking_note).to_be_visible()
    expect(stalking_note).to_have_value("Turns up at her work every day.")
    expect(page.get_by_label("Note on sexual assault (optional)")).to_be_visible()
    expect(_factor(page, "Strangulation or choking").get_by_label("No", exact=True)).to_be_checked()
    expect(record_note).to_be_visible()
    expect(page.get_by_label("Note on pregnancy or a new birth within 18 months")).to_be_hidden()
    problems = audit(page)
    assert not problems, "\n".join(problems)
    saved = Answer.objects.get(assessment=assessment, question__code="stalking")
    assert (saved.value, saved.note) == (AnswerValue.YES, "Turns up at her work every day.")


def test_without_javascript_every_note_shows(live_app, browser: Browser):
    assessment = _assessment_with_strangulation_recorded()
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_app.url}/account/sign-in/")
    page.get_by_label("Username").fill("pc.notes")
    page.get_by_label("Password").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_app.url}/risk/assessments/{assessment.pk}/")

    expect(page.get_by_label("Note on stalking (optional)")).to_be_visible()
    page.get_by_label("Note on stalking (optional)").fill("Follows her home.")
    _factor(page, "Stalking").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save draft", exact=True).click()

    expect(page.get_by_text("Draft saved")).to_be_visible()
    saved = Answer.objects.get(assessment=assessment, question__code="stalking")
    assert (saved.value, saved.note) == (AnswerValue.YES, "Follows her home.")
    context.close()
