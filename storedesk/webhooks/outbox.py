"""The webhook outbox: turn a published event into delivery rows inside the caller's transaction."""

from __future__ import annotations

from django.db import transaction

from storedesk.core.events import BaseEvent
from storedesk.webhooks.models import WebhookDelivery, WebhookEndpoint


def record(event: BaseEvent) -> list[WebhookDelivery]:
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(store_id=event.store_id, is_active=True)
        if endpoint.wants(event.type)  # type: ignore[attr-defined]
    ]
    if not endpoints:
        return []
    payload = event.model_dump(mode="json")
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=endpoint, event_id=event.id, event_type=payload["type"], payload=payload)
            for endpoint in endpoints
        ]
    )
    ids = [str(delivery.id) for delivery in deliveries]

    def enqueue() -> None:
        from storedesk.webhooks.tasks import deliver_webhook

        for delivery_id in ids:
            deliver_webhook(delivery_id)

    transaction.on_commit(enqueue)
    return deliveries
