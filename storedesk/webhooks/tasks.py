"""Thin, idempotent job wrappers around webhook delivery actions.

Retries are not huey retries: `attempt_delivery` records each attempt on the row and
schedules the next one itself, so the database stays the source of truth and the sweeper
can recover any job the queue loses.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storedesk.webhooks import actions


@db_task()
def deliver_webhook(delivery_id: str) -> str | None:
    return actions.attempt_delivery(delivery_id)


@db_periodic_task(crontab(minute="*"))
def sweep_due_deliveries() -> dict[str, int]:
    """Every minute: re-enqueue lost jobs and free deliveries stuck with a dead worker."""
    return actions.sweep_due_deliveries()


@db_periodic_task(crontab(minute="17", hour="3"))
def prune_old_deliveries() -> int:
    """Nightly: finished deliveries older than WEBHOOK_RETENTION_DAYS are deleted."""
    return actions.prune_old_deliveries()
