"""Read replicas (docs/adr/0014-scaling-out.md, docs/deployment.md).

With DATABASE_REPLICA_URL set, the heavy read-only work (trends and their exports, the DHR
chronology, the audit search: views that say so with `ReplicaReadsMixin`) reads from a
streaming replica, where a few seconds of lag is acceptable. Everything else reads from the
primary, and every write goes to the primary, whatever the view: the router never names the
replica for a write or a migration, and nothing inside a transaction reads from it.

Read-your-writes: a request that may write (any method but GET, HEAD, OPTIONS, TRACE) sets a
short-lived cookie; for REPLICA_STICKY_SECONDS after it, that browser's requests read from the
primary only, so a user never misses what they have just saved. The cookie only routes: a
forged one can send a user's own reads to the primary, nothing else.

A replica that cannot be reached, or fails a read, is not a page that fails: the view is run
again from the primary, and this process leaves the replica alone for REPLICA_RETRY_SECONDS
before trying it again (one failed connection, `connect_timeout` at most, per process and
period). The failure is the replica's when Django flagged that alias's connection; any other
goes on to the 503 page.
"""

from __future__ import annotations

import contextlib
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
WROTE_COOKIE = "pp_wrote_at"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_primary_pinned: ContextVar[bool] = ContextVar("primary_pinned", default=False)


# Until when (time.monotonic()) this process reads nothing from the replica: a read from it
# failed. Per process: each web worker finds out for itself, with one failed read.
_replica_down_until = 0.0


def replica_configured() -> bool:
    return settings.DATABASE_REPLICA_ENABLED


def replica_usable() -> bool:
    return replica_configured() and time.monotonic() >= _replica_down_until


def _leave_replica_alone() -> None:
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS


@contextlib.contextmanager
def reading_from_replica():
    """Reads in this block may come from the replica (if there is one and nothing pins this
    request to the primary)."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


@contextlib.contextmanager
def pinned_to_primary():
    token = _primary_pinned.set(True)
    try:
        yield
    finally:
        _primary_pinned.reset(token)


# Who the user is and what they may do is always read from the primary: a session just made,
# an account just disabled, a role or a token just revoked takes effect at once, lag or not.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "accounts", "auth", "knox", "otp_totp", "otp_static", "django_otp", "axes"}
)


class ReplicaRouter:
    """Reads to the replica only where allowed; writes and migrations to the primary, always."""

    def db_for_read(self, model, **hints):
        if (
            _replica_allowed.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not _primary_pinned.get()
            and replica_usable()
            # A read inside a transaction must see that transaction's writes.
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, one of them a little older

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMixin:
    """A view whose reads may come from the replica (heavy, read-only, lag acceptable)."""

    def dispatch(self, request, *args, **kwargs):
        if not replica_usable():
            return super().dispatch(request, *args, **kwargs)
        replica = connections[REPLICA]
        # Django sets the flag on the alias whose connection or statement failed; a connection
        # refused in an earlier request leaves it set (nothing resets it until a connect).
        replica.errors_occurred = False
        try:
            with reading_from_replica():
                return super().dispatch(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            # Only the replica's failure is worked round: these views only read, so they run
            # again from the primary. The primary's own failure goes on to the 503 page.
            if not replica.errors_occurred:
                raise
            # Refused, silent, behind a PgBouncer whose standby is gone, or reachable but
            # cancelling the page's query (a conflict with recovery): no second connection to
            # tell them apart (another connect_timeout), the process leaves it alone a while.
            with contextlib.suppress(OperationalError, InterfaceError):
                replica.close()  # Django would otherwise keep handing the broken one out
            logger.warning("A read from the replica failed: reading from the primary.")
            _leave_replica_alone()
            return super().dispatch(request, *args, **kwargs)


class ReadYourWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        writes = request.method not in SAFE_METHODS
        try:
            wrote_at = float(request.COOKIES.get(WROTE_COOKIE, "0"))
        except ValueError:
            wrote_at = 0.0
        recent = time.time() - wrote_at < settings.REPLICA_STICKY_SECONDS
        with pinned_to_primary() if writes or recent else contextlib.nullcontext():
            response = self.get_response(request)
        if writes:
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
