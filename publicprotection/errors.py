"""Styled error pages; API paths get JSON in the same shape as the API's own errors."""

from django.http import JsonResponse
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
    return _api_error(request, 500, "error", "A server error occurred.") or defaults.server_error(
        request
    )
