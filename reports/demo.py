"""Demo data for the dashboard: the trends rollup of the demo's incidents, which the nightly
task would otherwise only fill the night after `make run` (the dashboard showed zeros)."""

from .services import rollup_refresh_recent
from .tasks import NIGHTLY_DAYS


def seed_demo(stdout) -> None:
    refresh = rollup_refresh_recent(days=NIGHTLY_DAYS)
    stdout.write(f"Demo trends: {refresh.rows} day-borough rows, {refresh.start} to {refresh.end}")
