from celery import shared_task
from django.core.management import call_command


@shared_task(time_limit=300)
def clear_expired_sessions() -> None:
    """Remove expired sessions so the table does not grow without end."""
    call_command("clearsessions")
