"""A request whose address or query holds a NUL character is refused with a 400.

PostgreSQL text cannot hold NUL: any view that looks a record up by what was typed in the query
(a borough's code, a MARAC's code) would otherwise fail inside psycopg2 with a 500. Forms and
DRF's fields refuse NUL themselves; this covers every lookup that reads `request.GET` or the path
directly, now and later. No browser sends one from a link or a form a person filled in.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation


class NullCharacterInRequest(SuspiciousOperation):
    """Django answers a SuspiciousOperation with the 400 page and logs it as a security event."""


def _has_null(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class RefuseNullCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_null(request):
            raise NullCharacterInRequest("A NUL character in the request's address or query")
        return self.get_response(request)
