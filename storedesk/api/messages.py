"""/conversations/{id}/messages: the timeline, and replying / adding a note / sending a macro."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as WithStatus
from pydantic import Field, model_validator

from storedesk.api.auth import caller
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import Id, MessageOut, MessagePage, OpenStatus
from storedesk.conversations import actions
from storedesk.conversations.models import Conversation, Macro, Message
from storedesk.core.access import access_object
from storedesk.core.errors import ActionError
from storedesk.core.models import User

router = Router(tags=["messages"])

# Oldest first, as the conversation reads. Serves: message_timeline_idx.
ORDERING = ("created_at", "id")


def get_conversation(user: User, conversation_id: int) -> Conversation:
    """The conversation alone (the timeline does not show its tags or people)."""
    return access_object(user, Conversation.objects.all(), conversation_id, "conversation.view")


def message_rows() -> QuerySet[Message]:
    return Message.objects.select_related("author_user", "author_customer").prefetch_related("attachments")


@router.get("/{int:conversation_id}/messages", response=MessagePage, summary="A conversation's timeline")
def list_messages(request: HttpRequest, conversation_id: Id, page: Query[PageParams]) -> Any:
    conversation = get_conversation(caller(request), conversation_id)
    return paginate_params(message_rows().filter(conversation=conversation), ORDERING, page)


class MessageIn(Schema):
    kind: Literal["reply", "note"] = Field(description="reply: sent to the customer; note: internal")
    body_text: str = ""
    body_html: str = Field("", description="replies only; sanitised before it is stored")
    status_after: OpenStatus | None = Field(None, description="replies only: set the status after sending")
    mentions: list[Id] = Field(default_factory=list, description="notes only: user ids to notify")
    macro_id: Id | None = Field(None, description="replies only: send this macro (body_text overrides its text)")

    @model_validator(mode="after")
    def fits_kind(self) -> MessageIn:
        if self.kind == "note":
            extra = [name for name in ("body_html", "status_after", "macro_id") if getattr(self, name)]
            if extra:
                raise ValueError(f"a note takes body_text and mentions only, not {', '.join(extra)}")
        elif self.mentions:
            raise ValueError("mentions are for notes only")
        if self.macro_id is not None and self.body_html:
            raise ValueError("a macro reply is plain text: send body_text, not body_html")
        return self


def _mentioned(conversation: Conversation, user_ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=set(user_ids), memberships__store_id=conversation.store_id))
    unknown = sorted(set(user_ids) - {u.pk for u in users})
    if unknown:
        ids = ", ".join(str(pk) for pk in unknown)
        raise ActionError(f"Not agents of this store: {ids}.", code="invalid_mention")
    return users


def _post(user: User, conversation: Conversation, p: MessageIn) -> Message:
    if p.kind == "note":
        return actions.do_add_note(
            user, conversation, body_text=p.body_text, mentions=_mentioned(conversation, p.mentions)
        )
    if p.macro_id is None:
        return actions.do_reply(
            user, conversation, body_text=p.body_text, body_html=p.body_html, status_after=p.status_after
        )
    macro = access_object(user, Macro.objects.all(), p.macro_id, "macro.use")
    message = actions.do_apply_macro(user, conversation, macro, body_text=p.body_text or None)
    if p.status_after is not None:
        actions.do_set_status(user, conversation, p.status_after)
    return message


@router.post("/{int:conversation_id}/messages", response={201: MessageOut}, summary="Reply, or add an internal note")
def post_message(request: HttpRequest, conversation_id: Id, payload: MessageIn) -> WithStatus[Message]:
    user = caller(request)
    conversation = get_conversation(user, conversation_id)
    with transaction.atomic():
        message = _post(user, conversation, payload)
    return WithStatus(201, message_rows().get(pk=message.pk))
