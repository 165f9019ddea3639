from celery import shared_task

from .services import idempotent_requests_purge


@shared_task(time_limit=300)
def purge_expired_idempotent_requests() -> int:
    return idempotent_requests_purge()
