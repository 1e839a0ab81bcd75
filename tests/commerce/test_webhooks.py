"""Platform webhooks: verified, stored raw, processed by a job; replays and forgeries do nothing."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from storedesk.commerce.actions import do_process_webhook
from storedesk.commerce.models import Order, ProviderWebhook
from storedesk.commerce.providers.shopify.provider import sign
from tests.commerce.conftest import Reply, fixture_bytes

pytestmark = pytest.mark.django_db


def post_webhook(
    connection, body: bytes, *, topic="orders/updated", webhook_id="wh-1", secret="shopify-app-secret", hmac=None
):
    return Client().post(
        f"/api/v1/orders/webhooks/{connection.pk}",
        body,
        content_type="application/json",
        HTTP_X_SHOPIFY_TOPIC=topic,
        HTTP_X_SHOPIFY_HMAC_SHA256=hmac if hmac is not None else sign(secret, body),
        HTTP_X_SHOPIFY_SHOP_DOMAIN="acme.myshopify.com",
        HTTP_X_SHOPIFY_WEBHOOK_ID=webhook_id,
        HTTP_COOKIE="sessionid=not-kept",
    )


def test_it_stores_a_verified_webhook_raw_then_processes_it_into_an_order(
    acme, carla, shopify_connection, django_capture_on_commit_callbacks
):
    body = json.dumps(json.loads(fixture_bytes("order.json"))["order"]).encode()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(shopify_connection, body)

    assert response.status_code == 200, response.content
    assert response.json()["duplicate"] is False
    webhook = ProviderWebhook.objects.get()
    assert (webhook.topic, webhook.delivery_id, webhook.state, webhook.attempts) == (
        "orders/updated",
        "wh-1",
        "processed",
        1,
    )
    assert webhook.body.encode() == body
    assert set(webhook.headers) == {
        "content-type",
        "x-shopify-topic",
        "x-shopify-hmac-sha256",
        "x-shopify-shop-domain",
        "x-shopify-webhook-id",
    }
    order = Order.objects.get(store=acme)
    assert (order.name, order.customer, order.total) == ("#2041", carla, 13538)


def test_it_rejects_and_logs_a_webhook_whose_signature_does_not_verify(
    acme, shopify_connection, django_capture_on_commit_callbacks, caplog
):
    body = fixture_bytes("order.json")

    with (
        caplog.at_level(logging.WARNING, logger="storedesk.api.orders"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        forged = post_webhook(shopify_connection, body, secret="guessed-secret")
        missing = post_webhook(shopify_connection, body, hmac="")

    assert (forged.status_code, missing.status_code) == (401, 401)
    assert forged.json()["error"]["code"] == "bad_signature"
    assert ProviderWebhook.objects.count() == 0
    assert Order.objects.count() == 0
    assert "rejected shopify webhook for connection" in caplog.text
    assert "bad signature (topic 'orders/updated'" in caplog.text


def test_it_answers_404_for_an_unknown_connection(db):
    response = Client().post("/api/v1/orders/webhooks/999999", b"{}", content_type="application/json")

    assert response.status_code == 404


def test_it_recognises_a_replayed_delivery_and_does_not_process_it_again(
    acme, carla, shopify_connection, django_capture_on_commit_callbacks
):
    body = json.dumps(json.loads(fixture_bytes("order.json"))["order"]).encode()
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(shopify_connection, body)
    Order.objects.update(financial_status="changed-locally")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        replay = post_webhook(shopify_connection, body)

    assert replay.status_code == 200
    assert replay.json()["duplicate"] is True
    assert callbacks == []
    assert ProviderWebhook.objects.count() == 1
    assert Order.objects.get().financial_status == "changed-locally"


def test_it_refetches_the_order_for_a_fulfilment_webhook(
    acme, carla, shopify, shopify_connection, django_capture_on_commit_callbacks
):
    shopify.route("GET", "/orders/5550001001.json", "order.json")
    body = fixture_bytes("fulfillment_update.json")

    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(shopify_connection, body, topic="fulfillments/update", webhook_id="wh-2")

    assert ProviderWebhook.objects.get().state == "processed"
    assert Order.objects.get().fulfillments.get().status == "delivered"


def test_it_keeps_a_webhook_whose_processing_failed_and_retries_it_later(
    acme, carla, shopify, shopify_connection, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    shopify.route(
        "GET",
        "/orders/5550001001.json",
        Reply(status=503, body={"errors": "Unavailable"}, headers={"Retry-After": "7"}),
    )
    body = fixture_bytes("fulfillment_update.json")

    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(shopify_connection, body, topic="fulfillments/update", webhook_id="wh-3")

    webhook = ProviderWebhook.objects.get()
    assert (webhook.state, webhook.attempts, webhook.error) == ("failed", 1, "Shopify answered 503: Unavailable")
    [scheduled] = [t for t in HUEY.scheduled() if t.name.endswith("process_provider_webhook")]
    assert scheduled.args == (webhook.pk,)

    shopify.route("GET", "/orders/5550001001.json", "order.json")
    assert do_process_webhook(webhook.pk) == "processed"
    assert do_process_webhook(webhook.pk) == "skipped"
    assert ProviderWebhook.objects.get().attempts == 2
    assert Order.objects.count() == 1


def test_it_gives_up_at_once_on_a_payload_it_cannot_read(acme, shopify_connection, django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    body = b'{"id": "not-an-order"}'
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(shopify_connection, body, topic="orders/create", webhook_id="wh-4")

    webhook = ProviderWebhook.objects.get()
    assert webhook.state == "failed"
    assert (
        webhook.error.startswith("KeyError")
        or webhook.error.startswith("ValueError")
        or webhook.error.startswith("MoneyError")
    )
    assert [t for t in HUEY.scheduled() if t.name.endswith("process_provider_webhook")] == []
