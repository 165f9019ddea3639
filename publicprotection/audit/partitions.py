"""The audit trail by month: PostgreSQL declarative partitioning (docs/adr/0013-audit-partitioning.md).

The access log and the largest change-history tables are partitioned by RANGE on the time
they were written (`occurred_at`, `pgh_created_at`), one partition a month (UTC months), named
`<table>_pYYYYMM`, plus a DEFAULT partition (`<table>_pdefault`) so that an audit write never
fails for want of a partition: the partitions ahead are created at migrate time, by
`manage.py audit_partitions` and by a daily Celery beat task, and the default one stays empty.

- Primary keys: PostgreSQL requires a partitioned table's unique constraints to include the
  partition key, so the database's primary key is (id, occurred_at) (or (pgh_id,
  pgh_created_at)). Django's state keeps `id` as the model's primary key: ids come from one
  sequence and are never reused, and nothing refers to these rows by foreign key.
- Append-only on every partition: the parent's row triggers are cloned to each partition by
  PostgreSQL; the statement-level trigger refusing UPDATE and DELETE is not (statement
  triggers fire only for the table a statement names), so `pp_audit_create_partition()` adds
  it to each partition it creates and `protect_audit_trail()` to any that lacks it. Each new
  partition gets the parent's grants (the application's role: SELECT and INSERT).
- The application's role may call `pp_audit_ensure_partitions(months)` (SECURITY DEFINER, owned
  by the owner): it can only create empty future partitions of partitioned audit tables, so
  the beat task works under the application's role, which has no CREATE on the schema.
- Retention (settings.AUDIT_RETENTION_MONTHS) is the owner's alone: `archive_partitions()`
  detaches whole months older than the retention, moves them to the `audit_archive` schema
  (no privileges there for the application) and, if asked, copies each to a file in private
  storage. Rows are never deleted one by one.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass

from django.db import connections, transaction

SCHEMA = "public"
ARCHIVE_SCHEMA = "audit_archive"
APPEND_ONLY_TRIGGER = "pp_audit_append_only"
MAX_MONTHS_AHEAD = 24  # what the application's role may ask for at most
_PARTITION_NAME = re.compile(r"^(?P<parent>.+)_p(?P<year>\d{4})(?P<month>\d{2})$")

REFUSE_CHANGE_FUNCTION = """
CREATE OR REPLACE FUNCTION "public".pp_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % is not allowed',
        TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""

# One partition of one month (UTC), with the parent's grants and the append-only statement
# trigger. Skipped (NULL) when it exists. A default partition already holding rows of that
# month makes PostgreSQL refuse the new partition: a warning, and the rows stay where they are.
CREATE_PARTITION_FUNCTION = """
CREATE OR REPLACE FUNCTION "public".pp_audit_create_partition(parent regclass, month date)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
    _parent text;
    _name text;
    _start timestamptz;
BEGIN
    SELECT c.relname INTO _parent FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = parent AND c.relkind = 'p' AND n.nspname = 'public';
    IF _parent IS NULL THEN
        RAISE EXCEPTION '% is not a partitioned table in public', parent;
    END IF;
    _start := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
    _name := _parent || '_p' || to_char(_start AT TIME ZONE 'UTC', 'YYYYMM');
    IF to_regclass(format('public.%I', _name)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    BEGIN
        EXECUTE format(
            'CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
            _name, _parent, _start, _start + interval '1 month');
    EXCEPTION WHEN check_violation THEN
        RAISE WARNING 'audit partition % not created: its default partition holds rows of '
            'that month (%)', _name, SQLERRM;
        RETURN NULL;
    END;
    PERFORM "public".pp_audit_protect_partition(format('public.%I', _name)::regclass, parent);
    RETURN _name;
END;
$$
"""

# The append-only statement trigger and the parent's grants, on a partition.
PROTECT_PARTITION_FUNCTION = """
CREATE OR REPLACE FUNCTION "public".pp_audit_protect_partition(partition regclass, parent regclass)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    _grant record;
BEGIN
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER pp_audit_append_only BEFORE UPDATE OR DELETE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION "public".pp_audit_refuse_change()', partition);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER pp_audit_append_only', partition);
    FOR _grant IN
        SELECT a.grantee, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = parent AND a.grantee <> c.relowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT %s ON %s TO %s', _grant.privilege_type, partition,
            _grant.grantee::regrole);
    END LOOP;
END;
$$
"""

# For every partitioned audit table (a partitioned table in public carrying the append-only
# trigger): this month's partition and the next `months` ones. The application's role may call
# it (granted by grant_app_role); it creates nothing but empty partitions of those tables.
ENSURE_PARTITIONS_FUNCTION = """
CREATE OR REPLACE FUNCTION "public".pp_audit_ensure_partitions(months integer)
RETURNS SETOF text LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    _parent regclass;
    _month integer;
    _created text;
BEGIN
    IF months IS NULL OR months < 0 OR months > :max_months THEN
        RAISE EXCEPTION 'months ahead must be between 0 and :max_months';
    END IF;
    FOR _parent IN
        SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'p' AND EXISTS (
            SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'pp_audit_append_only')
        ORDER BY c.relname
    LOOP
        FOR _month IN 0..months LOOP
            _created := "public".pp_audit_create_partition(
                _parent, (date_trunc('month', now() AT TIME ZONE 'UTC') +
                          make_interval(months => _month))::date);
            IF _created IS NOT NULL THEN
                RETURN NEXT _created;
            END IF;
        END LOOP;
    END LOOP;
END;
$$
""".replace(":max_months", str(MAX_MONTHS_AHEAD))

FUNCTIONS = [
    REFUSE_CHANGE_FUNCTION,
    PROTECT_PARTITION_FUNCTION,
    CREATE_PARTITION_FUNCTION,
    ENSURE_PARTITIONS_FUNCTION,
]


def install_functions(cursor) -> None:
    for sql in FUNCTIONS:
        cursor.execute(sql)
    # SECURITY DEFINER functions are callable by PUBLIC by default: only the owner and the
    # roles grant_app_role names may call them.
    for signature in (
        "pp_audit_create_partition(regclass, date)",
        "pp_audit_protect_partition(regclass, regclass)",
        "pp_audit_ensure_partitions(integer)",
    ):
        cursor.execute(f'REVOKE ALL ON FUNCTION "public".{signature} FROM PUBLIC')


def months_ahead_setting() -> int:
    from django.conf import settings

    return settings.AUDIT_PARTITION_MONTHS_AHEAD


def ensure_partitions(months: int | None = None, using: str = "default") -> list[str]:
    """This month's partition and the next `months` of every partitioned audit table; returns
    the names of those created. Callable as the owner or as the application's role."""
    months = months_ahead_setting() if months is None else months
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute('SELECT * FROM "public".pp_audit_ensure_partitions(%s)', [months])
        return [row[0] for row in cursor.fetchall()]


def partitioned_tables(cursor) -> list[str]:
    """The partitioned audit tables (those the ensure function looks after)."""
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind = 'p' AND EXISTS (
            SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s)
        ORDER BY c.relname
        """,
        [SCHEMA, APPEND_ONLY_TRIGGER],
    )
    return [row[0] for row in cursor.fetchall()]


def partitions_of(cursor, table: str) -> list[str]:
    cursor.execute(
        """
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = %s::regclass ORDER BY c.relname
        """,
        [f"{SCHEMA}.{table}"],
    )
    return [row[0] for row in cursor.fetchall()]


def _month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def _add_months(value: dt.date, months: int) -> dt.date:
    index = value.year * 12 + value.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class _TableShape:
    pk: str
    indexes: list[str]
    constraints: list[tuple[str, str]]
    triggers: list[tuple[str, str, str]]
    grants: list[tuple[str, str]]
    next_id: int


def _shape(cursor, table: str) -> _TableShape:
    qualified = f"{SCHEMA}.{table}"
    cursor.execute(
        """
        SELECT a.attname FROM pg_constraint k
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.conrelid = %s::regclass AND k.contype = 'p'
        """,
        [qualified],
    )
    pk = cursor.fetchone()[0]
    cursor.execute("SELECT conname FROM pg_constraint WHERE confrelid = %s::regclass", [qualified])
    if cursor.fetchall():
        raise RuntimeError(f"{table} is referred to by a foreign key: it cannot be rebuilt")
    cursor.execute(
        """
        SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS (
            SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY i.indexrelid
        """,
        [qualified],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """
        SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'x') ORDER BY conname
        """,
        [qualified],
    )
    constraints = []
    for name, kind, definition in cursor.fetchall():
        if kind != "f":
            raise RuntimeError(f"{table} has a unique or exclusion constraint {name}")
        constraints.append((name, definition))
    cursor.execute(
        """
        SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger
        WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY tgname
        """,
        [qualified],
    )
    triggers = cursor.fetchall()
    cursor.execute(
        """
        SELECT a.grantee::regrole::text, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = %s::regclass AND a.grantee <> c.relowner AND a.grantee <> 0
        """,
        [qualified],
    )
    grants = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [qualified, pk])
    sequence = cursor.fetchone()[0]
    next_id = 1
    if sequence:
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - catalog name
        last, called = cursor.fetchone()
        next_id = last + 1 if called else last
    cursor.execute(f'SELECT coalesce(max("{pk}"), 0) + 1 FROM {qualified}')  # noqa: S608
    next_id = max(next_id, cursor.fetchone()[0])
    return _TableShape(pk, indexes, constraints, triggers, grants, next_id)


def _rebuild(cursor, table: str, column: str, *, partitioned: bool, today: dt.date) -> None:
    """Rebuild `table` as a table partitioned by month on `column` (or back to a plain one),
    its rows, indexes, foreign keys, triggers, grants and id sequence preserved."""
    qualified = f'"{SCHEMA}"."{table}"'
    old = f"{table}__old"
    cursor.execute(f"LOCK TABLE {qualified} IN ACCESS EXCLUSIVE MODE")
    # Rows written earlier in this transaction have their deferred foreign-key checks pending,
    # and a table with pending trigger events cannot be dropped: check them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's are all INITIALLY DEFERRED
    shape = _shape(cursor, table)
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        [f"{SCHEMA}.{table}"],
    )
    pkey = cursor.fetchone()[0]
    cursor.execute(f'ALTER TABLE {qualified} RENAME CONSTRAINT "{pkey}" TO "{old}_pkey"')
    cursor.execute(f'ALTER TABLE {qualified} RENAME TO "{old}"')
    partition_by = f' PARTITION BY RANGE ("{column}")' if partitioned else ""
    cursor.execute(
        f'CREATE TABLE {qualified} (LIKE "{SCHEMA}"."{old}" INCLUDING DEFAULTS '
        f"INCLUDING CONSTRAINTS INCLUDING STORAGE){partition_by}"
    )
    cursor.execute(f'ALTER TABLE {qualified} ALTER COLUMN "{shape.pk}" DROP DEFAULT')
    if partitioned:
        install_functions(cursor)
        cursor.execute(f'SELECT min("{column}") FROM "{SCHEMA}"."{old}"')  # noqa: S608
        earliest = cursor.fetchone()[0]
        first = _month_start(min(earliest.date(), today) if earliest else today)
        last = _add_months(_month_start(today), months_ahead_setting())
        month = first
        while month <= last:
            cursor.execute(
                'SELECT "public".pp_audit_create_partition(%s::regclass, %s)',
                [f"{SCHEMA}.{table}", month],
            )
            month = _add_months(month, 1)
        cursor.execute(
            f'CREATE TABLE "{SCHEMA}"."{table}_pdefault" PARTITION OF {qualified} DEFAULT'
        )
    cursor.execute(f'INSERT INTO {qualified} SELECT * FROM "{SCHEMA}"."{old}"')  # noqa: S608
    cursor.execute(f'DROP TABLE "{SCHEMA}"."{old}"')
    key = f'"{shape.pk}", "{column}"' if partitioned else f'"{shape.pk}"'
    cursor.execute(f'ALTER TABLE {qualified} ADD CONSTRAINT "{table}_pkey" PRIMARY KEY ({key})')
    if partitioned:
        # Identity columns need PostgreSQL 17 on partitioned tables: a sequence it owns.
        sequence = f'"{SCHEMA}"."{table}_{shape.pk}_seq"'
        cursor.execute(
            f"CREATE SEQUENCE {sequence} START WITH {int(shape.next_id)} "
            f'OWNED BY {qualified}."{shape.pk}"'
        )
        cursor.execute(
            f'ALTER TABLE {qualified} ALTER COLUMN "{shape.pk}" '
            f"SET DEFAULT nextval('{SCHEMA}.{table}_{shape.pk}_seq'::regclass)"
        )
    else:
        cursor.execute(
            f'ALTER TABLE {qualified} ALTER COLUMN "{shape.pk}" ADD GENERATED BY DEFAULT AS '
            f"IDENTITY (START WITH {int(shape.next_id)})"
        )
    for definition in shape.indexes:
        cursor.execute(definition)
    for name, definition in shape.constraints:
        cursor.execute(f'ALTER TABLE {qualified} ADD CONSTRAINT "{name}" {definition}')
    for name, definition, enabled in shape.triggers:
        cursor.execute(definition)
        if enabled == "A":
            cursor.execute(f'ALTER TABLE {qualified} ENABLE ALWAYS TRIGGER "{name}"')
        elif enabled == "D":
            cursor.execute(f'ALTER TABLE {qualified} DISABLE TRIGGER "{name}"')
    for grantee, privilege in shape.grants:
        cursor.execute(f"GRANT {privilege} ON {qualified} TO {grantee}")
    if partitioned:
        for partition in partitions_of(cursor, table):
            cursor.execute(
                'SELECT "public".pp_audit_protect_partition(%s::regclass, %s::regclass)',
                [f"{SCHEMA}.{partition}", f"{SCHEMA}.{table}"],
            )
    cursor.execute(f"ANALYZE {qualified}")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def partition_by_month(table: str, column: str):
    """A RunPython pair for a migration: partition `table` by month on `column`, and back."""

    def forward(apps, schema_editor):
        _rebuild(schema_editor.connection.cursor(), table, column, partitioned=True, today=_today())

    def backward(apps, schema_editor):
        _rebuild(
            schema_editor.connection.cursor(), table, column, partitioned=False, today=_today()
        )

    return forward, backward


# --- Retention: the owner's alone -----------------------------------------------------------


class RetentionError(Exception):
    pass


@dataclass
class Archived:
    table: str
    partition: str
    rows: int
    file: str | None


def partitions_older_than(cursor, table: str, cutoff: dt.date) -> list[str]:
    """The monthly partitions of `table` holding only rows from before `cutoff` (a month start)."""
    old = []
    for name in partitions_of(cursor, table):
        match = _PARTITION_NAME.match(name)
        if not match or match["parent"] != table:
            continue
        month = dt.date(int(match["year"]), int(match["month"]), 1)
        if _add_months(month, 1) <= cutoff:
            old.append(name)
    return old


def retention_cutoff(months: int, today: dt.date | None = None) -> dt.date:
    """The first month kept: this month and the `months` before it are kept."""
    return _add_months(_month_start(today or _today()), -months)


def archive_partitions(
    *, months: int, export: bool = False, using: str = "default", today: dt.date | None = None
) -> list[Archived]:
    """Detach every monthly partition older than `months` months, move it to the archive
    schema (where the application's role has no privileges) and, with `export`, copy its rows
    to a gzipped CSV file in private storage. As the owner only: never deletes a row."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if months < 1:
        raise RetentionError("The retention must be at least one month.")
    cutoff = retention_cutoff(months, today)
    connection = connections[using]
    archived = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c "
            "WHERE c.oid = 'public.pghistory_context'::regclass"
        )
        if not cursor.fetchone()[0]:
            raise RetentionError("Only the owner of the audit tables may archive them.")
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{ARCHIVE_SCHEMA}"')
        cursor.execute(f'REVOKE ALL ON SCHEMA "{ARCHIVE_SCHEMA}" FROM PUBLIC')
        for table in partitioned_tables(cursor):
            for partition in partitions_older_than(cursor, table, cutoff):
                with transaction.atomic(using=using):
                    cursor.execute(
                        f'ALTER TABLE "{SCHEMA}"."{table}" DETACH PARTITION '
                        f'"{SCHEMA}"."{partition}"'
                    )
                    cursor.execute(
                        f'ALTER TABLE "{SCHEMA}"."{partition}" SET SCHEMA "{ARCHIVE_SCHEMA}"'
                    )
                    cursor.execute(f'SELECT count(*) FROM "{ARCHIVE_SCHEMA}"."{partition}"')  # noqa: S608
                    rows = cursor.fetchone()[0]
                    name = None
                    if export:
                        buffer = io.BytesIO()
                        with gzip.GzipFile(fileobj=buffer, mode="wb") as compressed:
                            cursor.copy_expert(
                                f'COPY "{ARCHIVE_SCHEMA}"."{partition}" TO STDOUT '
                                "WITH (FORMAT csv, HEADER)",
                                compressed,
                            )
                        name = default_storage.save(
                            f"audit-archive/{partition}.csv.gz", ContentFile(buffer.getvalue())
                        )
                archived.append(Archived(table, partition, rows, name))
    return archived
