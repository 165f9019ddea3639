"""Journey: the coordinator accepts a MARAC referral, lists it at a meeting and invites the
IDVA service; the IDVA signs in, sees only that case and records research; the coordinator
generates the meeting pack on a real Celery worker, downloads it and records an action."""

import os
import re
from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cases.reference_data import load_reference_data as load_offences
from cases.services.people import person_address_add
from marac.models import CaseResearch, MaracAction, MaracReferral, MeetingDocument, ReferralStatus
from marac.services.meetings import referral_list_at_meeting
from marac.tests.factories import high_assessment, meeting, refer
from publicprotection.accounts.models import AgencyType, Role
from publicprotection.accounts.tests.factories import (
    AgencyFactory,
    PartnerFactory,
    UserFactory,
    team,
)
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import fill_date, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Building a pack renders a PDF on a worker thread; two shared cores can make that slow.
PACK_TIMEOUT_MS = 90_000

FACTS = "Supported by the IDVA since May; two safety plans in place."
OPINION = "Risk is escalating since the perpetrator's release."
WITHHELD = "Name of the new refuge worker."
WITHHELD_REASON = "It would identify the refuge."
REFUGE = "17 Refuge Lane"


@pytest.fixture
def pack_worker(settings):
    """A real Celery worker (a thread of this process) that builds meeting documents.

    The task goes to a queue of its own, so this worker never takes someone else's work from
    the shared Redis, and no other worker (another test run) takes this test's."""
    from celery.contrib.testing.worker import start_worker

    from marac.tasks import generate_meeting_document
    from publicprotection.celery import app

    settings.DAILY_AGENDA_CHECK_ON_WORKER_START = False  # this test queues its own work
    queue = f"browser-marac-journey-{os.getpid()}"
    previous_routes = app.conf.task_routes
    app.conf.task_routes = {generate_meeting_document.name: {"queue": queue}}
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    routed = app.amqp.router.route({}, generate_meeting_document.name)
    assert routed["queue"].name == queue
    try:
        with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.task_routes = previous_routes
        app.amqp.flush_routes()
        app.amqp.router = app.amqp.Router()
        app.amqp.queues._consume_from = None  # the worker selected our queue on the app
        with app.connection_for_write() as connection:  # leave no binding behind in Redis
            bound = app.amqp.queues[queue](connection.default_channel)
            bound.declare()  # a fresh channel knows the bindings only once it declares them
            bound.delete()


def at_ten(days: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def test_idva_researches_a_listed_case_and_the_coordinator_downloads_the_pack(
    live_app, private_storage, pack_worker, page: Page
):
    # Given: a Lambeth victim, HIGH risk, with a confidential (refuge) address and a submitted
    # referral; a second victim listed at another Lambeth meeting; an IDVA service's member.
    load_offences()
    load_instruments()
    UserFactory(username="lam.coord", first_name="Kim", last_name="Reid",
                role=Role.MARAC_COORDINATOR, team=team("LAM"))  # fmt: skip
    assessment = high_assessment()
    victim = assessment.person.full_name
    person_address_add(
        actor=assessment.created_by,
        person=assessment.person,
        line_1=REFUGE,
        postcode="SE1 7AA",
        is_confidential=True,
    )
    referral = refer(assessment)
    our_meeting = meeting(starts_at=at_ten(7), venue="Lambeth Town Hall")
    other_meeting = meeting(starts_at=at_ten(21), venue="Brixton police station")
    other = refer(high_assessment())
    other_listing = referral_list_at_meeting(
        actor=other_meeting.created_by, referral_id=other.pk, meeting_id=other_meeting.pk
    )
    other_victim = other.person.full_name
    assert other_victim != victim
    idva = AgencyFactory(name="Lambeth IDVA Service",
                         agency_type=AgencyType.objects.get(code="idva"))  # fmt: skip
    PartnerFactory(username="lam.idva", first_name="Sam", last_name="Okafor", agency=idva)
    base = live_app.url

    # The coordinator accepts the referral from the inbox, lists it and invites the IDVA.
    sign_in(page, base, "lam.coord")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="MARAC", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Referrals awaiting triage")).to_be_visible()
    inbox = page.get_by_role("table", name="Referrals awaiting triage")
    expect(inbox.get_by_role("row").filter(has_text=other_victim)).to_have_count(0)
    inbox.get_by_role("row").filter(has_text=victim).get_by_role(
        "link", name=referral.reference
    ).click()

    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_text("Referral accepted.")).to_be_visible()
    page.get_by_role("group", name="Meeting").get_by_label(str(our_meeting), exact=False).check()
    page.get_by_role("button", name="List at this meeting").click()

    expect(page.get_by_text(f"Listed at the meeting on {timezone.localtime(our_meeting.starts_at):%d %B %Y}.")).to_be_visible()  # fmt: skip
    expect(page.get_by_role("heading", name="MARAC meeting", exact=False)).to_be_visible()
    agenda_row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(agenda_row).to_contain_text(victim)
    expect(page.get_by_role("row").filter(has_text=other_victim)).to_have_count(0)

    page.get_by_role("link", name="Invited agencies").click()
    invite = page.locator("form").filter(has=page.get_by_role("button", name="Invite"))
    invite.get_by_role("combobox").select_option(label="Lambeth IDVA Service")
    invite.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("Lambeth IDVA Service invited.")).to_be_visible()
    expect(
        page.get_by_role("button", name="Withdraw the invitation of Lambeth IDVA Service")
    ).to_be_visible()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.LISTED
    sign_out(page)

    # The IDVA sees their meeting and exactly one case, the listed one, and records research.
    sign_in(page, base, "lam.idva")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="MARAC", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    meeting_link = page.get_by_role("link", name=re.compile("meeting pack and minutes"))
    expect(meeting_link).to_have_count(1)
    expect(meeting_link).to_contain_text(f"{timezone.localtime(our_meeting.starts_at):%A %-d %B %Y, %H:%M}")  # fmt: skip
    cases = page.get_by_role("table", name="Cases shared with your agency")
    expect(cases.locator("tbody").get_by_role("row")).to_have_count(1)
    expect(cases).to_contain_text(victim)
    expect(page.get_by_text(other_victim)).to_have_count(0)
    cases.get_by_role("link", name=referral.reference).click()

    expect(page.get_by_role("heading", name=f"Case {referral.reference}")).to_be_visible()
    expect(page.get_by_text(victim)).to_be_visible()
    expect(page.get_by_text("Mobile 07700 900123, text first")).to_be_visible()  # the IDVA's route
    expect(page.get_by_text(REFUGE)).to_have_count(0)
    expect(page.get_by_text("No research recorded yet.")).to_be_visible()
    page.get_by_label("Facts your agency holds").fill(FACTS)
    page.get_by_label("Your agency's professional opinion").fill(OPINION)
    page.get_by_label("Information withheld").fill(WITHHELD)
    page.get_by_label("Why it is withheld").fill(WITHHELD_REASON)
    page.get_by_role("button", name="Save research").click()

    expect(page.get_by_text("Research saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Lambeth IDVA Service")).to_be_visible()
    saved = page.locator(".govuk-summary-list").filter(has_text=FACTS)
    expect(saved).to_contain_text(OPINION)
    expect(saved).to_contain_text(WITHHELD)
    expect(saved).to_contain_text(f"Why: {WITHHELD_REASON}")
    assert CaseResearch.objects.get().facts == FACTS

    response = page.goto(f"{base}/marac/cases/{other_listing.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text(other_victim)).to_have_count(0)

    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="MARAC", exact=True
    ).click()
    page.get_by_role("link", name=re.compile("meeting pack and minutes")).click()
    expect(page.get_by_role("heading", name="Meeting pack and minutes")).to_be_visible()
    expect(page.get_by_role("heading", name="Meeting pack: Lambeth IDVA Service's copy")).to_be_visible()  # fmt: skip
    sign_out(page)

    # The coordinator generates the pack (built by the worker), downloads it, adds an action.
    sign_in(page, base, "lam.coord")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="MARAC", exact=True
    ).click()
    page.get_by_role(
        "link", name=f"{timezone.localtime(our_meeting.starts_at):%A %-d %B %Y, %H:%M}"
    ).click()
    expect(page.get_by_role("heading", name="MARAC meeting", exact=False)).to_be_visible()
    pack = page.locator("#document-pack")
    expect(pack.get_by_text("Not generated")).to_be_visible()
    pack.get_by_role("button", name="Generate the meeting pack").click()

    expect(page.get_by_text("The meeting pack is being generated.")).to_be_visible()
    download_link = page.get_by_role("link", name="Download the meeting pack (PDF)")
    expect(download_link).to_be_visible(timeout=PACK_TIMEOUT_MS)
    expect(page.locator("#document-pack").get_by_text("Ready", exact=True)).to_be_visible()
    assert MeetingDocument.objects.get().attempts == 1

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
    flat = " ".join(text.split())
    assert "OFFICIAL-SENSITIVE" in flat
    assert referral.reference in flat
    assert victim in flat
    assert FACTS in flat
    assert OPINION in flat
    assert REFUGE not in flat and "SE1 7AA" not in flat
    assert other_victim not in flat and other.reference not in flat

    page.get_by_role("link", name="Action plans").click()
    plan = page.get_by_role("heading", name=f"{referral.reference}, {victim}")
    expect(plan).to_be_visible()
    page.get_by_text(f"Add an action for {referral.reference}").click()
    action_form = page.locator("form").filter(has=page.get_by_role("button", name="Add action"))
    action_form.get_by_role("group", name="For").get_by_label("Victim", exact=True).check()
    action_form.get_by_label("Owning agency").select_option(label="Lambeth IDVA Service")
    action_form.get_by_label("Owner").fill("Sam Okafor")
    action_form.get_by_label("Action", exact=True).fill("Review the safety plan with the victim")
    due = timezone.localdate() + timedelta(days=14)
    fill_date(action_form, "Due date", due)
    action_form.get_by_role("button", name="Add action").click()

    expect(page.get_by_text("Action added.")).to_be_visible()
    listed = page.get_by_role("listitem").filter(has_text="Review the safety plan with the victim")
    expect(listed).to_contain_text("Victim: Review the safety plan with the victim")
    expect(listed).to_contain_text(f"(Lambeth IDVA Service, Sam Okafor, due {due.day} {due:%b %Y})")
    action = MaracAction.objects.get()
    assert (action.agency_id, action.owner, action.due_date) == (idva.pk, "Sam Okafor", due)
    assert MaracReferral.objects.get(pk=referral.pk).status == ReferralStatus.LISTED
