"""The Shopify provider against a fake Shopify on 127.0.0.1 serving the Admin REST shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from storedesk.commerce.actions import do_sync_connection, do_upsert_order
from storedesk.commerce.models import Order, StoreConnection
from storedesk.commerce.providers import ProviderError, provider_for
from storedesk.commerce.providers.base import OrderRef, RefundRequest
from storedesk.commerce.providers.shopify.provider import next_page_info, sign
from tests.commerce.conftest import Reply, fixture

pytestmark = pytest.mark.django_db

ORDER_PATH = "/orders/5550001001.json"


def ref(order: Order | None = None) -> OrderRef:
    raw = fixture("order.json")["order"]
    return OrderRef(external_id="5550001001", name="#2041", currency="USD", email="carla@mail.test", raw=raw)


def refund_request(**overrides) -> RefundRequest:
    values = {"amount": 1250, "currency": "USD", "reason": "Late delivery", "idempotency_key": "KEY"}
    values.update(overrides)
    return RefundRequest(**values)


# --- reading orders ------------------------------------------------------------------------


def test_it_maps_a_shopify_order_to_minor_units_lines_fulfilments_and_refunds(shopify, shopify_connection):
    shopify.route("GET", ORDER_PATH, "order.json")

    data = provider_for(shopify_connection).fetch_order("5550001001")

    assert (data.name, data.currency, data.email) == ("#2041", "USD", "Carla@Mail.test")
    assert (data.subtotal, data.discount, data.tax, data.shipping, data.total, data.paid, data.refunded) == (
        12300,
        1200,
        738,
        500,
        13538,
        13538,
        1590,
    )
    assert [
        (line.external_id, line.quantity, line.unit_price, line.discount, line.tax, line.total) for line in data.lines
    ] == [
        ("7770001", 2, 6000, 1200, 648, 11448),
        ("7770002", 1, 1500, 0, 90, 1590),
    ]
    assert data.lines[1].refunded_quantity == 1
    fulfillment = data.fulfillments[0]
    assert (fulfillment.status, fulfillment.carrier, fulfillment.tracking_number) == (
        "delivered",
        "USPS",
        "9400111202555842331",
    )
    assert fulfillment.delivered_at == datetime(2026, 10, 6, 18, 20, tzinfo=UTC)
    assert [(r.external_id, r.amount, r.note) for r in data.refunds] == [("2220001", 1590, "Socks arrived torn")]
    assert data.discount_codes == ["FALL10"]
    [request] = shopify.requests
    assert request.headers["x-shopify-access-token"] == "shpat_test_token"


def test_it_reads_the_next_page_from_the_link_header():
    link = (
        '<https://acme.myshopify.com/admin/api/2024-01/orders.json?limit=250&page_info=abc123>; rel="previous", '
        '<https://acme.myshopify.com/admin/api/2024-01/orders.json?limit=250&page_info=def456>; rel="next"'
    )

    assert next_page_info(link) == "def456"
    assert next_page_info('<https://x.test/orders.json?page_info=abc>; rel="previous"') is None
    assert next_page_info(None) is None


def test_it_syncs_page_by_page_and_next_time_asks_only_for_what_changed(acme, shopify, shopify_connection):
    link = f'<{shopify.base_url}/admin/api/2024-01/orders.json?limit=250&page_info=PAGE2>; rel="next"'
    shopify.route(
        "GET",
        "/orders.json",
        Reply(body="orders_page_1.json", headers={"Link": link}),
        Reply(body={"orders": [fixture("order.json")["order"]]}),
    )

    count = do_sync_connection(shopify_connection.pk)

    assert count == 3
    assert sorted(Order.objects.filter(store=acme).values_list("name", flat=True)) == ["#2041", "#2042", "#2043"]
    first, second = shopify.seen("GET", "/orders.json")
    assert "status=any" in first.query and "updated_at_min" not in first.query
    assert second.query == "limit=250&page_info=PAGE2"
    cursor = json.loads(StoreConnection.objects.get(pk=shopify_connection.pk).sync_cursor)
    assert cursor == {"since": "2026-10-09T16:40:00-04:00", "page_info": None, "high": None}

    shopify.route("GET", "/orders.json", {"orders": []})
    assert do_sync_connection(shopify_connection.pk) == 0
    assert "updated_at_min=2026-10-09T16%3A40%3A00-04%3A00" in shopify.requests[-1].query


def test_it_resumes_a_failed_sync_from_the_page_it_stopped_at(acme, shopify, shopify_connection):
    link = f'<{shopify.base_url}/admin/api/2024-01/orders.json?limit=250&page_info=PAGE2>; rel="next"'
    shopify.route(
        "GET",
        "/orders.json",
        Reply(body="orders_page_1.json", headers={"Link": link}),
        Reply(status=502, body={"errors": "Bad gateway"}),
    )

    with pytest.raises(ProviderError):
        do_sync_connection(shopify_connection.pk)

    connection = StoreConnection.objects.get(pk=shopify_connection.pk)
    assert json.loads(connection.sync_cursor)["page_info"] == "PAGE2"
    assert connection.sync_error == "Shopify answered 502: Bad gateway"
    assert Order.objects.filter(store=acme).count() == 2

    shopify.route("GET", "/orders.json", {"orders": [fixture("order.json")["order"]]})
    assert do_sync_connection(shopify_connection.pk) == 1
    assert shopify.requests[-1].query == "limit=250&page_info=PAGE2"
    assert StoreConnection.objects.get(pk=shopify_connection.pk).sync_error == ""


# --- errors ----------------------------------------------------------------------------------


def test_it_passes_on_shopifys_retry_after_when_rate_limited(shopify, shopify_connection):
    shopify.route(
        "GET",
        ORDER_PATH,
        Reply(
            status=429, body={"errors": "Exceeded 2 calls per second for api client."}, headers={"Retry-After": "2.0"}
        ),
    )

    with pytest.raises(ProviderError) as caught:
        provider_for(shopify_connection).fetch_order("5550001001")

    assert caught.value.permanent is False
    assert caught.value.retry_after == 2.0
    assert caught.value.message == "Shopify answered 429: Exceeded 2 calls per second for api client."


@pytest.mark.parametrize(
    ("status", "body", "permanent", "message"),
    [
        (
            422,
            "error_422.json",
            True,
            "Shopify answered 422: base Refund amount must be less than or equal to the refundable amount of 119.48",
        ),
        (
            401,
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            True,
            "Shopify answered 401: [API] Invalid API key or access token (unrecognized login or wrong password)",
        ),
        (404, {"errors": "Not Found"}, True, "Shopify answered 404: Not Found"),
        (500, b"<html>oops</html>", False, "Shopify answered 500: <html>oops</html>"),
        (503, {"errors": "Unavailable"}, False, "Shopify answered 503: Unavailable"),
    ],
)
def test_it_tells_permanent_refusals_from_passing_failures(
    shopify, shopify_connection, status, body, permanent, message
):
    shopify.route("GET", ORDER_PATH, Reply(status=status, body=body))

    with pytest.raises(ProviderError) as caught:
        provider_for(shopify_connection).fetch_order("5550001001")

    assert (caught.value.permanent, caught.value.status, caught.value.message) == (permanent, status, message)


def test_it_treats_a_timeout_as_worth_retrying(shopify, shopify_connection):
    shopify_connection.config["timeout"] = 0.2
    shopify.route("GET", ORDER_PATH, Reply(body="order.json", delay_s=2))

    with pytest.raises(ProviderError) as caught:
        provider_for(shopify_connection).fetch_order("5550001001")

    assert caught.value.permanent is False
    assert caught.value.message == "Shopify did not answer within 0.2s."


# --- actions ---------------------------------------------------------------------------------


def test_it_refunds_against_the_captured_payment_with_our_marker_in_the_note(shopify, shopify_connection):
    shopify.route("GET", "/orders/5550001001/refunds.json", {"refunds": fixture("order.json")["order"]["refunds"]})
    shopify.route("GET", "/orders/5550001001/transactions.json", "transactions.json")
    shopify.route("POST", "/orders/5550001001/refunds.json", "refund_created.json")

    result = provider_for(shopify_connection).refund(ref(), refund_request(lines=(("7770002", 1),), shipping=500))

    [posted] = shopify.seen("POST", "/orders/5550001001/refunds.json")
    assert posted.json() == {
        "refund": {
            "currency": "USD",
            "notify": True,
            "note": "Late delivery [storedesk:KEY]",
            "refund_line_items": [{"line_item_id": 7770002, "quantity": 1, "restock_type": "no_restock"}],
            "transactions": [
                {"parent_id": 1250001, "amount": "12.50", "kind": "refund", "gateway": "shopify_payments"}
            ],
            "shipping": {"amount": "5.00"},
        }
    }
    assert result.reference == "2220009"
    assert result.refund is not None and result.refund.amount == 1250


def test_it_does_not_refund_again_when_a_retry_finds_its_own_refund(shopify, shopify_connection):
    shopify.route("GET", "/orders/5550001001/refunds.json", {"refunds": [fixture("refund_created.json")["refund"]]})

    result = provider_for(shopify_connection).refund(ref(), refund_request())

    assert result.reference == "2220009"
    assert shopify.seen("POST", "/orders/5550001001/refunds.json") == []
    assert shopify.seen("GET", "/orders/5550001001/transactions.json") == []


def test_it_refuses_to_refund_an_order_without_a_captured_payment(shopify, shopify_connection):
    shopify.route("GET", "/orders/5550001001/refunds.json", {"refunds": []})
    shopify.route("GET", "/orders/5550001001/transactions.json", {"transactions": []})

    with pytest.raises(ProviderError) as caught:
        provider_for(shopify_connection).refund(ref(), refund_request())

    assert caught.value.permanent is True
    assert caught.value.message == "Shopify has no captured payment on #2041 to refund."


def test_it_cancels_an_order_once(shopify, shopify_connection):
    shopify.route("GET", ORDER_PATH, "order.json")
    shopify.route("POST", "/orders/5550001001/cancel.json", "order.json")

    provider_for(shopify_connection).cancel(ref(), reason="customer asked", refund=None, idempotency_key="K")

    [posted] = shopify.seen("POST", "/orders/5550001001/cancel.json")
    assert posted.json() == {"reason": "customer", "email": True, "restock": True}

    cancelled = fixture("order.json")
    cancelled["order"]["cancelled_at"] = "2026-10-20T10:00:00-04:00"
    shopify.route("GET", ORDER_PATH, cancelled)
    provider_for(shopify_connection).cancel(ref(), reason="customer asked", refund=None, idempotency_key="K")
    assert len(shopify.seen("POST", "/orders/5550001001/cancel.json")) == 1


def test_it_creates_a_one_use_discount_code_for_the_customer(shopify, shopify_connection):
    shopify.route("GET", "/discount_codes/lookup.json", Reply(status=404, body={"errors": "Not Found"}))
    shopify.route("POST", "/price_rules.json", "price_rule_created.json")
    shopify.route("POST", "/price_rules/9090001/discount_codes.json", "discount_code_created.json")

    result = provider_for(shopify_connection).create_discount_code(
        ref(), amount=1000, currency="USD", code="SORRY-CODE", idempotency_key="K"
    )

    assert result.reference == "SORRY-CODE"
    rule = shopify.seen("POST", "/price_rules.json")[0].json()["price_rule"]
    assert (rule["value_type"], rule["value"], rule["usage_limit"], rule["prerequisite_customer_ids"]) == (
        "fixed_amount",
        "-10.00",
        1,
        [4440001],
    )
    assert shopify.seen("POST", "/price_rules/9090001/discount_codes.json")[0].json() == {
        "discount_code": {"code": "SORRY-CODE"}
    }


def test_it_does_not_make_a_discount_code_twice(shopify, shopify_connection):
    shopify.route(
        "GET",
        "/discount_codes/lookup.json",
        Reply(status=303, body=b"", headers={"Location": "https://x.test/admin/price_rules/1/discount_codes/2"}),
    )

    result = provider_for(shopify_connection).create_discount_code(
        ref(), amount=1000, currency="USD", code="SORRY-CODE", idempotency_key="K"
    )

    assert result.details == {"code": "SORRY-CODE", "existing": True}
    assert shopify.seen("POST", "/price_rules.json") == []


def test_it_creates_a_free_replacement_as_a_completed_draft_order(shopify, shopify_connection):
    shopify.route("POST", "/draft_orders.json", "draft_order_created.json")
    shopify.route("PUT", "/draft_orders/9292001/complete.json", "draft_order_completed.json")

    result = provider_for(shopify_connection).create_replacement(
        ref(), lines=[("7770002", 1)], note="Torn", idempotency_key="K"
    )

    draft = shopify.seen("POST", "/draft_orders.json")[0].json()["draft_order"]
    assert draft["line_items"] == [{"variant_id": 9990002, "quantity": 1}]
    assert draft["applied_discount"]["value"] == "100.0"
    assert draft["customer"] == {"id": 4440001}
    assert draft["note"] == "Replacement for #2041. Torn [storedesk:K]"
    assert result.reference == "5550001099"


def test_it_issues_store_credit_as_a_gift_card(shopify, shopify_connection):
    shopify.route("POST", "/gift_cards.json", "gift_card_created.json")

    result = provider_for(shopify_connection).issue_store_credit(
        ref(), amount=2000, currency="USD", note="Store credit", idempotency_key="K"
    )

    assert shopify.seen("POST", "/gift_cards.json")[0].json() == {
        "gift_card": {"initial_value": "20.00", "note": "Store credit [storedesk:K]", "customer_id": 4440001}
    }
    assert result.details == {"gift_card_id": 9393001, "code": "7ff8a1b2c3d4e5f6"}


def test_it_changes_the_shipping_address(shopify, shopify_connection):
    shopify.route("PUT", ORDER_PATH, "order.json")
    address = {"address1": "9 Oak Ave", "city": "Portland", "zip": "97205", "country_code": "US"}

    provider_for(shopify_connection).update_shipping_address(ref(), address)

    assert shopify.seen("PUT", ORDER_PATH)[0].json() == {"order": {"id": 5550001001, "shipping_address": address}}


# --- webhooks --------------------------------------------------------------------------------


def test_it_verifies_the_hmac_of_the_raw_body(shopify_connection):
    provider = provider_for(shopify_connection)
    body = b'{"id": 5550001001}'
    good = sign("shopify-app-secret", body)

    assert provider.verify_webhook(body, {"x-shopify-hmac-sha256": good}) is True
    assert provider.verify_webhook(body + b" ", {"x-shopify-hmac-sha256": good}) is False
    assert provider.verify_webhook(body, {"x-shopify-hmac-sha256": sign("other-secret", body)}) is False
    assert provider.verify_webhook(body, {}) is False


def test_it_upserts_an_order_from_an_orders_webhook_and_refetches_for_a_fulfilment_one(
    acme, carla, shopify, shopify_connection
):
    provider = provider_for(shopify_connection)

    message = provider.parse_webhook("orders/updated", fixture("order.json")["order"])
    assert message.order is not None and message.order.external_id == "5550001001"

    message = provider.parse_webhook("fulfillments/update", fixture("fulfillment_update.json"))
    assert message.refetch_external_id == "5550001001"
    assert provider.parse_webhook("products/update", {"id": 1}).order is None


def test_it_keeps_the_cached_copy_when_shopify_sends_the_same_order_again(acme, carla, shopify, shopify_connection):
    shopify.route("GET", ORDER_PATH, "order.json")
    data = provider_for(shopify_connection).fetch_order("5550001001")
    order, _ = do_upsert_order(acme, "shopify", data)

    again, created = do_upsert_order(acme, "shopify", provider_for(shopify_connection).fetch_order("5550001001"))

    assert created is False and again.pk == order.pk
    assert again.customer == carla
    assert (again.refunded, again.lines.count(), again.fulfillments.count(), again.refunds.count()) == (1590, 2, 1, 1)
