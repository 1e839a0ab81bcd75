"""The orders panel fragment beside a conversation: c/<pk>/orders/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.commerce.factories import FulfillmentFactory, OrderLineFactory, RefundFactory, order_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def panel(client, conversation):
    return client.get(reverse("conversation_orders", args=[conversation.pk]), HTTP_HX_REQUEST="true")


def test_it_shows_the_customers_orders_with_items_payment_delivery_and_refunds(ana, conversation, carla):
    now = timezone.now()
    order = order_for(
        carla,
        lines=0,
        name="#2041",
        placed_at=now - timedelta(days=6),
        promised_by=now - timedelta(days=1),
        refunded=1000,
        financial_status="partially_refunded",
        discount_codes=["FALL10"],
        discount=500,
    )
    OrderLineFactory(order=order, title="Trail runner", variant_title="Moss / 42", quantity=2, unit_price=4500)
    FulfillmentFactory(order=order, carrier="USPS", tracking_number="9400111", tracking_url="https://usps.test/9400111")
    RefundFactory(order=order, amount=1000, note="Late delivery")

    response = panel(client_for(ana), conversation)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="orders"' in html
    assert 'data-testid="order-count">1<' in html
    assert 'Lifetime value <strong data-testid="lifetime-value">$90.00</strong>' in html
    assert "#2041" in html
    assert "2 × Trail runner" in html and "Moss / 42" in html and "$90.00" in html
    assert "Discount (FALL10)" in html
    assert (
        '<a href="https://usps.test/9400111" target="_blank" rel="noopener noreferrer" data-testid="tracking-link">9400111</a>'
        in html
    )
    assert "In transit · late" in html
    assert "Refunded $10.00" in html and "Late delivery" in html
    assert ">Partially refunded<" in html


def test_it_says_so_when_the_customer_has_no_orders(ana, conversation):
    html = panel(client_for(ana), conversation).content.decode()

    assert 'data-testid="no-orders"' in html


def test_it_answers_404_for_a_conversation_of_another_store(gus, conversation, carla):
    order_for(carla)

    assert panel(client_for(gus), conversation).status_code == 404


def test_it_asks_anonymous_visitors_to_log_in(conversation):
    response = panel(Client(), conversation)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_renders_in_the_same_number_of_queries_however_many_orders(ana, conversation, carla):
    client = client_for(ana)
    order = order_for(carla)
    FulfillmentFactory(order=order)
    with CaptureQueriesContext(connection) as one:
        panel(client, conversation)
    for i in range(15):
        more = order_for(carla, lines=3, placed_at=timezone.now() - timedelta(days=i))
        FulfillmentFactory(order=more)
        RefundFactory(order=more)

    with CaptureQueriesContext(connection) as many:
        response = panel(client, conversation)

    assert response.content.decode().count('data-testid="order"') == 10
    assert len(many.captured_queries) == len(one.captured_queries)


# --- remedies from the panel ---------------------------------------------------------------------


def remedy_url(conversation, order):
    return reverse("conversation_order_remedy", args=[conversation.pk, order.pk])


def test_it_issues_a_partial_refund_within_the_agents_limit_in_one_form(
    ana, conversation, carla, django_capture_on_commit_callbacks
):
    from storedesk.commerce.models import Remedy

    order = order_for(carla, name="#2041")
    client = client_for(ana)
    html = panel(client, conversation).content.decode()
    assert "Your refund limit: $50.00 each, $200.00 a day ($0.00 used)." in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            remedy_url(conversation, order),
            {"action": "refund", "amount": "12.50", "reason": "late delivery", "idempotency_key": "form-key-1"},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Issued: refund of $12.50 on #2041." in html
    assert "Hi Carla, I&#x27;ve refunded $12.50 for order #2041" in html
    assert Remedy.objects.get().state == "succeeded"
    html = panel(client, conversation).content.decode()
    assert 'data-testid="remedy-state">Done<' in html
    assert "Refunded $12.50" in html


def test_it_sends_a_large_refund_to_a_lead_who_approves_it_in_the_panel(
    ana, leo, conversation, carla, django_capture_on_commit_callbacks
):
    from storedesk.commerce.models import Remedy

    order = order_for(carla, name="#2041")
    response = client_for(ana).post(
        remedy_url(conversation, order), {"action": "refund", "amount": "80", "reason": "lost", "idempotency_key": "k"}
    )
    assert (
        "Sent to a lead for approval: refund of $80.00 on #2041. Above Ana Agent&#x27;s limit of $50.00 per refund."
        in response.content.decode()
    )
    assert 'data-testid="approve"' not in panel(client_for(ana), conversation).content.decode()
    lead = client_for(leo)
    assert 'data-testid="approve"' in panel(lead, conversation).content.decode()
    remedy = Remedy.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        decided = lead.post(
            reverse("conversation_remedy_decision", args=[conversation.pk, remedy.pk]),
            {"approval": remedy.approval.pk, "decision": "approve", "reason": "ok"},
        )

    assert decided.status_code == 200
    assert "Approved: refund of $80.00 on #2041." in decided.content.decode()
    assert Remedy.objects.get().state == "succeeded"


def test_it_shows_why_a_remedy_is_refused_and_changes_nothing(ana, conversation, carla):
    from storedesk.commerce.models import Remedy

    order = order_for(carla, name="#2041")

    response = client_for(ana).post(
        remedy_url(conversation, order),
        {"action": "refund", "amount": "500.00", "idempotency_key": "k"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    assert "Only $100.00 is left to refund on #2041." in response.content.decode()
    assert Remedy.objects.count() == 0


def test_it_answers_404_for_another_stores_conversation_or_order(gus, ana, conversation, carla, globex):
    order = order_for(carla)

    assert client_for(gus).post(remedy_url(conversation, order), {"action": "refund", "amount": "1"}).status_code == 404
    from tests.commerce.factories import OrderFactory

    theirs = OrderFactory(store=globex)
    assert (
        client_for(ana).post(remedy_url(conversation, theirs), {"action": "refund", "amount": "1"}).status_code == 404
    )


def test_it_renders_remedies_without_extra_queries(ana, leo, conversation, carla, django_capture_on_commit_callbacks):
    from storedesk.commerce.remedies import RemedyRequest, do_decide_approval, do_request_remedy

    client = client_for(leo)
    order_for(carla)
    with CaptureQueriesContext(connection) as one:
        panel(client, conversation)
    for i in range(6):
        order = order_for(carla, placed_at=timezone.now() - timedelta(days=i))
        ask = do_request_remedy(ana, order, RemedyRequest(kind="refund", amount=8000), idempotency_key=f"a{i}")
        if i % 2:
            do_decide_approval(leo, ask.remedy.approval, approve=False, reason="no")
        do_request_remedy(ana, order, RemedyRequest(kind="goodwill", amount=500), idempotency_key=f"b{i}")

    with CaptureQueriesContext(connection) as many:
        html = panel(client, conversation).content.decode()

    assert html.count('data-testid="remedy"') == 12
    assert len(many.captured_queries) == len(one.captured_queries)
