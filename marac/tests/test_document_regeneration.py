"""Asking again for a meeting pack or minutes never takes the last good copy away (ADR 0005,
0006): while a newer one is built the last one stays downloadable and the page says a newer
version is being produced; a rebuild that fails (the worker's error, or the sweeper giving up)
leaves the last one ready with the error; a rebuild that succeeds replaces it."""

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from marac import tasks

from ..models import DocumentStatus, MaracMeeting, MeetingDocument
from ..services import documents as services
from ..services.background import lost_builds_resend
from .factories import coordinator, listed_case, meeting

pytestmark = pytest.mark.django_db

NEWER = "A newer version is being produced"
NOT_PRODUCED = "A newer version could not be produced"


def built(kind="pack", started=False):
    """A meeting with one listed case, and the coordinator's copy of `kind` built."""
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    if started:  # the minutes are produced once the meeting has started
        MaracMeeting.objects.filter(pk=at.pk).update(starts_at=timezone.now() - timedelta(hours=2))
        at.refresh_from_db()
    document, _ = services.document_request(actor=coord, meeting=at, kind=kind)
    return services.document_generate(document_id=document.pk), coord


@pytest.fixture
def asked_again(django_capture_on_commit_callbacks):
    """What the Generate again button (or the API's POST) does; the worker not started yet."""

    def ask(document: MeetingDocument, actor) -> MeetingDocument:
        with (
            mock.patch.object(tasks.generate_meeting_document, "apply_async") as send,
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.document_request(actor=actor, meeting=document.meeting, kind=document.kind)
        send.assert_called_once()
        document.refresh_from_db()
        return document

    return ask


def failing_render(message="boom"):
    return mock.patch.object(
        services, "render_meeting_document_pdf", side_effect=RuntimeError(message)
    )


def stored_checksum(document: MeetingDocument) -> str:
    with default_storage.open(document.file.name) as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def downloaded(client, document: MeetingDocument) -> bytes:
    url = reverse("marac:meeting-document-download", args=[document.meeting_id, document.kind])
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


# --- The service and the task --------------------------------------------------------------


def test_a_ready_copy_asked_for_again_keeps_its_pdf_until_the_new_one_is_stored(
    asked_again, django_capture_on_commit_callbacks
):
    first, coord = built()

    document = asked_again(first, coord)

    assert document.status == DocumentStatus.PENDING
    assert document.has_pdf and document.is_being_replaced
    assert (document.file.name, document.checksum) == (first.file.name, first.checksum)
    assert stored_checksum(document) == first.checksum

    listed_case(first.meeting, coord)  # a second case: the new pack differs
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = services.document_generate(document_id=document.pk)

    assert rebuilt.is_ready and not rebuilt.is_being_replaced and rebuilt.error == ""
    assert rebuilt.checksum != first.checksum and stored_checksum(rebuilt) == rebuilt.checksum
    assert not default_storage.exists(first.file.name)  # replaced, then removed


def test_a_failed_rebuild_leaves_the_last_good_minutes_ready_with_the_error(asked_again):
    first, coord = built("minutes", started=True)
    asked_again(first, coord)

    with failing_render("fonts missing"), pytest.raises(RuntimeError):
        services.document_generate(document_id=first.pk)

    document = MeetingDocument.objects.get(pk=first.pk)
    assert document.status == DocumentStatus.READY
    assert "fonts missing" in document.error
    assert (document.file.name, document.checksum) == (first.file.name, first.checksum)
    assert document.generated_at == first.generated_at
    assert stored_checksum(document) == first.checksum
    assert document.lease_expires_at is None and document.can_request()

    # Asking again works, and a build that succeeds clears the error.
    asked_again(document, coord)
    rebuilt = services.document_generate(document_id=first.pk)
    assert rebuilt.is_ready and rebuilt.error == ""


def test_a_transient_failure_of_a_rebuild_is_still_retried_by_the_task(asked_again):
    """The task retries a transient error by building again: the copy the failed attempt left
    ready (with its error) is not taken for the finished build."""
    first, coord = built()
    asked_again(first, coord)
    listed_case(first.meeting, coord)

    with (
        mock.patch.object(
            services, "render_meeting_document_pdf", side_effect=OperationalError("gone away")
        ),
        pytest.raises(OperationalError),
    ):
        services.document_generate(document_id=first.pk)  # the first attempt
    retried = services.document_generate(document_id=first.pk)  # the task's retry

    assert retried.is_ready and retried.error == ""
    assert retried.checksum != first.checksum and retried.attempts == 3

    # Once built, a duplicate message leaves it alone.
    services.document_generate(document_id=first.pk)
    retried.refresh_from_db()
    assert retried.attempts == 3


def test_a_rebuild_whose_worker_keeps_dying_leaves_the_last_good_copy_ready(settings, asked_again):
    settings.BACKGROUND_MAX_TAKEOVERS = 2
    first, coord = built()
    asked_again(first, coord)
    MeetingDocument.objects.filter(pk=first.pk).update(
        status=DocumentStatus.GENERATING, takeovers=2, sent_at=timezone.now() - timedelta(hours=1),
        lease_expires_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip

    with mock.patch.object(tasks.generate_meeting_document, "apply_async") as send:
        resent = lost_builds_resend()

    assert (resent.documents, resent.given_up) == (0, 1)
    send.assert_not_called()
    document = MeetingDocument.objects.get(pk=first.pk)
    assert document.status == DocumentStatus.READY
    assert "stopped while building this 3 times" in document.error
    assert (document.file.name, document.checksum) == (first.file.name, first.checksum)
    assert document.lease_expires_at is None and document.can_request()


def test_a_copy_never_built_still_fails():
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    document, _ = services.document_request(actor=coord, meeting=at, kind="pack")

    with failing_render(), pytest.raises(RuntimeError):
        services.document_generate(document_id=document.pk)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and not document.has_pdf


# --- The pages and the API -----------------------------------------------------------------


def test_while_a_pack_is_rebuilt_the_last_one_stays_downloadable_and_the_pages_say_so(
    client, api_client, asked_again
):
    first, coord = built()
    client.force_login(coord)
    before = downloaded(client, first)

    document = asked_again(first, coord)

    assert document.status == DocumentStatus.PENDING
    assert downloaded(client, document) == before
    at = document.meeting
    download_url = reverse("marac:meeting-document-download", args=[at.pk, "pack"])
    status = client.get(reverse("marac:meeting-document-status", args=[at.pk, "pack"])).text
    for page in (
        client.get(reverse("marac:meeting-documents", args=[at.pk])).text,
        client.get(reverse("marac:meeting-detail", args=[at.pk])).text,
        status,
    ):
        assert NEWER in page and download_url in page
    assert 'hx-trigger="every 2s"' in status  # still polled until the new one is ready
    assert client.get(reverse("marac:meeting-pack", args=[at.pk])).status_code == 200

    api_client.force_authenticate(coord)
    url = f"/api/v1/marac/meetings/{at.pk}/pack/"
    body = api_client.get(url).json()
    assert body["status"] == "pending" and body["download_url"] == f"{url}file/"
    assert "newer version is being produced" in body["status_detail"]
    file = api_client.get(f"{url}file/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == before


def test_a_failed_rebuild_shows_the_last_minutes_with_what_went_wrong(
    client, api_client, asked_again
):
    first, coord = built("minutes", started=True)
    client.force_login(coord)
    before = downloaded(client, first)
    asked_again(first, coord)

    with failing_render("fonts missing"), pytest.raises(RuntimeError):
        tasks.generate_meeting_document.apply(args=[first.pk], throw=True)

    assert downloaded(client, first) == before
    at = first.meeting
    page = client.get(reverse("marac:meeting-documents", args=[at.pk])).text
    assert NOT_PRODUCED in page and "fonts missing" in page
    assert "Generate again" in page
    assert reverse("marac:meeting-document-request", args=[at.pk, "minutes"]) in page
    api_client.force_authenticate(coord)
    body = api_client.get(f"/api/v1/marac/meetings/{at.pk}/minutes/").json()
    assert body["status"] == "ready" and body["download_url"]
    assert "could not be produced" in body["status_detail"]


@pytest.mark.usefixtures("eager_documents")
def test_a_rebuild_that_succeeds_replaces_the_pack_that_is_downloaded(
    client, django_capture_on_commit_callbacks
):
    first, coord = built()
    client.force_login(coord)
    before = downloaded(client, first)
    listed_case(first.meeting, coord)  # the new pack differs

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("marac:meeting-document-request", args=[first.meeting_id, "pack"]))

    first.refresh_from_db()
    after = downloaded(client, first)
    assert after != before and hashlib.sha256(after).hexdigest() == first.checksum
    page = client.get(reverse("marac:meeting-documents", args=[first.meeting_id])).text
    assert NEWER not in page and NOT_PRODUCED not in page


def test_a_pack_never_built_has_nothing_to_download(client):
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    with mock.patch.object(tasks.generate_meeting_document, "apply_async"):
        services.document_request(actor=coord, meeting=at, kind="pack")
    client.force_login(coord)

    response = client.get(reverse("marac:meeting-document-download", args=[at.pk, "pack"]))
    page = client.get(reverse("marac:meeting-documents", args=[at.pk])).text

    assert response.status_code == 404
    assert NEWER not in page
    assert reverse("marac:meeting-document-download", args=[at.pk, "pack"]) not in page


@pytest.mark.django_db(transaction=True)
def test_a_keyed_api_request_does_not_say_it_waits_for_the_worker_when_it_was_sent(api_client):
    """An API POST with an Idempotency-Key runs in the middleware's transaction, so the
    message goes to the broker only when it commits, after the answer is drawn up."""
    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    api_client.force_login(coord)  # the middleware knows the caller before DRF runs
    url = f"/api/v1/marac/meetings/{at.pk}/pack/"

    with mock.patch.object(tasks.generate_meeting_document, "apply_async") as send:
        keyed = api_client.post(url, HTTP_IDEMPOTENCY_KEY="pack-1")
        replayed = api_client.post(url, HTTP_IDEMPOTENCY_KEY="pack-1")

    send.assert_called_once()
    assert keyed.status_code == 202 and replayed["Idempotent-Replayed"] == "true"
    for body in (keyed.json(), replayed.json()):
        assert body["waiting_for_worker"] is False, body
        assert "Waiting for the background worker" not in body["status_detail"]
    assert api_client.get(url).json()["waiting_for_worker"] is False

    # Unkeyed, the send is tried before the answer: with the broker down it says so.
    MeetingDocument.objects.update(status=DocumentStatus.FAILED)
    with mock.patch.object(
        tasks.generate_meeting_document, "apply_async", side_effect=BrokerDown("refused")
    ):
        unkeyed = api_client.post(url)
    assert unkeyed.json()["waiting_for_worker"] is True


def test_a_copy_failed_before_this_rule_still_offers_its_last_good_pdf(client):
    """A rebuild that failed before failures kept the last good copy ready left it failed with
    its file: the page links the file that is still there."""
    first, coord = built()
    MeetingDocument.objects.filter(pk=first.pk).update(
        status=DocumentStatus.FAILED, error="RuntimeError: boom"
    )
    client.force_login(coord)

    page = client.get(reverse("marac:meeting-documents", args=[first.meeting_id])).text

    assert "Failed" in page and "boom" in page and "Try again" in page
    download_url = reverse("marac:meeting-document-download", args=[first.meeting_id, "pack"])
    assert download_url in page
    assert hashlib.sha256(downloaded(client, first)).hexdigest() == first.checksum
