"""Load fictional, reproducible case data at London scale (see devdata/synthetic.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devdata.synthetic import INCIDENTS_PER_YEAR, generate


class Command(BaseCommand):
    help = (
        "Generate fictional incidents, people, offences, arrest decisions, risk assessments and "
        "RARA actions through the real models. Insert history triggers are skipped for the load."
    )

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=INCIDENTS_PER_YEAR)
        span = parser.add_mutually_exclusive_group()
        span.add_argument("--years", type=int, default=10)
        span.add_argument(
            "--days",
            type=int,
            help="Spread the incidents over this many days instead of --years. London's rate is "
            "about 280 a day: --incidents 10000 --days 36 is a small dataset at that rate.",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-analyze", action="store_true", help="Skip ANALYZE at the end.")

    def handle(self, *args, incidents, years, days, seed, no_analyze, **options):
        if not settings.DEMO_DATA_ALLOWED:
            # The load switches the insert history triggers off on the tables it writes:
            # never against a database whose records are real.
            raise CommandError(
                "Synthetic data is not allowed with these settings: it is for development and "
                "benchmark databases only (DEMO_DATA_ALLOWED is off)."
            )
        if incidents < 1 or years < 1 or (days is not None and days < 1):
            raise CommandError("--incidents, --years and --days must be positive.")
        span = f"{days} days" if days is not None else f"{years} years"
        self.stdout.write(f"Generating {incidents} incidents over {span} (seed {seed})")
        stats = generate(
            incidents=incidents,
            years=years,
            days=days,
            seed=seed,
            stdout=self.stdout,
            analyze=not no_analyze,
        )
        for name, count in sorted(stats.rows.items()):
            self.stdout.write(f"  {name:<22} {count:>10}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{stats.total_rows} rows in {stats.seconds:.1f} s: "
                f"{stats.total_rows / stats.seconds:.0f} rows/s, "
                f"{incidents / stats.seconds:.0f} incidents/s"
            )
        )
