"""A read replica that cannot be reached (issue #22, publicprotection/replica.py): the heavy
read-only pages are read from the primary instead of failing, and each process leaves the
replica alone for a while before trying it again. A failure of the primary itself is not
hidden: it is still the 503 page."""

import socket

import pytest
from django.db import OperationalError, connections
from django.urls import reverse

from publicprotection import replica as replica_module
from publicprotection.accounts.models import Role, Team, User
from publicprotection.accounts.reference_data import load_reference_data
from publicprotection.replica import REPLICA, replica_usable

# Transactional: inside a test's transaction every read stays on the primary (a read in a
# transaction must see its writes), so the replica would never be asked.
pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once it is closed


@pytest.fixture
def replica_at(settings, monkeypatch):
    """Route the replica alias to a given port of this machine (the test database's name)."""
    settings.DATABASE_REPLICA_ENABLED = True
    settings.REPLICA_RETRY_SECONDS = 30
    monkeypatch.setattr(replica_module, "_replica_down_until", 0.0)
    primary = connections["default"]
    made = []

    def route(port):
        wrapper = primary.__class__(
            {**primary.settings_dict, "PORT": port, "OPTIONS": {"connect_timeout": 2}}, REPLICA
        )
        connections[REPLICA] = wrapper
        made.append(wrapper)
        return wrapper

    yield route
    for wrapper in made:
        wrapper.close()
    if hasattr(connections._connections, REPLICA):
        delattr(connections._connections, REPLICA)


@pytest.fixture
def analyst_client(client):
    load_reference_data()  # transactional tests start from an empty database
    analyst = User.objects.create(
        username="replica.down.analyst", role=Role.ANALYST, team=Team.objects.get(code="CEN")
    )
    client.force_login(analyst)
    return client


def _count_connection_attempts(wrapper, monkeypatch) -> list:
    attempts = []
    connect = wrapper.get_new_connection

    def counted(params):
        attempts.append(params.get("port"))
        return connect(params)

    monkeypatch.setattr(wrapper, "get_new_connection", counted)
    return attempts


def test_the_trends_are_read_from_the_primary_when_the_replica_cannot_be_reached(
    replica_at, analyst_client, monkeypatch
):
    attempts = _count_connection_attempts(replica_at(_closed_port()), monkeypatch)

    first = analyst_client.get(reverse("reports:dashboard"))
    export = analyst_client.get(reverse("reports:dashboard-csv"), {"table": "incidents_monthly"})

    assert first.status_code == 200
    assert "Trends" in first.text
    assert export.status_code == 200
    assert not replica_usable()
    # The failed view's connection only: then the process leaves the replica alone.
    assert len(attempts) == 1


def test_the_replica_is_tried_again_after_the_retry_period(
    replica_at, analyst_client, monkeypatch, settings
):
    attempts = _count_connection_attempts(replica_at(_closed_port()), monkeypatch)
    assert analyst_client.get(reverse("reports:dashboard")).status_code == 200
    tried = len(attempts)

    analyst_client.get(reverse("reports:dashboard"))
    assert len(attempts) == tried  # within the period: not tried

    monkeypatch.setattr(replica_module, "_replica_down_until", 0.0)  # the period has passed
    assert analyst_client.get(reverse("reports:dashboard")).status_code == 200
    assert len(attempts) > tried


def test_a_reachable_replica_is_used_and_the_primarys_own_failure_is_not_hidden(
    replica_at, analyst_client, monkeypatch, settings
):
    # The replica alias on the test database's own server: reachable.
    primary_port = connections["default"].settings_dict["PORT"] or 5432
    attempts = _count_connection_attempts(replica_at(primary_port), monkeypatch)
    assert analyst_client.get(reverse("reports:dashboard")).status_code == 200
    assert attempts and replica_usable()

    def broken(*args, **kwargs):
        raise OperationalError("the primary went away")

    monkeypatch.setattr("reports.views.dashboard.build_dashboard", broken)
    analyst_client.raise_request_exception = False  # the page a user would see
    response = analyst_client.get(reverse("reports:dashboard"))

    assert response.status_code == 503
    assert replica_usable()  # the replica was fine: nothing to leave alone


class _ConflictingCursor:
    """A replica cursor whose statements are cancelled as a hot standby cancels them when
    replay needs the rows they read ("conflict with recovery", SQLSTATE 40001)."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql, *args, **kwargs):
        import psycopg2.errors

        if "reports_" in sql:  # the page's own reads (the trends' tables)
            raise psycopg2.errors.SerializationFailure(
                "canceling statement due to conflict with recovery"
            )
        return self._cursor.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __iter__(self):
        return iter(self._cursor)


def test_a_reachable_replicas_own_failure_is_read_from_the_primary_not_a_503(
    replica_at, analyst_client, monkeypatch
):
    # The replica is up (a new connection to it succeeds) but cancels the page's query, as a
    # standby does on a conflict with recovery: the error is the replica's, not the primary's.
    primary_port = connections["default"].settings_dict["PORT"] or 5432
    wrapper = replica_at(primary_port)
    create_cursor = wrapper.create_cursor
    monkeypatch.setattr(
        wrapper, "create_cursor", lambda name=None: _ConflictingCursor(create_cursor(name))
    )
    analyst_client.raise_request_exception = False  # the page a user would see

    response = analyst_client.get(reverse("reports:dashboard"))

    assert response.status_code == 200  # was 503: the primary could have answered
