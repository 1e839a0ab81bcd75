"""Read state both ways and the visitor's whereabouts, live: the visitor's `read` reaches the
agents on the chat's page, an agent's read reaches the visitor's widgets, both are kept for
the next page, and agents see the visitor's page and presence change as it happens."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from storedesk.channels.livechat.events import LivechatRead, LivechatVisitor
from storedesk.channels.livechat.identity import read_token
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.actions import do_reply
from storedesk.conversations.models import Conversation, Message
from tests.channels.livechat.test_consumer import CID_1, CID_2, PAGE, hello, widget
from tests.conversations.test_consumers_presence import socket_of
from tests.core.test_realtime import unbind_server_loop  # noqa: F401
from tests.factories import ConversationFactory, MessageFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def chat_with_reply(acme, ana):
    """A visitor wrote, Ana answered; returns (widget socket, token, conversation, reply)."""
    socket = await widget()
    token = (await hello(socket))["token"]
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Is it waterproof?"})
    await socket.receive_json_from(timeout=5)
    conversation = await database_sync_to_async(Conversation.objects.get)(store=acme)
    reply = await database_sync_to_async(do_reply)(ana, conversation, body_text="Yes, Gore-Tex.")
    assert (await socket.receive_json_from(timeout=5))["id"] == reply.pk
    return socket, token, conversation, reply


async def agent_event(agent, expected_type: str, timeout: float = 5) -> dict:
    """The next event of that type on an agent's socket (presence frames may come first)."""
    for _ in range(10):
        frame = await agent.receive_json_from(timeout)
        if frame["type"] == "event" and frame["event"]["type"] == expected_type:
            return frame["event"]
    raise AssertionError(f"no {expected_type}")


def post_read(user, conversation_id: int, message_id: int):
    client = Client()
    client.force_login(user)
    return client.post(
        f"/chat/read/{conversation_id}/", json.dumps({"message_id": message_id}), content_type="application/json"
    )


async def test_it_tells_the_agents_when_the_visitor_has_seen_their_reply(acme, ana, ana_online):
    socket, token, conversation, reply = await chat_with_reply(acme, ana)
    agent = await socket_of(ana)
    await agent.send_json_to({"viewing": conversation.pk})

    await socket.send_json_to({"type": "read", "id": reply.pk})
    event = LivechatRead.model_validate(await agent_event(agent, "livechat.read"))
    await socket.send_json_to({"type": "read", "id": reply.pk})  # the same again: nothing new

    assert (event.conversation_id, event.message_id, event.store_id) == (conversation.pk, reply.pk, acme.pk)
    assert await agent.receive_nothing(timeout=0.3)
    visitor = await database_sync_to_async(Visitor.objects.get)(pk=read_token(token, acme.pk))
    assert visitor.visitor_read_id == reply.pk
    again = await widget()
    assert (await hello(again, token=token))["read"] == {"visitor": reply.pk, "agent": None}
    for s in (socket, again, agent):
        await s.disconnect()


async def test_it_ignores_a_read_of_a_message_outside_the_visitors_chat(acme, ana, carla, ana_online):
    socket, token, conversation, reply = await chat_with_reply(acme, ana)
    other = await database_sync_to_async(ConversationFactory)(store=acme, customer=carla)
    foreign = await database_sync_to_async(MessageFactory)(conversation=other, direction=Message.Direction.OUTBOUND)
    visitor_message = await database_sync_to_async(Message.objects.get)(external_id=f"livechat:{CID_1}")

    for message_id in (foreign.pk, visitor_message.pk, "1", True):
        await socket.send_json_to({"type": "read", "id": message_id})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}

    visitor = await database_sync_to_async(Visitor.objects.get)(pk=read_token(token, acme.pk))
    assert visitor.visitor_read_id is None
    await socket.disconnect()


async def test_it_shows_the_visitor_when_an_agent_has_read_their_messages(acme, ana, ana_online):
    socket, token, conversation, reply = await chat_with_reply(acme, ana)
    await socket.send_json_to({"type": "message", "cid": CID_2, "text": "And the sole?"})
    second = (await socket.receive_json_from(timeout=5))["id"]

    response = await database_sync_to_async(post_read)(ana, conversation.pk, second)

    assert (response.status_code, response.json()) == (200, {"moved": True})
    assert await socket.receive_json_from(timeout=5) == {"type": "read", "id": second}
    assert (await database_sync_to_async(post_read)(ana, conversation.pk, second)).json() == {"moved": False}
    assert await socket.receive_nothing(timeout=0.3)
    again = await widget()
    assert (await hello(again, token=token))["read"] == {"visitor": None, "agent": second}
    await socket.disconnect()
    await again.disconnect()


async def test_it_refuses_an_agent_read_from_another_store_or_of_a_reply(acme, ana, gus, ana_online):
    socket, token, conversation, reply = await chat_with_reply(acme, ana)
    visitor_message = await database_sync_to_async(Message.objects.get)(external_id=f"livechat:{CID_1}")

    foreign = await database_sync_to_async(post_read)(gus, conversation.pk, visitor_message.pk)
    own_reply = await database_sync_to_async(post_read)(ana, conversation.pk, reply.pk)

    assert (foreign.status_code, own_reply.status_code) == (404, 400)
    assert await socket.receive_nothing(timeout=0.3)
    visitor = await database_sync_to_async(Visitor.objects.get)(pk=read_token(token, acme.pk))
    assert visitor.agent_read_id is None
    await socket.disconnect()


async def test_it_updates_the_agents_page_live_with_where_the_visitor_is(acme, ana, ana_online):
    socket, token, conversation, reply = await chat_with_reply(acme, ana)
    agent = await socket_of(ana)
    await agent.send_json_to({"viewing": conversation.pk})

    await socket.send_json_to({"type": "page", "url": "https://shop.acme.test/checkout", "title": "Checkout"})
    moved = LivechatVisitor.model_validate(await agent_event(agent, "livechat.visitor"))
    await socket.disconnect()
    left = LivechatVisitor.model_validate(await agent_event(agent, "livechat.visitor"))
    back = await widget()
    await hello(back, token=token)
    returned = LivechatVisitor.model_validate(await agent_event(agent, "livechat.visitor"))

    assert (moved.conversation_id, moved.online, moved.page_url, moved.page_title) == (
        conversation.pk,
        True,
        "https://shop.acme.test/checkout",
        "Checkout",
    )
    assert (left.online, left.page_url) == (False, "https://shop.acme.test/checkout")
    assert (returned.online, returned.page_url, returned.page_title) == (True, PAGE["url"], PAGE["title"])
    await back.disconnect()
    await agent.disconnect()


async def test_it_round_trips_the_livechat_events_through_json():
    read = LivechatRead(store_id=1, conversation_id=2, message_id=3)
    where = LivechatVisitor(store_id=1, conversation_id=2, online=True, page_url="https://x.test/", page_title="X")

    assert LivechatRead.model_validate_json(read.model_dump_json()) == read
    assert LivechatVisitor.model_validate_json(where.model_dump_json()) == where
