"""The audit trail partitioned by month (issue #22, docs/adr/0013-audit-partitioning.md): rows
land in their month, partitions are made ahead by the command and the beat task (as the
application's role too), the conversion keeps every row, and retention detaches whole months
into the archive schema, as the owner only, deleting nothing."""

import datetime as dt
import gzip

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from publicprotection.accounts.tests.factories import UserFactory
from publicprotection.audit.models import AccessLogEntry
from publicprotection.audit.partitions import (
    ARCHIVE_SCHEMA,
    RetentionError,
    archive_partitions,
    ensure_partitions,
    partitioned_tables,
    partitions_of,
)
from publicprotection.audit.tasks import ensure_audit_partitions

ACCESS_LOG = "audit_accesslogentry"
PARTITIONED = {
    ACCESS_LOG,
    "cases_incidentevent",
    "cases_offenceevent",
    "cases_partyevent",
    "cases_personevent",
    "riskassessment_answerevent",
    "riskassessment_riskassessmentevent",
}


def _month(offset=0):
    today = dt.datetime.now(dt.UTC).date().replace(day=1)
    index = today.year * 12 + today.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def _name(table, month):
    return f"{table}_p{month:%Y%m}"


def _partitions(table=ACCESS_LOG):
    with connection.cursor() as cursor:
        return partitions_of(cursor, table)


def _insert_access(user, when, label="old read"):
    """An access-log row written at `when` (the model's auto_now_add always says now)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accesslogentry (occurred_at, user_id, action, channel, "
            "content_type_id, object_id, object_ids, object_label, purpose, path, method, "
            "user_agent) SELECT %s, %s, 'view', 'web', id, '1', '{}', %s, '', '/', 'GET', '' "
            "FROM django_content_type LIMIT 1 RETURNING id, tableoid::regclass::text",
            [when, user.pk, label],
        )
        return cursor.fetchone()


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


def test_the_access_log_and_the_largest_history_tables_are_partitioned(db):
    with connection.cursor() as cursor:
        tables = set(partitioned_tables(cursor))
        cursor.execute(
            "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_constraint k "
            "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey) "
            "WHERE k.conrelid = 'audit_accesslogentry'::regclass AND k.contype = 'p'"
        )
        primary_key = cursor.fetchone()[0]

    assert tables == PARTITIONED
    assert primary_key == ["id", "occurred_at"]
    for table in PARTITIONED:
        names = _partitions(table)
        # this month and the months ahead, made at migrate time, and the default
        expected = [
            _name(table, _month(n)) for n in range(settings.AUDIT_PARTITION_MONTHS_AHEAD + 1)
        ]
        assert set(expected) <= set(names), table
        assert f"{table}_pdefault" in names


def test_a_read_lands_in_this_months_partition_and_keeps_a_model_primary_key(db):
    user = UserFactory()
    entries = [
        AccessLogEntry.objects.create(user=user, action="view", channel="web", content_type_id=1)
        for _ in range(3)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tableoid::regclass::text FROM audit_accesslogentry WHERE id = ANY(%s)",
            [[e.pk for e in entries]],
        )
        where = [row[0] for row in cursor.fetchall()]

    assert where == [_name(ACCESS_LOG, _month())]
    assert len({e.pk for e in entries}) == 3
    assert AccessLogEntry.objects.get(pk=entries[0].pk).user == user


def test_a_month_without_its_partition_falls_into_the_default_one_and_is_kept(db):
    """An audit write never fails for want of a partition; the month's partition then cannot
    be made over rows already in the default one (a warning), and the rows stay readable."""
    user = UserFactory()
    _, where = _insert_access(user, dt.datetime(2001, 5, 2, 12, tzinfo=dt.UTC))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pp_audit_create_partition('audit_accesslogentry'::regclass, '2001-05-01')"
        )
        created = cursor.fetchone()[0]

    assert where == f"{ACCESS_LOG}_pdefault"
    assert created is None
    assert AccessLogEntry.objects.filter(user=user, object_label="old read").count() == 1


def test_the_command_makes_the_months_ahead_once(db):
    call_command("audit_partitions", "--months-ahead", "8", verbosity=0)
    names = set(_partitions())
    again = ensure_partitions(8)

    assert {_name(ACCESS_LOG, _month(n)) for n in range(9)} <= names
    assert again == []
    with pytest.raises(CommandError, match="between 0 and 24"):
        call_command("audit_partitions", "--months-ahead", "99")


def test_the_beat_task_makes_the_months_ahead_as_the_application_role(as_app_role, settings):
    """The worker runs as the application's role, which may not CREATE in the schema: the
    owner's function makes the partitions, with the parent's grants and the append-only
    trigger, and nothing else."""
    settings.AUDIT_PARTITION_MONTHS_AHEAD = 24  # the most allowed: no other test goes so far
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]

    created = ensure_audit_partitions()

    new = _name(ACCESS_LOG, _month(24))
    assert role == settings.DATABASE_APP_ROLE
    assert new in created
    assert {_name(t, _month(24)) for t in PARTITIONED} <= set(created)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relowner::regrole::text FROM pg_class WHERE relname = %s", [new])
        owner = cursor.fetchone()[0]
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) p "
            "WHERE has_table_privilege(current_user, %s, p) ORDER BY p",
            [new],
        )
        privileges = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND tgname = 'pp_audit_append_only'",
            [new],
        )
        trigger = cursor.fetchall()
    assert owner != settings.DATABASE_APP_ROLE
    assert privileges == ["INSERT", "SELECT"]
    assert trigger == [("A",)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM pp_audit_ensure_partitions(25)",
        "SELECT pp_audit_create_partition('audit_accesslogentry'::regclass, '2031-01-01')",
        "SELECT pp_audit_protect_partition('audit_accesslogentry'::regclass, "
        "'cases_incident'::regclass)",
    ],
)
def test_the_application_role_can_do_nothing_else_with_the_partition_functions(as_app_role, sql):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert _name(ACCESS_LOG, dt.date(2031, 1, 1)) not in _partitions()


def test_retention_detaches_old_months_into_the_archive_and_deletes_nothing(db, private_storage):
    user = UserFactory()
    old = _month(-14)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pp_audit_create_partition('audit_accesslogentry'::regclass, %s)", [old]
        )
        kept_month = _month(-11)
        cursor.execute(
            "SELECT pp_audit_create_partition('audit_accesslogentry'::regclass, %s)", [kept_month]
        )
    old_id, _ = _insert_access(user, dt.datetime.combine(old, dt.time(9), dt.UTC), "archived")
    _insert_access(user, dt.datetime.combine(kept_month, dt.time(9), dt.UTC), "kept")

    archived = archive_partitions(months=12, export=True)

    ours = [a for a in archived if a.table == ACCESS_LOG]
    assert [(a.partition, a.rows) for a in ours] == [(_name(ACCESS_LOG, old), 1)]
    assert _name(ACCESS_LOG, old) not in _partitions()
    assert _name(ACCESS_LOG, kept_month) in _partitions()
    assert list(
        AccessLogEntry.objects.filter(user=user).values_list("object_label", flat=True)
    ) == ["kept"]
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT id, object_label FROM "{ARCHIVE_SCHEMA}"."{_name(ACCESS_LOG, old)}"'  # noqa: S608
        )
        assert cursor.fetchall() == [(old_id, "archived")]
        cursor.execute(
            "SELECT has_schema_privilege(%s, %s, 'USAGE')",
            [settings.DATABASE_APP_ROLE, ARCHIVE_SCHEMA],
        )
        assert cursor.fetchone()[0] is False
    with gzip.open(private_storage / ours[0].file, "rt") as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith("id,occurred_at,")
    assert len(lines) == 2 and "archived" in lines[1]


def test_retention_is_the_owners_alone(as_app_role):
    with pytest.raises(RetentionError, match="Only the owner"):
        archive_partitions(months=1)


def test_the_command_needs_a_retention_to_archive(db, settings):
    settings.AUDIT_RETENTION_MONTHS = 0
    with pytest.raises(CommandError, match="No retention"):
        call_command("audit_partitions", "--archive", verbosity=0)


def test_the_conversion_keeps_every_row_and_the_sequence(db):
    """Back to plain tables (the migrations' reverse), rows of several months written, then
    forward again: every row is in its month's partition and new ids follow on."""
    user = UserFactory()
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    executor.migrate([("audit", "0004_access_action_combine")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [ACCESS_LOG])
        plain = cursor.fetchone()[0]
    written = {
        _insert_access(user, dt.datetime(2023, month, 15, tzinfo=dt.UTC), f"m{month}")[0]: month
        for month in (1, 2, 2, 7)
    }
    before = AccessLogEntry.objects.count()

    executor = MigrationExecutor(connection)
    executor.migrate(targets)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, tableoid::regclass::text FROM audit_accesslogentry WHERE id = ANY(%s)",
            [list(written)],
        )
        where = dict(cursor.fetchall())
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [ACCESS_LOG])
        partitioned = cursor.fetchone()[0]
    after = AccessLogEntry.objects.count()
    new = AccessLogEntry.objects.create(user=user, action="view", channel="web", content_type_id=1)

    assert plain == "r"
    assert partitioned == "p"
    assert after == before
    assert where == {pk: _name(ACCESS_LOG, dt.date(2023, m, 1)) for pk, m in written.items()}
    assert new.pk > max(written)
