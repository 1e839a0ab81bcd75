"""The huey jobs are thin wrappers: deliver one delivery; sweep every minute."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from storedesk.webhooks import actions, tasks
from storedesk.webhooks.models import WebhookDelivery
from tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def test_it_delivers_through_the_job(acme, receiver):
    endpoint = WebhookEndpointFactory(store=acme, url=receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="5f0c3e52-4f7b-4b43-9a39-2b7d1b6d9a10", event_type="customer.merged", payload={}
    )

    assert tasks.deliver_webhook.call_local(str(delivery.pk)) == "succeeded"
    assert tasks.deliver_webhook.call_local(str(delivery.pk)) is None  # idempotent

    assert len(receiver.requests) == 1


def test_it_sweeps_every_minute():
    sweep = tasks.sweep_due_deliveries.task_class()
    minutes = (0, 1, 37, 59)

    assert [sweep.validate_datetime(datetime(2026, 3, 2, 9, minute)) for minute in minutes] == [True] * 4
    assert tasks.sweep_due_deliveries.call_local() == {"failed": 0, "freed": 0, "enqueued": 0}


def delivery_at(endpoint, created_at, state, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=uuid.uuid4(),
        event_type="conversation.created",
        payload={},
        state=state,
        created_at=created_at,
        **fields,
    )


def test_it_prunes_finished_deliveries_past_retention_and_keeps_the_rest(acme):
    endpoint = WebhookEndpointFactory(store=acme)
    now = timezone.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    old_ok = delivery_at(endpoint, old, WebhookDelivery.State.SUCCEEDED)
    delivery_at(endpoint, old, WebhookDelivery.State.SUCCEEDED, replay_of=old_ok)  # goes with its original
    delivery_at(endpoint, old, WebhookDelivery.State.FAILED)
    kept = [
        delivery_at(endpoint, old, WebhookDelivery.State.PENDING),
        delivery_at(endpoint, old, WebhookDelivery.State.DELIVERING),
        delivery_at(endpoint, recent, WebhookDelivery.State.SUCCEEDED),
        delivery_at(endpoint, recent, WebhookDelivery.State.FAILED),
    ]

    assert actions.prune_old_deliveries(now, keep_days=30) == 3

    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {d.pk for d in kept}
    assert actions.prune_old_deliveries(now, keep_days=30) == 0


def test_it_prunes_nightly():
    prune = tasks.prune_old_deliveries.task_class()

    assert prune.validate_datetime(datetime(2026, 3, 2, 3, 17)) is True
    assert prune.validate_datetime(datetime(2026, 3, 2, 4, 17)) is False
