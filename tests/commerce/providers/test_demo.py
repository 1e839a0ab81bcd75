"""The built-in demo store provider: deterministic orders for the store's customers, local actions."""

from __future__ import annotations

import pytest

from storedesk.commerce.demo import load_demo_orders
from storedesk.commerce.models import Fulfillment, Order, StoreConnection
from storedesk.commerce.providers import provider_for
from storedesk.commerce.providers.base import OrderRef, RefundRequest
from tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db


def customers(store, count: int, *, vip_every: int = 0):
    made = []
    for i in range(count):
        customer = CustomerFactory(store=store, name=f"Buyer {i}", vip=bool(vip_every and i % vip_every == 0))
        IdentityFactory(customer=customer, store=store, value=f"buyer{i}@mail.test")
        made.append(customer)
    return made


def snapshot(store) -> list[tuple]:
    return list(
        Order.objects.filter(store=store)
        .order_by("external_id")
        .values_list("external_id", "name", "total", "refunded", "financial_status", "fulfillment_status", "placed_at")
    )


def test_it_generates_the_same_orders_for_the_same_customers_every_time(acme):
    customers(acme, 30, vip_every=7)

    load_demo_orders(acme)
    first = snapshot(acme)
    Order.objects.filter(store=acme).delete()
    StoreConnection.objects.filter(store=acme).update(sync_cursor="")
    load_demo_orders(acme)

    assert snapshot(acme) == first
    assert len(first) > 30


def test_it_gives_realistic_orders_whose_totals_add_up(acme):
    customers(acme, 40, vip_every=5)

    load_demo_orders(acme)

    orders = list(Order.objects.filter(store=acme).prefetch_related("lines"))
    for order in orders:
        assert order.customer is not None
        assert order.total == order.subtotal + order.tax + order.shipping
        assert order.subtotal == sum(line.unit_price * line.quantity - line.discount for line in order.lines.all())
        assert 0 <= order.refunded <= order.paid == order.total
    statuses = set(Fulfillment.objects.filter(store=acme).values_list("status", flat=True))
    assert statuses == {"in_transit", "delivered"}
    assert {o.fulfillment_status for o in orders} == {"fulfilled", "unfulfilled"}
    assert Order.objects.filter(store=acme, cancelled_at__isnull=False).exists() or len(orders) < 60


def test_it_changes_nothing_when_loaded_twice(acme):
    customers(acme, 10)
    load_demo_orders(acme)
    before = snapshot(acme)

    load_demo_orders(acme)

    assert snapshot(acme) == before
    assert StoreConnection.objects.filter(store=acme, provider="demo").count() == 1


def test_it_performs_actions_locally_with_references_from_the_idempotency_key(acme, demo_connection):
    provider = provider_for(demo_connection)
    order = OrderRef(external_id="demo-1-0", name="#1007", currency="USD")
    request = RefundRequest(amount=500, currency="USD", reason="late", idempotency_key="k-1")

    first = provider.refund(order, request)
    again = provider.refund(order, request)

    assert first.reference == again.reference
    assert first.refund is not None and first.refund.amount == 500
    assert provider.refund(order, RefundRequest(500, "USD", "late", "k-2")).reference != first.reference
