"""Meeting documents per audience: status while building, failure and retry, the partner's
copy holding only what the agency may see, the minutes PDF, idempotent requests, the API."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import PartyRole
from cases.services.people import person_address_add
from cases.tests.factories import add_party
from marac import tasks
from publicprotection.audit.models import AccessLogEntry

from ..models import (
    DocumentStatus,
    MaracCaseListingGroupObjectPermission,
    MaracMeeting,
    MeetingDocument,
    MeetingInvitation,
)
from ..services import documents as services
from ..services.meetings import attendance_add, case_discussion_save
from ..services.research import research_save
from ..services.sharing import meeting_invitation_withdraw, meeting_invite
from .factories import (
    an_action,
    coordinator,
    high_assessment,
    idva_partner,
    listed_case,
    meeting,
    social_care_partner,
)
from .helpers import pdf_pages

pytestmark = pytest.mark.django_db


def pdf_text(document: MeetingDocument) -> str:
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        return "\n".join(pdf_pages(handle.read()))


def confidential_victim():
    assessment = high_assessment()
    person_address_add(actor=assessment.created_by, person=assessment.person,
                       line_1="17 Refuge Lane", postcode="SE1 7AA",
                       is_confidential=True)  # fmt: skip
    return assessment


def past(at: MaracMeeting) -> MaracMeeting:
    MaracMeeting.objects.filter(pk=at.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    at.refresh_from_db()
    return at


def status_url(at, kind="pack"):
    return reverse("marac:meeting-document-status", args=[at.pk, kind])


# --- Status while building, failure and retry -------------------------------------------------


def test_status_polls_while_pending_and_stops_when_ready(
    client, django_capture_on_commit_callbacks
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    client.force_login(coord)

    with (
        mock.patch.object(tasks.generate_meeting_document, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("marac:meeting-document-request", args=[at.pk, "pack"]))
    send.assert_called_once()
    document = MeetingDocument.objects.get()
    assert document.status == DocumentStatus.PENDING and document.agency is None

    page = client.get(reverse("marac:meeting-documents", args=[at.pk])).text
    assert "Queued" in page and "Sent to the background worker" in page
    assert f'hx-get="{status_url(at)}"' in page
    assert 'hx-trigger="every 2s"' in page
    panel = client.get(reverse("marac:meeting-documents-panel", args=[at.pk])).text
    assert "Queued" in panel and 'hx-trigger="every 2s"' in panel
    # The meeting page renders the same blocks itself (no htmx load), polling while pending.
    meeting_page = client.get(reverse("marac:meeting-detail", args=[at.pk])).text
    assert f'hx-get="{status_url(at)}" hx-trigger="every 2s"' in meeting_page

    services.document_generate(document_id=document.pk)

    fragment = client.get(status_url(at)).text
    assert "Ready" in fragment
    assert "hx-trigger" not in fragment
    assert reverse("marac:meeting-document-download", args=[at.pk, "pack"]) in fragment


@pytest.mark.usefixtures("eager_documents")
def test_a_failure_is_shown_with_a_retry_button_and_the_retry_builds_it(
    client, django_capture_on_commit_callbacks
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    client.force_login(coord)
    request_url = reverse("marac:meeting-document-request", args=[at.pk, "pack"])

    with (
        mock.patch.object(
            services, "render_meeting_document_pdf", side_effect=RuntimeError("fonts missing")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(request_url)

    document = MeetingDocument.objects.get()
    assert document.status == DocumentStatus.FAILED
    assert "fonts missing" in document.error
    assert not document.file.name
    fragment = client.get(status_url(at)).text
    assert "Failed" in fragment and "fonts missing" in fragment
    assert "Try again" in fragment and request_url in fragment
    assert "hx-trigger" not in fragment
    assert client.get(reverse("marac:meeting-pack", args=[at.pk])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post(request_url)

    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert document.attempts == 2
    assert len(document.checksum) == 64
    assert MeetingDocument.objects.count() == 1


def test_asking_twice_while_pending_makes_one_row_and_queues_once(
    django_capture_on_commit_callbacks,
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)

    with mock.patch.object(tasks.generate_meeting_document, "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True):
            first, queued = services.document_request(actor=coord, meeting=at, kind="pack")
        with django_capture_on_commit_callbacks(execute=True):
            second, again = services.document_request(actor=coord, meeting=at, kind="pack")
        MeetingDocument.objects.filter(pk=first.pk).update(status=DocumentStatus.GENERATING)
        with django_capture_on_commit_callbacks(execute=True):
            services.document_request(actor=coordinator(), meeting=at, kind="pack")

    assert first.pk == second.pk
    assert again is None
    assert send.call_count == 1
    assert MeetingDocument.objects.count() == 1

    # A second build of a ready copy (a duplicate task) leaves it alone.
    built = services.document_generate(document_id=first.pk)
    assert built.status == DocumentStatus.READY and built.attempts == 1
    services.document_generate(document_id=first.pk)
    built.refresh_from_db()
    assert built.attempts == 1


def test_the_file_is_stored_under_its_checksum_and_old_files_are_removed(
    private_storage, django_capture_on_commit_callbacks
):
    import hashlib

    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    document, _ = services.document_request(actor=coord, meeting=at, kind="pack")
    first = services.document_generate(document_id=document.pk)
    first_name = first.file.name
    listed_case(at, coord)  # a second case: the new pack differs
    services.document_request(actor=coord, meeting=at, kind="pack")
    # Old versions are removed once the new one is committed (the test's own transaction
    # never commits: run the callbacks).
    with django_capture_on_commit_callbacks(execute=True):
        second = services.document_generate(document_id=document.pk)

    with second.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == second.checksum
    assert second.checksum[:16] in second.file.name
    assert (private_storage / second.file.name).exists()
    assert second.file.name != first_name
    assert not (private_storage / first_name).exists()


def test_the_task_is_reliable_by_configuration():
    from django.db import OperationalError

    task = tasks.generate_meeting_document
    assert task.acks_late is True
    assert task.max_retries == 5
    assert task.retry_backoff
    assert task.time_limit and task.soft_time_limit
    assert OperationalError in task.autoretry_for


# --- The partner's copy ----------------------------------------------------------------------


@pytest.mark.usefixtures("eager_documents")
def test_partner_copy_holds_only_the_shared_cases_and_the_agencys_own_research_and_actions(
    client, django_capture_on_commit_callbacks
):
    at, coord = meeting(), coordinator()
    shared = listed_case(at, coord, assessment=confidential_victim())
    unshared = listed_case(at, coord)
    idva, social_care = idva_partner(), social_care_partner()
    for partner in (idva, social_care):
        meeting_invite(actor=coord, meeting=at, agency=partner.agency)
    # The share of one case is taken back from the IDVA (e.g. withheld by the coordinator).
    MaracCaseListingGroupObjectPermission.objects.filter(
        content_object=unshared, group=idva.agency.group
    ).delete()
    research_save(actor=idva, listing=shared, facts="IDVA engaged since May")
    research_save(actor=social_care, listing=shared, facts="Child protection plan in place")
    an_action(shared, idva.agency, coord, description="IDVA safety planning")
    an_action(shared, social_care.agency, coord, description="Strategy discussion")
    client.force_login(idva)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("marac:meeting-document-request", args=[at.pk, "pack"]))

    assert response.status_code == 302
    assert response["Location"] == reverse("marac:meeting-documents", args=[at.pk])
    copy = MeetingDocument.objects.get(agency=idva.agency)
    assert copy.status == DocumentStatus.READY
    text = pdf_text(copy)
    assert shared.referral.person.full_name in text
    assert "IDVA engaged since May" in text
    assert "IDVA safety planning" in text
    assert f"Copy for {idva.agency.name}" in text
    unshared_name = unshared.referral.person.full_name
    assert unshared_name != shared.referral.person.full_name
    assert unshared_name not in text
    assert unshared.referral.reference not in text
    assert "Child protection plan in place" not in text
    assert "Strategy discussion" not in text
    assert "17 Refuge Lane" not in text and "SE1 7AA" not in text
    # Police records beyond the case summary stay in the coordinators' copy.
    assert "Incidents in the last 12 months" not in text
    assert "Previous MARACs" not in text
    assert shared.referral.incident.reference not in text

    download = client.get(reverse("marac:meeting-document-download", args=[at.pk, "pack"]))
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert AccessLogEntry.objects.filter(
        user=idva, action="download", object_id=str(at.pk)
    ).exists()

    # The coordinator's full copy is a different row with every case and agency.
    services.document_request(actor=coord, meeting=at, kind="pack")
    full = MeetingDocument.objects.get(agency=None)
    services.document_generate(document_id=full.pk)
    full_text = pdf_text(full)
    assert unshared_name in full_text
    assert "Child protection plan in place" in full_text
    assert "17 Refuge Lane" not in full_text
    assert "Incidents in the last 12 months" in full_text


def test_a_partner_whose_invitation_is_withdrawn_loses_the_copy(
    client, django_capture_on_commit_callbacks
):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    idva = idva_partner()
    invitation = meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    document, _ = services.document_request(actor=idva, meeting=at, kind="pack")

    meeting_invitation_withdraw(actor=coord, invitation_id=invitation.pk)

    # The agency's copy is removed with its access; a build still queued for it does nothing.
    assert not MeetingDocument.objects.filter(pk=document.pk).exists()
    assert tasks.generate_meeting_document.apply(args=[document.pk]).get() == "removed"
    client.force_login(idva)
    assert client.get(reverse("marac:meeting-documents", args=[at.pk])).status_code == 404


# --- Minutes ---------------------------------------------------------------------------------


def test_minutes_pdf_has_the_audit_trail_and_partner_minutes_only_their_cases(client):
    at, coord = meeting(), coordinator()
    shared = listed_case(at, coord, assessment=confidential_victim())
    unshared = listed_case(at, coord)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    MaracCaseListingGroupObjectPermission.objects.filter(content_object=unshared).delete()
    attendance_add(actor=coord, meeting=at, person_name="Ann Present", agency=idva.agency,
                   confidentiality_acknowledged=True)  # fmt: skip
    attendance_add(actor=coord, meeting=at, person_name="Bob Away", agency_name="Housing",
                   status="apologies")  # fmt: skip
    case_discussion_save(actor=coord, listing=shared, summary="Risk is escalating; IDVA to lead.")
    case_discussion_save(actor=coord, listing=unshared, summary="Second case discussed privately.")
    an_action(shared, idva.agency, coord, description="Sanctuary scheme referral")

    with pytest.raises(services.DocumentStateError):
        services.document_request(actor=coord, meeting=at, kind="minutes")
    at = past(at)

    full, _ = services.document_request(actor=coord, meeting=at, kind="minutes")
    services.document_generate(document_id=full.pk)
    text = pdf_text(full)
    for expected in ("minutes and action log", "DI Jo Patel", "Brixton police station",
                     "Ann Present", idva.agency.name, "Bob Away", "Housing", "Apologies",
                     "Every attendee acknowledged the confidentiality statement",
                     "Risk is escalating; IDVA to lead.", "Second case discussed privately.",
                     "Sanctuary scheme referral", shared.referral.reference):  # fmt: skip
        assert expected in text, expected
    assert "17 Refuge Lane" not in text

    partner_copy, _ = services.document_request(actor=idva, meeting=at, kind="minutes")
    services.document_generate(document_id=partner_copy.pk)
    partner_text = pdf_text(partner_copy)
    assert "Risk is escalating; IDVA to lead." in partner_text
    assert "Sanctuary scheme referral" in partner_text
    assert "Second case discussed privately." not in partner_text
    assert unshared.referral.person.full_name not in partner_text
    assert "17 Refuge Lane" not in partner_text


@pytest.mark.usefixtures("eager_documents")
def test_a_download_logs_the_cases_and_the_people_the_copy_names(client, api_client):
    # Given a meeting with a case shared with the IDVA (its victim, a linked perpetrator and a
    # child in the household) and a case that is not, and the IDVA's pack and minutes built
    at, coord = meeting(), coordinator()
    shared = listed_case(at, coord)
    child = add_party(shared.referral.incident, PartyRole.CHILD_IN_HOUSEHOLD)
    unshared = listed_case(at, coord)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    MaracCaseListingGroupObjectPermission.objects.filter(content_object=unshared).delete()
    at = past(at)
    for kind in ("pack", "minutes"):
        copy, _ = services.document_request(actor=idva, meeting=at, kind=kind)
        services.document_generate(document_id=copy.pk)
    victim = shared.referral.person
    perpetrator = shared.referral.perpetrators.get()
    assert victim.full_name in pdf_text(MeetingDocument.objects.get(kind="pack"))
    assert perpetrator.full_name in pdf_text(MeetingDocument.objects.get(kind="pack"))

    # When the IDVA downloads the pack from the page and the minutes through the API
    client.force_login(idva)
    pack = client.get(reverse("marac:meeting-document-download", args=[at.pk, "pack"]))
    api_client.force_authenticate(idva)
    minutes = api_client.get(f"/api/v1/marac/meetings/{at.pk}/minutes/file/")

    # Then each download names, besides the meeting, the shared case and the people its copy
    # names, so their record history shows the agency's download; never the unshared case
    assert (pack.status_code, minutes.status_code) == (200, 200)
    downloads = AccessLogEntry.objects.filter(user=idva, action="download", channel="document")
    named = {}
    for entry in downloads:
        ids = set(entry.object_ids) | ({entry.object_id} - {""})
        named.setdefault(entry.content_type.model, []).append(ids)
    assert named["maracmeeting"] == [{str(at.pk)}, {str(at.pk)}]
    assert named["maraccaselisting"] == [{str(shared.pk)}, {str(shared.pk)}]
    pack_people, minutes_people = sorted(named["person"], key=len, reverse=True)
    assert pack_people == {str(victim.pk), str(perpetrator.pk), str(child.person_id)}
    assert minutes_people == {str(victim.pk)}
    assert str(unshared.referral.person_id) not in set().union(*named["person"])


# --- API -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("eager_documents")
def test_api_request_status_and_download(api_client, django_capture_on_commit_callbacks):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    api_client.force_authenticate(coord)
    url = f"/api/v1/marac/meetings/{at.pk}/pack/"

    assert api_client.get(url).status_code == 404  # nothing asked for yet
    assert api_client.get(f"{url}file/").status_code == 404
    with (
        mock.patch.object(tasks.generate_meeting_document, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api_client.post(url)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert response.json()["agency"] is None
    assert response.json()["download_url"] is None
    send.assert_called_once()
    assert api_client.get(f"{url}file/").status_code == 404  # not ready yet

    services.document_generate(document_id=response.json()["id"])

    status = api_client.get(url)
    assert status.status_code == 200
    assert status.json()["status"] == "ready"
    assert status.json()["download_url"] == f"{url}file/"
    download = api_client.get(f"{url}file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert "OFFICIAL-SENSITIVE" in pdf_pages(b"".join(download.streaming_content))[0]
    downloads = AccessLogEntry.objects.filter(user=coord, action="download", channel="document")
    assert downloads.filter(object_id=str(at.pk)).count() == 1

    minutes = api_client.post(f"/api/v1/marac/meetings/{at.pk}/minutes/")
    assert minutes.status_code == 409  # the meeting has not started


def test_api_denials(api_client, lambeth_officer):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    url = f"/api/v1/marac/meetings/{at.pk}/pack/"

    assert api_client.post(url).status_code in (401, 403)
    api_client.force_authenticate(lambeth_officer)
    assert api_client.post(url).status_code == 403
    assert api_client.get(f"{url}file/").status_code == 403
    api_client.force_authenticate(coordinator("SOU"))
    assert api_client.post(url).status_code == 404
    api_client.force_authenticate(idva_partner())  # not invited
    assert api_client.post(url).status_code == 404
    assert api_client.get(url).status_code == 404

    assert not MeetingDocument.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_api_partner_gets_the_agencys_copy(api_client, django_capture_on_commit_callbacks):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    idva = idva_partner()
    meeting_invite(actor=coord, meeting=at, agency=idva.agency)
    api_client.force_authenticate(idva)

    with (
        mock.patch.object(tasks.generate_meeting_document, "apply_async"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api_client.post(f"/api/v1/marac/meetings/{at.pk}/pack/")

    assert response.status_code == 202
    assert response.json()["agency"] == idva.agency.pk
    assert response.json()["agency_name"] == idva.agency.name


def test_schema_documents_the_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    pack = paths["/api/v1/marac/meetings/{id}/pack/"]
    assert pack["post"]["operationId"] == "marac_meeting_pack_create"
    assert "202" in pack["post"]["responses"]
    assert "get" in pack
    file_op = paths["/api/v1/marac/meetings/{id}/pack/file/"]["get"]
    assert "application/pdf" in file_op["responses"]["200"]["content"]
    assert "/api/v1/marac/meetings/{id}/minutes/" in paths
    assert "/api/v1/marac/meetings/{id}/minutes/file/" in paths


def test_the_schema_generates_and_validates_with_no_warnings(tmp_path):
    from django.core.management import call_command
    from drf_spectacular.drainage import reset_generator_stats

    reset_generator_stats()  # warnings counted by earlier schema requests in this process
    target = tmp_path / "schema.yaml"

    # Raises CommandError on any warning or error (printed above it) or an invalid schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/marac/actions/" in target.read_text()


def test_the_pack_content_takes_the_same_queries_for_2_cases_as_for_6():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..selectors.documents import pack_content

    meeting(starts_at=timezone.now() - timedelta(days=30))  # both meetings have a previous one
    counts = []
    for size in (2, 6):
        at, coord = meeting(), coordinator()
        idva = idva_partner()
        meeting_invite(actor=coord, meeting=at, agency=idva.agency)
        for _ in range(size):
            listing = listed_case(at, coord)
            research_save(actor=idva, listing=listing, facts="Known to the IDVA")
            an_action(listing, idva.agency, coord)
        for viewer in (coord, idva):
            with CaptureQueriesContext(connection) as ctx:
                content = pack_content(viewer=viewer, meeting=at)
            assert len(content.cases) == size
            counts.append((viewer.role, len(ctx.captured_queries)))
    assert counts[0] == counts[2] and counts[1] == counts[3]


DOCUMENT_PAGES = [
    ("marac:meeting-documents", ()),
    ("marac:meeting-documents-panel", ()),
    ("marac:meeting-document-status", ("pack",)),
    ("marac:meeting-document-status", ("minutes",)),
    ("marac:meeting-document-download", ("minutes",)),
    ("api:marac-meeting-pack", ()),
    ("api:marac-meeting-pack-file", ()),
    ("api:marac-meeting-minutes", ()),
    ("api:marac-meeting-minutes-file", ()),
]


@pytest.mark.parametrize(("name", "extra"), DOCUMENT_PAGES)
def test_every_document_endpoint_is_refused_to_those_outside_the_meeting(
    client, lambeth_officer, name, extra
):
    """Anonymous: sign in (or 401/403 on the API); officer: 403; another borough's coordinator
    and an agency not invited: 404 (the meeting is not theirs); nothing is logged."""
    at = meeting()
    listed_case(at, coordinator())
    url = reverse(name, args=[at.pk, *extra])
    is_api = name.startswith("api:")

    anonymous = client.get(url)
    assert anonymous.status_code in ((401, 403) if is_api else (302,))
    for user, expected in (
        (lambeth_officer, 403),
        (coordinator("SOU"), 404),
        (social_care_partner(), 404),  # an agency never invited to this meeting
    ):
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    assert not MeetingDocument.objects.exists()
    assert not AccessLogEntry.objects.filter(action="download").exists()


def test_invitations_are_withdrawn_only_by_the_meetings_coordinators(client, lambeth_officer):
    at, coord = meeting(), coordinator()
    invitation = meeting_invite(actor=coord, meeting=at, agency=idva_partner().agency)
    other_meeting = meeting()
    url = reverse("marac:meeting-invitation-withdraw", args=[at.pk, invitation.pk])

    for user, expected in (
        (lambeth_officer, 403),
        (idva_partner(), 403),
        (coordinator("SOU"), 404),
    ):
        client.force_login(user)
        assert client.post(url).status_code == expected
    client.force_login(coord)
    wrong_meeting = reverse(
        "marac:meeting-invitation-withdraw", args=[other_meeting.pk, invitation.pk]
    )
    assert client.post(wrong_meeting).status_code == 404
    assert MeetingInvitation.objects.filter(pk=invitation.pk).exists()
