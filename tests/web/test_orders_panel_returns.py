"""Returns from the orders panel: start one for some items, then receive it and refund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from storedesk.commerce.models import Remedy, ReturnRequest
from storedesk.commerce.returns import ReturnItem, do_request_return
from tests.commerce.factories import FulfillmentFactory, order_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla)


@pytest.fixture
def order(carla):
    order = order_for(carla, name="#2041", number="2041")
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=1))
    return order


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_starts_a_return_from_the_panel(ana, conversation, order, django_capture_on_commit_callbacks):
    line = order.lines.order_by("id").first()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ana).post(
            reverse("conversation_order_return", args=[conversation.pk, order.pk]),
            {f"qty-{line.pk}": "1", f"reason-{line.pk}": "wrong_item", "comment": "Sent blue, not red"},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Return R-2041-1 requested: the customer gets a prepaid label." in html
    ret = ReturnRequest.objects.get()
    assert (ret.conversation, ret.requested_by, ret.state) == (conversation, ana, "label_sent")
    assert 'data-testid="return"' in html


def test_it_receives_a_return_and_refunds_it(ana, conversation, order, django_capture_on_commit_callbacks):
    line = order.lines.order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        ret = do_request_return(ana, order, [ReturnItem(line.pk, 1, "damaged")], conversation=conversation)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ana).post(
            reverse("conversation_return_update", args=[conversation.pk, ret.pk]), {"action": "receive"}
        )

    assert response.status_code == 200
    assert "Return R-2041-1: Received." in response.content.decode()  # the refund job runs after commit
    ret.refresh_from_db()
    assert (ret.state, Remedy.objects.get().amount) == ("refunded", 4500)


def test_it_is_a_404_for_another_stores_agent(gus, conversation, order):
    response = client_for(gus).post(
        reverse("conversation_order_return", args=[conversation.pk, order.pk]), {"qty-1": "1"}
    )

    assert response.status_code == 404
    assert ReturnRequest.objects.count() == 0


def test_it_renders_returns_without_extra_queries_per_order(ana, conversation, carla, order):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("conversation_orders", args=[conversation.pk]), HTTP_HX_REQUEST="true")
        return len(ctx.captured_queries)

    client = client_for(ana)
    do_request_return(ana, order, [ReturnItem(order.lines.order_by("id").first().pk, 1, "damaged")])
    client.get(reverse("conversation_orders", args=[conversation.pk]))
    one = count()
    for _ in range(3):
        more = order_for(carla)
        FulfillmentFactory(order=more, status="delivered", delivered_at=timezone.now())
        do_request_return(ana, more, [ReturnItem(more.lines.order_by("id").first().pk, 1, "changed_mind")])

    assert count() == one
