"""Each invited agency's research: validation, one record per agency, partners read and edit
only their own agency's, the coordinator sees every agency's on the meeting page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ..models import CaseResearch
from ..services.meetings import meeting_cancel
from ..services.research import research_save
from ..services.sharing import meeting_invite
from .factories import coordinator, idva_partner, listed_case, meeting, social_care_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    return {"meeting": at, "coord": coord, "listing": listing, "idva": idva, "sc": social_care}


def test_withheld_needs_a_reason_and_something_must_be_recorded(shared):
    with pytest.raises(ValidationError) as exc:
        research_save(actor=shared["idva"], listing=shared["listing"], withheld="Health notes")
    assert "withheld_reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        research_save(actor=shared["idva"], listing=shared["listing"])
    assert "facts" in exc.value.message_dict
    assert not CaseResearch.objects.exists()


def test_one_record_per_agency_updated_in_place(shared):
    research_save(actor=shared["idva"], listing=shared["listing"], facts="Known since 2023")
    research_save(
        actor=shared["idva"],
        listing=shared["listing"],
        facts="Known since 2022",
        opinion="Escalating",
        withheld="Counselling notes",
        withheld_reason="Clinical confidentiality",
    )
    research = CaseResearch.objects.get()
    assert research.facts == "Known since 2022"
    assert research.withheld_reason == "Clinical confidentiality"


def test_partner_saves_research_through_the_page_and_errors_are_shown(client, shared):
    client.force_login(shared["idva"])
    url = reverse("marac:case-research", args=[shared["listing"].pk])
    response = client.post(url, {"withheld": "Notes", "version": 0})
    assert response.status_code == 400
    assert "Say why the information is withheld." in response.text
    assert not CaseResearch.objects.exists()

    response = client.post(
        url, {"facts": "Two contacts this year", "opinion": "High risk", "version": 0}
    )
    assert response.status_code == 302
    assert CaseResearch.objects.get().agency == shared["idva"].agency


def test_partners_read_only_their_own_agencys_research(client, shared):
    research_save(actor=shared["idva"], listing=shared["listing"], facts="IDVA-ONLY-FACT")
    research_save(actor=shared["sc"], listing=shared["listing"], facts="SOCIAL-CARE-FACT")
    summary_url = reverse("marac:case-summary", args=[shared["listing"].pk])

    client.force_login(shared["sc"])
    page = client.get(summary_url).text
    assert "SOCIAL-CARE-FACT" in page
    assert "IDVA-ONLY-FACT" not in page

    client.force_login(shared["coord"])
    meeting_page = client.get(reverse("marac:meeting-research", args=[shared["meeting"].pk])).text
    assert "SOCIAL-CARE-FACT" in meeting_page
    assert "IDVA-ONLY-FACT" in meeting_page


def test_an_agency_cannot_edit_anothers_research_or_research_an_unshared_case(client, shared):
    research_save(actor=shared["idva"], listing=shared["listing"], facts="IDVA fact")
    client.force_login(shared["sc"])
    client.post(
        reverse("marac:case-research", args=[shared["listing"].pk]),
        {"facts": "Overwritten", "version": 1},
    )
    assert CaseResearch.objects.get(agency=shared["idva"].agency).facts == "IDVA fact"

    outsider = social_care_partner()
    client.force_login(outsider)
    response = client.post(
        reverse("marac:case-research", args=[shared["listing"].pk]),
        {"facts": "Sneaky", "version": 0},
    )
    assert response.status_code == 404
    assert not CaseResearch.objects.filter(agency=outsider.agency).exists()


def test_coordinators_cannot_post_research(client, shared):
    client.force_login(shared["coord"])
    response = client.post(
        reverse("marac:case-research", args=[shared["listing"].pk]), {"facts": "x"}
    )
    assert response.status_code == 403
    assert not CaseResearch.objects.exists()


def test_service_refuses_an_agency_not_invited(shared):
    with pytest.raises(PermissionDenied, match="Only an agency invited to the meeting"):
        research_save(actor=social_care_partner(), listing=shared["listing"], facts="x")
    assert not CaseResearch.objects.exists()


def test_service_refuses_an_agency_of_a_cancelled_meeting_whoever_calls_it(shared):
    # Given an agency that recorded research, then the meeting was cancelled: its invitation
    # stays as the record, but the case is no longer shared with it (ADR 0008)
    research_save(actor=shared["idva"], listing=shared["listing"], facts="Known since 2023")
    meeting_cancel(actor=shared["coord"], meeting=shared["meeting"])

    # When it saves research on the case through the service, not the pages or the API
    with pytest.raises(PermissionDenied, match="no longer shared with your agency"):
        research_save(actor=shared["idva"], listing=shared["listing"], facts="Moved on")
    with pytest.raises(PermissionDenied, match="no longer shared with your agency"):
        research_save(actor=shared["sc"], listing=shared["listing"], facts="First record")

    # Then nothing was written
    assert list(CaseResearch.objects.values_list("agency_id", "facts")) == [
        (shared["idva"].agency_id, "Known since 2023")
    ]


def test_service_refuses_anyone_but_a_partner_agency(shared):
    # The page and the API check the role too; the service holds the rule for every caller.
    with pytest.raises(PermissionDenied, match="Only a partner agency records research"):
        research_save(actor=shared["coord"], listing=shared["listing"], facts="x")
    assert not CaseResearch.objects.exists()
