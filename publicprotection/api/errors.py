"""Turning the services' errors into API errors in the standard shape (docs/adr/0012)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer

from publicprotection.errors import (
    DATABASE_BUSY_API_MESSAGE,
    ConcurrentEditError,
    StateError,
    is_retryable_database_error,
)

from .parsers import RequestTooLarge
from .versions import PreconditionFailed


class Conflict(exceptions.APIException):
    """The record changed since the caller read it, or is not in a state for this action."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record has changed or is not in a state for this action."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable. Try again in a few minutes."
    default_code = "service_unavailable"


class DatabaseBusy(ServiceUnavailable):
    """The database refused a statement for now (a deadlock, a serialization failure, a lock or
    statement timeout): it is up, the request did nothing, and the same request again should
    work."""

    default_detail = DATABASE_BUSY_API_MESSAGE
    default_code = "database_busy"


def field_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's: by field where it names fields (`__all__` is
    `non_field_errors`), otherwise `non_field_errors`."""
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"non_field_errors": error.messages})


class ApiExceptionHandler(ExceptionHandler):
    """The one place the API maps the error contract (docs/adr/0012), on top of
    drf-standardized-errors' handler. API views call the services directly.

    - Django's ValidationError: 400, with field errors where the service names fields;
    - a StateError: 409 with the service's message (a stale version with If-Match sent: 412);
    - Django's PermissionDenied: 403 with the service's message ("You made this decision:
      another supervisor must review it"), the generic text when it has none;
    - Http404: 404 (out of scope and missing alike);
    - the database busy (a deadlock, a serialization failure, a lock or statement timeout):
      503 `database_busy` with Retry-After, saying nothing was saved and to send it again;
    - the database unreachable: 503 with Retry-After, not a 500;
    - a request body over DATA_UPLOAD_MAX_MEMORY_SIZE (form data): 413.
    """

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, ConcurrentEditError) and if_match_sent(self.context.get("request")):
            return PreconditionFailed(exc.message)
        if isinstance(exc, StateError):
            return Conflict(exc.message)
        if isinstance(exc, DjangoValidationError):
            return field_errors(exc)
        if isinstance(exc, DjangoPermissionDenied):
            return exceptions.PermissionDenied(str(exc) or None)
        if isinstance(exc, Http404):
            return exceptions.NotFound()
        if is_retryable_database_error(exc):
            return DatabaseBusy()
        if is_database_unavailable(exc):
            return ServiceUnavailable()
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        return super().convert_known_exceptions(exc)

    def get_response(self, exc, data):
        # An error is JSON in the one shape even where the caller asked for CSV (?format=csv).
        request = self.context.get("request")
        if request is not None:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().get_response(exc, data)
        if isinstance(exc, ServiceUnavailable):
            response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
        return response


def if_match_sent(request) -> bool:
    return bool(request is not None and request.headers.get("If-Match", "").strip())


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database is down or unreachable (not a bad query, which stays a 500)."""
    return isinstance(exc, (OperationalError, InterfaceError))
