from django.core.management.base import BaseCommand, CommandError

from reports.services import rollup_refresh_recent
from reports.tasks import NIGHTLY_DAYS


class Command(BaseCommand):
    help = "Recompute the trends rollup for the last N London days (default 400)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=NIGHTLY_DAYS)

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        refresh = rollup_refresh_recent(days=days)
        self.stdout.write(
            f"Refreshed {refresh.start} to {refresh.end}: {refresh.rows} day-borough rows."
        )
