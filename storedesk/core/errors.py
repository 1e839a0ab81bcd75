"""Errors raised by actions and access helpers; the API and views map them to 4xx answers."""

from __future__ import annotations


class ActionError(Exception):
    """A request we refuse, with a message safe to show the caller."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(ActionError):
    """Missing, or outside the caller's stores: the two are indistinguishable on purpose."""

    status_code = 404
    code = "not_found"


class PermissionDenied(ActionError):
    status_code = 403
    code = "forbidden"


class Conflict(ActionError):
    status_code = 409
    code = "conflict"
