"""Turning the services' errors into API errors in the standard shape."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status

from .parsers import RequestTooLarge
from .versions import PreconditionFailed


class Conflict(exceptions.APIException):
    """The record changed since the caller read it, or is not in a state for this action."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record has changed or is not in a state for this action."
    default_code = "conflict"


def as_api_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as a 400 with field errors where it names fields."""
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def call_service(service, *, conflicts: tuple[type[Exception], ...] = (), **kwargs):
    """Call a service for an API view: its state errors (`conflicts`) become a 409, its
    validation errors a 400 with field errors."""
    try:
        return service(**kwargs)
    except conflicts as error:
        message = (
            " ".join(error.messages) if isinstance(error, DjangoValidationError) else str(error)
        )
        raise Conflict(message) from error
    except DjangoValidationError as error:
        raise as_api_error(error) from error


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable. Try again in a few minutes."
    default_code = "service_unavailable"


class ApiExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, plus what the services and the database raise:

    - a service's ValidationError is a 400 with field errors (as_api_error);
    - the database being unreachable is a 503 with Retry-After, not a 500;
    - a request body over DATA_UPLOAD_MAX_MEMORY_SIZE (form data) is a 413;
    - a service's PermissionDenied keeps its message (the domain's own words, "another
      supervisor must review it"); without one, the generic text.
    """

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        stale = exc if is_stale_version(exc) else exc.__cause__
        if is_stale_version(stale):
            message = " ".join(stale.messages)
            if if_match_sent(self.context.get("request")):
                return PreconditionFailed(message)
            return exc if isinstance(exc, Conflict) else Conflict(message)
        if isinstance(exc, DjangoValidationError):
            return as_api_error(exc)
        if is_database_unavailable(exc):
            return ServiceUnavailable()
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            return exceptions.PermissionDenied(str(exc))
        return super().convert_known_exceptions(exc)

    def get_response(self, exc, data):
        response = super().get_response(exc, data)
        if isinstance(exc, ServiceUnavailable):
            response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
        return response


def is_stale_version(exc) -> bool:
    return (
        isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "concurrent_edit"
    )


def if_match_sent(request) -> bool:
    return bool(request is not None and request.headers.get("If-Match", "").strip())


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database is down or unreachable (not a bad query, which stays a 500)."""
    return isinstance(exc, (OperationalError, InterfaceError))
