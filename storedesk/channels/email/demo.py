"""The email channel's part of the demo: the main store acknowledges new email (autoack)."""

from __future__ import annotations

from storedesk.channels.email.autoack import do_set_auto_ack
from storedesk.core.models import Store


def load_demo_email(store: Store) -> None:
    do_set_auto_ack(None, store, enabled=True)
