"""Issue #8's targets at a million incidents, checked against one `make bench` result: what the
run prints under its table and records in its JSON. The growth target compares two runs, so it
needs a result of a small dataset (`--compare benchmarks/results/<10k run>.json`)."""

from __future__ import annotations

PAGE_P95_MS = 150
SEARCH_P95_MS = 100
BARE_SQL_RATIO = 3.0
GROWTH = 1.5  # p95 at 1M within this factor of the small dataset's
ONE_AGENDA_S = 2.0
ALL_AGENDAS_S = 60.0
PACK_S = 5.0


def _count(pages: list[dict], ok) -> dict:
    met = [p["name"] for p in pages if ok(p)]
    return {
        "met": len(met) == len(pages),
        "detail": f"{len(met)} of {len(pages)}",
        "missed": [p["name"] for p in pages if not ok(p)],
    }


def evaluate(result: dict, baseline: dict | None = None) -> dict[str, dict]:
    """Each target: whether it is met (None when this run did not measure it), how many of
    the pages meet it, and which miss it."""
    pages = [p for p in result["pages"] if p.get("p95_ms") is not None]
    searches = [p for p in pages if p.get("search")]
    with_sql = [p for p in pages if p.get("ratio") is not None]
    out = {
        f"page p95 < {PAGE_P95_MS} ms": _count(pages, lambda p: p["p95_ms"] < PAGE_P95_MS),
        f"name search p95 < {SEARCH_P95_MS} ms": _count(
            searches, lambda p: p["p95_ms"] < SEARCH_P95_MS
        ),
        f"page within {BARE_SQL_RATIO:g}x of its bare SQL": _count(
            with_sql, lambda p: p["ratio"] <= BARE_SQL_RATIO
        ),
    }
    growth = f"p95 within {GROWTH:g}x of the smaller dataset's"
    if baseline is None:
        out[growth] = {"met": None, "detail": "not measured: pass --compare <smaller run>.json"}
    else:
        before = {p["name"]: p["p95_ms"] for p in baseline["pages"] if p.get("p95_ms")}
        compared = [p for p in pages if p["name"] in before]
        out[growth] = _count(compared, lambda p: p["p95_ms"] <= GROWTH * before[p["name"]])
        out[growth]["detail"] += (
            f" (against {baseline['dataset']['counts']['incidents']} incidents)"
        )
    agendas = result.get("agendas") or {}
    one = agendas.get("one borough")
    every = next(
        (v for k, v in agendas.items() if k.startswith("all ") and "worker" not in k), None
    )
    if one and every:
        slowest = max((s for s, _team, _items in every["slowest"]), default=one["seconds"])
        out[f"one agenda < {ONE_AGENDA_S:g} s"] = {  # every team's, the slowest included
            "met": max(one["seconds"], slowest) < ONE_AGENDA_S,
            "detail": f"{one['seconds']} s; the slowest of all teams {slowest} s",
        }
        worker = agendas.get("all teams on a Celery worker") or {}
        out[f"all agendas < {ALL_AGENDAS_S:g} s"] = {
            "met": every["seconds"] < ALL_AGENDAS_S,
            "detail": f"{every['seconds']} s in one process"
            + (f", {worker['seconds']} s on the worker" if worker.get("seconds") else ""),
        }
    pack = agendas.get("marac_pack")
    if pack:
        out[f"20-case pack < {PACK_S:g} s"] = {
            "met": pack["render"]["max_s"] < PACK_S,
            "detail": f"median {pack['render']['median_s']} s, max {pack['render']['max_s']} s",
        }
    return out


def print_targets(targets: dict[str, dict], incidents: int) -> None:
    print(f"\nTargets (issue #8, set for a million incidents; this run: {incidents:,}):")
    for name, row in targets.items():
        status = {True: "met", False: "MISSED", None: "-"}[row["met"]]
        missed = f"; missed by: {', '.join(row['missed'])}" if row.get("missed") else ""
        print(f"  {name:<45}{status:<8}{row['detail']}{missed}")
