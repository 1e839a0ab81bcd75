"""GET /api/v1/search: ranked, highlighted, scoped to the caller's stores, cursor-paginated."""

from __future__ import annotations

import pytest

from storedesk.conversations import actions
from tests.api.conftest import ApiClient, error_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_it_searches_conversations(api_as, acme, ana, carla, converse):
    conversation = converse(acme, carla, "I would like a refund for the lamp", subject="Refund request")
    converse(acme, carla, "Where is my parcel?")

    response = api_as(ana).get("/search", {"q": "refunds"})

    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["rank"] > 0
    conversation.refresh_from_db()
    assert item == {
        "id": conversation.pk,
        "store_id": acme.pk,
        "subject": "Refund request",
        "subject_html": "<mark>Refund</mark> request",
        "customer": {"id": carla.pk, "name": "Carla Customer"},
        "status": "open",
        "channel": "email",
        "last_message_at": conversation.last_message_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "snippet": "I would like a <mark>refund</mark> for the lamp",
        "rank": item["rank"],
    }


def test_it_escapes_html_in_results(api_as, acme, ana, carla, converse):
    converse(acme, carla, "<script>alert(1)</script> refund", subject="<b>refund</b>")

    [item] = api_as(ana).get("/search", {"q": "refund"}).json()["items"]

    assert item["subject"] == "<b>refund</b>"
    assert item["subject_html"] == "&lt;b&gt;<mark>refund</mark>&lt;/b&gt;"
    assert "<script>" not in item["snippet"]
    assert "<mark>refund</mark>" in item["snippet"]


def test_it_shows_gus_nothing_of_acme(api_as, acme, globex, gus, carla, converse):
    converse(acme, carla, "Refund for the lamp")
    kettle = converse(globex, CustomerFactory(store=globex, name="Gina"), "Refund for the kettle")

    response = api_as(gus).get("/search", {"q": "refund"})

    assert [item["id"] for item in response.json()["items"]] == [kettle.pk]


def test_it_narrows_to_one_store_and_answers_404_for_a_store_of_someone_else(api_as, acme, gus, carla, converse):
    converse(acme, carla, "Refund for the lamp")

    response = api_as(gus).get("/search", {"q": "refund", "store": "acme"})

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_it_pages_with_a_cursor(api_as, acme, ana, carla, converse):
    made = [converse(acme, carla, f"Refund number {i}").pk for i in range(5)]
    client = api_as(ana)

    first = client.get("/search", {"q": "refund", "limit": 2}).json()
    second = client.get("/search", {"q": "refund", "limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get("/search", {"q": "refund", "limit": 2, "cursor": second["next_cursor"]}).json()

    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert sorted(seen) == sorted(made)
    assert len(set(seen)) == 5
    assert third["next_cursor"] is None


def test_it_refuses_a_cursor_of_another_search(api_as, acme, ana, carla, converse):
    for i in range(3):
        converse(acme, carla, f"Refund lamp {i}")
    client = api_as(ana)
    cursor = client.get("/search", {"q": "refund", "limit": 1}).json()["next_cursor"]

    for bad in (cursor, "not-a-cursor", "eyJxIjoxfQ"):
        response = client.get("/search", {"q": "lamp", "cursor": bad})
        assert response.status_code == 400
        assert error_of(response) == {
            "code": "invalid_cursor",
            "message": "The cursor is not valid for this search: start again without it.",
        }


def test_it_searches_as_you_type_with_prefix(api_as, acme, ana, carla, converse):
    conversation = converse(acme, carla, "Where is my refund?")
    client = api_as(ana)

    assert client.get("/search", {"q": "ref"}).json()["items"] == []
    assert [i["id"] for i in client.get("/search", {"q": "ref", "prefix": "true"}).json()["items"]] == [conversation.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "query.q"),
        ({"q": ""}, "query.q"),
        ({"q": "x", "limit": 0}, "query.limit"),
        ({"q": "x", "limit": 51}, "query.limit"),
    ],
)
def test_it_rejects_bad_parameters(api_as, ana, query, field):
    response = api_as(ana).get("/search", query)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
    assert [f["field"] for f in error_of(response)["fields"]] == [field]


def test_it_answers_garbage_with_an_empty_list(api_as, acme, ana, carla, converse):
    converse(acme, carla, "Refund please")

    for garbage in ['"', "AND(", "*", "-", "NEAR(", "x:* & !"]:
        response = api_as(ana).get("/search", {"q": garbage})
        assert response.status_code == 200, garbage


def test_it_needs_authentication(acme, carla, converse):
    converse(acme, carla, "Refund please")

    response = ApiClient().get("/search", {"q": "refund"})

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_it_accepts_a_logged_in_session(client, acme, ana, carla, converse):
    conversation = converse(acme, carla, "Refund please")
    client.force_login(ana)

    response = client.get("/api/v1/search", {"q": "refund"})

    assert [item["id"] for item in response.json()["items"]] == [conversation.pk]


def test_it_searches_in_a_constant_number_of_queries(api_as, acme, ana, carla, converse, django_assert_num_queries):
    client = api_as(ana)
    converse(acme, carla, "Refund please")
    client.get("/search", {"q": "refund"})  # warm up
    with django_assert_num_queries(7) as few:  # token, roles, every-store check, rank, highlights, rows, orders
        client.get("/search", {"q": "refund"})
    for i in range(6):
        other = actions.do_create_customer(acme, name=f"Person {i}")
        converse(acme, other, f"Refund number {i}")

    with django_assert_num_queries(len(few)):
        response = client.get("/search", {"q": "refund"})

    assert len(response.json()["items"]) == 7


def test_it_is_described_in_the_openapi_document(db):
    schema = ApiClient().get("/openapi.json").json()

    operation = schema["paths"]["/api/v1/search"]["get"]
    assert operation["summary"] == "Search conversations, best matches first"
    assert {p["name"] for p in operation["parameters"]} == {"q", "store", "prefix", "cursor", "limit"}
