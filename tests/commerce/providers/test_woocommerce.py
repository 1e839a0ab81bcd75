"""The WooCommerce provider against a fake WooCommerce REST API v3 on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from storedesk.commerce.actions import do_sync_connection
from storedesk.commerce.models import Order, ProviderWebhook, StoreConnection
from storedesk.commerce.providers import ProviderError, provider_for
from storedesk.commerce.providers.base import OrderRef, RefundRequest
from storedesk.commerce.providers.woocommerce.provider import sign
from tests.commerce.conftest import WOO_FIXTURES, Reply, fixture, fixture_bytes

pytestmark = pytest.mark.django_db


def woo(name: str):
    return fixture(name, WOO_FIXTURES)


def ref() -> OrderRef:
    return OrderRef(external_id="8801", name="#8801", currency="USD", email="carla@mail.test", raw=woo("order.json"))


def test_it_maps_a_woocommerce_order(woocommerce, woo_connection):
    woocommerce.route("GET", "/orders/8801", "order.json")

    data = provider_for(woo_connection).fetch_order("8801")

    assert (data.name, data.email, data.phone, data.customer_name) == (
        "#8801",
        "carla@mail.test",
        "(503) 555-0142",
        "Carla Customer",
    )
    assert (data.subtotal, data.discount, data.tax, data.shipping, data.total, data.paid, data.refunded) == (
        5500,
        500,
        330,
        600,
        6430,
        6430,
        1000,
    )
    assert (data.financial_status, data.fulfillment_status) == ("partially_refunded", "fulfilled")
    assert [
        (x.external_id, x.quantity, x.unit_price, x.discount, x.tax, x.total, x.variant_title) for x in data.lines
    ] == [
        ("501", 2, 1500, 500, 150, 2650, "natural"),
        ("502", 1, 3000, 0, 180, 3180, ""),
    ]
    assert data.placed_at == datetime(2026, 10, 4, 13, 30, tzinfo=UTC)
    [shipment] = data.fulfillments
    assert (shipment.carrier, shipment.tracking_number, shipment.tracking_url) == (
        "USPS",
        "9400100000000000000001",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000001",
    )
    assert [(r.external_id, r.amount, r.note) for r in data.refunds] == [("8850", 1000, "Pin arrived scratched")]
    assert data.discount_codes == ["welcome5"]
    assert woocommerce.requests[0].headers["authorization"].startswith("Basic ")


def test_it_syncs_page_by_page_using_the_total_pages_header(acme, carla, woocommerce, woo_connection):
    first = woo("order.json")
    second = {
        **woo("order.json"),
        "id": 8802,
        "number": "8802",
        "date_modified_gmt": "2026-10-10T08:00:00",
        "refunds": [],
    }
    woocommerce.route(
        "GET",
        "/orders",
        Reply(body=[first], headers={"X-WP-Total": "2", "X-WP-TotalPages": "2"}),
        Reply(body=[second], headers={"X-WP-Total": "2", "X-WP-TotalPages": "2"}),
    )

    assert do_sync_connection(woo_connection.pk) == 2

    one, two = woocommerce.seen("GET", "/orders")
    assert "page=1" in one.query and "orderby=modified" in one.query and "modified_after" not in one.query
    assert "page=2" in two.query
    cursor = json.loads(StoreConnection.objects.get(pk=woo_connection.pk).sync_cursor)
    assert cursor == {"since": "2026-10-10T08:00:00", "page": 1, "high": None}
    assert sorted(Order.objects.filter(store=acme).values_list("name", flat=True)) == ["#8801", "#8802"]


def test_it_refunds_with_our_marker_and_finds_it_again_on_a_retry(woocommerce, woo_connection):
    woocommerce.route("GET", "/orders/8801/refunds", "refunds.json")
    woocommerce.route("POST", "/orders/8801/refunds", "refund_created.json")
    provider = provider_for(woo_connection)
    request = RefundRequest(
        amount=1250, currency="USD", reason="Late delivery", idempotency_key="KEY", lines=(("502", 1),)
    )

    result = provider.refund(ref(), request)

    assert woocommerce.seen("POST", "/orders/8801/refunds")[0].json() == {
        "amount": "12.50",
        "reason": "Late delivery [storedesk:KEY]",
        "api_refund": True,
        "api_restock": False,
        "line_items": [{"id": 502, "quantity": 1}],
    }
    assert (result.reference, result.refund.amount) == ("8851", 1250)

    woocommerce.route("GET", "/orders/8801/refunds", [*woo("refunds.json"), woo("refund_created.json")])
    assert provider.refund(ref(), request).reference == "8851"
    assert len(woocommerce.seen("POST", "/orders/8801/refunds")) == 1


def test_it_shows_woocommerces_refusal(woocommerce, woo_connection):
    woocommerce.route("GET", "/orders/8801/refunds", [])
    woocommerce.route("POST", "/orders/8801/refunds", Reply(status=400, body="error_400.json"))

    with pytest.raises(ProviderError) as caught:
        provider_for(woo_connection).refund(
            ref(), RefundRequest(amount=99999, currency="USD", reason="", idempotency_key="K")
        )

    assert (caught.value.permanent, caught.value.message) == (True, "WooCommerce answered 400: Invalid refund amount.")


def test_it_makes_a_one_use_coupon_for_the_customer_once(woocommerce, woo_connection):
    woocommerce.route("GET", "/coupons", [])
    woocommerce.route("POST", "/coupons", "coupon_created.json")
    provider = provider_for(woo_connection)

    result = provider.create_discount_code(ref(), amount=1000, currency="USD", code="SORRY-CODE", idempotency_key="K")

    coupon = woocommerce.seen("POST", "/coupons")[0].json()
    assert (coupon["discount_type"], coupon["amount"], coupon["usage_limit"], coupon["email_restrictions"]) == (
        "fixed_cart",
        "10.00",
        1,
        ["carla@mail.test"],
    )
    assert result.details == {"code": "SORRY-CODE", "coupon_id": 7301}
    woocommerce.route("GET", "/coupons", [woo("coupon_created.json")])
    assert provider.create_discount_code(
        ref(), amount=1000, currency="USD", code="SORRY-CODE", idempotency_key="K"
    ).details["existing"]
    assert len(woocommerce.seen("POST", "/coupons")) == 1


def test_it_cancels_replaces_and_readdresses(woocommerce, woo_connection):
    woocommerce.route("PUT", "/orders/8801", "order.json")
    woocommerce.route("POST", "/orders", "order_created.json")
    provider = provider_for(woo_connection)

    provider.cancel(ref(), reason="asked", refund=None, idempotency_key="K")
    replacement = provider.create_replacement(ref(), lines=[("502", 1)], note="scratched", idempotency_key="K")
    provider.update_shipping_address(
        ref(),
        {"name": "Carla Customer", "address1": "9 Oak Ave", "city": "Portland", "zip": "97205", "country_code": "US"},
    )

    cancel, readdress = woocommerce.seen("PUT", "/orders/8801")
    assert cancel.json() == {"status": "cancelled"}
    assert readdress.json()["shipping"] == {
        "first_name": "Carla",
        "last_name": "Customer",
        "company": "",
        "address_1": "9 Oak Ave",
        "address_2": "",
        "city": "Portland",
        "state": "",
        "postcode": "97205",
        "country": "US",
    }
    made = woocommerce.seen("POST", "/orders")[0].json()
    assert made["line_items"] == [
        {"product_id": 91, "variation_id": 0, "quantity": 1, "subtotal": "0.00", "total": "0.00"}
    ]
    assert made["customer_note"] == "Replacement for #8801. scratched [storedesk:K]"
    assert replacement.reference == "#8899"


def test_it_refuses_store_credit_plainly(woo_connection):
    with pytest.raises(ProviderError) as caught:
        provider_for(woo_connection).issue_store_credit(ref(), amount=100, currency="USD", note="", idempotency_key="K")

    assert (caught.value.permanent, caught.value.message) == (
        True,
        "WooCommerce cannot issue store credit from Storedesk.",
    )


def post(connection, body: bytes, **headers):
    return Client().post(f"/api/v1/orders/webhooks/{connection.pk}", body, content_type="application/json", **headers)


def test_it_stores_and_processes_a_signed_webhook_and_rejects_a_forged_one(
    acme, carla, woo_connection, django_capture_on_commit_callbacks
):
    body = fixture_bytes("order.json", WOO_FIXTURES)
    headers = {
        "HTTP_X_WC_WEBHOOK_TOPIC": "order.updated",
        "HTTP_X_WC_WEBHOOK_ID": "12",
        "HTTP_X_WC_WEBHOOK_DELIVERY_ID": "abc123",
    }

    with django_capture_on_commit_callbacks(execute=True):
        forged = post(woo_connection, body, HTTP_X_WC_WEBHOOK_SIGNATURE=sign("wrong", body), **headers)
        good = post(woo_connection, body, HTTP_X_WC_WEBHOOK_SIGNATURE=sign("woo-webhook-secret", body), **headers)
        again = post(woo_connection, body, HTTP_X_WC_WEBHOOK_SIGNATURE=sign("woo-webhook-secret", body), **headers)

    assert (forged.status_code, good.status_code, again.json()["duplicate"]) == (401, 200, True)
    webhook = ProviderWebhook.objects.get()
    assert (webhook.topic, webhook.delivery_id, webhook.state) == ("order.updated", "12:abc123", "processed")
    assert Order.objects.get().customer == carla


def test_it_answers_woocommerces_ping_without_storing_it(woo_connection):
    response = Client().post(
        f"/api/v1/orders/webhooks/{woo_connection.pk}",
        "webhook_id=12",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.json() == {"received": False, "duplicate": False, "id": None}
    assert ProviderWebhook.objects.count() == 0
