"""The error contract (docs/adr/0012) and the styled error pages.

Services raise three kinds of error, and nothing else for a refusal:

- Django's `ValidationError`: bad input (400 in the API; the form's fields on a page);
- `StateError` (this module): the record is not in a state that allows this, or changed since
  the caller read it (409; 412 when the API caller sent If-Match);
- Django's `PermissionDenied`: this actor may not (403), or `Http404` where the record's
  existence must not show.

The message is the service's own words and reaches the user and the API client verbatim. One
DRF exception handler (publicprotection/api/errors.py) and one form-view base
(publicprotection/service_forms.py) do the mapping; API paths get JSON error pages in the same
shape as the API's own errors.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults


class StateError(Exception):
    """The record is not in a state that allows this action (already reviewed, the meeting
    already held, someone else saved it meanwhile). A 409, with `message` shown as it is."""

    default_message = "The record is not in a state that allows this."
    code = "invalid_state"

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        super().__init__(self.message)

    @property
    def messages(self) -> list[str]:
        return [self.message]


class ConcurrentEditError(StateError):
    """Someone else saved the record since this form was opened (or the API caller read it)."""

    code = "concurrent_edit"

    def __init__(self, noun: str = "record"):
        super().__init__(
            f"Someone else changed this {noun} while you were editing it. Your changes have "
            "not been saved: check the current version (open it in a new tab), then save again."
        )


# PostgreSQL's refusals of a statement that lost to another transaction or ran out of time:
# serialization failure, deadlock, lock not available (lock_timeout), query cancelled
# (statement_timeout). The statement did nothing, the database is up, and the same save sent
# again normally works, so a page shows its form again instead of the 503 page.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})

DATABASE_BUSY_MESSAGE = (
    "The database was too busy to save this just now, so nothing has been saved. What you "
    "entered is still here: try saving again."
)


# The same refusal where no form can be shown again: an API call, or a page that was loading
# what it shows. The database is up, so the answer is "busy, try again", not the outage page.
DATABASE_BUSY_API_MESSAGE = (
    "The database was too busy to complete this request just now, so nothing has been saved. "
    "Send the same request again in a moment."
)


def is_retryable_database_error(error: BaseException) -> bool:
    """A database refusal worth retrying as it is (see RETRYABLE_SQLSTATES)."""
    cause = error.__cause__
    return (
        isinstance(error, OperationalError)
        and getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES
    )


def _api_error(request, status: int, code: str, detail: str):
    if request.path.startswith("/api/"):
        body = {"type": "client_error" if status < 500 else "server_error",
                "errors": [{"code": code, "detail": detail, "attr": None}]}  # fmt: skip
        return JsonResponse(body, status=status)
    return None


def bad_request(request, exception=None):
    return _api_error(request, 400, "bad_request", "Bad request.") or defaults.bad_request(
        request, exception
    )


def permission_denied(request, exception=None):
    return _api_error(
        request, 403, "permission_denied", "You do not have permission to perform this action."
    ) or defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    return _api_error(request, 404, "not_found", "Not found.") or defaults.page_not_found(
        request, exception
    )


def server_error(request):
    """A 500, or a 503 with Retry-After when the database is busy or unreachable: Django calls
    this inside its `except` block, so the exception is at hand."""
    error = sys.exc_info()[1]
    if is_retryable_database_error(error):
        return database_busy(request)
    if isinstance(error, (OperationalError, InterfaceError)):
        return service_unavailable(request)
    return _api_error(request, 500, "error", "A server error occurred.") or defaults.server_error(
        request
    )


def database_busy(request):
    """503: the database refused a statement for now (`is_retryable_database_error`) outside a
    form's save, which `ServiceFormMixin.run_service` answers with the form itself. The
    database is up: the page says to try again, not that the service is down."""
    response = _api_error(request, 503, "database_busy", DATABASE_BUSY_API_MESSAGE)
    if response is None:
        response = HttpResponse(loader.get_template("503_busy.html").render(), status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    return response


def service_unavailable(request):
    """503: the database (or another service the page needs) is down. The page is standalone,
    like 500.html: it cannot use the session, the user or anything else from the database."""
    response = _api_error(
        request,
        503,
        "service_unavailable",
        "The service is briefly unavailable. Try again in a few minutes.",
    )
    if response is None:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    return response
