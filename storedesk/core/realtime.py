"""Realtime fan-out through the Django Channels layer (in-memory by default, Redis when configured).

Groups: `store.<id>` (every agent's inbox in that store) and `conversation.<id>` (open
conversation pages). Consumers only subscribe; everything is sent from here, after commit.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from storedesk.core.events import BaseEvent

log = logging.getLogger(__name__)


def store_group(store_id: int) -> str:
    return f"store.{store_id}"


def conversation_group(conversation_id: int) -> str:
    return f"conversation.{conversation_id}"


def groups_for(event: BaseEvent) -> list[str]:
    groups = [store_group(event.store_id)]
    conversation = getattr(event, "conversation", None)
    if conversation is not None:
        groups.append(conversation_group(conversation.id))
    source_id = getattr(event, "source_id", None)
    if event.type == "conversation.merged" and source_id is not None:  # type: ignore[attr-defined]
        groups.append(conversation_group(source_id))
    return groups


def send(event: BaseEvent) -> None:
    """Best effort: a realtime hiccup must never fail the change that caused it."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "storedesk.event", "event": event.model_dump(mode="json")}
    for group in groups_for(event):
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:
            log.exception("realtime send to %s failed for %s", group, event.id)
