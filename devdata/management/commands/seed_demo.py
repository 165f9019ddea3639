"""Load the fictional demo data. Idempotent: running it twice changes nothing.

Each app's demo data is loaded by its own module in devdata.demo, in dependency order.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from devdata.demo import accounts, cases, homicidereviews, marac, reports, riskassessment

DEMO_LOADERS = [accounts, cases, riskassessment, marac, homicidereviews, reports]


class Command(BaseCommand):
    help = "Create demo users for every role and fictional case data (never in production)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is not allowed with these settings.")
        with transaction.atomic():
            for loader in DEMO_LOADERS:
                loader.seed_demo(self.stdout)
