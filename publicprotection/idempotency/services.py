"""Keeping and replaying the first answer to a keyed request."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone

from .models import IdempotentRequest

# Answers kept for replay: what a client can act on again. A 5xx is not kept (the write did
# not happen: a retry should run), nor a page re-shown with form errors (the user corrects
# and sends the same form again).
MAX_KEPT_BODY = 1024 * 1024


def claim(*, principal: str, key: str, method: str, path: str, request_hash: str) -> bool:
    """Insert the request's row; False if one with the same key exists. Must run inside the
    request's transaction: a concurrent twin waits here until the first commits or rolls
    back."""
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    IdempotentRequest.objects.filter(
        principal=principal, key=key, created_at__lt=expired_before
    ).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {IdempotentRequest._meta.db_table}
                (principal, key, method, path, request_hash, content_type, location, body,
                 created_at)
                VALUES (%s, %s, %s, %s, %s, '', '', ''::bytea, now())
                ON CONFLICT ON CONSTRAINT idempotent_request_once DO NOTHING
                RETURNING id""",  # noqa: S608 - the table name is ours
            [principal, key, method, path[:500], request_hash],
        )
        return cursor.fetchone() is not None


def earlier(*, principal: str, key: str) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(principal=principal, key=key).first()


def keep(*, principal: str, key: str, response) -> None:
    """Keep the answer for replay, or free the key when the answer is not one to replay."""
    rows = IdempotentRequest.objects.filter(principal=principal, key=key)
    if not is_replayable(response):
        rows.delete()
        return
    body = b"" if getattr(response, "streaming", False) else bytes(response.content)
    rows.update(
        status_code=response.status_code,
        content_type=response.get("Content-Type", "")[:100],
        location=response.get("Location", "")[:500],
        body=body[:MAX_KEPT_BODY],
    )


def is_replayable(response) -> bool:
    status = response.status_code
    if status >= 500 or status in (408, 409, 429):
        return False
    if response.get("Content-Type", "").startswith("text/html"):
        return 300 <= status < 400  # a create form's redirect to what it made
    return len(getattr(response, "content", b"")) <= MAX_KEPT_BODY


def replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent_requests_purge() -> int:
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=expired_before).delete()
    return deleted
