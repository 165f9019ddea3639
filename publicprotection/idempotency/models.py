"""Requests that must not take effect twice: an API POST with an `Idempotency-Key` header, or a
create form posted again (a second click, a slow server, the browser's retry)."""

from django.db import models


class IdempotentRequest(models.Model):
    """The first answer to a keyed request, replayed to every repeat of it.

    The row is inserted, in the request's own transaction, before the view runs: a repeat that
    arrives while the first is still running waits on the unique index and then replays the
    committed answer, so two identical requests can never both write.
    """

    # Whose request: "user:<id>" for a session, "token:<hash>" for an API token.
    principal = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # sha256 of the body: a key reused for a different request is refused, not replayed.
    request_hash = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotent_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
