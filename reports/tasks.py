from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import rollup_refresh_recent

# Long enough to catch edits, back-dated incidents and late reviews in the last year or so.
NIGHTLY_DAYS = 400


# A database blip (a restart, a failover) is retried with growing waits rather than leaving
# the figures a day behind until the next night; a refresh is one transaction, so a failed
# attempt leaves the last figures as they were.
@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def refresh_rollup(days: int = NIGHTLY_DAYS) -> int:
    """Recompute the trends rollup for the last `days` London days (idempotent)."""
    return rollup_refresh_recent(days=days).rows
