"""Request bodies the API accepts: bounded in size, depth and text, and valid Unicode.

Checked once here, for every endpoint, before any serializer sees the data: a 10 MB body,
JSON nested a hundred thousand deep or a lone surrogate ("\\ud800", which PostgreSQL and the
JSON encoder both refuse) each used to end in a 500.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import exceptions, parsers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def _content_length(parser_context) -> int | None:
    request = (parser_context or {}).get("request")
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else None
    except ValueError:
        return None


def _read_bounded(stream, parser_context) -> bytes:
    limit = settings.API_MAX_BODY_BYTES
    length = _content_length(parser_context)
    if length and length > limit:
        raise RequestTooLarge(f"The request body must be {limit // 1024} KB or smaller.")
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise RequestTooLarge(f"The request body must be {limit // 1024} KB or smaller.")
    return body


def _path(parts: list) -> str:
    return ".".join(str(part) for part in parts)


def check_values(data) -> None:
    """Raise a field error for the first string that is too long or not valid Unicode, or for
    nesting deeper than API_MAX_JSON_DEPTH. Iterative, so depth itself cannot overflow."""
    max_depth, max_text = settings.API_MAX_JSON_DEPTH, settings.API_MAX_TEXT_LENGTH
    stack = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > max_depth:
            raise exceptions.ParseError(f"JSON may be nested at most {max_depth} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, [*path, "(key)"], max_text)
                stack.append((item, [*path, key]))
        elif isinstance(value, list):
            stack.extend((item, [*path, index]) for index, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, path, max_text)


def _check_text(text: str, path: list, max_text: int) -> None:
    attr = _path(path) or "non_field_errors"
    if len(text) > max_text:
        raise exceptions.ValidationError(
            {attr: [f"Ensure this field has no more than {max_text} characters."]}
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise exceptions.ValidationError(
            {attr: ["Text must be valid Unicode (it has a lone surrogate character)."]}
        ) from None


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = _read_bounded(stream, parser_context)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(body.decode(encoding), parse_constant=_no_constants)
        except RecursionError:
            raise exceptions.ParseError("JSON is nested too deeply.") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        check_values(data)
        return data


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")


class BoundedFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if (_content_length(parser_context) or 0) > settings.API_MAX_BODY_BYTES:
            raise RequestTooLarge()
        data = super().parse(stream, media_type, parser_context)
        check_values({key: data.getlist(key) for key in data})
        return data


class BoundedMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if (_content_length(parser_context) or 0) > settings.API_MAX_BODY_BYTES:
            raise RequestTooLarge()
        return super().parse(stream, media_type, parser_context)
