"""Turning the services' errors into API errors in the standard shape."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from rest_framework import exceptions, status


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


class ExceptionHandler(StandardExceptionHandler):
    """The standard handler, except that a service's PermissionDenied keeps its message (the
    domain's own words, "another supervisor must review it"); without one, the generic text."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            return exceptions.PermissionDenied(str(exc))
        return super().convert_known_exceptions(exc)
