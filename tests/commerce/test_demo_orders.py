"""`storedesk demo` also loads orders for the demo customers (commerce.demo.load_demo_orders)."""

from __future__ import annotations

import pytest

from storedesk.commerce.models import Order, StoreConnection
from storedesk.demo.loader import DEMO_SLUG, SECOND_SLUG, load_demo

pytestmark = pytest.mark.django_db


def test_it_loads_orders_for_both_demo_stores_in_their_currencies():
    load_demo(customers=40, conversations=20)

    main = Order.objects.filter(store__slug=DEMO_SLUG)
    assert main.count() > 40
    assert set(main.values_list("currency", flat=True)) == {"GBP"}
    assert set(Order.objects.filter(store__slug=SECOND_SLUG).values_list("currency", flat=True)) == {"USD"}
    assert not main.filter(customer__isnull=True).exists()
    assert set(StoreConnection.objects.values_list("store__slug", "provider")) == {
        (DEMO_SLUG, "demo"),
        (SECOND_SLUG, "demo"),
    }


def test_it_adds_no_orders_when_the_demo_is_loaded_again():
    load_demo(customers=20, conversations=10)
    before = list(Order.objects.order_by("pk").values_list("pk", "total", "synced_at"))

    load_demo(customers=20, conversations=10)

    assert list(Order.objects.order_by("pk").values_list("pk", "total", "synced_at")) == before


def test_it_shows_late_orders_drafted_for_review():
    from storedesk.commerce.models import LateOrderOutreach

    load_demo(customers=40, conversations=20)

    drafts = LateOrderOutreach.objects.filter(store__slug=DEMO_SLUG, state="draft")
    assert 1 <= drafts.count() <= 5
    assert all(row.body_text.startswith("Hi ") and row.days_late >= 1 for row in drafts)
