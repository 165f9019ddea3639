"""Partner information sharing: invited agencies see the cases listed at the meeting, nothing
else, never a confidential address; safe contact only through the IDVA."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.services.people import person_address_add
from publicprotection.accounts.tests.factories import AgencyFactory
from publicprotection.audit.models import AccessLogEntry

from ..models import MaracCaseListingGroupObjectPermission, MeetingInvitation
from ..selectors.sharing import cases_shared_with
from ..services.sharing import meeting_invitation_withdraw, meeting_invite
from .factories import (
    coordinator,
    high_assessment,
    idva_partner,
    listed_case,
    meeting,
    refer,
    social_care_partner,
)

pytestmark = pytest.mark.django_db


def summary(client, user, listing):
    client.force_login(user)
    return client.get(reverse("marac:case-summary", args=[listing.pk]))


def test_invited_agency_sees_a_case_listed_before_or_after_the_invitation(client):
    at, coord = meeting(), coordinator()
    before = listed_case(at, coord)
    partner = social_care_partner()

    meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    after = listed_case(at, coord)

    assert set(cases_shared_with(viewer=partner)) == {before, after}
    response = summary(client, partner, after)
    assert response.status_code == 200
    assert after.referral.person.full_name in response.text
    # The perpetrator by name, as the text was, but no link to a person page.
    perpetrator = after.referral.perpetrators.get()
    assert perpetrator.full_name in response.text
    assert reverse("cases:person-detail", args=[perpetrator.pk]) not in response.text
    assert after.referral.perpetrator_note in response.text
    assert AccessLogEntry.objects.filter(
        user=partner, object_id=str(after.pk), action="view"
    ).exists()


def test_other_agencies_uninvited_and_unlisted_cases_are_404(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    invited = social_care_partner()
    meeting_invite(actor=coord, meeting=at, agency=invited.agency)
    not_listed = refer()
    other_meeting_listing = listed_case(meeting(), coord)

    assert summary(client, social_care_partner(), listing).status_code == 404
    assert summary(client, invited, other_meeting_listing).status_code == 404
    assert cases_shared_with(viewer=invited).filter(referral=not_listed).count() == 0
    assert summary(client, invited, listing).status_code == 200
    assert not AccessLogEntry.objects.filter(object_id=str(other_meeting_listing.pk)).exists()


def test_withdrawing_the_invitation_removes_access(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    partner = social_care_partner()
    invitation = meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    assert summary(client, partner, listing).status_code == 200

    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)

    assert summary(client, partner, listing).status_code == 404
    assert not MaracCaseListingGroupObjectPermission.objects.exists()


def test_other_borough_coordinator_gets_404_and_own_coordinator_sees_it(client):
    listing = listed_case()
    assert summary(client, coordinator("SOU"), listing).status_code == 404
    assert summary(client, coordinator("LAM"), listing).status_code == 200


def test_officers_are_refused(client, lambeth_officer):
    listing = listed_case()
    assert summary(client, lambeth_officer, listing).status_code == 403


def test_summary_never_shows_a_confidential_address(client):
    assessment = high_assessment()
    person = assessment.person
    person_address_add(
        actor=assessment.created_by,
        person=person,
        line_1="17 Refuge Lane",
        postcode="SE1 7AA",
        is_confidential=True,
    )
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord, assessment=assessment)
    partner = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=partner.agency)

    for viewer in (partner, coord):
        response = summary(client, viewer, listing)
        assert response.status_code == 200
        assert "17 Refuge Lane" not in response.text
        assert "SE1 7AA" not in response.text


def test_safe_contact_only_for_the_idva(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord, safe_contact_times="Weekdays 10 to 12")
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)

    idva_page = summary(client, idva, listing).text
    assert "07700 900123" in idva_page
    assert "Weekdays 10 to 12" in idva_page
    other_page = summary(client, social_care, listing).text
    assert "07700 900123" not in other_page
    assert "Weekdays 10 to 12" not in other_page
    assert "Contact through the IDVA" in other_page


def test_partner_home_shows_meetings_cases_and_nothing_else(client):
    at, coord = meeting(), coordinator()
    shared = listed_case(at, coord)
    unshared = listed_case(meeting(), coord)
    partner = social_care_partner()
    meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    client.force_login(partner)

    response = client.get(reverse("marac:home"))

    assert response.status_code == 200
    assert shared.referral.reference in response.text
    assert unshared.referral.reference not in response.text
    assert "Your meetings" in response.text


def test_coordinator_invites_and_withdraws_through_the_meeting_page(client):
    at, coord = meeting(), coordinator()
    agency = AgencyFactory()
    client.force_login(coord)

    response = client.post(reverse("marac:meeting-invite", args=[at.pk]), {"agency": agency.pk})
    assert response.status_code == 302
    invitation = MeetingInvitation.objects.get(meeting=at, agency=agency)
    assert agency.name in client.get(reverse("marac:meeting-invite", args=[at.pk])).text

    response = client.post(reverse("marac:meeting-invite", args=[at.pk]), {"agency": agency.pk})
    assert response.status_code == 400
    assert "already invited" in response.text

    client.post(reverse("marac:meeting-invitation-withdraw", args=[at.pk, invitation.pk]))
    assert not MeetingInvitation.objects.exists()


def test_invitation_denied_to_partners_and_other_boroughs(client):
    at = meeting()
    agency = AgencyFactory()
    client.force_login(social_care_partner())
    assert (
        client.post(
            reverse("marac:meeting-invite", args=[at.pk]), {"agency": agency.pk}
        ).status_code
        == 403
    )
    client.force_login(coordinator("SOU"))
    assert (
        client.post(
            reverse("marac:meeting-invite", args=[at.pk]), {"agency": agency.pk}
        ).status_code
        == 404
    )
    assert not MeetingInvitation.objects.exists()


def case_list_queries(client, partner):
    client.force_login(partner)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("marac:case-list"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_partner_case_list_query_count_is_constant(client):
    partner = social_care_partner()
    coord = coordinator()
    at = meeting(max_cases=30)
    meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    for _ in range(5):
        listed_case(at, coord)
    five, response = case_list_queries(client, partner)
    assert response.text.count('href="/marac/cases/') == 5
    for _ in range(15):
        listed_case(at, coord)
    twenty, response = case_list_queries(client, partner)
    assert response.text.count('href="/marac/cases/') == 20
    assert five == twenty
