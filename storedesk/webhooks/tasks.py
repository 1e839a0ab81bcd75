"""Thin job wrappers around webhook delivery actions (filled in by the webhooks slice)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def deliver_webhook(delivery_id: str) -> None:
    from storedesk.webhooks import actions

    actions.attempt_delivery(delivery_id)
