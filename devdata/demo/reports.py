"""Demo data for the dashboard: the trends rollup of the demo's incidents, which the nightly
task would otherwise only fill the night after `make run` (the dashboard showed zeros).
Refreshed only if it was not refreshed in the last day: seed_demo runs at every `make run`."""

from datetime import timedelta

from django.utils import timezone

from reports.selectors import last_refresh
from reports.services import rollup_refresh_recent
from reports.tasks import NIGHTLY_DAYS


def seed_demo(stdout) -> None:
    last = last_refresh()
    if last is not None and last.finished_at > timezone.now() - timedelta(days=1):
        return
    refresh = rollup_refresh_recent(days=NIGHTLY_DAYS)
    stdout.write(f"Demo trends: {refresh.rows} day-borough rows, {refresh.start} to {refresh.end}")
