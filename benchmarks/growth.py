"""Issue #22's growth target measured with the machine's drift taken out:

    .venv/bin/python -m benchmarks.growth --small postgres://…/bench10k \\
        --large postgres://…/bench1m [--rounds 3] [--requests 60]

One `make bench` run (benchmarks/run.py, pages and the four-thread load only) against the small
dataset, then one against the large, `--rounds` times over, and each page's growth is the
median of its large-dataset p95s over the median of its small-dataset p95s. A single pair of
runs, minutes apart, measures the machine as much as the data: on session 20's machine two
runs of the same 10k database differed by up to 2.5x on one page. Alternating spreads the
machine's slow spells over both datasets; the medians drop the runs they spoil.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

from benchmarks.setup import ROOT
from benchmarks.targets import GROWTH


def _run(database_url: str, requests: int) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "benchmarks.run", "--no-generate", "--skip-agendas",
               "--skip-pack", "--requests", str(requests)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    wrote = re.search(r"^Wrote (\S+\.json)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not wrote:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"benchmarks.run failed against {database_url}")
    return json.loads((ROOT / wrote.group(1)).read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", required=True, help="DATABASE_URL of the small dataset")
    parser.add_argument("--large", required=True, help="DATABASE_URL of the large dataset")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)

    runs: dict[str, list[dict]] = {"small": [], "large": []}
    for round_ in range(1, args.rounds + 1):
        for label in ("small", "large"):
            result = _run(getattr(args, label), args.requests)
            runs[label].append(result)
            print(f"round {round_} {label}: machine {result['machine']}, "
                  f"{result['load']['requests_per_second']}/s", flush=True)  # fmt: skip

    def p95s(label: str, name: str) -> list[float]:
        return [p["p95_ms"] for run in runs[label] for p in run["pages"] if p["name"] == name]

    names = [page["name"] for page in runs["large"][0]["pages"]]
    missed = []
    print(f"\n{'page':30s} {'small p95s':>22s} {'large p95s':>22s}  growth")
    for name in names:
        small, large = p95s("small", name), p95s("large", name)
        if not small or not large:
            continue
        growth = statistics.median(large) / statistics.median(small)
        if growth > GROWTH:
            missed.append(name)
        print(f"{name:30s} {' '.join(f'{t:6.1f}' for t in small):>22s} "
              f"{' '.join(f'{t:6.1f}' for t in large):>22s}  {growth:5.2f}"
              f"{'  MISSED' if growth > GROWTH else ''}")  # fmt: skip
    for label in ("small", "large"):
        rates = [run["load"]["requests_per_second"] for run in runs[label]]
        print(f"four threads, {label}: {' '.join(map(str, rates))} requests/s")
    verdict = "met" if not missed else f"MISSED by {len(missed)}: {', '.join(missed)}"
    print(f"\np95 within {GROWTH:g}x of the small dataset's (medians of {args.rounds} runs "
          f"each): {verdict}")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
