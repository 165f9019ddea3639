"""The benchmark suite: `make bench` (see benchmarks/README.md).

Runs against the real stack: gunicorn (2 workers, 127.0.0.1 only), the PostgreSQL and Redis of
var/stack.env. Timings are wall-clock times measured by the client over loopback; query counts
are measured separately, in process, with django.test.Client and CaptureQueriesContext.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import targets
from benchmarks.setup import ROOT, SETTINGS, setup_django

RESULTS = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"  # loopback only, always
BENCH_PASSWORD = "benchmark-only-password-not-secret"  # noqa: S105 (local benchmark user)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# --- dataset and users ------------------------------------------------------------------------


def ensure_dataset(*, incidents: int | None, seed: int) -> dict:
    from cases.models import Incident
    from devdata.synthetic import generate

    loaded = None
    if incidents:
        have = Incident.objects.count()
        if have < incidents:
            stats = generate(incidents=incidents - have, seed=seed, stdout=sys.stdout)
            loaded = {
                "incidents": incidents - have,
                "rows": stats.total_rows,
                "seconds": round(stats.seconds, 1),
                "rows_per_second": round(stats.total_rows / stats.seconds),
            }
    return {"counts": dataset_counts(), "loaded": loaded}


def dataset_counts() -> dict:
    from django.db import connection

    tables = {
        "incidents": "cases_incident",
        "persons": "cases_person",
        "parties": "cases_party",
        "offences": "cases_offence",
        "arrest_decisions": "cases_arrestdecision",
        "risk_assessments": "riskassessment_riskassessment",
        "answers": "riskassessment_answer",
        "rara_actions": "riskassessment_raraaction",
        "marac_referrals": "marac_maracreferral",
        "marac_meetings": "marac_maracmeeting",
        "marac_listings": "marac_maraccaselisting",
    }
    with connection.cursor() as cursor:
        out = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
            out[name] = cursor.fetchone()[0]
    return out


# The benchmark's users who browse pages (with a session); the others use API tokens.
SESSION_USERS = (
    "supervisor",
    "analyst",
    "central_coordinator",
    "borough_supervisor",
    "coordinator",
)


def _keep_password(user) -> None:
    """Set the benchmark password only when the user lacks it: setting it again (a new salt)
    would sign out every session and revoke every token of a run or profile going on beside
    this one (accounts' revoke_api_tokens trigger)."""
    if not user.pk or not user.check_password(BENCH_PASSWORD):
        user.set_password(BENCH_PASSWORD)


def bench_users() -> dict:
    from publicprotection.accounts.models import ApiToken, Role, Team, User

    central = Team.objects.get(code="CEN")
    users = {}
    for key, username, role in (
        ("supervisor", "bench.supervisor", Role.SUPERVISOR),
        ("analyst", "bench.analyst", Role.ANALYST),
        ("central_coordinator", "bench.coordinator", Role.MARAC_COORDINATOR),
    ):
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name = "Benchmark", role.label
        user.role, user.team = role, central
        _keep_password(user)
        user.save()
        users[key] = user
    users["token"] = ApiToken.objects.create(user=users["supervisor"], name="benchmark")[1]
    return users


def borough_users(borough_code: str) -> dict:
    """A supervisor and a MARAC coordinator of one borough: the scoped viewers most users are."""
    from publicprotection.accounts.models import ApiToken, Role, Team, User

    team = Team.objects.get(code=borough_code)
    users = {}
    for key, role in (
        ("borough_supervisor", Role.SUPERVISOR),
        ("coordinator", Role.MARAC_COORDINATOR),
    ):
        username = f"bench.{borough_code.lower()}.{key}"
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name = "Benchmark", role.label
        user.role, user.team = role, team
        _keep_password(user)
        user.save()
        users[key] = user
    users["coordinator_token"] = ApiToken.objects.create(
        user=users["coordinator"], name="benchmark"
    )[1]
    return users


def samples() -> dict:
    """Typical records to open: a repeat victim's incident, their page, a high-risk assessment."""
    from django.db.models import Count

    from cases.models import Incident, Party, PartyRole, Person
    from riskassessment.models import Level, RiskAssessment

    busy = (
        Party.objects.filter(role=PartyRole.VICTIM)
        .values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("-n", "person_id")
        .first()
    )
    person_id = busy["person_id"]
    party = Party.objects.filter(person_id=person_id, role=PartyRole.VICTIM).order_by("-id").first()
    incident = Incident.objects.get(pk=party.incident_id)
    assessment = (
        RiskAssessment.objects.filter(final_level=Level.HIGH).order_by("-id").first()
        or RiskAssessment.objects.order_by("-id").first()
    )
    person = Person.objects.get(pk=person_id)
    meeting = _busiest_meeting(incident.borough_id)
    return {
        "meeting_id": meeting.id if meeting else None,
        "incident_id": incident.id,
        "reference": incident.reference,
        "person_id": person_id,
        "name": f"{person.given_name} {person.family_name}",
        "family_name": person.family_name,
        "assessment_id": assessment.id if assessment else None,
        "borough": incident.borough.code,
    }


def _busiest_meeting(borough_id: int):
    """The borough's MARAC meeting with the most cases listed (a full meeting page)."""
    from django.db.models import Count

    from marac.models import MaracMeeting

    return (
        MaracMeeting.objects.filter(team__borough_id=borough_id)
        .annotate(n=Count("listings"))
        .order_by("-n", "-starts_at")
        .first()
    )


def pages(s: dict) -> list[dict]:
    from django.urls import reverse

    q = s["name"].replace(" ", "+")
    meeting = s["meeting_id"]
    return [
        {"name": "incident list (open)", "path": "/cases/incidents/?status=open"},
        {"name": "incident list (name q)", "path": f"/cases/incidents/?q={q}", "search": True},
        {"name": "incident detail", "path": f"/cases/incidents/{s['reference']}/"},
        {"name": "person page", "path": f"/cases/people/{s['person_id']}/"},
        {"name": "person name search", "path": f"/cases/people/?name={q}", "search": True},
        {"name": "supervisor review queue", "path": "/cases/reviews/"},
        {"name": "outstanding suspects", "path": "/cases/outstanding-suspects/"},
        {"name": "risk assessment", "path": f"/risk/assessments/{s['assessment_id']}/"},
        {"name": "dashboard (analyst)", "path": "/reports/", "user": "analyst"},
        {"name": "API incident list", "path": "/api/v1/incidents/", "api": True},
        {"name": "API incident detail", "path": f"/api/v1/incidents/{s['incident_id']}/", "api": True},
        {"name": "API person search", "path": f"/api/v1/persons/?name={q}", "api": True, "search": True},
        {"name": "incident list (borough)", "path": "/cases/incidents/", "user": "borough_supervisor"},
        {"name": "review queue (borough)", "path": "/cases/reviews/", "user": "borough_supervisor"},
        # Most searches are a borough's: it sees a thirtieth of the people with a similar name.
        {"name": "person name search (borough)", "path": f"/cases/people/?name={q}", "search": True, "user": "borough_supervisor"},
        {"name": "MARAC home (coordinator)", "path": reverse("marac:home"), "user": "coordinator"},
        {"name": "MARAC home (central)", "path": reverse("marac:home"), "user": "central_coordinator"},
        {"name": "MARAC referral inbox", "path": reverse("marac:referral-list"), "user": "coordinator"},
        {"name": "MARAC meeting page", "path": reverse("marac:meeting-detail", args=[meeting]), "user": "coordinator"},
        {"name": "API MARAC meetings", "path": reverse("api:marac-meeting-list"), "api": "coordinator"},
        {"name": "API MARAC meeting", "path": reverse("api:marac-meeting-detail", args=[meeting]), "api": "coordinator"},
    ]  # fmt: skip


# --- in-process: query counts and bare SQL ----------------------------------------------------


def _replay_selects(queries: list[dict], repeats: int) -> float:
    """Median time (ms) of running the page's own SELECTs directly, without Django."""
    from django.db import connection

    selects = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    runs = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            started = time.perf_counter()
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()
            runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def in_process_clients(users: dict) -> dict:
    """Django test clients signed in as each benchmark user (sessions) or with their API
    tokens; `client_for` picks a page's."""
    from django.test import Client

    clients = {}
    for role in SESSION_USERS:
        client = Client(HTTP_HOST=HOST)
        client.force_login(users[role])
        clients[role] = client
    for api, token in ((True, users["token"]), ("coordinator", users["coordinator_token"])):
        clients[("api", api)] = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {token}")
    return clients


def client_for(page: dict, clients: dict):
    if page.get("api"):
        return clients[("api", page["api"])]
    return clients[page.get("user", "supervisor")]


def measure_queries(page_list: list[dict], users: dict, repeats: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = in_process_clients(users)
    for page in page_list:
        client = client_for(page, clients)
        client.get(page["path"])  # warm caches the way the HTTP run does
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page["path"])
        page["status_in_process"] = response.status_code
        page["queries"] = len(ctx.captured_queries)
        page["bare_sql_ms"] = round(_replay_selects(ctx.captured_queries, repeats), 2)


# --- over HTTP, against gunicorn ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [gunicorn, "publicprotection.wsgi", "-w", "2", "-b", f"{HOST}:{port}", "--log-level",
         "warning", "--timeout", "120"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    c = Client(HTTP_HOST=HOST)
    c.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"


def _request(conn, method, path, headers, body=None) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def time_pages(page_list, port, headers_for, *, warmup: int, n: int) -> None:
    for page in page_list:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = headers_for(page)
        for _ in range(warmup):
            _request(conn, "GET", page["path"], headers)
        times, statuses = [], set()
        for _ in range(n):
            status, ms = _request(conn, "GET", page["path"], headers)
            statuses.add(status)
            times.append(ms)
        conn.close()
        page.update(
            statuses=sorted(statuses),
            p50_ms=round(_percentile(times, 50), 1),
            p95_ms=round(_percentile(times, 95), 1),
            max_ms=round(max(times), 1),
        )


def time_creation(port, token, borough, n) -> dict:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    now = datetime.now(UTC).replace(microsecond=0)
    body = json.dumps(
        {
            "borough": borough,
            "occurred_at": now.isoformat(),
            "reported_at": now.isoformat(),
            "how_reported": "999",
            "officer_narrative": "Benchmark incident: created by benchmarks/run.py.",
        }
    )
    times, statuses = [], set()
    for _ in range(n):
        status, ms = _request(conn, "POST", "/api/v1/incidents/", headers, body)
        statuses.add(status)
        times.append(ms)
    conn.close()
    return {
        "name": "API incident create (POST)",
        "path": "/api/v1/incidents/",
        "statuses": sorted(statuses),
        "p50_ms": round(_percentile(times, 50), 1),
        "p95_ms": round(_percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
    }


def load_test(port, path, headers, *, threads: int, seconds: float) -> dict:
    stop = time.monotonic() + seconds
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        mine, bad = [], 0
        while time.monotonic() < stop:
            try:
                status, ms = _request(conn, "GET", path, headers)
                if status != 200:
                    bad += 1
                mine.append(ms)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
        with lock:
            times.extend(mine)
            errors[0] += bad

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "path": path,
        "threads": threads,
        "seconds": round(elapsed, 1),
        "requests": len(times),
        "errors": errors[0],
        "requests_per_second": round(len(times) / elapsed, 1),
        "p50_ms": round(_percentile(times, 50), 1) if times else None,
        "p95_ms": round(_percentile(times, 95), 1) if times else None,
    }


# --- agendas -------------------------------------------------------------------------------------


def time_agendas() -> dict:
    """Agenda generation in process (selection, items, PDF, storage), as a worker does it.

    Timed without tracemalloc (it slows Python several times over); memory is measured in a
    separate run of one team. WeasyPrint is imported first: a worker imports it once, at
    start (marac.tasks), not per agenda."""
    import weasyprint  # noqa: F401
    from django.conf import settings
    from django.utils import timezone

    from marac.services.agendas import agenda_generate
    from publicprotection.accounts.models import Team

    settings.DEBUG = False  # no query log: a worker runs without one
    day = timezone.localdate()
    teams = list(Team.objects.order_by("code"))
    out = {}
    for label, chosen in (("one borough", teams[:1]), (f"all {len(teams)} teams", teams)):
        per_team = []
        error = None
        started = time.perf_counter()
        for team in chosen:
            team_started = time.perf_counter()
            try:
                agenda = agenda_generate(team=team, meeting_date=day, force=True)
            except Exception as exc:  # noqa: BLE001 (reported, not hidden)
                error = f"{type(exc).__name__}: {exc}"
                break
            per_team.append(
                (round(time.perf_counter() - team_started, 2), team.code, sum(
                    n for k, n in agenda.counts.items() if k != "carried_forward"
                ))
            )  # fmt: skip
        out[label] = {
            "teams": len(chosen),
            "seconds": round(time.perf_counter() - started, 2),
            "slowest": sorted(per_team, reverse=True)[:3],  # (seconds, team, items)
            "error": error,
        }
    tracemalloc.start()
    agenda_generate(team=teams[0], meeting_date=day, force=True)
    out["one borough"]["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    return out


def time_agendas_on_workers(concurrency: int = 2, timeout: float = 300) -> dict:
    """All agendas as production makes them: queued to Celery, generated by a real worker
    (prefork, `concurrency` processes, the Procfile's setting) against the dev Redis; the
    time from queueing to the last agenda ready."""
    from django.utils import timezone

    from marac.models import Agenda, AgendaStatus
    from marac.tasks import generate_agenda, largest_first
    from publicprotection.accounts.models import Team

    day = timezone.localdate()
    # In the order the daily fan-out sends them (marac.tasks._queue_all): largest first.
    teams = largest_first(list(Team.objects.values_list("pk", flat=True)))
    celery = str(Path(sys.executable).parent / "celery")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false"}
    queue = f"bench-agendas-{os.getpid()}"  # a queue of its own: no other worker takes these
    worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [celery, "-A", "publicprotection", "worker", "--concurrency", str(concurrency),
         "-Q", queue, "--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        time.sleep(8)  # let the worker start and import WeasyPrint
        started_at = timezone.now()
        started = time.perf_counter()
        for team_id in teams:
            generate_agenda.apply_async(args=[team_id, day.isoformat(), True], queue=queue)
        done = 0
        while time.perf_counter() - started < timeout:
            done = Agenda.objects.filter(
                meeting_date=day, status=AgendaStatus.READY, generated_at__gte=started_at
            ).count()
            if done == len(teams):
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return {
        "teams": len(teams),
        "ready": done,
        "concurrency": concurrency,
        "seconds": round(seconds, 1),
    }


def time_agenda_sections(borough_code: str) -> dict:
    """Seconds per section rule (the selection only, no PDF) for one borough and central: the
    profile that says where an agenda's time goes."""
    from django.utils import timezone

    from marac.meeting_calendar import meeting_period
    from marac.selectors.content import SECTION_RULES, sections_for
    from publicprotection.accounts.models import Team

    period = meeting_period(timezone.localdate())
    out = {}
    for team in Team.objects.filter(code__in=[borough_code, "CEN"]).order_by("code"):
        sections = {}
        for section in sections_for(team):
            started = time.perf_counter()
            items = SECTION_RULES[section](team, period)
            sections[str(section)] = {
                "items": len(items),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        out[team.code] = sections
    return out


# --- the run -----------------------------------------------------------------------------------


def machine_reference() -> dict:
    """Two fixed workloads timed on this machine (best of 5, ms): each session runs on a new
    machine of the same kind, and they differ by up to 2x. Compare runs whose numbers here
    are close; scale the others by them."""
    from django.db import connection

    python, postgres = [], []
    with connection.cursor() as cursor:
        for _ in range(5):
            started = time.perf_counter()
            sum(i * i for i in range(1_000_000))
            python.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            cursor.execute("SELECT count(*) FROM generate_series(1, 2000000)")
            cursor.fetchone()
            postgres.append((time.perf_counter() - started) * 1000)
    # Without libharfbuzz-subset0 WeasyPrint subsets fonts in Python: every PDF (agendas, packs)
    # takes about 0.35 s longer, whatever its size (scripts/system-packages.sh installs it).
    from weasyprint.text.ffi import harfbuzz_subset

    return {
        "python_loop_ms": round(min(python), 1),
        "postgres_series_ms": round(min(postgres), 1),
        "harfbuzz_subset": harfbuzz_subset is not None,
    }


def print_table(result: dict) -> None:
    print(f"\nMachine: {result.get('machine')}")
    print(f"Dataset: {result['dataset']['counts']}")
    header = (
        f"{'page':<28}{'st':>5}{'p50':>8}{'p95':>8}{'max':>8}{'SQLq':>6}{'bareSQL':>9}{'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for p in result["pages"]:
        ratio = p.get("ratio")
        print(
            f"{p['name']:<28}{','.join(map(str, p['statuses'])):>5}{p['p50_ms']:>8}"
            f"{p['p95_ms']:>8}{p['max_ms']:>8}{p.get('queries', ''):>6}"
            f"{p.get('bare_sql_ms', ''):>9}{ratio if ratio is not None else '':>7}"
        )
    print(f"\nLoad: {result['load']}")
    agendas = dict(result["agendas"])
    sections = agendas.pop("sections", {})
    print(f"Agendas: {agendas}")
    for team, rows in sections.items():
        print(
            f"  {team} sections (ms, items): "
            + ", ".join(f"{name} {row['ms']} ({row['items']})" for name, row in rows.items())
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, help="Top the dataset up to this many incidents.")
    parser.add_argument("--no-generate", action="store_true", help="Use the data as it is.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--creates", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--load-seconds", type=float, default=10)
    parser.add_argument("--skip-agendas", action="store_true")
    parser.add_argument("--skip-pack", action="store_true", help="Skip the 20-case MARAC pack.")
    parser.add_argument(
        "--compare",
        type=Path,
        help="A result JSON of a smaller dataset, for the growth target (p95 within 1.5x).",
    )
    args = parser.parse_args(argv)
    baseline = json.loads(args.compare.read_text()) if args.compare else None

    setup_django()
    dataset = ensure_dataset(incidents=None if args.no_generate else args.incidents, seed=args.seed)
    users = bench_users()
    s = samples()
    users.update(borough_users(s["borough"]))
    page_list = pages(s)
    measure_queries(page_list, users, repeats=5)

    cookies = {r: session_cookie(users[r]) for r in SESSION_USERS}
    tokens = {True: users["token"], "coordinator": users["coordinator_token"]}

    def headers_for(page):
        if page.get("api"):
            return {"Authorization": f"Token {tokens[page['api']]}", "Accept": "application/json"}
        return {"Cookie": cookies[page.get("user", "supervisor")]}

    port = free_port()
    proc = start_gunicorn(port)
    try:
        time_pages(page_list, port, headers_for, warmup=args.warmup, n=args.requests)
        creation = time_creation(port, users["token"], s["borough"], args.creates)
        load = load_test(
            port,
            "/cases/incidents/?status=open",
            headers_for({}),
            threads=args.threads,
            seconds=args.load_seconds,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    for p in page_list:
        if p.get("bare_sql_ms"):
            p["ratio"] = round(p["p50_ms"] / p["bare_sql_ms"], 1)
        target = targets.SEARCH_P95_MS if p.get("search") else targets.PAGE_P95_MS
        p["target_p95_ms"] = target
        p["meets_p95"] = p["p95_ms"] < target
    agendas = (
        {}
        if args.skip_agendas
        else {
            **time_agendas(),
            "all teams on a Celery worker": time_agendas_on_workers(),
            "sections": time_agenda_sections(s["borough"]),
        }
    )
    if not args.skip_pack:
        from benchmarks.pack import bench_pack

        agendas["marac_pack"] = bench_pack(cases=20, repeats=3)
    result = {
        "when": datetime.now(UTC).isoformat(),
        "machine": machine_reference(),
        "dataset": dataset,
        "samples": s,
        "timing": "client wall time over loopback to gunicorn (2 workers), DEBUG off",
        "pages": [*page_list, creation],
        "load": load,
        "agendas": agendas,
    }
    result["targets"] = targets.evaluate(result, baseline)
    print_table(result)
    targets.print_targets(result["targets"], dataset["counts"]["incidents"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{dataset['counts']['incidents']}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nWrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
