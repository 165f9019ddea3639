"""The meeting pack PDF: built by the worker, marked on every page, the cases and research,
never a confidential address; an audited, uncached download for the meeting's coordinators
and, as their agency's copy, for invited agencies only."""

import pytest
from django.urls import reverse

from cases.services.people import person_address_add
from publicprotection.audit.models import AccessLogEntry

from ..models import MeetingDocument
from ..services.research import research_save
from ..services.sharing import meeting_invite
from .factories import coordinator, high_assessment, idva_partner, listed_case, meeting
from .helpers import pdf_pages

pytestmark = pytest.mark.django_db


def generate(client, user, at, kind="pack", django_capture_on_commit_callbacks=None):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("marac:meeting-document-request", args=[at.pk, kind]))
    assert response.status_code == 302
    return response


def test_pack_is_marked_lists_cases_and_research_and_omits_confidential_addresses(
    client, eager_documents, django_capture_on_commit_callbacks
):
    assessment = high_assessment()
    person_address_add(actor=assessment.created_by, person=assessment.person,
                       line_1="17 Refuge Lane", postcode="SE1 7AA",
                       is_confidential=True)  # fmt: skip
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord, assessment=assessment)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    research_save(actor=idva, listing=listing, facts="Engaged with the IDVA since May")

    generate(
        client, coord, at, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    response = client.get(reverse("marac:meeting-pack", args=[at.pk]))

    assert len(eager_documents) == 1
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pages = pdf_pages(b"".join(response.streaming_content))
    assert len(pages) >= 2
    assert all("OFFICIAL-SENSITIVE" in text for text in pages)
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1))
    assert all(at.team.name in text for text in pages)
    text = "\n".join(pages)
    for expected in (listing.referral.reference, "Engaged with the IDVA since May",
                     "Confidentiality statement", "Agencies invited", idva.agency.name,
                     "Risk level", "Incidents in the last 12 months", "Previous MARACs",
                     "Open actions", "Coordinator's full copy",
                     # The linked perpetrator by name, and the note on one not on record.
                     listing.referral.perpetrators.get().full_name, "not yet identified"):  # fmt: skip
        assert expected in text, expected
    assert "17 Refuge Lane" not in text
    assert "SE1 7AA" not in text
    assert "07700 900123" not in text
    assert AccessLogEntry.objects.filter(
        user=coord, action="download", channel="document", object_id=str(at.pk)
    ).exists()


def test_pack_denied_to_officers_uninvited_partners_and_other_boroughs(
    client, eager_documents, django_capture_on_commit_callbacks, lambeth_officer
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    generate(
        client, coord, at, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    url = reverse("marac:meeting-pack", args=[at.pk])
    request_url = reverse("marac:meeting-document-request", args=[at.pk, "pack"])

    client.force_login(lambeth_officer)
    assert client.get(url).status_code == 403
    assert client.post(request_url).status_code == 403
    client.force_login(idva_partner())  # an agency not invited to this meeting
    assert client.get(url).status_code == 404
    assert client.post(request_url).status_code == 404
    client.force_login(coordinator("SOU"))
    assert client.get(url).status_code == 404
    assert client.post(request_url).status_code == 404

    assert MeetingDocument.objects.count() == 1
    assert not AccessLogEntry.objects.filter(action="download").exists()


def test_an_invited_partner_without_a_copy_yet_gets_404_not_the_coordinators_copy(
    client, eager_documents, django_capture_on_commit_callbacks
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    generate(
        client, coord, at, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    client.force_login(idva)
    assert client.get(reverse("marac:meeting-pack", args=[at.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(action="download").exists()
