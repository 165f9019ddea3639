"""Journey: a Lambeth supervisor opens today's daily meeting agenda, records the meeting's
decision on an item and downloads the PDF."""

from io import BytesIO

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import complete_incident
from marac.models import AgendaDecision
from marac.services.agendas import agenda_generate
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.london_time import london_today
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_records_a_decision_and_downloads_the_agenda(
    live_app, private_storage, page: Page
):
    load_offences()
    load_instruments()
    officer = UserFactory(username="pc.reid", role=Role.OFFICER, team=team("LAM"))
    supervisor = UserFactory(username="ds.patel", first_name="Asha", last_name="Patel",
                             role=Role.SUPERVISOR, team=team("LAM"))  # fmt: skip
    # A decision not to arrest, awaiting the supervisor's review.
    incident, _, _ = complete_incident(actor=officer)
    agenda_generate(team=team("LAM"), meeting_date=london_today())
    base = live_app.url

    sign_in(page, base, "ds.patel")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Daily meetings").click()
    expect(page.get_by_role("heading", name="Daily risk management meetings")).to_be_visible()
    page.locator(".govuk-summary-list").get_by_role("link", name="Open the agenda").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lambeth")

    card = (
        page.locator(".govuk-summary-card")
        .filter(has=page.get_by_role("heading", name=incident.reference))
        .filter(has_text="not arrested")
        .first
    )
    # Each reason the suspect is on the agenda on its own line, not run together.
    lines = card.locator(".govuk-summary-card__content > ul.govuk-list > li")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text(": outstanding in 1 incident.")
    expect(lines.last).to_contain_text(f"{incident.reference}: outstanding for 0 days")
    # The suspect is also awaiting review: the item says so and links that section.
    expect(
        card.get_by_role("link", name="Decisions not to arrest awaiting supervisor review")
    ).to_be_visible()
    card.get_by_text("Record a decision").click()
    card.get_by_label("Action agreed").fill("Review the decision before noon")
    card.get_by_label("Owner").fill("DS Patel")
    card.get_by_role("button", name="Save decision").click()

    expect(page.get_by_text(f"Decision recorded on {incident.reference}.")).to_be_visible()
    expect(page.get_by_text("Review the decision before noon").first).to_be_visible()
    decision = AgendaDecision.objects.get()
    assert (decision.owner, decision.recorded_by_id) == ("DS Patel", supervisor.pk)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the agenda (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert incident.reference in text
    assert "OFFICIAL-SENSITIVE" in text
