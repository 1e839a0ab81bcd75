"""The webhook outbox: turn a published event into delivery rows inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from storedesk.core.events import BaseEvent
from storedesk.webhooks.models import WebhookDelivery, WebhookEndpoint


def record(event: BaseEvent) -> list[WebhookDelivery]:
    return record_many(event.store_id, [event])


def record_many(store_id: int, events: Sequence[BaseEvent]) -> list[WebhookDelivery]:
    """Delivery rows for a store's events, in order, with one read of its endpoints; their
    jobs are enqueued on commit."""
    endpoints = list(WebhookEndpoint.objects.filter(store_id=store_id, is_active=True))
    if not endpoints:
        return []
    rows = []
    for event in events:
        wanted = [endpoint for endpoint in endpoints if endpoint.wants(event.type)]  # type: ignore[attr-defined]
        if wanted:
            payload = event.model_dump(mode="json")
            rows += [
                WebhookDelivery(endpoint=endpoint, event_id=event.id, event_type=payload["type"], payload=payload)
                for endpoint in wanted
            ]
    if not rows:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(rows)
    ids = [str(delivery.id) for delivery in deliveries]

    def enqueue() -> None:
        from storedesk.webhooks.tasks import deliver_webhook

        for delivery_id in ids:
            deliver_webhook(delivery_id)

    transaction.on_commit(enqueue)
    return deliveries
