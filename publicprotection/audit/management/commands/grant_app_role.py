"""Give the application's database role what it may do (docs/adr/0002-audit.md).

Run as the owner, after `migrate` (which also re-applies the grants when the role exists):

    DATABASE_URL=<owner> DATABASE_APP_ROLE=publicprotection_app DATABASE_APP_PASSWORD=... \
        python manage.py grant_app_role --create
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from publicprotection.audit.database import (
    AppRoleError,
    app_role_exists,
    create_app_role,
    grant_app_role,
    protect_audit_trail,
)


class Command(BaseCommand):
    help = (
        "Grant the application's role (DATABASE_APP_ROLE) DML on domain tables and only SELECT "
        "and INSERT on audit tables; with --create, create the role first (password from "
        "DATABASE_APP_PASSWORD). Run as the owner of the tables."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--create", action="store_true", help="Create the role if it does not exist."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, create: bool, database: str, **options):
        role = settings.DATABASE_APP_ROLE
        if not role:
            raise CommandError("Set DATABASE_APP_ROLE to the application's database role.")
        try:
            if create:
                create_app_role(role, settings.DATABASE_APP_PASSWORD, using=database)
            elif not app_role_exists(role, using=database):
                raise CommandError(f"No role {role}: run with --create, or create it first.")
            protect_audit_trail(database)
            grant_app_role(role, using=database)
        except AppRoleError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            self.stdout.write(f"Granted {role} its privileges (audit tables: insert only).")
