"""The partner API: only shared cases, 404 otherwise, safe contact only for the IDVA, and
never an address."""

import pytest

from cases.services.people import person_address_add
from publicprotection.audit.models import AccessLogEntry

from ..services.sharing import meeting_invite
from .factories import (
    coordinator,
    high_assessment,
    idva_partner,
    listed_case,
    meeting,
    social_care_partner,
)

pytestmark = pytest.mark.django_db


def test_partner_api_lists_and_reads_only_shared_cases(api_client):
    assessment = high_assessment()
    person_address_add(actor=assessment.created_by, person=assessment.person,
                       line_1="17 Refuge Lane", postcode="SE1 7AA",
                       is_confidential=True)  # fmt: skip
    at, coord = meeting(), coordinator()
    shared = listed_case(at, coord, assessment=assessment)
    unshared = listed_case(meeting(), coord)
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)

    api_client.force_authenticate(social_care)
    listed = api_client.get("/api/v1/marac/cases/").json()["results"]
    assert [row["id"] for row in listed] == [shared.pk]
    detail = api_client.get(f"/api/v1/marac/cases/{shared.pk}/")
    assert detail.status_code == 200
    assert detail.json()["safe_contact"] == "Contact through the IDVA."
    assert "Refuge Lane" not in detail.text
    assert api_client.get(f"/api/v1/marac/cases/{unshared.pk}/").status_code == 404
    # The list, naming the shared case, and the case itself.
    reads = AccessLogEntry.objects.filter(user=social_care, channel="api").order_by("id")
    assert [(read.object_id, read.object_ids) for read in reads] == [
        ("", [str(shared.pk)]),
        (str(shared.pk), []),
    ]

    api_client.force_authenticate(idva)
    assert (
        "07700 900123" in api_client.get(f"/api/v1/marac/cases/{shared.pk}/").json()["safe_contact"]
    )


def test_partner_api_denials(api_client, lambeth_officer):
    listing = listed_case()
    assert api_client.get("/api/v1/marac/cases/").status_code in (401, 403)
    api_client.force_authenticate(lambeth_officer)
    assert api_client.get(f"/api/v1/marac/cases/{listing.pk}/").status_code == 403
    api_client.force_authenticate(coordinator("SOU"))
    assert api_client.get(f"/api/v1/marac/cases/{listing.pk}/").status_code == 404
    assert not AccessLogEntry.objects.exists()
