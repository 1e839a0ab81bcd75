"""API test helpers: a JSON client authenticated with a real API token of one of the cast."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from storedesk.core.actions import do_create_api_token

PREFIX = "/api/v1"


class ApiClient(Client):
    """Django's test client with paths relative to /api/v1 and JSON request bodies."""

    def _json(self, method: str, path: str, data: Any = None, **extra: Any):
        extra.setdefault("content_type", "application/json")
        return getattr(super(), method)(PREFIX + path, data, **extra)

    def get(self, path, data=None, **extra):
        return super().get(PREFIX + path, data, **extra)

    def post(self, path, data=None, **extra):
        return self._json("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._json("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._json("put", path, data, **extra)

    def delete(self, path, data=None, **extra):
        return self._json("delete", path, data, **extra)


@pytest.fixture
def api_as():
    """api_as(user) → a client sending that user's fresh API token; api_as(None) → anonymous."""

    def make(user=None, **client_kwargs) -> ApiClient:
        if user is None:
            return ApiClient(**client_kwargs)
        _, raw = do_create_api_token(user, "tests")
        return ApiClient(HTTP_AUTHORIZATION=f"Bearer {raw}", **client_kwargs)

    return make


def error_of(response) -> dict[str, Any]:
    """The {"code", "message"} of a JSON error answer (fails if the answer is not one)."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]
