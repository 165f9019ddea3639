"""The research API: an invited agency records and reads its own research on a shared case,
the coordinator reads every agency's; a case not shared with the caller is a 404; bad input is
a 400 that writes nothing; every read is logged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publicprotection.audit.models import AccessLogEntry

from ..models import CaseResearch, MeetingInvitation
from ..services.research import research_save
from ..services.sharing import meeting_invitation_withdraw, meeting_invite
from .factories import coordinator, idva_partner, listed_case, meeting, social_care_partner

pytestmark = pytest.mark.django_db

RESEARCH = {
    "facts": "Known to the service since 2023; two refuge stays.",
    "opinion": "Risk is escalating since the separation.",
    "withheld": "Counselling notes",
    "withheld_reason": "Clinical confidentiality",
}


def url(listing):
    return f"/api/v1/marac/cases/{listing.pk}/research/"


def snapshot():
    return list(CaseResearch.objects.values_list("pk", "agency_id", "facts").order_by("pk"))


@pytest.fixture
def shared():
    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    return {"meeting": at, "coord": coord, "listing": listing, "idva": idva, "sc": social_care}


def test_partner_records_replaces_and_reads_its_own_research(api_client, shared):
    listing, idva = shared["listing"], shared["idva"]
    research_save(actor=shared["sc"], listing=listing, facts="Children on a plan")
    api_client.force_authenticate(idva)

    created = api_client.post(url(listing), {**RESEARCH, "version": 0}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["agency"] == idva.agency.pk
    assert created.json()["withheld_reason"] == "Clinical confidentiality"

    replaced = api_client.post(
        url(listing), {"facts": "Known since 2022", "version": 1}, format="json"
    )
    assert replaced.status_code == 200
    mine = CaseResearch.objects.get(agency=idva.agency)
    assert (mine.facts, mine.opinion, mine.withheld) == ("Known since 2022", "", "")
    assert mine.recorded_by == idva

    rows = api_client.get(url(listing)).json()
    assert [row["agency"] for row in rows] == [idva.agency.pk]  # never another agency's
    entry = AccessLogEntry.objects.get(user=idva)
    assert (entry.channel, entry.object_id) == ("api", str(listing.pk))


def test_coordinator_reads_every_agencys_research(api_client, shared):
    listing = shared["listing"]
    research_save(actor=shared["sc"], listing=listing, facts="Children on a plan")
    research_save(actor=shared["idva"], listing=listing, opinion="Escalating")
    api_client.force_authenticate(shared["coord"])

    rows = api_client.get(url(listing)).json()

    assert {row["agency"] for row in rows} == {shared["sc"].agency.pk, shared["idva"].agency.pk}
    assert AccessLogEntry.objects.filter(user=shared["coord"], channel="api").count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_and_wrong_role_are_refused(api_client, lambeth_officer, shared, method):
    listing = shared["listing"]
    assert getattr(api_client, method)(url(listing), RESEARCH).status_code in (401, 403)
    api_client.force_authenticate(lambeth_officer)
    assert getattr(api_client, method)(url(listing), RESEARCH).status_code == 403
    assert not CaseResearch.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_coordinator_cannot_record_research(api_client, shared):
    api_client.force_authenticate(shared["coord"])
    assert api_client.post(url(shared["listing"]), RESEARCH).status_code == 403
    assert not CaseResearch.objects.exists()


def test_a_case_not_shared_with_the_caller_is_404(api_client, shared):
    listing = shared["listing"]
    other_meeting_case = listed_case(meeting(), shared["coord"])
    cases = [
        (social_care_partner(), listing),  # agency not invited
        (shared["idva"], other_meeting_case),  # invited to another meeting only
        (coordinator("SOU"), listing),  # another borough
    ]
    for user, case in cases:
        api_client.force_authenticate(user)
        assert api_client.get(url(case)).status_code == 404
        assert api_client.post(url(case), RESEARCH).status_code in (403, 404)
    api_client.force_authenticate(shared["idva"])
    assert api_client.post(url(other_meeting_case), RESEARCH).status_code == 404
    assert not CaseResearch.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_withdrawn_invitation_ends_access(api_client, shared):
    listing, idva = shared["listing"], shared["idva"]
    research_save(actor=idva, listing=listing, facts="Known since 2023")
    invitation = MeetingInvitation.objects.get(agency=idva.agency)
    meeting_invitation_withdraw(actor=shared["coord"], invitation_id=invitation.pk)
    before = snapshot()
    api_client.force_authenticate(idva)

    assert api_client.get(url(listing)).status_code == 404
    assert api_client.post(url(listing), {"facts": "Changed"}).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    "data,field",
    [
        ({"withheld": "Health notes"}, "withheld_reason"),
        ({}, "facts"),
        ({"facts": "   "}, "facts"),
        ({"facts": "x" * 20001}, "facts"),
    ],
)
def test_bad_research_is_400_with_field_errors_and_writes_nothing(api_client, shared, data, field):
    research_save(actor=shared["sc"], listing=shared["listing"], facts="Children on a plan")
    before = snapshot()
    api_client.force_authenticate(shared["idva"])

    response = api_client.post(url(shared["listing"]), {"version": 0, **data}, format="json")

    assert response.status_code == 400
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert snapshot() == before


def test_research_list_queries_do_not_grow_with_agencies(api_client, shared):
    listing, at, coord = shared["listing"], shared["meeting"], shared["coord"]
    api_client.force_authenticate(coord)

    def queries_for(n):
        while CaseResearch.objects.count() < n:
            partner = idva_partner()
            meeting_invite(actor=coord, meeting=at, agency=partner.agency)
            research_save(actor=partner, listing=listing, facts="Known")
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(url(listing))
        assert len(response.json()) == n
        return len(ctx)

    assert queries_for(2) == queries_for(10)
