"""Typed domain events, published after commit to the realtime layer and to outbound webhooks.

Each event is a pydantic model with a literal `type`; `parse_event` round-trips JSON back
into the right class. Payloads carry ids and the few fields a consumer needs to update a
row without another request; they never carry secrets.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class MessageSummary(BaseModel):
    id: int
    direction: str
    author_kind: str
    author_name: str
    body_text: str
    created_at: datetime


class ConversationSummary(BaseModel):
    id: int
    status: str
    priority: int
    channel: str
    subject: str
    preview: str
    customer_id: int
    customer_name: str
    assignee_id: int | None
    team_id: int | None
    tags: list[str]
    last_message_at: datetime


class BaseEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    store_id: int
    occurred_at: datetime = Field(default_factory=timezone.now)
    actor_id: int | None = None  # the agent who caused it, if any


class ConversationCreated(BaseEvent):
    type: Literal["conversation.created"] = "conversation.created"
    conversation: ConversationSummary


class ConversationUpdated(BaseEvent):
    type: Literal["conversation.updated"] = "conversation.updated"
    conversation: ConversationSummary
    changes: dict[str, list[Any]]  # field → [before, after]


class MessageCreated(BaseEvent):
    type: Literal["message.created"] = "message.created"
    conversation: ConversationSummary
    message: MessageSummary


class MessageUpdated(BaseEvent):
    """A message's delivery changed after it was created: an outbound email failed or bounced.
    `changes` is field → [before, after] (`delivery_status`, `delivery_error`)."""

    type: Literal["message.updated"] = "message.updated"
    conversation: ConversationSummary
    message: MessageSummary
    changes: dict[str, list[Any]]


class ConversationsMerged(BaseEvent):
    type: Literal["conversation.merged"] = "conversation.merged"
    source_id: int
    conversation: ConversationSummary  # the survivor


class CustomersMerged(BaseEvent):
    type: Literal["customer.merged"] = "customer.merged"
    source_id: int
    target_id: int


class SlaWarning(BaseEvent):
    """An SLA target of the conversation is close: `kind` (first_response, next_response,
    resolution) is due at `due_at`."""

    type: Literal["sla.warning"] = "sla.warning"
    conversation: ConversationSummary
    kind: str
    due_at: datetime


class SlaBreached(BaseEvent):
    """An SLA target was missed; `escalation` lists what the policy did about it
    (e.g. {"priority": [1, 3], "team_id": 4, "notified": [7]})."""

    type: Literal["sla.breached"] = "sla.breached"
    conversation: ConversationSummary
    kind: str
    due_at: datetime
    escalation: dict[str, Any] = Field(default_factory=dict)


Event = Annotated[
    ConversationCreated
    | ConversationUpdated
    | MessageCreated
    | MessageUpdated
    | ConversationsMerged
    | CustomersMerged
    | SlaWarning
    | SlaBreached,
    Field(discriminator="type"),
]
EVENT_TYPES: list[str] = [
    "conversation.created",
    "conversation.updated",
    "message.created",
    "message.updated",
    "conversation.merged",
    "customer.merged",
    "sla.warning",
    "sla.breached",
]
_adapter: TypeAdapter[Any] = TypeAdapter(Event)


def parse_event(data: str | bytes | dict[str, Any]) -> BaseEvent:
    if isinstance(data, dict):
        return _adapter.validate_python(data)  # type: ignore[no-any-return]
    return _adapter.validate_json(data)  # type: ignore[no-any-return]


# --- Realtime-only events ----------------------------------------------------------------
# Presence on a conversation page and personal notifications. They go to WebSocket groups
# only: never through `publish()`, never to the webhook outbox (EVENT_TYPES does not list
# them, so no endpoint can subscribe to them), never stored.


class PresenceViewing(BaseEvent):
    """`actor_id` has the conversation open. Valid for `expires_in` seconds unless refreshed."""

    type: Literal["presence.viewing"] = "presence.viewing"
    conversation_id: int
    agent_name: str
    expires_in: int = 60


class PresenceTyping(BaseEvent):
    """`actor_id` is writing in the composer. Gone after `expires_in` seconds unless repeated."""

    type: Literal["presence.typing"] = "presence.typing"
    conversation_id: int
    agent_name: str
    expires_in: int = 5


class PresenceLeft(BaseEvent):
    """`actor_id` closed the conversation (or their socket went away)."""

    type: Literal["presence.left"] = "presence.left"
    conversation_id: int
    agent_name: str


class NotificationCreated(BaseEvent):
    """Sent to the recipient's own group (`user.<id>`) only."""

    type: Literal["notification.created"] = "notification.created"
    notification_id: int
    recipient_id: int
    kind: str
    conversation_id: int | None
    text: str
    unread: int  # the recipient's unread count, for the top bar badge


RealtimeOnlyEvent = Annotated[
    PresenceViewing | PresenceTyping | PresenceLeft | NotificationCreated,
    Field(discriminator="type"),
]
REALTIME_ONLY_TYPES: list[str] = ["presence.viewing", "presence.typing", "presence.left", "notification.created"]
_realtime_adapter: TypeAdapter[Any] = TypeAdapter(RealtimeOnlyEvent)


def parse_realtime_event(data: str | bytes | dict[str, Any]) -> BaseEvent:
    """Like parse_event, for any frame a socket may carry: domain events and realtime-only ones."""
    if isinstance(data, dict):
        raw: Any = data
    else:
        try:
            raw = json.loads(data)
        except ValueError:
            return parse_event(data)  # raises pydantic's ValidationError, like any other bad frame
    if isinstance(raw, dict) and raw.get("type") in REALTIME_ONLY_TYPES:
        return _realtime_adapter.validate_python(raw)  # type: ignore[no-any-return]
    return parse_event(raw)
