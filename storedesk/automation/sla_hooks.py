"""The calls the conversation actions make into the SLA clocks, inside their transaction with
the conversation row locked. Kept tiny and import-light: the conversation actions import this
module, so the SLA actions (which use the conversation actions to escalate) load on first call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storedesk.conversations.models import Conversation, Message


def on_message(conversation: Conversation, message: Message) -> None:
    """A message was added: starts clocks (customer) or stops them (agent reply); the first
    customer message records the wait we promised and is routed (when the store routes), the
    first reply records what the wait really was."""
    from storedesk.automation.actions import routing, wait
    from storedesk.automation.actions.sla import note_message
    from storedesk.automation.bot.hold import bot_holds

    if message.direction == message.Direction.INBOUND and bot_holds(conversation):
        return  # the bot handles the chat: no clock, no promise, no routing until `on_handoff`
    note_message(conversation, message)
    if message.direction == message.Direction.INBOUND and conversation.message_count == 1:
        wait.note_first_message(conversation, message)
        if conversation.assignee_id is None and routing.routing_enabled(conversation):
            routing.do_route(conversation)
    elif message.direction == message.Direction.OUTBOUND and conversation.first_response_at == message.created_at:
        wait.note_first_reply(conversation, message)


def on_handoff(conversation: Conversation, message: Message, *, because: str) -> None:
    """The bot handed a chat it held to people (`message`: its hand-off message to the
    customer): the first-response clock starts now (bot answers never count as a response),
    the wait the bot announced is recorded, and the chat is routed (when the store routes)."""
    from storedesk.automation.actions import routing, wait
    from storedesk.automation.actions.sla import note_handoff

    note_handoff(conversation, message.created_at)
    wait.note_first_message(conversation, message)
    if conversation.assignee_id is None and routing.routing_enabled(conversation):
        routing.do_route(conversation, because=because)


def on_change(conversation: Conversation, changes: Iterable[str]) -> None:
    """Fields changed: a status may pause or resume the clocks; priority, team or tags may
    make another policy apply."""
    from storedesk.automation.actions.sla import note_change

    note_change(conversation, changes)
