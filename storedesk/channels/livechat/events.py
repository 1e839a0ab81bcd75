"""Live chat's realtime-only events for agents' pages (never stored, never webhooks).

They go to the conversation's group as `storedesk.presence` frames, which the agent consumer
forwards to the browser as `{"type": "event", "event": {...}}` (live.js then emits them by
type) and the visitor consumer ignores:

- `livechat.visitor`: where the chat's visitor is now and whether a widget of theirs is open
  (sent when a widget connects, changes page or closes);
- `livechat.read`: the visitor has seen the agent's messages up to `message_id`.

The visitor's own widget hears of an agent's read through its visitor group instead
(`livechat.read` channel message → `read` frame), see `sender.push_read`.
"""

from __future__ import annotations

from typing import Any, Literal

from storedesk.core.events import BaseEvent
from storedesk.core.realtime import conversation_group


class LivechatVisitor(BaseEvent):
    type: Literal["livechat.visitor"] = "livechat.visitor"
    conversation_id: int
    online: bool
    page_url: str
    page_title: str


class LivechatRead(BaseEvent):
    type: Literal["livechat.read"] = "livechat.read"
    conversation_id: int
    message_id: int  # the visitor has seen every agent/bot message up to this id


def frame(event: LivechatVisitor | LivechatRead) -> tuple[str, dict[str, Any]]:
    """(group, channel-layer message) for an event."""
    return conversation_group(event.conversation_id), {
        "type": "storedesk.presence",
        "event": event.model_dump(mode="json"),
    }
