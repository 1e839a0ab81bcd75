"""Typed domain events, published after commit to the realtime layer and to outbound webhooks.

Each event is a pydantic model with a literal `type`; `parse_event` round-trips JSON back
into the right class. Payloads carry ids and the few fields a consumer needs to update a
row without another request; they never carry secrets.
"""

from __future__ import annotations

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


class ConversationsMerged(BaseEvent):
    type: Literal["conversation.merged"] = "conversation.merged"
    source_id: int
    conversation: ConversationSummary  # the survivor


class CustomersMerged(BaseEvent):
    type: Literal["customer.merged"] = "customer.merged"
    source_id: int
    target_id: int


Event = Annotated[
    ConversationCreated | ConversationUpdated | MessageCreated | ConversationsMerged | CustomersMerged,
    Field(discriminator="type"),
]
EVENT_TYPES: list[str] = [
    "conversation.created",
    "conversation.updated",
    "message.created",
    "conversation.merged",
    "customer.merged",
]
_adapter: TypeAdapter[Any] = TypeAdapter(Event)


def parse_event(data: str | bytes | dict[str, Any]) -> BaseEvent:
    if isinstance(data, dict):
        return _adapter.validate_python(data)  # type: ignore[no-any-return]
    return _adapter.validate_json(data)  # type: ignore[no-any-return]
