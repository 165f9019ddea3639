"""Optimistic locking in the API: the version read travels back as `version` in the body or as
an `If-Match` header carrying the record's ETag.

A versioned record's representation has a `version`; its ETag is `"v<version>"`
(`ETagMiddleware`). A stale `If-Match` is a 412 Precondition Failed, a stale body `version` a
409 Conflict (ApiExceptionHandler), and nothing is written either way.
"""

from __future__ import annotations

import re

from rest_framework import exceptions, status

# [0-9], not \d: \d matches every script's digits, which int() reads too ("v٣" is not v3).
_ETAG = re.compile(r'^(?:W/)?"v([0-9]{1,9})"$')


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it (If-Match). Read it again."
    default_code = "precondition_failed"


def etag_for(version: int) -> str:
    return f'"v{version}"'


def if_match_version(request) -> int | None:
    """The version named by If-Match, None without the header. A header that names no version
    of ours can match no current ETag: 412."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    match = _ETAG.match(header)
    if match is None:
        raise PreconditionFailed(
            'If-Match must be the ETag you read, such as "v3" (several are not accepted).'
        )
    return int(match.group(1))


def requested_version(request, body_version: int | None, *, required: bool = True) -> int | None:
    """The version the caller read: If-Match wins over the body's `version`; they must agree
    when both are sent."""
    header_version = if_match_version(request)
    if header_version is not None:
        if body_version is not None and body_version != header_version:
            raise exceptions.ValidationError(
                {"version": ["The version in the body and the If-Match header disagree."]}
            )
        return header_version
    if body_version is None and required:
        raise exceptions.ValidationError(
            {"version": ["Send the version you read, in the body or as an If-Match header."]}
        )
    return body_version


class ETagMiddleware:
    """Give an API answer that shows one versioned record its ETag."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        data = getattr(response, "data", None)
        if (
            request.path.startswith("/api/")
            and response.status_code in (200, 201)
            and isinstance(data, dict)
            and isinstance(data.get("version"), int)
            and not response.has_header("ETag")
        ):
            response["ETag"] = etag_for(data["version"])
        return response


IF_MATCH_HELP = (
    ' Instead of `version`, the ETag read (`If-Match: "v3"`) may be sent: a stale one is a 412.'
)
