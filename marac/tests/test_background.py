"""Background work is never lost: requests are recorded before they are sent, the sweeper sends
again what never reached the broker or whose lease expired, and the broker cannot hold a
request for long. (The real broker and workers are faulted in test_faults.py.)"""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from marac import tasks
from marac.models import Agenda, AgendaStatus, DocumentStatus, MeetingDocument
from marac.selectors import documents as document_selectors
from marac.services import documents as services
from marac.services.agendas import agenda_ensure
from marac.services.background import lost_builds_resend
from publicprotection.accounts.tests.factories import team

from .helpers import MONDAY


def a_meeting_with_a_case():
    from .factories import coordinator, listed_case, meeting

    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    return document_selectors.document_meeting_get(viewer=coord, meeting_id=at.pk), coord


def a_document(status=DocumentStatus.PENDING, **fields):
    at, coord = a_meeting_with_a_case()
    return MeetingDocument.objects.create(
        meeting=at, kind="pack", requested_by=coord, status=status, **fields
    )


@pytest.mark.django_db
def test_a_request_with_the_broker_down_is_recorded_unsent_and_asking_again_sends_it(
    django_capture_on_commit_callbacks,
):
    at, coord = a_meeting_with_a_case()
    task = tasks.generate_meeting_document

    with (
        mock.patch.object(task, "apply_async", side_effect=OperationalError("refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        document, _ = services.document_request(actor=coord, meeting=at, kind="pack")
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING
    assert document.sent_at is None and document.lease_expires_at is None
    assert document.is_waiting_for_worker and document.can_request()

    with (
        mock.patch.object(task, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.document_request(actor=coord, meeting=at, kind="pack")
    document.refresh_from_db()
    send.assert_called_once()
    assert document.sent_at is not None and not document.is_waiting_for_worker
    assert document.lease_expires_at > timezone.now()
    assert not document.can_request()  # sent, its lease running: asking again changes nothing


@pytest.mark.django_db
def test_a_build_holds_a_lease_while_it_runs_and_gives_it_back(settings):
    settings.BACKGROUND_LEASE_SECONDS = 300
    document = a_document()
    seen = {}

    def render(**kwargs):
        row = MeetingDocument.objects.get(pk=document.pk)
        seen.update(status=row.status, lease=row.lease_expires_at, sent=row.sent_at)
        return b"%PDF-1.7 a pack"

    with mock.patch.object(services, "render_meeting_document_pdf", side_effect=render):
        built = services.document_generate(document_id=document.pk)

    assert seen["status"] == DocumentStatus.GENERATING
    assert timedelta(seconds=290) < seen["lease"] - timezone.now() <= timedelta(seconds=300)
    assert seen["sent"] is not None  # it reached a worker, whatever the sender recorded
    assert built.status == DocumentStatus.READY and built.lease_expires_at is None


@pytest.mark.django_db
def test_the_sweeper_sends_again_what_is_unsent_or_past_its_lease_and_nothing_else():
    now = timezone.now()
    unsent = a_document()
    expired = a_document(
        DocumentStatus.GENERATING, sent_at=now - timedelta(hours=1),
        lease_expires_at=now - timedelta(seconds=1), attempts=1,
    )  # fmt: skip
    running = a_document(
        DocumentStatus.GENERATING, sent_at=now, lease_expires_at=now + timedelta(minutes=5)
    )
    queued = a_document(sent_at=now, lease_expires_at=now + timedelta(minutes=5))
    failed = a_document(DocumentStatus.FAILED, error="fonts missing")
    waiting_agenda = agenda_ensure(team=team("LAM"), meeting_date=MONDAY)
    agenda_ensure(team=team("SOU"), meeting_date=MONDAY)
    Agenda.objects.filter(team=team("SOU")).update(
        status=AgendaStatus.GENERATING, sent_at=now, lease_expires_at=now + timedelta(minutes=5)
    )

    with (
        mock.patch.object(tasks.generate_meeting_document, "apply_async") as send_document,
        mock.patch.object(tasks.generate_agenda, "apply_async") as send_agenda,
    ):
        resent = lost_builds_resend(now=now)

    assert (resent.documents, resent.agendas, resent.unsent) == (2, 1, 0)
    assert sorted(call.kwargs["args"][0] for call in send_document.call_args_list) == sorted(
        [unsent.pk, expired.pk]
    )
    send_agenda.assert_called_once()
    assert send_agenda.call_args.kwargs["args"][:2] == [team("LAM").pk, MONDAY.isoformat()]
    for document in (unsent, expired):
        document.refresh_from_db()
        assert document.status == DocumentStatus.PENDING  # queued again, not "generating"
        assert document.sent_at is not None and document.lease_expires_at > now
    assert (unsent.takeovers, expired.takeovers) == (0, 1)  # only a started build died
    for document in (running, queued, failed):
        before = document.status
        document.refresh_from_db()
        assert document.status == before
    waiting_agenda.refresh_from_db()
    assert waiting_agenda.sent_at is not None


@pytest.mark.django_db
def test_a_build_whose_worker_keeps_dying_is_failed_instead_of_started_again(settings):
    settings.BACKGROUND_MAX_TAKEOVERS = 2
    past = {"sent_at": timezone.now() - timedelta(hours=1),
            "lease_expires_at": timezone.now() - timedelta(minutes=1)}  # fmt: skip
    once_more = a_document(DocumentStatus.GENERATING, takeovers=1, attempts=2, **past)
    hopeless = a_document(DocumentStatus.GENERATING, takeovers=2, attempts=3, **past)

    with mock.patch.object(tasks.generate_meeting_document, "apply_async") as send:
        resent = lost_builds_resend()

    assert (resent.documents, resent.given_up) == (1, 1)
    assert send.call_args.kwargs["args"] == [once_more.pk]
    once_more.refresh_from_db()
    hopeless.refresh_from_db()
    assert once_more.status == DocumentStatus.PENDING and once_more.takeovers == 2
    assert hopeless.status == DocumentStatus.FAILED and hopeless.can_retry()
    assert "stopped while building this 3 times" in hopeless.error
    # Asking again starts afresh.
    with mock.patch.object(tasks.generate_meeting_document, "apply_async"):
        services.document_request(
            actor=hopeless.requested_by, meeting=hopeless.meeting, kind="pack"
        )
    hopeless.refresh_from_db()
    assert hopeless.status == DocumentStatus.PENDING and hopeless.takeovers == 0


@pytest.mark.django_db
def test_the_sweeper_with_the_broker_still_down_leaves_the_requests_recorded_and_unsent():
    expired = a_document(
        DocumentStatus.GENERATING, sent_at=timezone.now() - timedelta(hours=1),
        lease_expires_at=timezone.now() - timedelta(minutes=1), attempts=1,
    )  # fmt: skip
    unsent = a_document()

    with mock.patch.object(
        tasks.generate_meeting_document, "apply_async", side_effect=OperationalError("refused")
    ) as send:
        resent = lost_builds_resend()

    assert (resent.documents, resent.unsent) == (2, 2)
    send.assert_called_once()  # the first failure stops it: each send would wait its timeout
    for document in (expired, unsent):
        document.refresh_from_db()
        assert document.status == DocumentStatus.PENDING and document.is_waiting_for_worker


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_leaves_a_build_that_a_live_worker_holds_past_its_lease():
    from cases.reference_data import load_reference_data as load_offences
    from publicprotection.accounts.reference_data import load_reference_data
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_reference_data()
    load_offences()
    load_instruments()
    expired = a_document(
        DocumentStatus.GENERATING, sent_at=timezone.now() - timedelta(hours=1),
        lease_expires_at=timezone.now() - timedelta(minutes=1), attempts=1,
    )  # fmt: skip
    locked, release = threading.Event(), threading.Event()

    def live_build():  # a worker rendering: its transaction holds the row
        try:
            with transaction.atomic():
                MeetingDocument.objects.select_for_update().get(pk=expired.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    worker = threading.Thread(target=live_build)
    worker.start()
    try:
        assert locked.wait(timeout=30)
        with mock.patch.object(tasks.generate_meeting_document, "apply_async") as send:
            resent = lost_builds_resend()
    finally:
        release.set()
        worker.join(timeout=30)

    assert resent.documents == 0
    send.assert_not_called()
    expired.refresh_from_db()
    assert expired.status == DocumentStatus.GENERATING


@pytest.mark.django_db
def test_the_api_says_when_a_request_waits_for_the_worker(api_client):
    document = a_document()
    api_client.force_authenticate(document.requested_by)

    body = api_client.get(reverse("api:marac-meeting-pack", args=[document.meeting_id])).json()

    assert body["status"] == "pending"
    assert body["waiting_for_worker"] is True and body["sent_at"] is None
    assert body["status_detail"] == (
        "Waiting for the background worker: the request is recorded and the meeting pack will "
        "be built as soon as the worker is back."
    )

    MeetingDocument.objects.filter(pk=document.pk).update(
        sent_at=timezone.now(), lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    body = api_client.get(reverse("api:marac-meeting-pack", args=[document.meeting_id])).json()
    assert body["waiting_for_worker"] is False and body["sent_at"]
    assert body["status_detail"] == "Sent to the background worker: the meeting pack is queued."


@pytest.mark.django_db
def test_the_page_says_when_a_request_waits_for_the_worker(client):
    document = a_document()
    client.force_login(document.requested_by)
    url = reverse("marac:meeting-document-status", args=[document.meeting_id, "pack"])

    page = client.get(url).text
    assert "Waiting for the background worker" in page
    assert "will be built as soon as it is back" in page

    MeetingDocument.objects.filter(pk=document.pk).update(
        sent_at=timezone.now(), lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    page = client.get(url).text
    assert "Waiting for the background worker" not in page
    assert "Sent to the background worker" in page


def test_broker_calls_are_bounded_and_the_visibility_timeout_fits_every_task(settings):
    from publicprotection.celery import app

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_connect_timeout"] <= 2 and options["socket_timeout"] <= 2
    assert options["max_retries"] == 0  # a publish that cannot connect fails at once
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 3
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours
    for task in ours:
        limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert limit <= settings.CELERY_LONGEST_TASK_SECONDS, task.name
    assert options["visibility_timeout"] > settings.CELERY_LONGEST_TASK_SECONDS
    # A lease outlives any build that may still be running.
    assert tasks.DOCUMENT_TASK_OPTIONS["time_limit"] < settings.BACKGROUND_LEASE_SECONDS


def test_beat_runs_the_sweeper_every_minute():
    from publicprotection.celery import app

    entry = app.conf.beat_schedule["marac-resend-lost-requests"]
    assert entry["task"] == "marac.tasks.resend_lost_requests"
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(60))


def test_a_worker_starting_runs_the_sweeper(settings):
    settings.DAILY_AGENDA_CHECK_ON_WORKER_START = False
    settings.BACKGROUND_RESEND_ON_WORKER_START = True
    with mock.patch.object(tasks.resend_lost_requests, "apply_async") as send:
        tasks._check_for_missing_agendas()
    send.assert_called_once()


@pytest.mark.django_db
def test_a_regeneration_whose_worker_keeps_dying_leaves_the_last_good_agenda_ready(settings):
    from marac.services.agendas import agenda_generate, agenda_request_generation

    from .helpers import awaiting_decision

    settings.BACKGROUND_MAX_TAKEOVERS = 2
    awaiting_decision()
    good = agenda_generate(team=team("LAM"), meeting_date=MONDAY)
    with mock.patch.object(tasks.generate_agenda, "apply_async"):
        agenda_request_generation(team=good.team, meeting_date=MONDAY)
    Agenda.objects.filter(pk=good.pk).update(
        status=AgendaStatus.GENERATING, takeovers=2, sent_at=timezone.now() - timedelta(hours=1),
        lease_expires_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip

    with mock.patch.object(tasks.generate_agenda, "apply_async") as send:
        resent = lost_builds_resend()

    assert (resent.agendas, resent.given_up) == (0, 1)
    send.assert_not_called()
    agenda = Agenda.objects.get(pk=good.pk)
    assert agenda.status == AgendaStatus.READY
    assert "stopped while building this 3 times" in agenda.error
    assert (agenda.file.name, agenda.checksum) == (good.file.name, good.checksum)
    assert agenda.lease_expires_at is None and agenda.can_regenerate()
