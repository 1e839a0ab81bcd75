"""The hook where the chat bot (issue 6, item 3) will plug in.

`bot_hook(conversation, message)` is called after every new visitor message on a chat
conversation has been stored and committed (never for a re-sent duplicate). It does nothing
yet. A bot answers by calling the actions layer (a bot-authored outbound message queued on
Channel.CHAT reaches the visitor through the same sender as an agent's reply) and hands off
by leaving the conversation to routing.
"""

from __future__ import annotations

from storedesk.conversations.models import Conversation, Message


def bot_hook(conversation: Conversation, message: Message) -> None:
    """Placeholder: no bot yet."""
    return None
