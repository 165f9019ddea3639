"""The application behind PgBouncer in transaction pooling mode (issue #22, docs/deployment.md).

A real PgBouncer (Debian's, installed by `scripts/system-packages.sh --pgbouncer`) in front of
the test database, with ONE server connection per database and user, so every client shares
it: an officer records an incident and reads it through pages (sessions, the access log, the
change history with who made it), and the history's context (pghistory's, set per
transaction) never reaches another client's writes on the same server connection.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pghistory
import psycopg2
import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse

from cases.models import Incident, IncidentEvent
from cases.tests.factories import IncidentFactory, incident_details_form
from publicprotection.accounts.models import Role
from publicprotection.accounts.reference_data import load_reference_data
from publicprotection.accounts.tests.factories import UserFactory, team
from publicprotection.audit.models import AccessLogEntry


def _pgbouncer_binary():
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None
    )


pytestmark = pytest.mark.skipif(
    _pgbouncer_binary() is None,
    reason="PgBouncer is not installed (scripts/system-packages.sh --pgbouncer installs it)",
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer(transactional_db):
    """PgBouncer on a free port, transaction pooling, one server connection per pool."""
    owner = connections["default"].settings_dict
    port = _free_port()
    directory = Path(tempfile.mkdtemp(prefix="pp-pgbouncer-"))
    directory.chmod(0o777)  # PgBouncer drops root for the postgres (or nobody) user
    users = [owner["USER"], settings.DATABASE_APP_ROLE]
    (directory / "users.txt").write_text("".join(f'"{u}" ""\n' for u in users))
    (directory / "pgbouncer.ini").write_text(
        f"""
[databases]
{owner["NAME"]} = host={owner["HOST"] or "127.0.0.1"} port={owner["PORT"] or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 20
ignore_startup_parameters = extra_float_digits
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""
    )
    command = [_pgbouncer_binary(), str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
            command += ["-u", "postgres"]
        except KeyError:
            command += ["-u", "nobody"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                psycopg2.connect(
                    host="127.0.0.1", port=port, dbname=owner["NAME"], user=owner["USER"]
                ).close()
                break
            except psycopg2.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (directory / "pgbouncer.log").read_text()
                        if (directory / "pgbouncer.log").exists()
                        else ""
                    )
                    pytest.fail(f"PgBouncer did not start: {process.stdout.read()!r} {log}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def through_pgbouncer(port):
    """This thread's ORM talks to PgBouncer as the application's role, as deployed with
    DATABASE_PGBOUNCER=true."""
    owner = connections["default"]
    bounced = owner.__class__(
        {
            **owner.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": port,
            "USER": settings.DATABASE_APP_ROLE,
            "PASSWORD": settings.DATABASE_APP_PASSWORD,
            "DISABLE_SERVER_SIDE_CURSORS": True,
        },
        "default",
    )
    connections["default"] = bounced
    try:
        yield bounced
    finally:
        bounced.close()
        connections["default"] = owner


def _server_pid(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_user")
        return cursor.fetchone()


def test_an_officer_records_and_reads_an_incident_through_pgbouncer(pgbouncer, client):
    load_reference_data()  # transactional tests flush it
    officer = UserFactory(username="lam.bounce.officer", role=Role.OFFICER, team=team("LAM"))

    with through_pgbouncer(pgbouncer) as connection:
        pid, role = _server_pid(connection)
        client.force_login(officer)
        created = client.post(
            reverse("cases:incident-create"), incident_details_form(cad_reference="CAD 4321")
        )
        incident = Incident.objects.get(cad_reference="CAD 4321")
        detail = client.get(reverse("cases:incident-detail", args=[incident.reference]))
        listing = client.get(reverse("cases:incident-list"))
        # The history and the access log, read back through PgBouncer.
        event = IncidentEvent.objects.select_related("pgh_context").get(
            pgh_obj_id=incident.pk, pgh_label="insert"
        )
        reads = AccessLogEntry.objects.filter(user=officer).count()
        ids = list(Incident.objects.order_by("pk").values_list("pk", flat=True).iterator(2))

    assert role == settings.DATABASE_APP_ROLE
    assert pid  # a server connection, shared (pool of one)
    assert created.status_code == 302
    assert detail.status_code == 200
    assert listing.status_code == 200
    assert "CAD 4321" in detail.content.decode()
    assert event.pgh_context.metadata["user"] == officer.pk
    assert reads >= 2
    assert ids == [incident.pk]


def test_the_history_context_stays_in_its_own_transaction(pgbouncer):
    """Two clients on one server connection: the first writes with a context (who and where),
    the second without; the second's change is not attributed to the first's user."""
    load_reference_data()
    officer = UserFactory()
    incident = IncidentFactory(actor=officer, cad_reference="CAD-1")

    with through_pgbouncer(pgbouncer) as first:
        first_pid, _ = _server_pid(first)
        with pghistory.context(user=officer.pk, url="/incidents/edit/"):
            Incident.objects.filter(pk=incident.pk).update(cad_reference="CAD-2")
    with through_pgbouncer(pgbouncer) as second:
        second_pid, _ = _server_pid(second)
        Incident.objects.filter(pk=incident.pk).update(cad_reference="CAD-3")

    events = {
        e.cad_reference: e
        for e in IncidentEvent.objects.filter(pgh_obj_id=incident.pk, pgh_label="update")
    }
    assert first_pid == second_pid  # the same server connection
    assert events["CAD-2"].pgh_context.metadata == {"user": officer.pk, "url": "/incidents/edit/"}
    assert events["CAD-3"].pgh_context is None
