"""Who is calling: a personal API token (`Authorization: Bearer sd_…`) or the web UI's session.

Session callers must send the CSRF token on unsafe methods; token callers need not (a browser
cannot be tricked into sending an Authorization header).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from storedesk.core.actions import authenticate_token
from storedesk.core.models import User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        return authenticate_token(token) if token else None


class LoggedInSession(SessionAuth):
    """Django's session, with the CSRF check only for requests that actually carry a login:
    an anonymous request must get 401, not a CSRF 403."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)


AUTH = [TokenAuth(), LoggedInSession()]


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API request (set by one of AUTH)."""
    return request.auth  # type: ignore[attr-defined, no-any-return]
