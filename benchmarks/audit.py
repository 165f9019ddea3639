"""The audit trail at scale: `make bench-audit` (see benchmarks/README.md, "Audit trail").

Fills the access log with `--rows` synthetic reads spread over `--months` months (generated
in PostgreSQL with generate_series, committed in chunks, into the monthly partitions), then
measures what the application does with it: one read logged (the ORM insert every page
makes), the administrators' access-log searches through the selector as the view runs them
(the first page of 50), a record's reads, and detaching a month (rolled back).

    make bench-audit AUDIT_BENCH_ARGS="--rows 50000000"
    DATABASE_URL=postgres://…/pp_scale_bench .venv/bin/python -m benchmarks.audit --rows 1000000

It only adds rows (never deletes): run it on a database of its own.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SETTINGS = "publicprotection.settings.dev"
USERS = 500  # distinct readers
RECORDS = 2_000_000  # distinct record ids read
LIST_SHARE = 0.3  # reads that are a list, search or queue (object_ids, not object_id)
LIST_SIZE = 20


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def bench_readers() -> list[int]:
    from publicprotection.accounts.models import Role, Team, User

    central = Team.objects.get(code="CEN")
    existing = set(
        User.objects.filter(username__startswith="bench.audit.").values_list("username", flat=True)
    )
    User.objects.bulk_create(
        [
            User(
                username=name,
                first_name="Audit",
                last_name="Reader",
                role=Role.OFFICER,
                team=central,
            )
            for name in (f"bench.audit.{n:04d}" for n in range(USERS))
            if name not in existing
        ]
    )
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh statistics: with 40 users estimated for 500 the planner joined the access log
        # to every user in a nested loop (15 s a record search at 13M rows).
        cursor.execute("ANALYZE accounts_user")
    return list(
        User.objects.filter(username__startswith="bench.audit.")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


ROWS_SQL = """
    INSERT INTO {table} (id, occurred_at, user_id, action, channel,
        content_type_id, object_id, object_ids, object_label, purpose, path,
        method, ip_address, user_agent)
    SELECT nextval(%(sequence)s),
           %(start)s::timestamptz + make_interval(secs => i * %(step)s),
           (%(users)s::bigint[])[1 + (i * 7919) %% %(n_users)s],
           'view', CASE WHEN i %% 10 = 0 THEN 'api' ELSE 'web' END,
           (%(types)s::int[])[1 + i %% 3],
           CASE WHEN r.list THEN '' ELSE r.record::text END,
           CASE WHEN r.list THEN ARRAY(
               SELECT ((r.record + k * 104729) %% %(records)s + 1)::text
               FROM generate_series(0, %(list_size)s - 1) k)
               ELSE '{{}}'::varchar[] END,
           CASE WHEN r.list THEN '' ELSE 'DA-' || r.record END,
           '', CASE WHEN r.list THEN '/incidents/' ELSE '/people/' || r.record || '/' END,
           'GET', '10.0.0.1', 'Mozilla/5.0 (benchmark)'
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) i,
    LATERAL (SELECT (i * 2654435761) %% %(records)s + 1 AS record,
                    (i %% 100) < %(list_pct)s AS list) r
"""


def _month_partitions(cursor, start: datetime, months: int) -> list[tuple[str, datetime, datetime]]:
    """(name, from, to) of the monthly partitions from `start`, this month included."""
    for offset in range(months + 1):
        cursor.execute(
            "SELECT pp_audit_create_partition('audit_accesslogentry'::regclass, "
            "(%s::date + make_interval(months => %s))::date)",
            [start.date(), offset],
        )
    cursor.execute(
        "SELECT %s::timestamptz + make_interval(months => m), "
        "%s::timestamptz + make_interval(months => m + 1) "
        "FROM generate_series(0, %s) m",
        [start, start, months],
    )
    return [(f"audit_accesslogentry_p{lo:%Y%m}", lo, hi) for lo, hi in cursor.fetchall()]


def _is_attached(cursor, name: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_inherits "
        "WHERE inhrelid = %s::regclass AND inhparent = 'audit_accesslogentry'::regclass)",
        [name],
    )
    return cursor.fetchone()[0]


def _has_rows(cursor, name: str) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")  # noqa: S608 (our partition name)
    return cursor.fetchone()[0]


def _load_month(cursor, name: str, params: dict, *, attached: bool) -> None:
    """PostgreSQL's bulk-load practice ("Populating a Database"): the month's partition is
    detached, loses its secondary indexes (kept as definitions) and takes its rows with no
    index to maintain and no foreign-key trigger per row; the indexes are rebuilt in one pass
    each when it is attached again (`_index_and_attach`)."""
    if attached:
        cursor.execute(f"ALTER TABLE audit_accesslogentry DETACH PARTITION {name}")
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = %s::regclass AND c.oid IS NULL ORDER BY i.relname",
        [name],
    )
    definitions = cursor.fetchall()
    for index, _ in definitions:
        cursor.execute(f"DROP INDEX {index}")
    cursor.execute(f"COMMENT ON TABLE {name} IS %s", [json.dumps([d for _, d in definitions])])
    # Like pg_restore --disable-triggers: the foreign keys (bench readers, content types)
    # are known good; the append-only triggers are about UPDATE and DELETE.
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(ROWS_SQL.format(table=name), params)


def _index_and_attach(cursor, name: str, lo: datetime, hi: datetime) -> None:
    cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [name])
    comment = cursor.fetchone()[0]
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for definition in json.loads(comment) if comment else []:
        cursor.execute(definition)
    cursor.execute(f"COMMENT ON TABLE {name} IS NULL")
    # The parent matches these indexes to its own (same definitions) instead of building them.
    cursor.execute(
        f"ALTER TABLE audit_accesslogentry ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
        [lo, hi],
    )


def generate(*, rows: int, months: int, analyze: bool = True) -> dict:
    """Fill the access log with `rows` rows, oldest first, evenly over `months` months back
    from now, one month at a time (each month loaded while detached, see `_load_month`).
    Months that already hold rows are kept: an interrupted run carries on where it stopped."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    users = bench_readers()
    types = [
        ContentType.objects.get_by_natural_key(app, model).pk
        for app, model in (("cases", "person"), ("cases", "incident"), ("marac", "maracreferral"))
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            raise SystemExit("The bulk load needs a superuser (session_replication_role).")
        cursor.execute("SELECT pg_backend_pid()")
        print(f"  PostgreSQL backend pid {cursor.fetchone()[0]}", flush=True)
        cursor.execute(
            "SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' "
            "- make_interval(months => %s), date_trunc('hour', now())",
            [months],
        )
        start, now = cursor.fetchone()
        partitions = _month_partitions(cursor, start, months)
        cursor.execute("SELECT pg_get_serial_sequence('audit_accesslogentry', 'id')")
        sequence = cursor.fetchone()[0]
    step = (now - start).total_seconds() / rows
    base = {
        "start": start,
        "step": step,
        "users": users,
        "n_users": len(users),
        "types": types,
        "records": RECORDS,
        "list_size": LIST_SIZE,
        "list_pct": int(LIST_SHARE * 100),
        "sequence": sequence,
    }
    phases = {"insert": 0.0, "vacuum": 0.0, "index_attach": 0.0}
    added = 0
    busy = []
    started = time.perf_counter()
    for name, lo, hi in partitions:
        # Row i is at start + i * step: this month's rows are those whose time falls in it.
        first = max(0, math.ceil((lo - start).total_seconds() / step))
        last = min(rows, math.ceil((hi - start).total_seconds() / step)) - 1
        if last < first:
            continue
        with connection.cursor() as cursor:
            # Several loaders may run side by side (--generate-only): each month is loaded by
            # whichever takes its lock first; the measuring one waits for the rest at the end.
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
            if not cursor.fetchone()[0]:
                busy.append(name)
                continue
            attached = _is_attached(cursor, name)
            if attached and _has_rows(cursor, name):
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
                continue
            t0 = time.perf_counter()
            if attached or not _has_rows(cursor, name):
                with transaction.atomic():
                    _load_month(
                        cursor, name, base | {"first": first, "last": last}, attached=attached
                    )
                added += last - first + 1
            t1 = time.perf_counter()
            # Outside a transaction: hint bits and the visibility map set once, before the
            # indexes exist (so VACUUM has no index to scan), and the month's statistics.
            cursor.execute(f"VACUUM (ANALYZE) {name}")
            t2 = time.perf_counter()
            with transaction.atomic():
                _index_and_attach(cursor, name, lo, hi)
            t3 = time.perf_counter()
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
        phases["insert"] += t1 - t0
        phases["vacuum"] += t2 - t1
        phases["index_attach"] += t3 - t2
        print(
            f"  {name}: {last - first + 1:,} rows, insert {t1 - t0:.1f} s, vacuum {t2 - t1:.1f} s,"
            f" indexes and attach {t3 - t2:.1f} s ({(last - first + 1) / (t3 - t0):,.0f} rows/s)",
            flush=True,
        )
    with connection.cursor() as cursor:
        for name in busy:  # loaded by another loader: wait for it
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
    load_seconds = time.perf_counter() - started
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        if not analyze:
            return {"rows_added": added, "load_seconds": round(load_seconds, 1)}
        # The parent's own statistics (the partitions have theirs): not gathered by autovacuum.
        cursor.execute("ANALYZE audit_accesslogentry")
    analyze_seconds = time.perf_counter() - t0
    return {
        "rows_added": added,
        "load_seconds": round(load_seconds, 1),
        "load_rows_per_second": round(added / load_seconds) if added else None,
        "phases_seconds": {k: round(v, 1) for k, v in phases.items()},
        "analyze_parent_seconds": round(analyze_seconds, 1),
    }


def table_size() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), coalesce(sum(pg_table_size(c.oid)), 0),
                   coalesce(sum(pg_indexes_size(c.oid)), 0), coalesce(sum(c.reltuples), 0)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'audit_accesslogentry'::regclass
            """
        )
        partitions, table, indexes, tuples = (float(v) for v in cursor.fetchone())
    return {
        "partitions": int(partitions),
        "rows_estimate": int(tuples),
        "table_gb": round(table / 1e9, 2),
        "indexes_gb": round(indexes / 1e9, 2),
        "bytes_per_row": round((table + indexes) / tuples) if tuples else None,
    }


def time_inserts(n: int) -> dict:
    """One logged read as a page logs it: the ORM insert, autocommit (its own transaction)."""
    from django.contrib.contenttypes.models import ContentType

    from publicprotection.accounts.models import User
    from publicprotection.audit.models import AccessLogEntry

    user = User.objects.filter(username__startswith="bench.audit.").first()
    person = ContentType.objects.get_by_natural_key("cases", "person")
    times, list_times = [], []
    for i in range(n):
        t0 = time.perf_counter()
        AccessLogEntry.objects.create(
            user=user,
            action="view",
            channel="web",
            content_type=person,
            object_id=str(i + 1),
            object_label=f"bench {i}",
            path=f"/people/{i + 1}/",
        )
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        AccessLogEntry.objects.create(
            user=user,
            action="view",
            channel="web",
            content_type=person,
            object_ids=[str(i * LIST_SIZE + k) for k in range(LIST_SIZE)],
            path="/people/",
        )
        list_times.append(time.perf_counter() - t0)
    return {
        "single_record_p50_ms": _ms(statistics.median(times)),
        "single_record_p95_ms": _ms(_percentile(times, 0.95)),
        "list_of_20_p50_ms": _ms(statistics.median(list_times)),
        "list_of_20_p95_ms": _ms(_percentile(list_times, 0.95)),
    }


def searches() -> list[tuple[str, callable, bool]]:
    """(name, the search's queryset, whether to read it as the view does). The view reads a
    page through `access_log_page` (JIT off); "JIT on" reads it with the server's settings,
    as the view did before. "window" is the form's default: the last 12 months."""
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from publicprotection.audit.selectors import access_log_search, search_window_start

    person = ContentType.objects.get_by_natural_key("cases", "person")
    today = timezone.localdate()
    window = {"date_from": search_window_start(today), "date_to": today}
    month_ago = today - timedelta(days=30)
    year_ago = today - timedelta(days=365)
    record = "12345"
    return [
        (
            "record (person 12345), window",
            lambda: access_log_search(content_type=person, object_id=record, **window),
            True,
        ),
        (
            "record id, any type, window",
            lambda: access_log_search(object_id=record, **window),
            True,
        ),
        (
            "record (person 12345), no window",
            lambda: access_log_search(content_type=person, object_id=record),
            True,
        ),
        ("record id, any type, no window", lambda: access_log_search(object_id=record), True),
        (
            "record (person 12345), window, JIT on",
            lambda: access_log_search(content_type=person, object_id=record, **window),
            False,
        ),
        (
            "record (person 12345), no window, JIT on",
            lambda: access_log_search(content_type=person, object_id=record),
            False,
        ),
        (
            "reader (username), window",
            lambda: access_log_search(username="bench.audit.0007", **window),
            True,
        ),
        (
            "reader, a day a year ago",
            lambda: access_log_search(
                username="bench.audit.0007", date_from=year_ago, date_to=year_ago
            ),
            True,
        ),
        (
            "everything, one day",
            lambda: access_log_search(date_from=month_ago, date_to=month_ago),
            True,
        ),
        ("everything, newest, window", lambda: access_log_search(**window), True),
    ]


def time_searches(repeats: int) -> list[dict]:
    from django.db import connection

    from publicprotection.audit.selectors import access_log_page

    results = []
    for name, build, as_the_view in searches():
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            if as_the_view:
                rows = access_log_page(build(), "1", per_page=50).object_list
            else:
                rows = list(build()[:51])  # the first page (50 + 1) with the server's JIT
            times.append(time.perf_counter() - t0)
        with connection.cursor() as cursor:
            sql, params = build()[:51].query.sql_with_params()
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0][0]["Plan"]
        results.append(
            {
                "search": name,
                "rows": len(rows),
                "p50_ms": _ms(statistics.median(times)),
                "max_ms": _ms(max(times)),
                "plan_top": plan["Node Type"],
                "plan_cost": plan["Total Cost"],
            }
        )
    return results


def time_detach() -> dict | None:
    """Detaching the oldest month (the retention's step), rolled back."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_accesslogentry'::regclass AND c.relname ~ '_p[0-9]{6}$' "
            "ORDER BY c.relname LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return None

    class Rollback(Exception):
        pass

    t0 = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE audit_accesslogentry DETACH PARTITION {row[0]}")
            raise Rollback
    except Rollback:
        pass
    return {"partition": row[0], "detach_ms": _ms(time.perf_counter() - t0)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--no-generate", action="store_true")
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="load months beside another run of this command, then stop (no measurements)",
    )
    parser.add_argument("--inserts", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    _setup_django()
    from benchmarks.run import machine_reference

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_reference(),
    }
    if not args.no_generate:
        print(f"Generating up to {args.rows:,} access-log rows over {args.months} months…")
        result["load"] = generate(
            rows=args.rows, months=args.months, analyze=not args.generate_only
        )
        if args.generate_only:
            print(f"Load: {result['load']}")
            return 0
    result["size"] = table_size()
    result["searches"] = time_searches(args.repeats)
    result["insert"] = time_inserts(args.inserts)
    result["detach"] = time_detach()

    print(f"\nMachine: {result['machine']}")
    print(f"Size: {result['size']}")
    if "load" in result:
        print(f"Load: {result['load']}")
    print(f"Insert (one logged read): {result['insert']}")
    print(f"Detach a month: {result['detach']}")
    print(f"\n{'search (first page of 50)':<42} {'rows':>5} {'p50 ms':>9} {'max ms':>9}  cost")
    for row in result["searches"]:
        print(
            f"{row['search']:<42} {row['rows']:>5} {row['p50_ms']:>9} {row['max_ms']:>9}  "
            f"{row['plan_cost']:,.0f}"
        )
    RESULTS.mkdir(exist_ok=True)
    out = (
        RESULTS / f"audit-{datetime.now(UTC):%Y%m%dT%H%M%S}-{result['size']['rows_estimate']}.json"
    )
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nWritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
