"""Orders in the search box (/search/) and in GET /api/v1/search: by order number, email,
phone or tracking number, linking to the customer's latest conversation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storedesk.commerce.queries import order_hits
from storedesk.conversations import actions
from tests.commerce.factories import FulfillmentFactory, OrderFactory
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _converse(store, customer, text="Where is my order?"):
    return actions.do_create_conversation(store=store, customer=customer, channel="email", body_text=text)


def test_it_finds_an_order_by_number_with_the_latest_conversation(acme, carla):
    order = OrderFactory(store=acme, customer=carla, name="#4242", number="4242")
    _converse(acme, carla, "first")
    latest = _converse(acme, carla, "second")

    [hit] = order_hits([acme.pk], "#4242")

    assert (hit.order.pk, hit.customer_id, hit.conversation_id) == (order.pk, carla.pk, latest.pk)


def test_it_finds_orders_by_email_phone_and_tracking(acme, carla):
    order = OrderFactory(store=acme, customer=carla, email="carla@mail.test", phone="+14155550123")
    FulfillmentFactory(order=order, tracking_number="1ZTRACK42")

    assert [h.order.pk for h in order_hits([acme.pk], "Carla@Mail.test")] == [order.pk]
    assert [h.order.pk for h in order_hits([acme.pk], "+1 415 555 0123")] == [order.pk]
    assert [h.order.pk for h in order_hits([acme.pk], "1ZTRACK42")] == [order.pk]
    assert order_hits([acme.pk], "") == []


def test_it_follows_a_merged_customer_to_the_survivor(acme, carla):
    old = CustomerFactory(store=acme, name="Old Carla")
    order = OrderFactory(store=acme, customer=old, name="#77", number="77")
    conversation = _converse(acme, carla)
    actions.do_merge_customers(None, old, carla)

    [hit] = order_hits([acme.pk], "77")

    assert (hit.order.pk, hit.customer_id, hit.conversation_id) == (order.pk, carla.pk, conversation.pk)


def test_it_shows_an_orders_section_on_the_search_page(client, acme, ana, carla):
    order = OrderFactory(store=acme, customer=carla, name="#5150", number="5150")
    conversation = _converse(acme, carla)
    client.force_login(ana)

    html = client.get(reverse("search"), {"q": "#5150"}).content.decode()

    assert 'data-testid="search-orders"' in html
    assert html.count('data-testid="search-order"') == 1
    assert f'<a class="hit-subject" href="/c/{conversation.pk}/">Order #5150</a>' in html
    assert f'data-order="{order.pk}"' in html


def test_it_shows_an_order_without_a_conversation_unlinked(client, acme, ana, carla):
    OrderFactory(store=acme, customer=carla, name="#5151", number="5151")
    client.force_login(ana)

    html = client.get(reverse("search"), {"q": "5151"}).content.decode()

    assert '<span class="hit-subject">Order #5151</span>' in html
    assert "no conversation yet" in html


def test_it_shows_gus_no_acme_orders(client, acme, globex, gus, carla):
    OrderFactory(store=acme, customer=carla, name="#5152", number="5152")
    client.force_login(gus)

    html = client.get(reverse("search"), {"q": "5152"}).content.decode()

    assert 'data-testid="search-orders"' not in html


def test_it_keeps_the_search_page_query_count_constant(client, acme, ana, django_assert_num_queries):
    customer = CustomerFactory(store=acme)
    OrderFactory(store=acme, customer=customer, email="many@mail.test")
    _converse(acme, customer)
    client.force_login(ana)
    client.get(reverse("search"), {"q": "many@mail.test"})
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("search"), {"q": "many@mail.test"})
    for _ in range(4):
        other = CustomerFactory(store=acme)
        OrderFactory(store=acme, customer=other, email="many@mail.test")
        _converse(acme, other)

    with django_assert_num_queries(len(few)):
        html = client.get(reverse("search"), {"q": "many@mail.test"}).content.decode()

    assert html.count('data-testid="search-order"') == 5


def test_it_returns_orders_from_the_search_api(api_as, acme, ana, carla):
    order = OrderFactory(store=acme, customer=carla, name="#6001", number="6001")
    conversation = _converse(acme, carla)

    body = api_as(ana).get("/search", {"q": "#6001"}).json()

    assert body["orders"] == [
        {
            "id": order.pk,
            "store_id": acme.pk,
            "name": "#6001",
            "email": order.email,
            "placed_at": order.placed_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "customer_id": carla.pk,
            "conversation_id": conversation.pk,
        }
    ]


def test_it_returns_no_acme_orders_to_gus_from_the_api(api_as, acme, globex, gus, carla):
    OrderFactory(store=acme, customer=carla, name="#6002", number="6002")

    body = api_as(gus).get("/search", {"q": "6002"}).json()

    assert body["orders"] == []
