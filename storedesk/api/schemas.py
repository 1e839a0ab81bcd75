"""Response schemas shared by the routers. Ids are ints, datetimes ISO 8601 (UTC)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from storedesk.conversations.models import Channel, Conversation, Customer, Message, Status

# A row id as clients send it: a positive integer that fits the database's BIGINT, so an
# absurd id is a 422 at the door rather than an overflow inside a query.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


class UserRef(Schema):
    id: int
    email: str
    name: str


class TeamRef(Schema):
    id: int
    name: str


class CustomerRef(Schema):
    id: int
    name: str


class IdentityOut(Schema):
    kind: str
    value: str


class ConversationOut(Schema):
    id: int
    store_id: int
    customer: CustomerRef
    channel: Channel
    status: Status
    priority: int
    assignee: UserRef | None
    team: TeamRef | None
    tags: list[str]
    subject: str
    preview: str
    message_count: int
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    snoozed_until: datetime | None
    merged_into_id: int | None

    @staticmethod
    def resolve_tags(obj: Conversation) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())  # prefetched by the queries


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    inline: bool
    content_id: str


class MessageAuthor(Schema):
    kind: str
    id: int | None
    name: str


class MessageOut(Schema):
    id: int
    conversation_id: int
    direction: str
    author: MessageAuthor
    body_text: str
    body_html: str
    delivery_status: str
    metadata: dict[str, Any]
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Message) -> dict[str, Any]:
        person: Any = obj.author_user or obj.author_customer
        return {"kind": obj.author_kind, "id": person.pk if person else None, "name": person.name if person else ""}

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Any]:
        return list(obj.attachments.all())  # prefetched by the queries


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class CustomerOut(Schema):
    id: int
    store_id: int
    name: str
    notes: str
    vip: bool
    language: str
    created_at: datetime
    merged_into_id: int | None
    identities: list[IdentityOut]

    @staticmethod
    def resolve_identities(obj: Customer) -> list[Any]:
        return sorted(obj.identities.all(), key=lambda i: (i.kind, i.value))  # prefetched


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class ConversationBrief(Schema):
    id: int
    subject: str
    status: Status
    channel: Channel
    created_at: datetime
    last_message_at: datetime


class CustomerDetailOut(CustomerOut):
    recent_conversations: list[ConversationBrief]


class MergeIn(Schema):
    into: Id = Field(description="id of the surviving record")


StoreRef = int | str  # a store's id or slug (checked by api.lookups.get_store)

OpenStatus = Literal["open", "pending", "resolved"]
