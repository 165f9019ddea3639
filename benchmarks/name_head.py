"""How long person search takes over a sample of the register's names, for several heads of
the name ranking (cases.selectors.people.BEST_NAMES_SIMILARITY):

    .venv/bin/python -m benchmarks.name_head 0.6 0.55 0.5 [--names 300]

Each head is run twice, interleaved, as the central supervisor of `make bench` (a London-wide
viewer, the one who reads the head first; `--viewer borough`: the borough supervisor, who
reads every similar name whatever the head), over the same names: a sample of the register's
names plus a few that match nothing. It prints the spread of a search's time (in process,
SQL and Python) and checks that every head gives the same results: the head only changes
what is read, never what is found.
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.setup import setup_django


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("heads", nargs="*", type=float, default=[0.6, 0.55])
    parser.add_argument("--names", type=int, default=300)
    parser.add_argument(
        "--viewer", choices=("central", "borough"), default="central",
        help="the central supervisor (reads the head first) or a borough's (every name)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    from benchmarks.run import bench_users, borough_users, samples
    from cases.selectors import people

    if args.viewer == "central":
        viewer = bench_users()["supervisor"]
    else:
        viewer = borough_users(samples()["borough"])["borough_supervisor"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_name FROM cases_person TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT %s",
            [args.names],
        )
        names = [row[0] for row in cursor.fetchall()]
    names += ["john smith", "mohammed khan", "ann", "li"]
    found: dict[str, set] = {}
    for head in args.heads + args.heads:
        people.BEST_NAMES_SIMILARITY = head
        times = []
        for name in names:
            started = time.perf_counter()
            results = people.person_search(viewer=viewer, name=name)
            times.append((time.perf_counter() - started) * 1000)
            found.setdefault(name, set()).add(tuple(person.pk for person in results))
        times.sort()
        print(
            f"head {head}: {len(times)} names, mean {statistics.mean(times):.1f} "
            f"p50 {times[len(times) // 2]:.1f} p90 {times[int(len(times) * 0.9)]:.1f} "
            f"p99 {times[int(len(times) * 0.99)]:.1f} max {times[-1]:.1f} ms"
        )
    differ = [name for name, pages in found.items() if len(pages) > 1]
    print("same results for every head:", "yes" if not differ else f"NO: {differ[:10]}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
