"""Thin, idempotent job wrappers: order sync, inbound webhooks, remedy execution and expiry.

The database is the source of truth for every one of them (a sync cursor, a webhook row's
state, a remedy's state), so a lost or repeated job does no harm: the sweepers below pick up
whatever a lost job left behind.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.commerce import actions, carrier_webhooks, outreach, remedies, returns
from storedesk.commerce.models import StoreConnection
from storedesk.commerce.providers import ProviderError

log = logging.getLogger(__name__)

# Platforms we pull from; the demo and imported orders have nothing to pull.
SYNCED_PROVIDERS = ("shopify", "woocommerce")


@db_task()
def sync_connection(connection_id: int) -> int:
    try:
        return actions.do_sync_connection(connection_id)
    except ProviderError as exc:
        log.warning("order sync of connection %s failed: %s", connection_id, exc.message)
        return 0


@db_periodic_task(crontab(minute="*/15"))
def reconcile_orders() -> int:
    """Every 15 minutes: pull what changed on each connected platform (webhooks can be missed)."""
    ids = list(StoreConnection.objects.filter(active=True, provider__in=SYNCED_PROVIDERS).values_list("pk", flat=True))
    for connection_id in ids:
        sync_connection(connection_id)
    return len(ids)


@db_task()
def process_provider_webhook(webhook_id: int) -> str:
    return actions.do_process_webhook(webhook_id)


@db_task()
def execute_remedy(remedy_id: int) -> str:
    return remedies.execute_remedy(remedy_id)


@db_task(retries=3, retry_delay=60)
def make_return_label(return_id: int) -> str:
    return returns.make_label(return_id)


@db_task()
def process_carrier_webhook(webhook_id: int) -> str:
    return carrier_webhooks.do_process_carrier_webhook(webhook_id)


@db_periodic_task(crontab(minute="*"))
def sweep_commerce() -> dict[str, int]:
    """Every minute: re-enqueue lost webhook and remedy jobs, expire stale approval requests."""
    return {
        "webhooks": actions.sweep_webhooks(),
        "carrier_webhooks": carrier_webhooks.sweep_carrier_webhooks(),
        "remedies": remedies.sweep_due_remedies(),
        "expired": remedies.expire_approvals(),
    }


@db_periodic_task(crontab(minute="7"))
def detect_late_orders() -> int:
    """Every hour: orders late against their promised date get a draft or a message (once each)."""
    return outreach.sweep_late_orders()
