"""REST API v1: one NinjaAPI, one router per domain, errors mapped to JSON 4xx answers.

Mounted at /api/v1/ (config/urls.py); OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import iscoroutinefunction
from django.urls import URLPattern, re_path
from ninja import NinjaAPI

from storedesk.api import (
    conversations,
    customers,
    macros,
    me,
    messages,
    orders,
    public,
    remedies,
    search,
    tags,
    webhooks,
)
from storedesk.api.auth import AUTH
from storedesk.api.errors import install_error_handlers, json_method_not_allowed, unknown_path


class StoredeskAPI(NinjaAPI):
    """NinjaAPI whose URL answers are JSON even for a wrong method (405) or an unknown path (404)."""

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern) and not iscoroutinefunction(pattern.callback):
                pattern.callback = json_method_not_allowed(self, pattern.callback)
        patterns.append(re_path(r"^.*$", unknown_path(self), name="unknown"))
        return patterns, app_name, namespace


api = StoredeskAPI(
    title="Storedesk API",
    version="1",
    description=(
        "Authenticate with `Authorization: Bearer <token>` (create one with `storedesk token create EMAIL`) "
        "or a logged-in session (unsafe methods then need the CSRF token). Errors are "
        '`{"error": {"code": ..., "message": ...}}`. Lists are cursor-paginated: pass `next_cursor` back as `?cursor=`.'
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=AUTH,
)
install_error_handlers(api)

api.add_router("/me", me.router)
api.add_router("/conversations", conversations.router)
api.add_router("/conversations", messages.router)
api.add_router("/customers", customers.router)
api.add_router("/tags", tags.router)
api.add_router("/macros", macros.router)
api.add_router("/webhooks", webhooks.router)
api.add_router("/orders", orders.router)
api.add_router("/orders", remedies.router)
api.add_router("/search", search.router)
api.add_router("/public", public.router)  # no auth: a store's own website reads these
