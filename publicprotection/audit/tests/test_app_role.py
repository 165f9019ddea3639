"""The audit trail cannot be rewritten by the application (issue #16, docs/adr/0002-audit.md).

The application's database role, created and granted by `grant_app_role` like a deployment,
tries every way around on every audit table over its own connection; the owner (the test
database's creator, which ran the migrations) finds the append-only triggers deaf to session
settings. And the application's ordinary writes still record their history and context.
"""

import json
import urllib.request
import uuid

import pghistory
import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import InternalError, connection, connections, transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from pghistory.models import Context, Event

from cases.models import Incident, IncidentEvent
from cases.tests.factories import IncidentFactory
from publicprotection.accounts.reference_data import load_reference_data
from publicprotection.accounts.tests.factories import UserFactory
from publicprotection.audit.database import APPEND_ONLY_TRIGGER
from publicprotection.audit.models import AccessLogEntry
from publicprotection.audit.services import access_log_record

EVENT_TABLES = sorted(
    model._meta.db_table
    for model in apps.get_models()
    if issubclass(model, Event) and model._meta.managed and not model._meta.proxy
)
AUDIT_TABLES = [*EVENT_TABLES, Context._meta.db_table, AccessLogEntry._meta.db_table]
# A column of each table to write to (any will do: the write must be refused).
COLUMN = {Context._meta.db_table: "metadata", AccessLogEntry._meta.db_table: "purpose"}


def _column(table):
    return COLUMN.get(table, "pgh_label")


def _app_role_dsn():
    owner = connections["default"].settings_dict
    return {
        "host": owner["HOST"] or None,
        "port": owner["PORT"] or None,
        "dbname": owner["NAME"],
        "user": settings.DATABASE_APP_ROLE,
        "password": settings.DATABASE_APP_PASSWORD or None,
    }


@pytest.fixture
def app_cursor(transactional_db):
    """A plain psycopg2 connection as the application's role, as an attacker would have it.
    What it writes is committed, so the test is transactional (flushed after)."""
    conn = psycopg2.connect(**_app_role_dsn())
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")  # a refusal, never a hang
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
        yield cursor
    conn.close()


def _refused(cursor, *statements):
    """True if the last statement fails (the earlier ones set the scene), in one transaction."""
    cursor.execute("BEGIN")
    try:
        for sql in statements:
            cursor.execute(sql)
    except psycopg2.Error:
        return True
    finally:
        cursor.execute("ROLLBACK")
    return False


def refused_as_owner(*statements):
    """True if the owner's last statement is refused by a trigger (in a savepoint)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    except InternalError:
        return True
    return False


def _ignore_all(table):
    """A pgtrigger.ignore value naming every pgtrigger trigger on the table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "AND tgname <> %s",
            [table, APPEND_ONLY_TRIGGER],
        )
        names = [row[0] for row in cursor.fetchall()]
    return "{" + ",".join([*names, *(f"{table}:{name}" for name in names)]) + "}"


def _partitions():
    """Every partition of a partitioned audit table, with its parent (partitions.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(%s) ORDER BY 1",
            [AUDIT_TABLES],
        )
        return dict(cursor.fetchall())


def test_the_application_role_cannot_change_any_audit_table(app_cursor):
    # A partition the application's own beat task makes, a year ahead, is covered too.
    app_cursor.execute("SELECT * FROM pp_audit_ensure_partitions(12)")
    created = [row[0] for row in app_cursor.fetchall()]
    partitions = _partitions()
    allowed = {}
    for table in [*AUDIT_TABLES, *partitions]:
        column = _column(table)
        update = f"UPDATE {table} SET {column} = {column}"  # noqa: S608 - names from the models
        delete = f"DELETE FROM {table}"  # noqa: S608
        ignore = f"SET LOCAL pgtrigger.ignore = '{_ignore_all(table)}'"
        attempts = {
            "update": [update],
            "delete": [delete],
            "truncate": [f"TRUNCATE {table}"],
            "disable its triggers": [f"ALTER TABLE {table} DISABLE TRIGGER ALL"],
            "drop the append-only trigger": [f"DROP TRIGGER {APPEND_ONLY_TRIGGER} ON {table}"],
            "replica mode, then delete": ["SET LOCAL session_replication_role = replica", delete],
            "pgtrigger.ignore, then update": [ignore, update],
            "pgtrigger.ignore, then delete": [ignore, delete],
            "a temporary table in its place": [f"CREATE TEMP TABLE {table} (id int)"],
        }
        if table in partitions:
            attempts["detach it"] = [f"ALTER TABLE {partitions[table]} DETACH PARTITION {table}"]
        allowed[table] = [
            name for name, statements in attempts.items() if not _refused(app_cursor, *statements)
        ]

    assert len(allowed) > 30  # every event table, the context and the access log
    assert any(name.startswith("audit_accesslogentry_p") for name in created)
    assert set(created) <= set(partitions)
    assert len(partitions) >= 7 * 5  # each partitioned table: this month, 3 ahead, the default
    assert {table: ways for table, ways in allowed.items() if ways} == {}


def test_the_application_role_cannot_rewrite_who_made_a_change(reference_data, app_cursor):
    with pghistory.context(user=1, url="/incidents/new/"):
        IncidentFactory()
    context = Context.objects.get()
    forged = json.dumps({"user": 999, "url": "/forged/"})
    incident_id = Incident.objects.get().pk

    direct = _refused(app_cursor, f"UPDATE pghistory_context SET metadata = '{forged}'")  # noqa: S608
    # The way pghistory's own upsert allowed: name the old context, attach new metadata.
    app_cursor.execute(
        "SELECT set_config('pghistory.context_id', %s, false), "
        "set_config('pghistory.context_metadata', %s, false)",
        [str(context.pk), forged],
    )
    app_cursor.execute(
        "UPDATE cases_incident SET cad_reference = 'CAD-F' WHERE id = %s", [incident_id]
    )
    app_cursor.execute("SELECT pgh_context_id FROM cases_incidentevent WHERE pgh_label = 'update'")
    forged_event_context = app_cursor.fetchone()[0]

    assert direct
    assert forged_event_context is not None
    context.refresh_from_db()
    assert context.metadata == {"user": 1, "url": "/incidents/new/"}
    assert forged_event_context != context.pk


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_no_session_setting_switches_the_append_only_trigger_off(db, table):
    """Not even for the owner: pgtrigger.ignore and replica mode leave it on."""
    column = _column(table)
    ignore_all = _ignore_all(table)

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]

    assert refused_as_owner(f"SET LOCAL pgtrigger.ignore = '{ignore_all}'", f"DELETE FROM {table}")  # noqa: S608
    assert refused_as_owner(
        f"SET LOCAL pgtrigger.ignore = '{ignore_all}'",
        f"UPDATE {table} SET {column} = {column}",  # noqa: S608
    )
    if superuser:
        replica = "SET LOCAL session_replication_role = replica"
        assert refused_as_owner(replica, f"DELETE FROM {table}")  # noqa: S608


def test_no_session_setting_switches_the_append_only_trigger_off_on_partitions(db):
    """Every partition, a new one too: statement triggers are not cloned to partitions, so
    each partition carries its own (a DELETE naming the partition skips the parent's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pp_audit_ensure_partitions(14)")
    refused = {}
    for partition in _partitions():
        column = "purpose" if partition.startswith("audit_accesslogentry") else "pgh_label"
        ignore = f"SET LOCAL pgtrigger.ignore = '{_ignore_all(partition)}'"
        refused[partition] = [
            refused_as_owner(ignore, f"DELETE FROM {partition}"),  # noqa: S608
            refused_as_owner(ignore, f"UPDATE {partition} SET {column} = {column}"),  # noqa: S608
            refused_as_owner(
                "SET LOCAL session_replication_role = replica",
                f"DELETE FROM {partition}",  # noqa: S608
            ),
        ]

    assert "audit_accesslogentry_pdefault" in refused
    assert {name: ways for name, ways in refused.items() if not all(ways)} == {}


def test_tables_the_owner_creates_later_are_insert_only_for_the_application(db):
    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_audit_event (pgh_id bigserial PRIMARY KEY)")
        cursor.execute(
            "SELECT privilege, has_table_privilege(%s, 'later_audit_event', privilege) "
            "FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) privilege",
            [role],
        )
        privileges = dict(cursor.fetchall())

    assert privileges == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": False,
        "DELETE": False,
        "TRUNCATE": False,
    }


def test_migrate_protects_and_grants_the_tables_it_adds(db):
    """What post_migrate does after a migration adds an event table and a domain table."""
    from django.db.models.signals import post_migrate

    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE later_thingevent (pgh_id bigserial PRIMARY KEY, pgh_label text)"
        )
        cursor.execute("CREATE TABLE later_thing (id bigserial PRIMARY KEY)")

    post_migrate.send(
        sender=apps.get_app_config("audit"),
        app_config=apps.get_app_config("audit"),
        verbosity=0,
        interactive=False,
        using="default",
        apps=apps,
        plan=[],
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, array_agg(p ORDER BY p) FILTER (WHERE has_table_privilege(%s, t, p)) "
            "FROM unnest(ARRAY['later_thingevent', 'later_thing']) t, "
            "unnest(ARRAY['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE']) p GROUP BY t",
            [role],
        )
        privileges = dict(cursor.fetchall())
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'later_thingevent'::regclass "
            "AND tgname = %s",
            [APPEND_ONLY_TRIGGER],
        )
        trigger = cursor.fetchall()

    assert privileges == {
        "later_thingevent": ["INSERT", "SELECT"],
        "later_thing": ["DELETE", "INSERT", "SELECT", "UPDATE"],
    }
    assert trigger == [("A",)]  # ENABLE ALWAYS
    assert refused_as_owner("UPDATE later_thingevent SET pgh_label = 'x'")


@pytest.mark.parametrize("args", [[], ["--create"]])
def test_the_owner_is_never_made_the_application_role(db, args):
    """Granting the owner the application's privileges would revoke its own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]

    with (
        override_settings(DATABASE_APP_ROLE=owner),
        pytest.raises(CommandError, match="must not be the owner"),
    ):
        call_command("grant_app_role", *args, verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege('cases_incident', 'UPDATE')")
        assert cursor.fetchone()[0]


def test_test_runs_side_by_side_set_the_role_password_at_once(transactional_db):
    """Each pytest-xdist worker runs `grant_app_role --create` on its own database in the same
    cluster; with a password, each alters the one role. PostgreSQL refuses the second of two
    concurrent updates of a role ("tuple concurrently updated"): the command tries again."""
    from concurrent.futures import ThreadPoolExecutor

    from publicprotection.audit.database import create_app_role

    role = f"pp_race_{uuid.uuid4().hex[:12]}"

    def set_password_repeatedly(_):
        try:  # each thread has its own connection (Django's are per thread)
            for _ in range(15):
                create_app_role(role, "a-password")
        finally:
            connections["default"].close()

    try:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(set_password_repeatedly, range(3)))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {role}")


@pytest.fixture
def reference_data(transactional_db):
    load_reference_data()  # transactional tests flush it away


def test_the_application_role_records_history_and_context(reference_data, as_app_role, rf):
    """A normal write as the application's role: its events and context are recorded, the
    access log takes a read, and someone signing in mid-request does not stop it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
    officer = UserFactory()

    with pghistory.context(user=None, url="/sign-in/"):
        incident = IncidentFactory(actor=officer, cad_reference="CAD-1")
        pghistory.context(user=officer.pk)  # the request's user changes (signs in)
        Incident.objects.filter(pk=incident.pk).update(cad_reference="CAD-2")
    request = rf.get("/incidents/")
    request.user = officer
    entry = access_log_record(request=request, obj=incident)

    events = {e.pgh_label: e for e in IncidentEvent.objects.filter(pgh_obj_id=incident.pk)}
    assert events["insert"].cad_reference == "CAD-1"
    assert events["insert"].pgh_context.metadata == {"user": None, "url": "/sign-in/"}
    assert events["update"].cad_reference == "CAD-2"
    assert events["update"].pgh_context.metadata == {"user": officer.pk, "url": "/sign-in/"}
    assert AccessLogEntry.objects.filter(pk=entry.pk, user=officer).exists()


def _update_ignoring_the_history_triggers(incident, cad_reference):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL pgtrigger.ignore = '{_ignore_all(Incident._meta.db_table)}'")
        cursor.execute(
            "UPDATE cases_incident SET cad_reference = %s WHERE id = %s",
            [cad_reference, incident.pk],
        )


def test_the_owner_may_skip_the_history_triggers(db):
    """For data loads and migrations; and it shows the switch below is the right one."""
    incident = IncidentFactory(cad_reference="CAD-1")

    _update_ignoring_the_history_triggers(incident, "CAD-2")

    recorded = IncidentEvent.objects.filter(pgh_obj_id=incident.pk)
    assert list(recorded.values_list("cad_reference", flat=True)) == ["CAD-1"]


def test_the_application_role_cannot_skip_the_history_triggers(reference_data, as_app_role):
    incident = IncidentFactory(cad_reference="CAD-1")

    _update_ignoring_the_history_triggers(incident, "CAD-2")

    recorded = IncidentEvent.objects.filter(pgh_obj_id=incident.pk).order_by("pgh_id")
    assert list(recorded.values_list("cad_reference", flat=True)) == ["CAD-1", "CAD-2"]


def test_context_ids_the_request_never_made_are_not_attached(app_cursor):
    """Someone writing first under the id a changed context would take gets no say in it."""
    context_id = uuid.uuid4()
    app_cursor.execute(
        "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
        "VALUES (%s, '{\"user\": 1}', now(), now())",
        [str(context_id)],
    )
    app_cursor.execute("SELECT md5(%s || %s::jsonb::text)::uuid", [str(context_id), '{"user": 2}'])
    derived = app_cursor.fetchone()[0]
    app_cursor.execute(
        "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
        "VALUES (%s, '{\"user\": 666}', now(), now())",
        [derived],
    )
    app_cursor.execute(
        "SELECT set_config('pghistory.context_id', %s, false), "
        "set_config('pghistory.context_metadata', '{\"user\": 2}', false)",
        [str(context_id)],
    )
    app_cursor.execute("SELECT _pgh_attach_context()")
    attached = app_cursor.fetchone()[0]
    app_cursor.execute("SELECT id, metadata FROM pghistory_context")
    recorded = dict(app_cursor.fetchall())

    assert isinstance(attached, uuid.UUID)
    assert attached not in (context_id, derived)
    assert recorded == {context_id: {"user": 1}, derived: {"user": 666}, attached: {"user": 2}}


def _database_role(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return HttpResponse(cursor.fetchone()[0], content_type="text/plain")


urlpatterns = [path("database-role/", _database_role)]


@override_settings(ROOT_URLCONF=__name__)
def test_the_live_server_answers_as_the_application_role(live_server, transactional_db):
    """Browser tests drive the application as it is deployed: as its own role."""
    with urllib.request.urlopen(f"{live_server.url}/database-role/") as response:  # noqa: S310
        role = response.read().decode()

    assert role == settings.DATABASE_APP_ROLE
