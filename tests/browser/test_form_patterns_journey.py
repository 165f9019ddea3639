"""Journey: the GOV.UK form patterns in a real browser. The arrest decision reveals only the
chosen answer's questions (and shows them all without JavaScript); a date typed in boxes with
a part missing is refused with that box marked and everything typed kept."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import ArrestDecision, IncidentStatus, PartyRole
from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import IncidentFactory, add_offence, add_party
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from tests.browser.steps import FACTORY_PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft_with_suspect():
    load_offences()
    officer = UserFactory(username="pc.form", role=Role.OFFICER, team=team("LAM"))
    incident = IncidentFactory(actor=officer, status=IncidentStatus.DRAFT)
    add_party(incident, PartyRole.VICTIM)
    suspect = add_party(incident, PartyRole.SUSPECT)
    add_offence(incident, suspect)
    return incident, suspect


def _decision_url(base, incident, suspect):
    return f"{base}/cases/incidents/{incident.reference}/suspects/{suspect.pk}/arrest-decision/"


def test_the_arrest_decision_reveals_the_chosen_answers_questions(live_app, page: Page):
    incident, suspect = _draft_with_suspect()
    sign_in(page, live_app.url, "pc.form")
    page.goto(_decision_url(live_app.url, incident, suspect))

    reason = page.get_by_role("group", name="Why was the suspect not arrested?")
    when = page.get_by_role("group", name="When were they arrested?")
    expect(reason).to_be_hidden()
    expect(when).to_be_hidden()

    page.get_by_label("Arrested", exact=True).check()
    expect(when).to_be_visible()
    expect(reason).to_be_hidden()

    page.get_by_label("Not arrested", exact=True).check()
    expect(reason).to_be_visible()
    expect(when).to_be_hidden()

    # A part of the arrest time missing: that box is marked, what was typed is kept.
    page.get_by_label("Arrested", exact=True).check()
    when.get_by_label("Day").fill("5")
    when.get_by_label("Year").fill("2026")
    when.get_by_label("Hour").fill("10")
    when.get_by_label("Minute").fill("30")
    page.get_by_role("button", name="Record decision").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("When were they arrested? must include a month")
    summary.get_by_role("link").first.click()
    month = page.get_by_role("group", name="When were they arrested?").get_by_label("Month")
    expect(month).to_be_focused()
    expect(month).to_have_class(
        "govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error"
    )
    group = page.get_by_role("group", name="When were they arrested?")
    expect(group.get_by_label("Day")).to_have_value("5")
    expect(group.get_by_label("Minute")).to_have_value("30")
    assert not ArrestDecision.objects.exists()


def test_without_javascript_every_question_shows(live_app, new_context):
    incident, suspect = _draft_with_suspect()
    context = new_context(java_script_enabled=False)  # closed, within a bound, by the fixture
    page = context.new_page()
    page.goto(f"{live_app.url}/account/sign-in/")
    page.get_by_label("Username").fill("pc.form")
    page.get_by_label("Password").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(_decision_url(live_app.url, incident, suspect))

    expect(page.get_by_role("group", name="When were they arrested?")).to_be_visible()
    expect(page.get_by_role("group", name="Why was the suspect not arrested?")).to_be_visible()

    page.get_by_label("Not arrested", exact=True).check()
    page.get_by_label("Suspect not present: to be traced").check()
    page.get_by_label("Your justification").fill(
        "He had left before officers arrived; an area search found no trace of him."
    )
    page.get_by_role("button", name="Record decision").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(incident.reference)
    decision = ArrestDecision.objects.get()
    assert decision.outcome == "not_arrested" and decision.arrested_at is None
    assert timezone.now() - decision.decided_at < timedelta(minutes=5)


def test_several_action_update_forms_on_one_page_each_work_on_their_own_action(
    live_app, page: Page
):
    from marac.models import ActionStatus, MaracAction
    from marac.tests.factories import an_action, coordinator, idva_partner, listed_case, meeting
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_offences()
    load_instruments()
    at, coord = meeting(), coordinator()
    idva = idva_partner()
    first = an_action(listed_case(at, coord), idva.agency, coord, description="First action")
    second = an_action(listed_case(at, coord), idva.agency, coord, description="Second action")
    sign_in(page, live_app.url, idva.username)
    page.goto(f"{live_app.url}/marac/")

    item = page.locator(f"#action-{second.pk}")
    item.get_by_text("Record an update").click()
    item.get_by_label("Update").fill("Sanctuary scheme fitted")
    # The label in the second form ticks the second form's radio, not the first's.
    item.get_by_label("Done", exact=True).check()
    expect(item.get_by_label("Done", exact=True)).to_be_checked()
    ids = page.locator("input[type=radio]").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)) and len(ids) >= 8
    item.get_by_role("button", name="Save update").click()

    expect(
        page.get_by_text("Sanctuary scheme fitted")
        .or_(page.locator(".govuk-notification-banner"))
        .first
    ).to_be_visible()
    assert MaracAction.objects.get(pk=second.pk).status == ActionStatus.DONE
    assert MaracAction.objects.get(pk=first.pk).status == ActionStatus.OPEN
