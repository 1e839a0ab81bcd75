"""do_upsert_order: the orders cache is written idempotently and linked to customers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.commerce.actions import do_upsert_order, normalize_number
from storedesk.commerce.models import Fulfillment, Order, OrderLine, Refund
from storedesk.commerce.providers.base import FulfillmentData, LineData, OrderData, RefundData
from storedesk.conversations.actions import do_merge_customers
from storedesk.conversations.models import Customer, Identity
from tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db

PLACED = timezone.now() - timedelta(days=5)


def data(**overrides) -> OrderData:
    values = {
        "external_id": "A-1",
        "name": "#1001",
        "currency": "USD",
        "placed_at": PLACED,
        "email": "carla@mail.test",
        "customer_name": "Carla Customer",
        "subtotal": 9000,
        "tax": 500,
        "shipping": 500,
        "total": 10000,
        "paid": 10000,
        "financial_status": "paid",
        "fulfillment_status": "unfulfilled",
        "updated_at": PLACED,
        "lines": [
            LineData("L1", "Linen shirt", 1, 4500, sku="LS-1"),
            LineData("L2", "Wool scarf", 1, 4500, sku="WS-1"),
        ],
    }
    values.update(overrides)
    return OrderData(**values)


def test_it_creates_an_order_with_lines_and_links_it_to_the_customer_by_email(acme, carla):
    order, created = do_upsert_order(acme, "shopify", data(email="CARLA@mail.test"))

    assert created is True
    assert order.customer == carla
    assert (order.name, order.number, order.email, order.total, order.currency) == (
        "#1001",
        "1001",
        "carla@mail.test",
        10000,
        "USD",
    )
    assert list(order.lines.values_list("external_id", "title", "total")) == [
        ("L1", "Linen shirt", 4500),
        ("L2", "Wool scarf", 4500),
    ]


def test_it_changes_nothing_when_the_same_payload_arrives_twice(acme, carla):
    do_upsert_order(acme, "shopify", data())
    line_ids = set(OrderLine.objects.values_list("pk", flat=True))

    order, created = do_upsert_order(acme, "shopify", data())

    assert created is False
    assert Order.objects.count() == 1
    assert set(OrderLine.objects.values_list("pk", flat=True)) == line_ids
    assert Customer.objects.filter(store=acme).count() == 1


def test_it_updates_changed_lines_adds_new_ones_and_drops_removed_ones(acme, carla):
    do_upsert_order(acme, "shopify", data())
    kept = OrderLine.objects.get(external_id="L1").pk

    do_upsert_order(
        acme,
        "shopify",
        data(
            updated_at=PLACED + timedelta(hours=1),
            lines=[LineData("L1", "Linen shirt", 2, 4500), LineData("L3", "Beanie", 1, 1900)],
        ),
    )

    assert list(OrderLine.objects.order_by("position").values_list("pk", "external_id", "quantity")) == [
        (kept, "L1", 2),
        (OrderLine.objects.get(external_id="L3").pk, "L3", 1),
    ]


def test_it_ignores_a_payload_older_than_the_copy_it_holds(acme, carla):
    do_upsert_order(acme, "shopify", data(financial_status="refunded", updated_at=PLACED + timedelta(hours=2)))

    order, created = do_upsert_order(
        acme, "shopify", data(financial_status="paid", updated_at=PLACED + timedelta(hours=1))
    )

    assert created is False
    assert Order.objects.get().financial_status == "refunded"


def test_it_creates_a_customer_for_an_unknown_email(acme):
    order, _ = do_upsert_order(acme, "shopify", data(email="new@mail.test", customer_name="Nina New"))

    assert order.customer is not None
    assert order.customer.name == "Nina New"
    assert Identity.objects.get(customer=order.customer).value == "new@mail.test"


def test_it_links_by_phone_when_the_order_has_no_email(acme):
    phoned = CustomerFactory(store=acme, name="Phil")
    IdentityFactory(customer=phoned, store=acme, kind=Identity.Kind.PHONE, value="+15035550142")

    order, _ = do_upsert_order(acme, "shopify", data(email="", phone="+1 (503) 555-0142"))

    assert order.customer == phoned
    assert order.phone == "+15035550142"


def test_it_keeps_one_stores_orders_and_customers_apart(acme, globex, carla):
    theirs, _ = do_upsert_order(globex, "shopify", data())

    assert theirs.customer is not None
    assert theirs.customer.store == globex
    assert theirs.customer != carla


def test_it_moves_the_order_to_the_surviving_customer_after_a_merge(acme, carla):
    other = CustomerFactory(store=acme, name="Carla C.")
    order, _ = do_upsert_order(acme, "shopify", data())
    Order.objects.filter(pk=order.pk).update(customer=other)
    do_merge_customers(None, other, carla)

    order, _ = do_upsert_order(acme, "shopify", data(updated_at=PLACED + timedelta(minutes=1)))

    assert order.customer == carla


def test_it_records_fulfilments_and_refunds_once(acme, carla):
    payload = data(
        fulfillments=[
            FulfillmentData(
                "F1", "in_transit", carrier="UPS", tracking_number="1Z999", tracking_url="https://ups.test/1Z999"
            )
        ],
        refunds=[RefundData("R1", 1000, note="late")],
    )
    do_upsert_order(acme, "shopify", payload)
    payload.fulfillments[0].status = "delivered"
    payload.updated_at = PLACED + timedelta(days=1)

    do_upsert_order(acme, "shopify", payload)

    assert list(Fulfillment.objects.values_list("external_id", "status", "tracking_number")) == [
        ("F1", "delivered", "1Z999")
    ]
    assert list(Refund.objects.values_list("external_id", "amount", "currency")) == [("R1", 1000, "USD")]


def test_it_drops_a_tracking_url_that_is_not_http(acme, carla):
    order, _ = do_upsert_order(
        acme, "shopify", data(fulfillments=[FulfillmentData("F1", "pending", tracking_url="javascript:alert(1)")])
    )

    assert order.fulfillments.get().tracking_url == ""


@pytest.mark.parametrize(
    ("raw", "number"), [("#1001", "1001"), (" 1001 ", "1001"), ("NW-1001", "nw-1001"), ("# 10 01", "1001")]
)
def test_it_normalises_order_numbers_for_lookups(raw, number):
    assert normalize_number(raw) == number
