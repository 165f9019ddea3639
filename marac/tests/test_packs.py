"""The meeting pack PDF: marked on every page, the cases and research, never a confidential
address; an audited, uncached download for the meeting's coordinators only."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.services.people import person_address_add
from publicprotection.audit.models import AccessLogEntry

from ..services.research import research_save
from ..services.sharing import meeting_invite
from .test_referrals_records import coordinator, high_assessment, meeting
from .test_sharing import idva_partner, listed_case

pytestmark = pytest.mark.django_db


def test_pack_is_marked_lists_cases_and_research_and_omits_confidential_addresses(client):
    assessment = high_assessment()
    person_address_add(actor=assessment.created_by, person=assessment.person,
                       line_1="17 Refuge Lane", postcode="SE1 7AA",
                       is_confidential=True)  # fmt: skip
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord, assessment=assessment)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    research_save(actor=idva, listing=listing, facts="Engaged with the IDVA since May")
    client.force_login(coord)

    response = client.get(reverse("marac:meeting-pack", args=[at.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    assert all("OFFICIAL-SENSITIVE" in text for text in pages)
    text = "\n".join(pages)
    assert listing.referral.reference in text
    assert "Engaged with the IDVA since May" in text
    assert "17 Refuge Lane" not in text
    assert "07700 900123" not in text
    assert AccessLogEntry.objects.filter(
        user=coord, action="download", channel="document", object_id=str(at.pk)
    ).exists()


def test_pack_denied_to_partners_and_other_boroughs(client):
    at, coord = meeting(), coordinator()
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    client.force_login(idva)
    assert client.get(reverse("marac:meeting-pack", args=[at.pk])).status_code == 403
    client.force_login(coordinator("SOU"))
    assert client.get(reverse("marac:meeting-pack", args=[at.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(action="download").exists()
