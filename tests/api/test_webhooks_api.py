"""/api/v1/webhooks: endpoints and their delivery log, for store admins only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.core.models import AuditEvent
from storedesk.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api.conftest import error_of
from tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

EVENT_ID = uuid.UUID("5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10")


def delivery_for(endpoint, *, minutes_ago: int = 0, **fields) -> WebhookDelivery:
    fields.setdefault("payload", {"type": "customer.merged", "store_id": endpoint.store_id})
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=fields.pop("event_id", uuid.uuid4()),
        event_type="customer.merged",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    )


@pytest.fixture
def hook(acme):
    return WebhookEndpointFactory(
        store=acme, url="https://hooks.acme.test/storedesk", secret="whsec-acme-1", description="Order sync"
    )


# --- list ------------------------------------------------------------------------------------------


def test_it_lists_the_admins_endpoints_without_secrets(api_as, olivia, acme, globex, hook):
    other = WebhookEndpointFactory(store=acme, url="https://crm.acme.test/", event_types=["message.created"])
    WebhookEndpointFactory(store=globex, url="https://hooks.globex.test/")

    response = api_as(olivia).get("/webhooks")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "items": [
            {
                "id": hook.pk,
                "store_id": acme.pk,
                "url": "https://hooks.acme.test/storedesk",
                "description": "Order sync",
                "event_types": [],
                "is_active": True,
                "created_at": hook.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            },
            {
                "id": other.pk,
                "store_id": acme.pk,
                "url": "https://crm.acme.test/",
                "description": "",
                "event_types": ["message.created"],
                "is_active": True,
                "created_at": other.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            },
        ],
        "next_cursor": None,
    }
    assert "whsec-acme-1" not in response.content.decode()


def test_it_lists_one_store_by_slug_and_pages(api_as, olivia, acme, hook):
    second = WebhookEndpointFactory(store=acme)

    first_page = api_as(olivia).get("/webhooks?store=acme&limit=1")
    second_page = api_as(olivia).get(f"/webhooks?store={acme.pk}&limit=1&cursor={first_page.json()['next_cursor']}")

    assert [e["id"] for e in first_page.json()["items"]] == [hook.pk]
    assert [e["id"] for e in second_page.json()["items"]] == [second.pk]
    assert second_page.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("ana", "/webhooks", 403),
        ("leo", "/webhooks?store=acme", 403),
        ("gus", "/webhooks?store=acme", 404),
        ("gus", "/webhooks", 403),
    ],
)
def test_it_refuses_to_list_to_non_admins(request, api_as, hook, who, path, status):
    response = api_as(request.getfixturevalue(who)).get(path)

    assert response.status_code == status
    assert error_of(response)["code"] == {403: "forbidden", 404: "not_found"}[status]


def test_it_requires_authentication(api_as, hook):
    response = api_as(None).get("/webhooks")

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


# --- create ----------------------------------------------------------------------------------------


def test_it_creates_an_endpoint_and_shows_the_secret_once(api_as, olivia, acme):
    response = api_as(olivia).post(
        "/webhooks",
        {
            "store": "acme",
            "url": "https://hooks.acme.test/new",
            "event_types": ["message.created"],
            "description": "CRM",
        },
    )

    assert response.status_code == 201, response.content
    endpoint = WebhookEndpoint.objects.get()
    body = response.json()
    assert body["secret"] == endpoint.secret
    assert {k: body[k] for k in ("id", "store_id", "url", "event_types", "description", "is_active")} == {
        "id": endpoint.pk,
        "store_id": acme.pk,
        "url": "https://hooks.acme.test/new",
        "event_types": ["message.created"],
        "description": "CRM",
        "is_active": True,
    }
    assert AuditEvent.objects.get().verb == "webhook.created"
    listed = api_as(olivia).get("/webhooks").json()["items"][0]
    assert "secret" not in listed


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"store": "acme", "url": "ftp://hooks.acme.test/"}, 400, "invalid_url"),
        ({"store": "acme", "url": "https://hooks.acme.test/", "event_types": ["nope"]}, 400, "invalid_event_type"),
        ({"store": "acme", "url": ""}, 422, "invalid_input"),
        ({"store": "acme"}, 422, "invalid_input"),
        ({"store": "acme", "url": "https://hooks.acme.test/", "secret": "mine"}, 422, "invalid_input"),
        ({"store": "acme", "url": "https://hooks.acme.test/", "event_types": "message.created"}, 422, "invalid_input"),
        ({"store": "acme", "url": "https://hooks.acme.test/", "description": "x" * 201}, 422, "invalid_input"),
        ({"store": "globex", "url": "https://hooks.acme.test/"}, 404, "not_found"),
        ({"store": "nowhere", "url": "https://hooks.acme.test/"}, 404, "not_found"),
    ],
)
def test_it_rejects_a_bad_endpoint_and_creates_nothing(api_as, olivia, acme, globex, payload, status, code):
    response = api_as(olivia).post("/webhooks", payload)

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code
    assert not WebhookEndpoint.objects.exists()


def test_it_forbids_an_agent_to_create_an_endpoint(api_as, ana, acme):
    response = api_as(ana).post("/webhooks", {"store": "acme", "url": "https://hooks.acme.test/"})

    assert response.status_code == 403
    assert error_of(response) == {"code": "forbidden", "message": "Your role may not do this (webhook.manage)."}
    assert not WebhookEndpoint.objects.exists()


def test_it_hides_another_stores_endpoint_from_an_outsider(api_as, gus, acme):
    response = api_as(gus).post("/webhooks", {"store": "acme", "url": "https://hooks.acme.test/"})

    assert response.status_code == 404
    assert not WebhookEndpoint.objects.exists()


# --- update, delete, rotate ---------------------------------------------------------------------------


def test_it_changes_an_endpoint(api_as, olivia, hook):
    response = api_as(olivia).patch(
        f"/webhooks/{hook.pk}", {"is_active": False, "event_types": ["customer.merged", "message.created"]}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["is_active"], response.json()["event_types"]) == (
        False,
        ["message.created", "customer.merged"],
    )
    assert "secret" not in response.json()
    hook.refresh_from_db()
    assert (hook.is_active, hook.event_types, hook.url) == (
        False,
        ["message.created", "customer.merged"],
        "https://hooks.acme.test/storedesk",
    )


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "empty_update"),
        ({"url": None}, 400, "invalid_field"),
        ({"url": "gopher://x"}, 400, "invalid_url"),
        ({"secret": "mine"}, 422, "invalid_input"),
        ({"is_active": "maybe"}, 422, "invalid_input"),
    ],
)
def test_it_rejects_a_bad_change_and_changes_nothing(api_as, olivia, hook, payload, status, code):
    response = api_as(olivia).patch(f"/webhooks/{hook.pk}", payload)

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code
    hook.refresh_from_db()
    assert (hook.url, hook.secret, hook.is_active) == ("https://hooks.acme.test/storedesk", "whsec-acme-1", True)


def test_it_deletes_an_endpoint(api_as, olivia, hook):
    delivery_for(hook)

    response = api_as(olivia).delete(f"/webhooks/{hook.pk}")

    assert response.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_it_rotates_the_secret_and_shows_the_new_one(api_as, olivia, hook):
    response = api_as(olivia).post(f"/webhooks/{hook.pk}/rotate-secret")

    assert response.status_code == 200, response.content
    hook.refresh_from_db()
    assert hook.secret != "whsec-acme-1"
    assert response.json()["secret"] == hook.secret


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("patch", "/webhooks/{id}", {"url": "https://evil.test/"}),
        ("delete", "/webhooks/{id}", None),
        ("post", "/webhooks/{id}/rotate-secret", None),
        ("get", "/webhooks/{id}/deliveries", None),
    ],
)
@pytest.mark.parametrize(("who", "status"), [("gus", 404), ("ana", 403), ("leo", 403)])
def test_it_guards_every_endpoint_route(request, api_as, hook, method, path, payload, who, status):
    client = api_as(request.getfixturevalue(who))
    url = path.format(id=hook.pk)

    response = getattr(client, method)(url, payload) if payload is not None else getattr(client, method)(url)

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == {403: "forbidden", 404: "not_found"}[status]
    hook.refresh_from_db()
    assert (hook.url, hook.secret) == ("https://hooks.acme.test/storedesk", "whsec-acme-1")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/webhooks/999999", 404, "not_found"),
        ("/webhooks/abc", 404, "not_found"),
        ("/webhooks/0", 422, "invalid_input"),
        ("/webhooks/99999999999999999999", 422, "invalid_input"),
    ],
)
def test_it_answers_json_for_an_unknown_endpoint(api_as, olivia, path, status, code):
    response = api_as(olivia).patch(path, {"is_active": False})

    assert response.status_code == status
    assert error_of(response)["code"] == code


# --- the delivery log -----------------------------------------------------------------------------------


def test_it_shows_the_delivery_log_newest_first(api_as, olivia, hook, acme):
    old = delivery_for(
        hook,
        minutes_ago=10,
        event_id=EVENT_ID,
        state=WebhookDelivery.State.FAILED,
        attempts=8,
        response_status=503,
        response_body="maintenance",
        last_error="HTTP 503 (gave up after 8 attempts)",
    )
    new = delivery_for(hook, minutes_ago=1, state=WebhookDelivery.State.SUCCEEDED, attempts=1, response_status=200)
    delivery_for(WebhookEndpointFactory(store=acme))  # another endpoint's

    response = api_as(olivia).get(f"/webhooks/{hook.pk}/deliveries")

    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [item["id"] for item in items] == [str(new.pk), str(old.pk)]
    assert items[1] == {
        "id": str(old.pk),
        "endpoint_id": hook.pk,
        "event_id": str(EVENT_ID),
        "event_type": "customer.merged",
        "state": "failed",
        "attempts": 8,
        "next_attempt_at": items[1]["next_attempt_at"],
        "response_status": 503,
        "response_body": "maintenance",
        "last_error": "HTTP 503 (gave up after 8 attempts)",
        "created_at": old.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "delivered_at": None,
        "replay_of_id": None,
        "payload": {"type": "customer.merged", "store_id": acme.pk},
    }
    assert response.json()["next_cursor"] is None


def test_it_pages_the_delivery_log_and_filters_it_by_state(api_as, olivia, hook):
    rows = [delivery_for(hook, minutes_ago=m, state=WebhookDelivery.State.SUCCEEDED) for m in (1, 2, 3)]
    failed = delivery_for(hook, minutes_ago=4, state=WebhookDelivery.State.FAILED)
    client = api_as(olivia)

    first = client.get(f"/webhooks/{hook.pk}/deliveries?limit=2").json()
    second = client.get(f"/webhooks/{hook.pk}/deliveries?limit=2&cursor={first['next_cursor']}").json()
    failed_only = client.get(f"/webhooks/{hook.pk}/deliveries?state=failed").json()

    assert [i["id"] for i in first["items"]] == [str(rows[0].pk), str(rows[1].pk)]
    assert first["next_cursor"] == str(rows[1].pk)
    assert [i["id"] for i in second["items"]] == [str(rows[2].pk), str(failed.pk)]
    assert second["next_cursor"] is None
    assert [i["id"] for i in failed_only["items"]] == [str(failed.pk)]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("?cursor=not-a-uuid", 422, "invalid_input"),
        (f"?cursor={uuid.uuid4()}", 400, "invalid_cursor"),
        ("?limit=0", 422, "invalid_input"),
        ("?limit=201", 422, "invalid_input"),
        ("?state=lost", 422, "invalid_input"),
    ],
)
def test_it_rejects_a_bad_delivery_log_query(api_as, olivia, hook, query, status, code):
    response = api_as(olivia).get(f"/webhooks/{hook.pk}/deliveries{query}")

    assert response.status_code == status, response.content
    assert error_of(response)["code"] == code


def test_it_does_not_accept_another_endpoints_delivery_as_a_cursor(api_as, olivia, acme, hook):
    foreign = delivery_for(WebhookEndpointFactory(store=acme))

    response = api_as(olivia).get(f"/webhooks/{hook.pk}/deliveries?cursor={foreign.pk}")

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_cursor"


# --- replay ------------------------------------------------------------------------------------------------


def test_it_replays_a_delivery(api_as, olivia, hook, django_capture_on_commit_callbacks, monkeypatch):
    original = delivery_for(hook, event_id=EVENT_ID, state=WebhookDelivery.State.FAILED, attempts=8)
    sent = []
    monkeypatch.setattr("storedesk.webhooks.tasks.deliver_webhook", sent.append)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(olivia).post(f"/webhooks/deliveries/{original.pk}/replay")

    assert response.status_code == 201, response.content
    replay = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert (replay.replay_of, replay.event_id, replay.payload, replay.state, replay.attempts) == (
        original,
        EVENT_ID,
        original.payload,
        WebhookDelivery.State.PENDING,
        0,
    )
    assert response.json()["id"] == str(replay.pk)
    assert response.json()["replay_of_id"] == str(original.pk)
    assert sent == [str(replay.pk)]


@pytest.mark.parametrize(("who", "status"), [("gus", 404), ("ana", 403), ("leo", 403)])
def test_it_lets_only_the_stores_admins_replay(request, api_as, hook, who, status):
    original = delivery_for(hook)

    response = api_as(request.getfixturevalue(who)).post(f"/webhooks/deliveries/{original.pk}/replay")

    assert response.status_code == status
    assert WebhookDelivery.objects.count() == 1


def test_it_refuses_to_replay_to_a_switched_off_endpoint(api_as, olivia, acme):
    original = delivery_for(WebhookEndpointFactory(store=acme, is_active=False))

    response = api_as(olivia).post(f"/webhooks/deliveries/{original.pk}/replay")

    assert response.status_code == 400
    assert error_of(response)["code"] == "endpoint_inactive"
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize("delivery_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_it_answers_404_for_an_unknown_delivery(api_as, olivia, acme, delivery_id):
    response = api_as(olivia).post(f"/webhooks/deliveries/{delivery_id}/replay")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
