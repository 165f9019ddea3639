"""Journey: a coordinator sees a HIGH assessment waiting to be referred, refers the victim
(choosing the perpetrators among the suspects on record), accepts the referral, lists it at a meeting and finds it on the agenda in a time slot."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Party, PartyRole
from cases.reference_data import load_reference_data as load_offences
from cases.tests.factories import add_party, complete_incident
from marac.models import MaracReferral, ReferralStatus
from marac.services.meetings import meeting_create
from publicprotection.accounts.models import Role
from publicprotection.accounts.tests.factories import UserFactory, team
from riskassessment.models import AssessmentStatus, MaracDecision, RiskAssessment
from riskassessment.reference_data import load_reference_data as load_instruments
from riskassessment.tests.factories import start_assessment
from tests.browser.steps import audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_refers_accepts_and_lists_a_high_risk_victim(live_app, page: Page):
    load_offences()
    load_instruments()
    coordinator = UserFactory(username="lam.coord", first_name="Kim", last_name="Reid",
                              role=Role.MARAC_COORDINATOR, team=team("LAM"))  # fmt: skip
    assessment = start_assessment()
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.AWAITING_REVIEW,
        recommended_level="high",
        final_level="high",
        marac_decision=MaracDecision.REFER,
        submitted_at=timezone.now(),
    )
    meeting_day = timezone.localdate() + timedelta(days=7)
    meeting = meeting_create(
        actor=coordinator,
        team=team("LAM"),
        starts_at=timezone.make_aware(datetime.combine(meeting_day, time(10, 0))),
        venue="Lambeth Town Hall",
        chair="DI Jo Patel",
        minutes_per_case=15,
    )
    victim = assessment.person.full_name
    suspect = Party.objects.get(incident=assessment.incident, role=PartyRole.SUSPECT).person
    # The victim's earlier incident, with another suspect: offered, not pre-selected.
    earlier, _, earlier_suspect = complete_incident(occurred_at=timezone.now() - timedelta(days=60))
    add_party(earlier, PartyRole.VICTIM, person=assessment.person)
    base = live_app.url

    sign_in(page, base, "lam.coord")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="MARAC", exact=True
    ).click()
    expect(page.get_by_role("heading", name="To be referred")).to_be_visible()
    page.get_by_role("row").filter(has_text=victim).get_by_role("link", name="Refer").click()

    expect(page.get_by_role("heading", name=f"Refer {victim} to MARAC")).to_be_visible()
    expect(page.get_by_label("Visible high risk (SPECSS+ HIGH or DASH 14+)")).to_be_checked()
    page.get_by_role("group", name="Does the victim know about the referral?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Does the victim consent?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Children in the household").fill("2")
    perpetrators = page.get_by_role("group", name="Perpetrator or perpetrators")
    expect(perpetrators.get_by_label(suspect.full_name, exact=False)).to_be_checked()
    other = perpetrators.get_by_label(earlier_suspect.person.full_name, exact=False)
    expect(other).not_to_be_checked()
    expect(other).to_have_accessible_name(re.compile("an earlier incident"))
    assert audit(page) == []
    other.check()
    page.get_by_label("A perpetrator not on record (optional)").fill("His brother, name unknown")
    page.get_by_label("Recent history").fill("Strangled on the last call-out.")
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_text(f"{victim} referred to MARAC.")).to_be_visible()
    # Both people linked to their pages, and the note beside them.
    for person in (suspect, earlier_suspect.person):
        expect(page.get_by_role("link", name=person.full_name)).to_have_attribute(
            "href", f"/cases/people/{person.pk}/"
        )
    expect(page.get_by_text("His brother, name unknown")).to_be_visible()
    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_text("Referral accepted.")).to_be_visible()
    page.get_by_role("group", name="Meeting").get_by_label(str(meeting), exact=False).check()
    page.get_by_role("button", name="List at this meeting").click()

    expect(page.get_by_role("heading", name="MARAC meeting", exact=False)).to_be_visible()
    referral = MaracReferral.objects.get()
    row = (
        page.locator("#agenda-new_with_children")
        .get_by_role("row")
        .filter(has_text=referral.reference)
    )
    expect(row).to_contain_text("10:10 to 10:25")
    expect(row).to_contain_text(victim)
    assert set(referral.perpetrators.all()) == {suspect, earlier_suspect.person}
    assert referral.status == ReferralStatus.LISTED
    assert [e.kind for e in referral.history.all()] == ["submitted", "accepted", "listed"]
