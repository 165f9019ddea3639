"""Minutes: assembled from the meeting's records plus each case's discussion summary."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from publicprotection.errors import StateError

from ..models import CaseDiscussion
from ..services.meetings import attendance_add, case_discussion_save
from .factories import an_action, coordinator, idva_partner, listed_case, meeting

pytestmark = pytest.mark.django_db


def test_minutes_show_attendance_apologies_discussion_and_actions(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    agency = idva_partner().agency
    attendance_add(actor=coord, meeting=at, person_name="Ann Present", agency=agency,
                   confidentiality_acknowledged=True)  # fmt: skip
    attendance_add(actor=coord, meeting=at, person_name="Bob Away", agency_name="Housing",
                   status="apologies")  # fmt: skip
    an_action(listing, agency, coord, description="Sanctuary scheme referral")
    client.force_login(coord)

    response = client.post(
        reverse("marac:meeting-discussion", args=[at.pk, listing.pk]),
        {"summary": "Agencies agreed the risk is escalating.", "version": 0},
    )
    assert response.status_code == 302
    page = client.get(reverse("marac:meeting-minutes", args=[at.pk])).text

    for text in ("DI Jo Patel", "Brixton police station", "Ann Present", "Bob Away",
                 "Acknowledged by everyone present", "Agencies agreed the risk is escalating.",
                 "Sanctuary scheme referral", listing.referral.reference):  # fmt: skip
        assert text in page


def test_discussion_needs_a_summary_and_is_replaced_in_place(client):
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    with pytest.raises(ValidationError):
        case_discussion_save(actor=coord, listing=listing, summary="  ")
    case_discussion_save(actor=coord, listing=listing, summary="First")
    case_discussion_save(actor=coord, listing=listing, summary="Second")
    assert CaseDiscussion.objects.get().summary == "Second"

    client.force_login(coord)
    response = client.post(
        reverse("marac:meeting-discussion", args=[at.pk, listing.pk]), {"summary": "", "version": 2}
    )
    assert response.status_code == 400
    assert "Enter the summary of the discussion" in response.text


def test_minutes_denied_to_partners_and_other_boroughs(client):
    at = meeting()
    listing = listed_case(at)
    client.force_login(idva_partner())
    assert client.get(reverse("marac:meeting-minutes", args=[at.pk])).status_code == 403
    client.force_login(coordinator("SOU"))
    assert client.get(reverse("marac:meeting-minutes", args=[at.pk])).status_code == 404
    response = client.post(
        reverse("marac:meeting-discussion", args=[at.pk, listing.pk]),
        {"summary": "x", "version": 0},
    )
    assert response.status_code == 404
    assert not CaseDiscussion.objects.exists()


def test_a_cancelled_meetings_cases_take_no_discussion_summary(client):
    """A cancelled meeting discussed nothing (its cases go back to be listed at another): the
    minutes offer no form, and the service refuses a summary however it is sent."""
    from ..services.meetings import meeting_cancel

    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    meeting_cancel(actor=coord, meeting=at)
    client.force_login(coord)

    page = client.get(reverse("marac:meeting-minutes", args=[at.pk]))
    response = client.post(
        reverse("marac:meeting-discussion", args=[at.pk, listing.pk]),
        {"summary": "Agencies agreed the risk is escalating.", "version": 0},
    )

    assert "Record the discussion" not in page.text
    assert response.status_code == 409
    assert "This meeting is cancelled; its cases were not discussed." in response.text
    assert not CaseDiscussion.objects.exists()
    with pytest.raises(StateError):
        case_discussion_save(actor=coord, listing=listing, summary="x", expected_version=0)
