"""REST API v1: one NinjaAPI, one router per domain, errors mapped to JSON 4xx answers."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Storedesk API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
