"""Styled error pages; API paths get JSON in the same shape as the API's own errors."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults


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
    """A 500, or a 503 with Retry-After when the database is unreachable: Django calls this
    inside its `except` block, so the exception is at hand."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return service_unavailable(request)
    return _api_error(request, 500, "error", "A server error occurred.") or defaults.server_error(
        request
    )


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
