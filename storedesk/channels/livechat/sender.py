"""Agent (and bot) replies on chat conversations reach the visitor's open widgets.

Registered for Channel.CHAT in apps.py: the actions layer queues an outbound chat message and
calls `deliver_reply(message_id)` after commit. It pushes the message to the conversation's
visitor group over the channel layer (Redis when scaled out, so the widget may be connected to
another process) and marks it sent. A visitor with no widget open reads it from the history
on their next page.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from storedesk.channels.livechat.actions import do_mark_sent, message_payload
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.models import Channel, Message
from storedesk.core import realtime

log = logging.getLogger(__name__)


def visitor_group(visitor_id: int) -> str:
    """Every open widget (tab) of one visitor."""
    return f"livechat.visitor.{visitor_id}"


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send from sync code like core.realtime.send_to does: on the server's loop when this is a
    job thread of the embedded server (the in-memory layer lives on that loop)."""
    layer = get_channel_layer()
    if layer is None:
        return
    loop = realtime._server_loop
    if loop is not None and loop.is_running() and not realtime._in_server_loop_thread():
        asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).result(timeout=5)
    else:
        async_to_sync(layer.group_send)(group, message)


def deliver_reply(message_id: int) -> None:
    message = (
        Message.objects.select_related("conversation", "author_user")
        .filter(pk=message_id, direction=Message.Direction.OUTBOUND, conversation__channel=Channel.CHAT)
        .first()
    )
    if message is None:
        return
    payload = {"type": "livechat.message", "message": message_payload(message), "conversation": message.conversation_id}
    try:
        for visitor_id in Visitor.objects.filter(conversation_id=message.conversation_id).values_list("pk", flat=True):
            group_send(visitor_group(visitor_id), payload)
    except Exception:  # the message stays queued; the visitor still gets it from the history
        log.exception("livechat push failed for message %s", message_id)
        return
    do_mark_sent(message_id)


def push_read(visitor_ids: list[int], message_id: int) -> None:
    """An agent read the visitor's messages up to `message_id`: their open widgets show it."""
    for visitor_id in visitor_ids:
        try:
            group_send(visitor_group(visitor_id), {"type": "livechat.read", "message_id": message_id})
        except Exception:  # best effort: the next welcome carries the marker
            log.exception("livechat read push failed for visitor %s", visitor_id)


def push_visitor_message(visitor_id: int, message: Message) -> None:
    """A message the visitor sent over HTTP (a file): their other tabs show it too."""
    payload = {"type": "livechat.message", "message": message_payload(message), "conversation": message.conversation_id}
    try:
        group_send(visitor_group(visitor_id), payload)
    except Exception:  # best effort: the other tabs get it from the history
        log.exception("livechat push failed for message %s", message.pk)
