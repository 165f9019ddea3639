"""Posting the same thing twice takes effect once.

- API: a POST with an `Idempotency-Key` header. A retry with the same key (by the same user
  or token) gets the first answer again, marked `Idempotent-Replayed: true`; the same key with
  a different body is a 422; a retry while the first is still running waits for it.
- Pages: create forms carry a one-time token (`{% once_field %}`); posting the form again
  redirects to what the first post made. A form's token counts for the address it posts to
  only: a page re-shown with errors gives every form on it the token that was posted (see
  `once_field`), and another of its forms sent with that token is a request of its own.

The key is claimed in the request's transaction before the view runs, so two identical
requests racing each other cannot both write.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import JsonResponse
from rest_framework.exceptions import AuthenticationFailed

from publicprotection.api.authentication import TokenAuthentication

from . import services

HEADER = "Idempotency-Key"
FORM_FIELD = "_once"


def _api_error(status: int, code: str, detail: str, attr: str | None = None) -> JsonResponse:
    body = {"type": "client_error", "errors": [{"code": code, "detail": detail, "attr": attr}]}
    return JsonResponse(body, status=status)


def _principal(request) -> str | None:
    """Whose key it is: the API token the request authenticates with now, else the signed-in
    user. A replay skips the view, so a token revoked or expired since the first answer (or its
    user deactivated) must be nobody here, or it would be shown that answer again."""
    try:
        token = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    if token is not None:
        authorization = request.headers["Authorization"]
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:64]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _form_key(path: str, token: str) -> str:
    """A form token's key: the token for this address. On a page re-shown with errors every
    form carries the token that was posted (a page of a meeting holds several create forms);
    without the address, the first of them sent would use it up and the next would be told
    it was a repeat, losing what was typed."""
    return "form:" + hashlib.sha256(f"{path}\n{token}".encode()).hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        is_api = request.path.startswith("/api/")
        if is_api:
            key = request.headers.get(HEADER, "")
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            key = request.POST.get(FORM_FIELD, "")
        else:
            key = ""
        if not key:
            return self.get_response(request)
        if len(key) > 255 or not key.isprintable():
            return _api_error(400, "invalid", f"{HEADER} must be 1 to 255 printable characters.")
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)
        # Pages: the token is single-use per rendered form, and the CSRF token in the body
        # differs between renders, so only API bodies are compared.
        try:
            body = request.body if is_api else b""
        except RequestDataTooBig:
            return _api_error(413, "request_too_large", "The request body is too large.")
        request_hash = hashlib.sha256(body).hexdigest() if is_api else ""
        if not is_api:
            key = _form_key(request.path, key)
        return self._once(request, principal, key, request_hash)

    def _once(self, request, principal: str, key: str, request_hash: str):
        with transaction.atomic():
            claimed = services.claim(
                principal=principal,
                key=key,
                method=request.method,
                path=request.path,
                request_hash=request_hash,
            )
            if not claimed:
                return self._repeat(request, principal, key, request_hash)
            response = self.get_response(request)
            if response.status_code >= 500:
                # Nothing of a request that failed is kept, its claim included (a retry runs):
                # and a statement the database refused outside any savepoint of its own (a
                # lock timeout while the view loaded its record) has left this transaction
                # unusable, so a rollback is the only way out that still sends the 503.
                transaction.set_rollback(True)
                return response
            services.keep(principal=principal, key=key, response=response)
            return response

    def _repeat(self, request, principal: str, key: str, request_hash: str):
        record = services.earlier(principal=principal, key=key)
        if record is None or record.status_code is None:  # freed or never answered: a race lost
            return _api_error(409, "conflict", "The same request is being handled. Try again.")
        if record.path != request.path[:500] or record.request_hash != request_hash:
            return _api_error(
                422,
                "idempotency_key_reused",
                f"This {HEADER} was used for a different request.",
                attr=HEADER,
            )
        return services.replay(record)
