"""The API describes itself: /api/v1/openapi.json and the docs page; unknown paths are JSON 404s."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db


def test_it_serves_the_openapi_document_with_every_path():
    response = ApiClient().get("/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Storedesk API"
    paths = set(schema["paths"])
    assert {
        "/api/v1/me",
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}",
        "/api/v1/conversations/{conversation_id}/merge",
        "/api/v1/conversations/{conversation_id}/messages",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/merge",
        "/api/v1/tags",
        "/api/v1/tags/{tag_id}",
        "/api/v1/macros",
        "/api/v1/macros/{macro_id}",
        "/api/v1/macros/{macro_id}/render",
    } <= paths
    assert set(schema["paths"]["/api/v1/conversations/{conversation_id}"]) == {"get", "patch"}
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "LoggedInSession"}


def test_it_serves_the_docs_page():
    response = ApiClient().get("/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
    # Self-hosted sites run offline: Swagger UI comes from our static files, never a CDN.
    assets = re.findall(r'(?:src|href)="([^"#]+)"', response.content.decode())
    assert assets
    assert all(url.startswith("/static/") for url in assets), assets


def test_it_answers_an_unknown_api_path_with_a_json_404(api_as, ana):
    response = api_as(ana).get("/no-such-thing")

    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "No API endpoint at /api/v1/no-such-thing."}
