"""Remedy playbooks suggested beside the order, and the consistency report."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from storedesk.commerce import playbooks
from storedesk.commerce.models import Order, Remedy
from storedesk.commerce.remedies import RemedyRequest, do_request_remedy
from tests.commerce.factories import FulfillmentFactory, order_for
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def prefetched(order):
    return Order.objects.prefetch_related("fulfillments", "returns", "lines").get(pk=order.pk)


def late_order(customer, days: int, **kwargs):
    now = timezone.now()
    order = order_for(customer, promised_by=now - timedelta(days=days + 2), **kwargs)
    FulfillmentFactory(order=order, status="delivered", delivered_at=now - timedelta(days=2))
    return order


def test_it_suggests_ten_percent_goodwill_for_a_delivery_six_days_late(acme, carla):
    order = late_order(carla, 6)

    [tip] = playbooks.suggest(prefetched(order), acme, timezone.now())

    assert (tip.situation, tip.kind, tip.amount, tip.why, tip.label) == (
        "late_delivery",
        "goodwill",
        1000,
        "6 days late",
        "Late delivery: 10% goodwill gesture",
    )


def test_it_picks_the_rule_for_the_most_days_reached(acme, carla):
    [tip] = playbooks.suggest(prefetched(late_order(carla, 12)), acme, timezone.now())

    assert (tip.amount, tip.label) == (2000, "Late delivery: 20% goodwill gesture")


def test_it_suggests_nothing_for_a_delivery_on_time_or_a_little_late(acme, carla):
    assert playbooks.suggest(prefetched(late_order(carla, 3)), acme, timezone.now()) == []
    assert playbooks.suggest(prefetched(order_for(carla)), acme, timezone.now()) == []


def test_it_suggests_a_replacement_for_a_parcel_the_carrier_could_not_deliver(acme, carla):
    order = order_for(carla)
    FulfillmentFactory(order=order, status="failed")

    [tip] = playbooks.suggest(prefetched(order), acme, timezone.now())

    assert (tip.situation, tip.kind, tip.why) == ("missing_parcel", "replacement", "the carrier could not deliver it")


def test_it_follows_the_stores_own_playbooks(acme, carla):
    acme.settings = {
        "remedy_playbooks": [{"situation": "late_delivery", "min_days": 2, "kind": "refund", "percent": 5}]
    }
    acme.save()

    [tip] = playbooks.suggest(prefetched(late_order(carla, 3)), acme, timezone.now())

    assert (tip.kind, tip.amount) == ("refund", 500)


def test_it_shows_the_suggestion_in_the_panel_and_applies_it(ana, acme, carla, django_capture_on_commit_callbacks):
    order = late_order(carla, 6)
    conversation = ConversationFactory(store=acme, customer=carla)
    client = Client()
    client.force_login(ana)

    html = client.get(reverse("conversation_orders", args=[conversation.pk])).content.decode()

    assert '<strong data-testid="playbook-suggestion">Late delivery: 10% goodwill gesture</strong> ($10.00)' in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("conversation_order_remedy", args=[conversation.pk, order.pk]),
            {
                "idempotency_key": "k1-late_delivery",
                "situation": "late_delivery",
                "reason": "Late delivery: 10% goodwill gesture (6 days late)",
                "amount": "10.00",
                "action": "goodwill",
            },
        )
    remedy = Remedy.objects.get()
    assert (remedy.kind, remedy.amount, remedy.situation, remedy.state) == (
        "goodwill",
        1000,
        "late_delivery",
        "succeeded",
    )


def test_it_reports_what_each_agent_gave_per_situation(ana, ben, leo, acme, carla, api_as):
    for agent, kind, amount in ((ana, "goodwill", 1000), (ben, "refund", 3000), (ana, "goodwill", 1000)):
        do_request_remedy(
            agent,
            order_for(carla),
            RemedyRequest(kind=kind, amount=amount, situation="late_delivery"),
            idempotency_key=str(uuid.uuid4()),
        )
    do_request_remedy(ana, order_for(carla), RemedyRequest(kind="refund", amount=500), idempotency_key="no-situation")

    body = api_as(leo).get("/orders/remedies/consistency", {"store": "acme"}).json()

    assert sorted((r["situation"], r["name"], r["kind"], r["count"], r["total"]) for r in body) == [
        ("late_delivery", "Ana Agent", "goodwill", 2, "20.00"),
        ("late_delivery", ben.name, "refund", 1, "30.00"),
    ]
    assert api_as(ana).get("/orders/remedies/consistency", {"store": "acme"}).status_code == 403
