"""Who may call the API: bearer tokens, the web session (with CSRF), and nobody else."""

from __future__ import annotations

import pytest
from django.utils.crypto import get_random_string

from storedesk.conversations.models import Tag
from storedesk.core.actions import do_create_api_token, do_revoke_api_token
from storedesk.core.models import ApiToken
from tests.api.conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="storedesk"'


def test_it_accepts_a_valid_token(api_as, ana):
    response = api_as(ana).get("/me")

    assert response.status_code == 200
    assert response.json()["email"] == "ana@acme.test"


def test_it_answers_401_without_a_token(api_as, ana):
    assert_unauthorized(api_as(None).get("/me"))


def test_it_answers_401_to_an_anonymous_write_rather_than_a_csrf_error(acme):
    response = ApiClient(enforce_csrf_checks=True).post("/tags", {"store": "acme", "name": "x"})

    assert_unauthorized(response)
    assert not Tag.objects.exists()


def test_it_answers_401_for_a_revoked_token(ana):
    token, raw = do_create_api_token(ana, "ci")
    do_revoke_api_token(token)

    assert_unauthorized(ApiClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/me"))


def test_it_answers_401_for_the_token_of_a_deactivated_agent(ana):
    _, raw = do_create_api_token(ana, "ci")
    ana.is_active = False
    ana.save(update_fields=["is_active"])

    assert_unauthorized(ApiClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/me"))


@pytest.mark.parametrize("header", ["Bearer sd_not-a-real-token", "Bearer ", "Token sd_abc", "sd_abc", "Basic YTpi"])
def test_it_answers_401_for_an_unknown_or_malformed_token(ana, header):
    do_create_api_token(ana, "ci")

    assert_unauthorized(ApiClient(HTTP_AUTHORIZATION=header).get("/me"))


def test_it_marks_a_token_used(ana):
    token, raw = do_create_api_token(ana, "ci")

    ApiClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/me")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_accepts_a_logged_in_session(ana):
    client = ApiClient()
    client.force_login(ana)

    response = client.get("/me")

    assert response.status_code == 200
    assert response.json()["email"] == "ana@acme.test"


def test_it_refuses_a_session_write_without_the_csrf_token(ana, acme):
    client = ApiClient(enforce_csrf_checks=True)
    client.force_login(ana)

    response = client.post("/tags", {"store": "acme", "name": "returns"})

    assert response.status_code == 403
    assert error_of(response) == {"code": "forbidden", "message": "CSRF check Failed"}
    assert not Tag.objects.exists()


def test_it_accepts_a_session_write_with_the_csrf_token(ana, acme):
    client = ApiClient(enforce_csrf_checks=True)
    client.force_login(ana)
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret

    response = client.post("/tags", {"store": "acme", "name": "returns"}, HTTP_X_CSRFTOKEN=secret)

    assert response.status_code == 201, response.content
    assert Tag.objects.get().name == "returns"


def test_it_needs_no_csrf_token_with_a_bearer_token(api_as, ana, acme):
    response = api_as(ana, enforce_csrf_checks=True).post("/tags", {"store": "acme", "name": "returns"})

    assert response.status_code == 201
    assert ApiToken.objects.filter(user=ana).count() == 1
