"""Where the chat bot (storedesk/automation/bot, issue 6 item 3) plugs into live chat.

`bot_hook(conversation, message)` is called after every new visitor message on a chat
conversation has been stored (never for a re-sent duplicate). When the store has its bot on,
it queues `bot_turn` after commit, so the visitor's ack never waits for the bot (nor for the
intent model's first load). The bot answers through the actions layer (a bot-authored
outbound message reaches the visitor through the same sender as an agent's reply) and hands
off with a note and routing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from huey.contrib.djhuey import db_task

from storedesk.automation.bot.actions import bot_enabled
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.models import Conversation, Message

log = logging.getLogger(__name__)


def bot_hook(conversation: Conversation, message: Message) -> None:
    if conversation.channel != "chat" or not bot_enabled(conversation.store):
        return
    message_id = message.pk
    transaction.on_commit(lambda: bot_turn(message_id))


@db_task(retries=2, retry_delay=5)
def bot_turn(message_id: int) -> str:
    """The bot's turn for one visitor message; safe to retry: a bot message after it means
    this turn (or a later one) was taken. The shopper counts as verified when a widget signed
    by the store (identity verification) brought this conversation's customer."""
    from storedesk.automation.bot.engine import respond

    message = (
        Message.objects.select_related("conversation__store", "conversation__customer").filter(pk=message_id).first()
    )
    if message is None:
        return "gone"
    conversation = message.conversation
    later = Message.objects.filter(conversation=conversation, author_kind=Message.AuthorKind.BOT, pk__gt=message_id)
    if later.exists():
        return "answered"
    verified = Visitor.objects.filter(
        store_id=conversation.store_id, customer_id=conversation.customer_id, verified=True
    ).exists()  # livechat_visitor_cust_idx
    try:
        reply = respond(conversation, message, verified=verified)
    except Exception:
        log.exception("livechat bot failed on message %s", message_id)
        return _hand_off_after_error(conversation)
    return "replied" if reply is not None else "silent"


def _hand_off_after_error(conversation: Conversation) -> str:
    """The bot holds the chat away from agents (automation/bot/hold.py): when it fails, a
    person must get it rather than nobody."""
    from storedesk.automation.bot.actions import do_hand_off
    from storedesk.automation.bot.hold import bot_holds
    from storedesk.automation.bot.state import load

    conversation.refresh_from_db()
    if not bot_holds(conversation):
        return "failed"
    do_hand_off(conversation, load(conversation), reason="bot_error")
    return "handed_off"
