"""Presence over real WebSockets against the ASGI app: who is viewing a conversation, who is
typing, who left; a newcomer learns who is already there; nothing crosses stores; a mentioned
agent's own sockets get their notification."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from storedesk.conversations.actions import do_add_note
from storedesk.conversations.consumers import TYPING_TTL_S, VIEWING_TTL_S
from storedesk.core.events import (
    MessageCreated,
    NotificationCreated,
    PresenceLeft,
    PresenceTyping,
    PresenceViewing,
    parse_realtime_event,
)
from storedesk.notifications.actions import do_notify_mentions
from tests.core.test_realtime import ORIGIN, WebsocketCommunicator, connect, cookie_of, unbind_server_loop  # noqa: F401
from tests.factories import ConversationFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def socket_of(user) -> WebsocketCommunicator:
    socket = await connect([ORIGIN, await cookie_of(user)])
    hello = await socket.receive_json_from()
    assert hello["type"] == "hello"
    return socket


async def event_from(socket: WebsocketCommunicator, timeout: float = 2):
    frame = await socket.receive_json_from(timeout)
    assert frame["type"] == "event", frame
    return parse_realtime_event(frame["event"])


@pytest.fixture
def conversation(acme, carla):
    return ConversationFactory(store=acme, customer=carla)


async def test_it_tells_viewers_who_else_is_viewing_and_a_newcomer_who_is_already_there(acme, ana, ben, conversation):
    ana_socket = await socket_of(ana)
    await ana_socket.send_json_to({"viewing": conversation.pk})
    assert await ana_socket.receive_nothing(timeout=0.2)  # nobody else there: nothing comes back

    ben_socket = await socket_of(ben)
    await ben_socket.send_json_to({"viewing": conversation.pk})

    ben_arrived = await event_from(ana_socket)
    ana_was_there = await event_from(ben_socket)
    assert isinstance(ben_arrived, PresenceViewing)
    assert (ben_arrived.store_id, ben_arrived.actor_id, ben_arrived.conversation_id, ben_arrived.agent_name) == (
        acme.pk,
        ben.pk,
        conversation.pk,
        "Ben Agent",
    )
    assert ben_arrived.expires_in == VIEWING_TTL_S
    assert isinstance(ana_was_there, PresenceViewing)
    assert (ana_was_there.actor_id, ana_was_there.agent_name) == (ana.pk, "Ana Agent")

    # A heartbeat refreshes the others without making them answer again.
    await ben_socket.send_json_to({"viewing": conversation.pk})
    assert isinstance(await event_from(ana_socket), PresenceViewing)
    assert await ben_socket.receive_nothing(timeout=0.2)
    await ana_socket.disconnect()
    await ben_socket.disconnect()


async def test_it_relays_typing_with_a_short_expiry_at_most_every_interval(ana, ben, conversation):
    ana_socket = await socket_of(ana)
    ben_socket = await socket_of(ben)
    await ana_socket.send_json_to({"viewing": conversation.pk})
    await ben_socket.send_json_to({"viewing": conversation.pk})
    await event_from(ana_socket)  # Ben viewing
    await event_from(ben_socket)  # Ana's answer

    await ben_socket.send_json_to({"typing": conversation.pk})
    typing = await event_from(ana_socket)
    await ben_socket.send_json_to({"typing": conversation.pk})  # again at once: not relayed

    assert isinstance(typing, PresenceTyping)
    assert (typing.actor_id, typing.agent_name, typing.expires_in) == (ben.pk, "Ben Agent", TYPING_TTL_S)
    assert TYPING_TTL_S == 5
    assert await ana_socket.receive_nothing(timeout=0.3)
    assert await ben_socket.receive_nothing(timeout=0.1)  # nobody hears their own typing
    await ana_socket.disconnect()
    await ben_socket.disconnect()


async def test_it_ignores_typing_on_a_conversation_the_socket_is_not_viewing(ana, ben, conversation):
    ana_socket = await socket_of(ana)
    ben_socket = await socket_of(ben)
    await ana_socket.send_json_to({"viewing": conversation.pk})

    await ben_socket.send_json_to({"typing": conversation.pk})

    assert await ana_socket.receive_nothing(timeout=0.3)
    await ana_socket.disconnect()
    await ben_socket.disconnect()


async def test_it_says_when_a_viewer_leaves_or_their_socket_goes_away(ana, ben, leo, conversation):
    ana_socket = await socket_of(ana)
    ben_socket = await socket_of(ben)
    leo_socket = await socket_of(leo)
    await ana_socket.send_json_to({"viewing": conversation.pk})
    for socket in (ben_socket, leo_socket):
        await socket.send_json_to({"viewing": conversation.pk})
    for _ in range(2):  # Ben and Leo arrive
        assert isinstance(await event_from(ana_socket), PresenceViewing)

    await ben_socket.send_json_to({"left": conversation.pk})
    ben_left = await event_from(ana_socket)
    await leo_socket.disconnect()  # closing the tab
    leo_left = await event_from(ana_socket)

    assert isinstance(ben_left, PresenceLeft)
    assert (ben_left.actor_id, ben_left.conversation_id) == (ben.pk, conversation.pk)
    assert isinstance(leo_left, PresenceLeft)
    assert leo_left.actor_id == leo.pk

    # Having left, Ben's typing is not relayed.
    await ben_socket.send_json_to({"typing": conversation.pk})
    assert await ana_socket.receive_nothing(timeout=0.3)
    await ana_socket.disconnect()
    await ben_socket.disconnect()


async def test_it_keeps_presence_inside_the_store(acme, globex, ana, gus, conversation):
    ana_socket = await socket_of(ana)
    gus_socket = await socket_of(gus)
    await ana_socket.send_json_to({"viewing": conversation.pk})

    await gus_socket.send_json_to({"viewing": conversation.pk})
    refused = await gus_socket.receive_json_from()
    await gus_socket.send_json_to({"typing": conversation.pk})

    assert refused == {"type": "error", "error": "not_found", "conversation": conversation.pk}
    assert await ana_socket.receive_nothing(timeout=0.3)
    assert await gus_socket.receive_nothing(timeout=0.1)
    await ana_socket.disconnect()
    await gus_socket.disconnect()


@pytest.mark.parametrize("bad", ["12", None, True, 1.5, [1]])
async def test_it_refuses_presence_on_a_malformed_id(ana, bad):
    socket = await socket_of(ana)

    await socket.send_json_to({"viewing": bad})

    assert await socket.receive_json_from() == {"type": "error", "error": "not_found", "conversation": bad}
    await socket.disconnect()


async def test_it_sends_a_mention_notification_to_the_mentioned_agents_sockets_only(acme, ana, ben, leo, conversation):
    ben_socket = await socket_of(ben)
    leo_socket = await socket_of(leo)

    @database_sync_to_async
    def note():
        with transaction.atomic():
            message = do_add_note(ana, conversation, body_text="@Ben Agent please check", mentions=[ben])
            do_notify_mentions(ana, message, [ben])
        return message

    message = await note()

    first, second = await event_from(ben_socket, timeout=5), await event_from(ben_socket, timeout=5)
    assert isinstance(first, MessageCreated)
    assert isinstance(second, NotificationCreated)
    assert (second.recipient_id, second.actor_id, second.kind, second.conversation_id, second.unread) == (
        ben.pk,
        ana.pk,
        "mention",
        conversation.pk,
        1,
    )
    assert second.text == "@Ben Agent please check"
    assert isinstance(await event_from(leo_socket, timeout=5), MessageCreated)  # the store's inbox update
    assert await leo_socket.receive_nothing(timeout=0.3)  # but not Ben's notification
    assert message.metadata == {"mentions": [ben.pk]}
    await ben_socket.disconnect()
    await leo_socket.disconnect()
