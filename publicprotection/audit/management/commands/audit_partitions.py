"""The monthly partitions of the audit trail (docs/adr/0013-audit-partitioning.md).

    python manage.py audit_partitions                    # this month's and the next ones
    python manage.py audit_partitions --archive --export # as the owner: retention

The daily beat task does the first; the second is the owner's (a scheduled job run with the
owner's DATABASE_URL), never the application's.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from publicprotection.audit.partitions import (
    MAX_MONTHS_AHEAD,
    RetentionError,
    archive_partitions,
    ensure_partitions,
)


class Command(BaseCommand):
    help = (
        "Create this month's and the next AUDIT_PARTITION_MONTHS_AHEAD months' partitions of "
        "the partitioned audit tables; with --archive (as the owner), detach the months older "
        "than AUDIT_RETENTION_MONTHS into the audit_archive schema."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=None)
        parser.add_argument("--archive", action="store_true", help="Detach and archive old months.")
        parser.add_argument(
            "--retention-months",
            type=int,
            default=None,
            help="Months kept before this one (default: AUDIT_RETENTION_MONTHS).",
        )
        parser.add_argument(
            "--export",
            action="store_true",
            help="With --archive: also copy each archived month to a gzipped CSV file in "
            "private storage (audit-archive/).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, months_ahead, archive, retention_months, export, database, **options):
        if months_ahead is not None and not 0 <= months_ahead <= MAX_MONTHS_AHEAD:
            raise CommandError(f"--months-ahead must be between 0 and {MAX_MONTHS_AHEAD}.")
        try:
            created = ensure_partitions(months_ahead, using=database)
        except DatabaseError as error:
            raise CommandError(f"Could not create the partitions: {error}") from error
        for name in created:
            self.stdout.write(f"Created {name}")
        if not archive:
            return
        months = settings.AUDIT_RETENTION_MONTHS if retention_months is None else retention_months
        if not months:
            raise CommandError(
                "No retention: set AUDIT_RETENTION_MONTHS (or --retention-months) to archive."
            )
        try:
            archived = archive_partitions(months=months, export=export, using=database)
        except RetentionError as error:
            raise CommandError(str(error)) from error
        for entry in archived:
            where = f", copied to {entry.file}" if entry.file else ""
            self.stdout.write(
                f"Archived {entry.partition} ({entry.rows} rows) to audit_archive{where}"
            )
        if not archived:
            self.stdout.write("Nothing older than the retention.")
