"""Where one benchmark page spends its time, in process: `make profile PAGE="incident list"`.

    .venv/bin/python -m benchmarks.profile "incident list (name q)" [--requests 20] [--top 30]

Uses the pages, samples and users of `make bench` (benchmarks/run.py) and the database of
var/stack.env (or DATABASE_URL). For each page whose name contains the text given it prints the
median time of a request with DEBUG off (Django's test client, no HTTP), how much of it was
SQL (every query timed by a connection wrapper) and the rest, then cProfile's busiest
functions over the same requests. The test client skips gunicorn and the network, so these
times are a few ms below `make bench`'s.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time

from benchmarks.run import (
    bench_users,
    borough_users,
    client_for,
    in_process_clients,
    pages,
    samples,
)
from benchmarks.setup import setup_django


class _SqlTimer:
    """A connection execute wrapper adding up the time spent in the database driver."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0
        self.each: list[tuple[str, float]] = []  # (SQL, ms) in the order run

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            self.queries += 1
            self.each.append((sql, elapsed * 1000))


def profile_page(
    page: dict, client, *, requests: int, top: int, sort: str, queries: bool = False
) -> None:
    from django.db import connection

    for _ in range(3):  # warm: templates compiled, connection open, caches filled
        client.get(page["path"])
    totals, sql, each = [], [], []
    for _ in range(requests):  # timed without the profiler, which slows Python several times
        timer = _SqlTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(page["path"])
            totals.append((time.perf_counter() - started) * 1000)
        sql.append(timer.seconds * 1000)
        each.append(timer.each)
    total, in_sql = statistics.median(totals), statistics.median(sql)
    print(f"\n== {page['name']}  {page['path']}  ({response.status_code})")
    print(
        f"median {total:.1f} ms: SQL {in_sql:.1f} ms ({timer.queries} queries), "
        f"the rest {total - in_sql:.1f} ms"
    )
    if queries:
        _print_queries(each)
    profiler = cProfile.Profile()
    for _ in range(requests):
        profiler.enable()
        client.get(page["path"])
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
    print(out.getvalue())


def _print_queries(runs: list[list[tuple[str, float]]]) -> None:
    """Each query's median time over the requests, in the order the page runs them (a
    request that ran a different number of queries is left out)."""
    usual = statistics.mode(len(run) for run in runs)
    same = [run for run in runs if len(run) == usual]
    for i in range(usual):
        median = statistics.median(run[i][1] for run in same)
        sql = " ".join(same[0][i][0].split())
        print(f"  {median:6.1f} ms  {sql[:150]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page", help="Text in the page's name (see benchmarks/run.py pages()).")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="A pstats sort key (tottime…).")
    parser.add_argument("--queries", action="store_true", help="Each query's median time.")
    args = parser.parse_args(argv)

    os.environ["DEBUG"] = "false"  # cached templates and no debug cursor, as gunicorn runs
    setup_django()
    users = bench_users()
    s = samples()
    users.update(borough_users(s["borough"]))
    clients = in_process_clients(users)
    chosen = [p for p in pages(s) if args.page.lower() in p["name"].lower()]
    if not chosen:
        parser.error(f"no page named like {args.page!r}")
    for page in chosen:
        profile_page(
            page,
            client_for(page, clients),
            requests=args.requests,
            top=args.top,
            sort=args.sort,
            queries=args.queries,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
