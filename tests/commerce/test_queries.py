"""commerce.queries: a customer's orders in constant queries, lifetime value, tiers, lookups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storedesk.commerce.models import Fulfillment
from storedesk.commerce.queries import customer_orders, delivery_of, find_orders, vip_tier
from tests.commerce.factories import FulfillmentFactory, OrderFactory, RefundFactory, order_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def ago(days: float):
    return timezone.now() - timedelta(days=days)


def test_it_lists_a_customers_orders_newest_first_with_lifetime_value(acme, carla):
    old = order_for(carla, placed_at=ago(40), total=5000, paid=5000)
    new = order_for(carla, placed_at=ago(2), total=12000, paid=12000, refunded=2000)
    OrderFactory(store=acme)  # someone else's

    summary = customer_orders(carla)

    assert [o.pk for o in summary.orders] == [new.pk, old.pk]
    assert (summary.order_count, summary.lifetime_value, summary.currency, summary.has_more) == (2, 15000, "USD", False)
    assert summary.tier is None


def test_it_includes_orders_of_customers_merged_into_this_one(acme, carla):
    merged = CustomerFactory(store=acme, merged_into=carla)
    theirs = order_for(merged, placed_at=ago(1))

    assert [o.pk for o in customer_orders(carla).orders] == [theirs.pk]


def test_it_keeps_other_currencies_apart_from_the_lifetime_value(acme, carla):
    order_for(carla, currency="USD", paid=10000)
    order_for(carla, currency="USD", paid=10000)
    order_for(carla, currency="EUR", paid=3000)

    summary = customer_orders(carla)

    assert (summary.currency, summary.lifetime_value, summary.other_currencies) == ("USD", 20000, {"EUR": 3000})


def test_it_reads_the_orders_panel_in_the_same_number_of_queries_however_many_orders(acme, carla):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            summary = customer_orders(carla)
            for order in summary.orders:
                (
                    list(order.lines.all()),
                    list(order.fulfillments.all()),
                    list(order.refunds.all()),
                    list(order.remedies.all()),
                )
        return len(ctx.captured_queries)

    order = order_for(carla)
    FulfillmentFactory(order=order)
    one = count_queries()
    for i in range(12):
        more = order_for(carla, lines=3, placed_at=ago(i))
        FulfillmentFactory(order=more)
        RefundFactory(order=more)

    assert count_queries() == one == 7  # (+1 for the returns' items once there are returns)


@pytest.mark.parametrize(("value", "tier"), [(24999, None), (25000, "Silver"), (75000, "Gold"), (10**7, "Platinum")])
def test_it_gives_the_vip_tier_by_lifetime_value(acme, value, tier):
    assert vip_tier(acme, value, "USD") == tier


def test_it_reads_vip_tiers_from_the_store_settings(acme):
    acme.settings["vip_tiers"] = [["Inner circle", "100.00"]]

    assert vip_tier(acme, 10000, "USD") == "Inner circle"
    assert vip_tier(acme, 9999, "USD") is None


# --- lookups ---------------------------------------------------------------------------------


@pytest.fixture
def findable(acme, globex, carla):
    order = order_for(carla, name="#1001", number="1001", email="carla@mail.test", phone="+15035550142")
    FulfillmentFactory(order=order, tracking_number="1Z999AA10123456784")
    other = OrderFactory(store=globex, name="#1001", number="1001", email="carla@mail.test")
    return order, other


@pytest.mark.parametrize(
    "q", ["#1001", "1001", " 1001 ", "CARLA@mail.test", "+1 (503) 555-0142", "1Z999AA10123456784", "1z999aa10123456784"]
)
def test_it_finds_an_order_by_number_email_phone_or_tracking_number(acme, findable, q):
    order, _ = findable

    assert list(find_orders([acme.pk], q)) == [order]


def test_it_finds_nothing_outside_the_given_stores(acme, globex, findable):
    order, other = findable

    assert list(find_orders([globex.pk], "1Z999AA10123456784")) == []
    assert list(find_orders([globex.pk], "#1001")) == [other]
    assert list(find_orders([], "#1001")) == []
    assert list(find_orders([acme.pk], "")) == []


# --- delivery --------------------------------------------------------------------------------


def test_it_says_where_the_parcel_is(acme, carla):
    now = timezone.now()
    unshipped = order_for(carla, promised_by=now + timedelta(days=2))
    late = order_for(carla, promised_by=now - timedelta(days=1))
    FulfillmentFactory(order=late, status=Fulfillment.Status.IN_TRANSIT)
    delivered = order_for(carla, promised_by=now)
    FulfillmentFactory(order=delivered, status="delivered", delivered_at=now - timedelta(days=1))
    cancelled = order_for(carla, cancelled_at=now)

    assert delivery_of(unshipped, now).state == "unshipped" and not delivery_of(unshipped, now).late
    assert (delivery_of(late, now).label, delivery_of(late, now).late) == ("In transit", True)
    assert delivery_of(delivered, now).state == "delivered" and not delivery_of(delivered, now).late
    assert delivery_of(delivered, now).label.startswith("Delivered ")
    assert delivery_of(cancelled, now).label == "Cancelled"
