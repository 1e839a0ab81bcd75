"""The huey jobs are thin wrappers: deliver one delivery; sweep every minute."""

from __future__ import annotations

from datetime import datetime

import pytest

from storedesk.webhooks import tasks
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
