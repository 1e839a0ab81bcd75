"""Routing held while the bot handles a chat (ADR 0027).

While the store's bot is talking with a visitor, the chat is not routed to an agent, counts
against nobody's capacity, promises no wait, runs no first-response clock and is not in the
chat backlog of the expected wait: agents do not get work the bot then answers. The hand-off
(`actions.do_hand_off`: a rule fired, the visitor asked for a person, the bot had no answer)
releases it: `sla_hooks.on_handoff` starts the first-response clock at that moment, records the
wait the bot announced and routes the chat with the usual explained reason.

Import-light (the SLA hooks and the wait estimate call it): models only.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from storedesk.automation.bot.state import HANDOFF, load
from storedesk.conversations.models import Channel, Conversation, Message
from storedesk.core.models import Store


def bot_enabled(store: Store) -> bool:
    """`store.settings["bot"]["enabled"]`; off unless the store turns it on."""
    return bool((store.settings.get("bot") or {}).get("enabled"))


def bot_holds(conversation: Conversation) -> bool:
    """The store's bot is handling this chat: the bot is on, nobody has answered yet, and the
    bot has not handed it off. One query (the last bot message) when the bot is on."""
    if conversation.channel != Channel.CHAT or conversation.first_response_at is not None:
        return False
    if not bot_enabled(conversation.store):
        return False
    return not load(conversation).handed_off


def handed_off() -> Exists:
    """SQL for "the bot handed this conversation to people" (its hand-off message; per
    conversation on message_timeline_idx). A held chat is an unanswered chat without it."""
    return Exists(
        Message.objects.filter(
            conversation=OuterRef("pk"), author_kind=Message.AuthorKind.BOT, metadata__bot__kind=HANDOFF
        )
    )
