"""Thin, idempotent job wrappers around conversation actions."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from storedesk.conversations.actions import do_wake_snoozed


@db_periodic_task(crontab(minute="*"))
def wake_snoozed_conversations() -> int:
    """Every minute: snoozed conversations whose time has come are open again."""
    return do_wake_snoozed()
