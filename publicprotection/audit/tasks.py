from celery import shared_task

from .partitions import ensure_partitions


@shared_task(time_limit=300, soft_time_limit=240)
def ensure_audit_partitions() -> list[str]:
    """This month's and the next months' audit partitions (idempotent: existing ones are
    left alone). Runs as the application's role through the owner's SECURITY DEFINER
    function, which can only add empty partitions."""
    return ensure_partitions()
