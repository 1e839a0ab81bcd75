"""/search: full-text search over conversations (subject, messages and notes, customer name,
email and phone), best matches first, each with its matching text highlighted."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from storedesk.api.auth import caller
from storedesk.api.lookups import get_store
from storedesk.api.schemas import CustomerRef
from storedesk.commerce.queries import OrderHit, order_hits
from storedesk.conversations.models import Channel, Status
from storedesk.core.access import store_ids_for
from storedesk.core.errors import ActionError
from storedesk.search.queries import DEFAULT_LIMIT, MAX_RESULTS, SearchHit, search_conversations

router = Router(tags=["search"])

MAX_LIMIT = 50


class SearchParams(Schema):
    q: str = Field(
        min_length=1,
        max_length=500,
        description=(
            'Words (all must match, stemmed, accents ignored), "a quoted phrase", a prefix with * (`refu*`), '
            "an email address or a phone number in any spelling."
        ),
    )
    store: str | None = Field(None, description="store id or slug; default: all of the caller's stores")
    prefix: bool = Field(False, description="treat the last word as a prefix (search as you type)")
    cursor: str | None = Field(None, description="next_cursor from the previous page; omit for the first page")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"results per page, 1–{MAX_LIMIT}")


class SearchHitOut(Schema):
    id: int = Field(description="the conversation's id")
    store_id: int
    subject: str
    subject_html: str = Field(description="the subject, HTML-escaped, matches in <mark>")
    customer: CustomerRef
    status: Status
    channel: Channel
    last_message_at: datetime
    snippet: str = Field(description="the best matching fragment, HTML-escaped, matches in <mark>")
    rank: float = Field(description="relevance, higher is better; compare only within one result list")


class OrderHitOut(Schema):
    id: int = Field(description="the order's id (GET /api/v1/orders/{id})")
    store_id: int
    name: str = Field(description='the order number as the store shows it, e.g. "#1001"')
    email: str
    placed_at: datetime
    customer_id: int | None = Field(description="the customer now (the survivor if theirs was merged away)")
    conversation_id: int | None = Field(description="that customer's latest conversation, if any")


class SearchPage(Schema):
    items: list[SearchHitOut]
    next_cursor: str | None
    orders: list[OrderHitOut] = Field(
        description="orders whose number, email, phone or tracking number is exactly `q` (first page only)"
    )


def _fingerprint(params: SearchParams) -> str:
    return hashlib.sha256(f"{params.q}\0{params.store}\0{params.prefix}".encode()).hexdigest()[:12]


def _encode(params: SearchParams, offset: int) -> str:
    raw = json.dumps({"q": _fingerprint(params), "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(params: SearchParams) -> int:
    """The offset a cursor stands for; ActionError (400) if it is not a cursor of this search."""
    if not params.cursor:
        return 0
    try:
        payload = json.loads(base64.urlsafe_b64decode(params.cursor + "=" * (-len(params.cursor) % 4)))
        offset = payload["o"]
        if payload["q"] != _fingerprint(params) or not isinstance(offset, int) or not 0 < offset < MAX_RESULTS:
            raise ValueError(offset)
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise ActionError(
            "The cursor is not valid for this search: start again without it.", code="invalid_cursor"
        ) from None
    return offset


def _order(hit: OrderHit) -> dict[str, Any]:
    order = hit.order
    return {
        "id": order.pk,
        "store_id": order.store_id,
        "name": order.name,
        "email": order.email,
        "placed_at": order.placed_at,
        "customer_id": hit.customer_id,
        "conversation_id": hit.conversation_id,
    }


def _item(hit: SearchHit) -> dict[str, Any]:
    conversation = hit.conversation
    return {
        "id": conversation.pk,
        "store_id": conversation.store_id,
        "subject": conversation.subject,
        "subject_html": str(hit.subject_html),
        "customer": conversation.customer,
        "status": conversation.status,
        "channel": conversation.channel,
        "last_message_at": conversation.last_message_at,
        "snippet": str(hit.snippet_html),
        "rank": hit.score,
    }


@router.get("", response=SearchPage, summary="Search conversations, best matches first")
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Searches the caller's stores (or one of them with `store`); conversations merged into
    another are left out. Pages through the best 1000 matches."""
    user = caller(request)
    store_ids = [get_store(user, params.store).pk] if params.store else None
    offset = _decode(params)
    results = search_conversations(
        user, params.q, store_ids=store_ids, limit=params.limit, offset=offset, prefix_last=params.prefix
    )
    next_offset = results.next_offset
    scope = store_ids if store_ids is not None else list(store_ids_for(user))
    orders = order_hits(scope, params.q) if offset == 0 else []
    return {
        "items": [_item(hit) for hit in results.hits],
        "orders": [_order(hit) for hit in orders],
        "next_cursor": _encode(params, next_offset) if next_offset is not None else None,
    }
