"""Journey: the IDVA holds an open action on a listed case; the coordinator withdraws the IDVA's
invitation, is shown the action it held and gives it to children's social care; the IDVA no
longer sees the action or the case, and children's social care now holds it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.reference_data import load_reference_data as load_offences
from marac.models import MaracAction
from marac.services.actions import action_create
from marac.services.meetings import referral_list_at_meeting
from marac.services.sharing import meeting_invite
from marac.tests.factories import high_assessment, meeting, refer
from publicprotection.accounts.models import AgencyType, Role
from publicprotection.accounts.tests.factories import (
    AgencyFactory,
    PartnerFactory,
    UserFactory,
    team,
)
from riskassessment.reference_data import load_reference_data as load_instruments
from tests.browser.steps import audit, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTION = "Safety plan and sanctuary scheme referral"


def test_coordinator_withdraws_the_idva_and_reassigns_its_action(live_app, page: Page):
    # Given a listed case, the IDVA and children's social care invited, the IDVA owning an action
    load_offences()
    load_instruments()
    coord = UserFactory(username="lam.coord", role=Role.MARAC_COORDINATOR, team=team("LAM"))
    at = meeting()
    referral = refer(high_assessment())
    listing = referral_list_at_meeting(actor=coord, referral_id=referral.pk, meeting_id=at.pk)
    idva = AgencyFactory(name="Lambeth IDVA Service",
                         agency_type=AgencyType.objects.get(code="idva"))  # fmt: skip
    social_care = AgencyFactory(
        name="Lambeth Children's Social Care",
        agency_type=AgencyType.objects.get(code="childrens_social_care"),
    )
    PartnerFactory(username="lam.idva", agency=idva)
    PartnerFactory(username="lam.csc", agency=social_care)
    meeting_invite(actor=coord, meeting=at, agency=idva)
    meeting_invite(actor=coord, meeting=at, agency=social_care)
    action = action_create(
        actor=coord, listing=listing, subject="victim", agency=idva, owner="Sam IDVA",
        description=ACTION, due_date=date.today() + timedelta(days=14),
    )  # fmt: skip
    base = live_app.url

    # The IDVA sees its action
    sign_in(page, base, "lam.idva")
    page.goto(f"{base}{reverse('marac:home')}")
    expect(page.get_by_text(ACTION)).to_be_visible()
    sign_out(page)

    # The coordinator withdraws the IDVA's invitation and is shown the action it held
    sign_in(page, base, "lam.coord")
    page.goto(f"{base}{reverse('marac:meeting-invite', args=[at.pk])}")
    page.get_by_role("button", name="Withdraw the invitation of Lambeth IDVA Service").click()
    expect(page.get_by_text("It held 1 open action on them: reassign or close them below.")).to_be_visible()  # fmt: skip
    section = page.locator(f"#orphan-action-{action.pk}")
    expect(section).to_contain_text(ACTION)
    expect(section).to_contain_text("Lambeth IDVA Service")
    problems = audit(page)  # the new section passes axe like the rest of the page
    assert not problems, "\n".join(problems)

    # ...and gives it to children's social care
    section.locator("summary").filter(has_text="Reassign").click()
    section.get_by_label("New owning agency").select_option(label="Lambeth Children's Social Care")
    section.get_by_label("Owner", exact=True).fill("Jo Social Worker")
    section.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text("Action given to Lambeth Children's Social Care.")).to_be_visible()
    expect(page.locator(f"#orphan-action-{action.pk}")).to_have_count(0)
    action.refresh_from_db()
    assert (action.agency_id, action.owner) == (social_care.pk, "Jo Social Worker")
    sign_out(page)

    # The IDVA no longer sees the action, nor the case
    sign_in(page, base, "lam.idva")
    page.goto(f"{base}{reverse('marac:home')}")
    expect(page.get_by_text(ACTION)).to_have_count(0)
    response = page.goto(f"{base}{reverse('marac:case-summary', args=[listing.pk])}")
    assert response is not None and response.status == 404
    sign_out(page)

    # Children's social care holds it now
    sign_in(page, base, "lam.csc")
    page.goto(f"{base}{reverse('marac:home')}")
    expect(page.get_by_text(ACTION)).to_be_visible()
    assert MaracAction.objects.filter(agency=social_care).count() == 1
