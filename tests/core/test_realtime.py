"""Agents' sockets (ws/agent/) get events after commit, only for their stores; the Redis layer
carries a group send from one process to another."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.db import transaction
from django.test import Client

from config.asgi import application
from storedesk.conversations.actions import do_reply
from storedesk.core import realtime
from storedesk.core.events import MessageCreated, parse_event
from tests.conftest import require_service
from tests.factories import ConversationFactory

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


class WebsocketCommunicator(ApplicationCommunicator):
    """A WebSocket client for an ASGI app, like channels.testing's (whose package imports daphne,
    which Storedesk does not install: it serves with uvicorn)."""

    def __init__(self, app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers, "subprotocols": []}
        super().__init__(app, scope)

    async def connect(self, timeout: float = 2) -> tuple[bool, Any]:
        """(True, subprotocol) when accepted, (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 2) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


@pytest.fixture(autouse=True)
def unbind_server_loop():
    """config.asgi.application binds the test's loop as the server loop: forget it afterwards."""
    yield
    realtime.bind_server_loop(None)


@database_sync_to_async
def cookie_of(user) -> tuple[bytes, bytes]:
    """The session cookie of a logged-in browser of `user`."""
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def connect(headers) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    return socket


@database_sync_to_async
def reply(agent, conversation, text: str):
    return do_reply(agent, conversation, body_text=text)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_it_sends_a_reply_to_the_agents_socket_after_commit(acme, ana, ben, carla):
    conversation = await database_sync_to_async(ConversationFactory)(store=acme, customer=carla)
    socket = await connect([ORIGIN, await cookie_of(ana)])
    assert await socket.receive_json_from() == {"type": "hello", "stores": [acme.pk]}

    message = await reply(ben, conversation, "It ships today.")

    frame = await socket.receive_json_from(timeout=5)
    assert frame["type"] == "event"
    event = parse_event(frame["event"])
    assert isinstance(event, MessageCreated)
    assert (event.store_id, event.actor_id, event.conversation.id) == (acme.pk, ben.pk, conversation.pk)
    assert (event.message.id, event.message.body_text) == (message.pk, "It ships today.")
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_it_sends_nothing_to_an_agent_of_another_store(acme, ana, ben, gus, carla):
    conversation = await database_sync_to_async(ConversationFactory)(store=acme, customer=carla)
    outsider = await connect([ORIGIN, await cookie_of(gus)])
    insider = await connect([ORIGIN, await cookie_of(ana)])
    assert (await outsider.receive_json_from())["stores"] != [acme.pk]
    await insider.receive_json_from()

    await reply(ben, conversation, "Acme only")

    assert (await insider.receive_json_from(timeout=5))["event"]["type"] == "message.created"  # it was sent
    assert await outsider.receive_nothing(timeout=0.3)
    await insider.disconnect()
    await outsider.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_it_sends_nothing_for_a_rolled_back_reply(acme, ana, ben, carla):
    conversation = await database_sync_to_async(ConversationFactory)(store=acme, customer=carla)
    socket = await connect([ORIGIN, await cookie_of(ana)])
    await socket.receive_json_from()

    @database_sync_to_async
    def reply_then_fail() -> None:
        with transaction.atomic():
            do_reply(ben, conversation, body_text="Never sent")
            raise RuntimeError("the request failed after the reply")

    with pytest.raises(RuntimeError):
        await reply_then_fail()

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cookie", [None, (b"cookie", b"sessionid=forged")])
async def test_it_refuses_an_anonymous_socket(cookie):
    socket = WebsocketCommunicator(application, "/ws/agent/", headers=[ORIGIN] + ([cookie] if cookie else []))

    connected, code = await socket.connect()

    assert (connected, code) == (False, 4401)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_it_refuses_a_subscription_to_another_stores_conversation(acme, globex, ana, gus):
    theirs = await database_sync_to_async(ConversationFactory)(store=globex)
    ours = await database_sync_to_async(ConversationFactory)(store=acme)
    socket = await connect([ORIGIN, await cookie_of(ana)])
    await socket.receive_json_from()

    await socket.send_json_to({"subscribe": theirs.pk})
    refused = await socket.receive_json_from()
    await socket.send_json_to({"subscribe": ours.pk})
    accepted = await socket.receive_json_from()
    await reply(gus, theirs, "Globex business")

    assert refused == {"type": "error", "error": "not_found", "conversation": theirs.pk}
    assert accepted == {"type": "subscribed", "conversation": ours.pk}
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


@pytest.mark.asyncio
async def test_it_carries_a_group_send_from_one_redis_layer_to_another():
    """Two layer instances stand for two processes (web server and job worker) sharing Redis."""
    pytest.importorskip("channels_redis")
    import redis
    from channels_redis.core import RedisChannelLayer

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        require_service("redis", f"{url}: {exc}")
    prefix = f"storedesk-test-{uuid.uuid4().hex[:8]}"
    sender = RedisChannelLayer(hosts=[url], prefix=prefix)
    receiver = RedisChannelLayer(hosts=[url], prefix=prefix)
    try:
        channel = await receiver.new_channel()
        await receiver.group_add(realtime.store_group(7), channel)
        await receiver.group_add(realtime.store_group(8), await receiver.new_channel())

        await sender.group_send(realtime.store_group(7), {"type": "storedesk.event", "event": {"n": 1}})

        assert await receiver.receive(channel) == {"type": "storedesk.event", "event": {"n": 1}}
    finally:
        await receiver.group_discard(realtime.store_group(7), channel)
        await sender.flush()
        await sender.close_pools()
        await receiver.close_pools()
