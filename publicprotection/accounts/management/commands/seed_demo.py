"""Load the fictional demo data. Idempotent: running it twice changes nothing.

Each app that has demo data exposes `seed_demo(stdout)` in a `demo` module; this command
calls them in dependency order.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_MODULES = [
    "publicprotection.accounts.demo",
    "cases.demo",
    "riskassessment.demo",
    "marac.demo",
    "homicidereviews.demo",
    "reports.demo",
]


class Command(BaseCommand):
    help = "Create demo users for every role and fictional case data (never in production)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is not allowed with these settings.")
        with transaction.atomic():
            for module_name in DEMO_MODULES:
                import_module(module_name).seed_demo(self.stdout)
