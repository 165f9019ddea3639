"""How an API client proves who it is: a personal token (django-rest-knox), or the session."""

from __future__ import annotations

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's, refusing with its 401 a token that none of ours can be before it is looked up.

    Our tokens are printable ASCII (a prefix and hex digits). knox decodes what was sent as
    UTF-8 and looks its first characters up in the database: a header byte that is not UTF-8
    raised UnicodeDecodeError, and a NUL reached PostgreSQL, which cannot hold one in text;
    each was a 500 before any permission was checked.
    """

    def authenticate_credentials(self, token: bytes):
        if not (token.isascii() and token.decode("ascii").isprintable()):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """The schema documents this class as knox's token scheme."""

    target_class = TokenAuthentication
