from celery import shared_task

from .services import rollup_refresh_recent

# Long enough to catch edits, back-dated incidents and late reviews in the last year or so.
NIGHTLY_DAYS = 400


@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60)
def refresh_rollup(days: int = NIGHTLY_DAYS) -> int:
    """Recompute the trends rollup for the last `days` London days (idempotent)."""
    return rollup_refresh_recent(days=days).rows
