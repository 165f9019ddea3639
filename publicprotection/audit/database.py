"""The audit trail cannot be rewritten by the application: the database's side of it.

Two roles (docs/adr/0002-audit.md). The owner runs migrations and owns every table. The
application's role (settings.DATABASE_APP_ROLE) may SELECT, INSERT, UPDATE and DELETE on domain
tables but only SELECT and INSERT on audit tables (every pghistory event table,
pghistory_context, the access log), and only SELECT on tables that database triggers keep
(`tracking.kept_by_triggers`: their triggers write through functions that run as the owner).
Privileges are checked before any trigger, and no session setting grants them back. On top of
them, for every role:

- each audit table has a trigger refusing UPDATE and DELETE that reads no setting (pgtrigger's
  `append_only` returns early under `SET pgtrigger.ignore`) and fires ALWAYS (so
  `session_replication_role = replica` does not skip it either);
- pghistory's `_pgh_attach_context()` is replaced by one that never updates a context row, so
  attaching context needs no UPDATE privilege and cannot rewrite who made an earlier change;
- pgtrigger's `_pgtrigger_should_ignore()` honours `pgtrigger.ignore` for the owner only, so the
  application cannot switch off the history triggers on domain tables either.

`protect_audit_trail()` runs after every `migrate` (a post_migrate receiver), so tables added
by later migrations are covered as soon as they exist, and the migrations that reinstall
pgtrigger's function are followed by ours. `manage.py grant_app_role --create` creates the role.
"""

from __future__ import annotations

import random
import time

from django.apps import apps
from django.db import DatabaseError, connections, transaction

from .partitions import REFUSE_CHANGE_FUNCTION, install_functions, months_ahead_setting

APPEND_ONLY_TRIGGER = "pp_audit_append_only"
DUPLICATE_OBJECT, UNIQUE = "42710", "23505"  # SQLSTATEs of a role created twice at once
INTERNAL_ERROR = "XX000"  # "tuple concurrently updated": a role altered twice at once
SCHEMA = "public"  # where migrations put every table (pgtrigger names "public" outright too)

_REFUSE_CHANGE = REFUSE_CHANGE_FUNCTION

# pghistory's own version upserts (INSERT ... ON CONFLICT DO UPDATE SET metadata = ...): it needs
# UPDATE on pghistory_context, and with it any session could set `pghistory.context_id` to an
# old context's id and rewrite that context's user. This one only inserts. A context whose
# metadata changed after its row was written (someone signed in or out during the request) gets
# a second row, with an id derived from the first so the request's later changes share it.
_ATTACH_CONTEXT = """
CREATE OR REPLACE FUNCTION "public"._pgh_attach_context() RETURNS uuid AS $$
DECLARE
    _id uuid;
    _metadata jsonb;
    _recorded jsonb;
BEGIN
    BEGIN
        _id := current_setting('pghistory.context_id');
        _metadata := current_setting('pghistory.context_metadata');
    EXCEPTION WHEN OTHERS THEN
    END;
    IF _id IS NULL OR _metadata IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO "public".pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_id, _metadata, now(), now()) ON CONFLICT (id) DO NOTHING;
    IF FOUND THEN
        RETURN _id;
    END IF;
    SELECT metadata INTO _recorded FROM "public".pghistory_context WHERE id = _id;
    IF _recorded = _metadata THEN
        RETURN _id;
    END IF;
    _id := md5(_id::text || _metadata::text)::uuid;
    INSERT INTO "public".pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_id, _metadata, now(), now()) ON CONFLICT (id) DO NOTHING;
    IF FOUND THEN
        RETURN _id;
    END IF;
    SELECT metadata INTO _recorded FROM "public".pghistory_context WHERE id = _id;
    IF _recorded = _metadata THEN
        RETURN _id;
    END IF;
    -- Someone else wrote a row under the derived id first: never attach to metadata we did
    -- not write.
    _id := gen_random_uuid();
    INSERT INTO "public".pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_id, _metadata, now(), now());
    RETURN _id;
END;
$$ LANGUAGE plpgsql
"""

# pgtrigger's function (pgtrigger/compiler.py), with the owner check first. pgtrigger writes its
# own version again whenever a migration installs a trigger; post_migrate puts this one back.
_SHOULD_IGNORE = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
        _result BOOLEAN;
    BEGIN
        IF NOT pg_has_role(current_user, {owner_oid}::oid, 'MEMBER') THEN
            RETURN FALSE;
        END IF;
        BEGIN
            SELECT INTO _pgtrigger_ignore
                CURRENT_SETTING('pgtrigger.ignore');
            EXCEPTION WHEN OTHERS THEN
        END;
        IF _pgtrigger_ignore IS NOT NULL THEN
            SELECT trigger_name = ANY(_pgtrigger_ignore)
            INTO _result;
            RETURN _result;
        ELSE
            RETURN FALSE;
        END IF;
    END;
$$ LANGUAGE plpgsql
"""


def trigger_kept_tables() -> list[str]:
    """Tables only database triggers write (`tracking.kept_by_triggers`): SELECT only."""
    from .tracking import TRIGGER_KEPT_MODELS

    return sorted(model._meta.db_table for model in TRIGGER_KEPT_MODELS)


def audit_tables(cursor) -> list[str]:
    """Every pghistory event table, pghistory_context and the access log that exist in the
    database: the models that say so, and any table with pghistory's event columns."""
    from pghistory.models import Context, Event

    from .models import AccessLogEntry

    named = {Context._meta.db_table, AccessLogEntry._meta.db_table}
    named |= {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, Event) and model._meta.managed and not model._meta.proxy
    }
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p')
          AND (c.relname = ANY(%s) OR EXISTS (
              SELECT 1 FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attname = 'pgh_id' AND NOT a.attisdropped)
            -- the monthly partitions of a partitioned one (partitions.py)
            OR EXISTS (
              SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
              WHERE i.inhrelid = c.oid AND p.relname = ANY(%s)))
        ORDER BY c.relname
        """,
        [SCHEMA, sorted(named), sorted(named)],
    )
    return [row[0] for row in cursor.fetchall()]


def protect_audit_trail(using: str = "default") -> None:
    """Install the append-only triggers and the functions above; as the owner, idempotent."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.pghistory_context')")
        if cursor.fetchone()[0] is None:  # pghistory not migrated yet (migrate --run-syncdb...)
            return
        cursor.execute(_REFUSE_CHANGE)
        cursor.execute(_ATTACH_CONTEXT)
        cursor.execute("SELECT oid FROM pg_roles WHERE rolname = current_user")
        cursor.execute(_SHOULD_IGNORE.format(owner_oid=int(cursor.fetchone()[0])))
        install_functions(cursor)
        tables = audit_tables(cursor)
        cursor.execute(
            """
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND t.tgname = %s AND t.tgenabled = 'A'
            """,
            [SCHEMA, APPEND_ONLY_TRIGGER],
        )
        protected = {row[0] for row in cursor.fetchall()}
        for table in tables:
            if table in protected:
                continue
            name = f"{quote(SCHEMA)}.{quote(table)}"
            # Statement level: one call per statement, refused even when no row matches.
            # TRUNCATE is left to the owner (test databases are flushed with it); the
            # application's role has no TRUNCATE privilege.
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {APPEND_ONLY_TRIGGER} BEFORE UPDATE OR DELETE ON "
                f'{name} FOR EACH STATEMENT EXECUTE FUNCTION "public".pp_audit_refuse_change()'
            )
            cursor.execute(f"ALTER TABLE {name} ENABLE ALWAYS TRIGGER {APPEND_ONLY_TRIGGER}")
        # This month's and the next months' partitions of the partitioned audit tables.
        cursor.execute(
            'SELECT count(*) FROM "public".pp_audit_ensure_partitions(%s)',
            [months_ahead_setting()],
        )


def app_role_exists(role: str, using: str = "default") -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


class AppRoleError(Exception):
    pass


def _refuse_unsafe_role(cursor, role: str) -> None:
    """The application's role must be neither the owner nor able to act as it or undo grants."""
    cursor.execute(
        "SELECT rolname = current_user, rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb "
        "OR pg_has_role(rolname, current_user, 'MEMBER') FROM pg_roles WHERE rolname = %s",
        [role],
    )
    owner, powerful = cursor.fetchone()
    if owner:
        raise AppRoleError(f"The application's role {role} must not be the owner of the tables.")
    if powerful:
        raise AppRoleError(
            f"The application's role {role} is a superuser, a member of the owner, or may "
            "create roles or databases or bypass row security: it could undo the audit grants."
        )


def create_app_role(role: str, password: str = "", using: str = "default") -> bool:
    """Create the application's login role if it is missing (True if created here); set its
    password when one is given."""
    connection = connections[using]
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            raise AppRoleError(
                f"The application's role {role} must not be the owner of the tables."
            )
        created = False
        if not app_role_exists(role, using):
            try:
                with transaction.atomic(using=using):
                    cursor.execute(
                        f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                        "NOREPLICATION NOBYPASSRLS"
                    )
                created = True
            except DatabaseError as error:
                # Another process (a parallel test run) made it first.
                if getattr(error.__cause__, "pgcode", None) not in (DUPLICATE_OBJECT, UNIQUE):
                    raise
        _refuse_unsafe_role(cursor, role)
        if password:
            _set_password(connection, cursor, quoted, password)
    return created


def _set_password(connection, cursor, quoted_role: str, password: str) -> None:
    """ALTER ROLE ... PASSWORD, tried again if another process (a test run's other pytest-xdist
    worker, on its own database in the same cluster) updated the role's row at the same moment:
    PostgreSQL refuses the second of two concurrent updates of one catalog row outright."""
    attempts = 16
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"ALTER ROLE {quoted_role} PASSWORD %s", [password])
            return
        except DatabaseError as error:
            if getattr(error.__cause__, "pgcode", None) != INTERNAL_ERROR or attempt == attempts:
                raise
            # Exponential back-off with full jitter: a fixed short pause let three busy processes
            # keep colliding ten times running on a loaded CI machine.
            ceiling = min(1.0, 0.02 * 2**attempt)
            time.sleep(random.uniform(0, ceiling))  # noqa: S311 - not security: a back-off


def grant_app_role(role: str, using: str = "default") -> None:
    """Give the application's role what it may do, and nothing more, in one transaction:
    DML on domain tables, SELECT and INSERT on audit tables, SELECT on trigger-kept tables, and
    the same SELECT and INSERT by default on tables the owner creates later (post_migrate
    widens new domain tables and narrows trigger-kept ones)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    app = quote(role)
    schema = quote(SCHEMA)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _refuse_unsafe_role(cursor, role)
        cursor.execute("SELECT current_database()")
        database = quote(cursor.fetchone()[0])
        audit = set(audit_tables(cursor))
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname
            """,
            [SCHEMA],
        )
        tables = [row[0] for row in cursor.fetchall()]
        trigger_kept = set(trigger_kept_tables())
        domain = [
            t
            for t in tables
            if t not in audit and t not in trigger_kept and t != "django_migrations"
        ]
        statements = [
            f"GRANT CONNECT ON DATABASE {database} TO {app}",
            # A temporary table named like an event table would take the history triggers'
            # inserts (pg_temp comes first in the search path), and the app needs none.
            f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC, {app}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC, {app}",
            f"GRANT USAGE ON SCHEMA {schema} TO {app}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {app}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {app}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES "
            f"TO {app}",
        ]
        cursor.execute("SELECT to_regprocedure('public.pp_audit_ensure_partitions(integer)')")
        if cursor.fetchone()[0] is not None:
            # Creating next month's partitions (the beat task) is all it may do to their shape.
            statements.append(
                f'GRANT EXECUTE ON FUNCTION "public".pp_audit_ensure_partitions(integer) TO {app}'
            )
        if audit:
            names = ", ".join(f"{schema}.{quote(t)}" for t in sorted(audit))
            statements.append(f"GRANT INSERT ON {names} TO {app}")
        if domain:
            names = ", ".join(f"{schema}.{quote(t)}" for t in domain)
            statements.append(f"GRANT INSERT, UPDATE, DELETE ON {names} TO {app}")
        for sql in statements:
            cursor.execute(sql)
