"""Build the event payload summaries of conversations and messages."""

from __future__ import annotations

from storedesk.conversations.models import Conversation, Message
from storedesk.core.events import ConversationSummary, MessageSummary


def conversation_summary(conversation: Conversation) -> ConversationSummary:
    return ConversationSummary(
        id=conversation.pk,
        status=conversation.status,
        priority=conversation.priority,
        channel=conversation.channel,
        subject=conversation.subject,
        preview=conversation.preview,
        customer_id=conversation.customer_id,
        customer_name=conversation.customer.name,
        assignee_id=conversation.assignee_id,
        team_id=conversation.team_id,
        tags=sorted(tag.name for tag in conversation.tags.all()),
        last_message_at=conversation.last_message_at,
    )


def message_summary(message: Message) -> MessageSummary:
    if message.author_user is not None:
        author_name = message.author_user.name
    elif message.author_customer is not None:
        author_name = message.author_customer.name
    else:
        author_name = message.author_kind
    return MessageSummary(
        id=message.pk,
        direction=message.direction,
        author_kind=message.author_kind,
        author_name=author_name,
        body_text=message.body_text,
        created_at=message.created_at,
    )
