"""The visitor's socket (ws/chat/<store>/) over a real WebSocket against the ASGI app: messages
are acked and stored once however often they are re-sent, history comes back on the next page,
signed identities are recognised and forged ones refused, agents' replies reach the visitor,
and with nobody online a message becomes an email conversation."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from config.asgi import application
from storedesk.channels.livechat.identity import read_token, sign_identity
from storedesk.channels.livechat.models import Visitor
from storedesk.conversations.actions import do_add_note, do_reply
from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Message
from tests.core.test_realtime import WebsocketCommunicator, unbind_server_loop  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PAGE = {"url": "https://shop.acme.test/p/trail-runner-2", "title": "Trail Runner 2"}
CID_1 = "cid-0000000001"
CID_2 = "cid-0000000002"


async def widget(store_slug: str = "acme", origin: bytes = b"https://shop.acme.test") -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, f"/ws/chat/{store_slug}/", headers=[(b"origin", origin)])
    connected, _ = await socket.connect()
    assert connected
    return socket


async def hello(socket: WebsocketCommunicator, **fields) -> dict:
    await socket.send_json_to({"type": "hello", "page": PAGE, **fields})
    welcome = await socket.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome", welcome
    return welcome


@database_sync_to_async
def messages_of(store) -> list[tuple[str, str, str | None]]:
    return list(Message.objects.filter(store=store).order_by("pk").values_list("direction", "body_text", "external_id"))


async def test_it_acks_a_message_and_stores_it_once_however_often_it_is_resent(acme, ana_online):
    socket = await widget()
    welcome = await hello(socket, cart={"items": [{"sku": "TR2", "qty": 1}], "total": "129.00 EUR"})
    assert (welcome["history"], welcome["online"], welcome["verified"]) == ([], True, False)
    assert welcome["settings"]["color"] == "#2f5bea"

    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Do these run small?"})
    ack = await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Do these run small?"})  # no ack seen
    again = await socket.receive_json_from(timeout=5)

    assert ack["type"] == "ack" and ack["cid"] == CID_1
    assert again["id"] == ack["id"]
    assert await messages_of(acme) == [("inbound", "Do these run small?", f"livechat:{CID_1}")]
    conversation = await database_sync_to_async(Conversation.objects.get)(store=acme)
    assert conversation.channel == Channel.CHAT
    message = await database_sync_to_async(Message.objects.get)(pk=ack["id"])
    assert message.metadata == {
        "via": "livechat",
        "page_url": PAGE["url"],
        "cart": {"items": [{"sku": "TR2", "qty": 1}], "total": "129.00 EUR"},
    }
    await socket.disconnect()


async def test_it_stores_a_message_resent_on_a_new_connection_once(acme, ana_online):
    first = await widget()
    token = (await hello(first))["token"]
    await first.send_json_to({"type": "message", "cid": CID_1, "text": "Hello?"})
    await first.disconnect()  # dropped before the ack was read

    second = await widget()
    await hello(second, token=token)
    await second.send_json_to({"type": "message", "cid": CID_1, "text": "Hello?"})
    ack = await second.receive_json_from(timeout=5)

    assert ack["type"] == "ack"
    assert await messages_of(acme) == [("inbound", "Hello?", f"livechat:{CID_1}")]
    await second.disconnect()


async def test_it_restores_the_history_on_the_next_page_with_the_same_token(acme, ana, ana_online):
    socket = await widget()
    welcome = await hello(socket)
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Where is my parcel?"})
    ack = await socket.receive_json_from(timeout=5)
    conversation = await database_sync_to_async(Conversation.objects.get)(store=acme)
    reply = await database_sync_to_async(do_reply)(ana, conversation, body_text="Let me check.")
    await database_sync_to_async(do_add_note)(ana, conversation, body_text="Internal: courier is late")
    assert (await socket.receive_json_from(timeout=5))["text"] == "Let me check."
    await socket.disconnect()

    next_page = await widget()
    restored = await hello(next_page, token=welcome["token"])

    assert [(m["id"], m["cid"], m["from"], m["name"], m["text"]) for m in restored["history"]] == [
        (ack["id"], CID_1, "visitor", "", "Where is my parcel?"),
        (reply.pk, None, "agent", "Ana", "Let me check."),
    ]
    await next_page.disconnect()


async def test_it_gives_a_new_visitor_for_a_forged_or_foreign_token(acme, globex, ana_online):
    socket = await widget("globex")
    globex_token = (await hello(socket))["token"]
    await socket.disconnect()

    for token in (globex_token, "not-a-token", globex_token[:-2] + "xx"):
        acme_socket = await widget()
        welcome = await hello(acme_socket, token=token)
        assert welcome["history"] == []
        assert read_token(welcome["token"], acme.pk) is not None
        assert read_token(welcome["token"], acme.pk) != read_token(globex_token, globex.pk)
        await acme_socket.disconnect()


async def test_it_recognises_a_shopper_whose_identity_the_store_signed(acme, carla, ana_online):
    signature = sign_identity(acme.signing_secret, "shop-42", "carla@mail.test")
    socket = await widget()
    welcome = await hello(
        socket, identity={"user_id": "shop-42", "email": "carla@mail.test", "name": "Carla", "signature": signature}
    )
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "My order?"})
    await socket.receive_json_from(timeout=5)

    assert welcome["verified"] is True
    conversation = await database_sync_to_async(Conversation.objects.select_related("customer").get)(store=acme)
    identities = await database_sync_to_async(
        lambda: sorted(Identity.objects.filter(customer_id=conversation.customer_id).values_list("kind", "value"))
    )()
    assert identities == [("email", "carla@mail.test"), ("external", "shop-42")]
    assert conversation.customer_id == carla.pk
    await socket.disconnect()


async def test_it_refuses_a_forged_identity_and_creates_nothing(acme, carla, ana_online):
    forged = sign_identity("not-the-store-secret", "", "carla@mail.test")
    socket = await widget()
    await socket.send_json_to(
        {"type": "hello", "page": PAGE, "identity": {"email": "carla@mail.test", "signature": forged}}
    )

    assert await socket.receive_json_from(timeout=5) == {"type": "error", "error": "forged_identity"}
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}
    assert await database_sync_to_async(Visitor.objects.count)() == 0


async def test_it_refuses_everything_before_hello(acme):
    socket = await widget()
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Hi"})

    assert await socket.receive_json_from(timeout=5) == {"type": "error", "error": "hello_first"}
    assert await messages_of(acme) == []
    await socket.disconnect()


async def test_it_refuses_an_unknown_store_and_a_foreign_origin(acme):
    unknown = WebsocketCommunicator(application, "/ws/chat/nope/", headers=[])
    assert await unknown.connect() == (False, 4404)

    acme.settings = {"livechat": {"allowed_origins": ["https://shop.acme.test"]}}
    await database_sync_to_async(acme.save)()
    foreign = WebsocketCommunicator(application, "/ws/chat/acme/", headers=[(b"origin", b"https://evil.test")])
    assert await foreign.connect() == (False, 4404)
    assert await widget()  # its own shop is allowed


async def test_it_pushes_an_agent_reply_to_every_open_tab_and_marks_it_sent(acme, ana, ana_online):
    tab_1 = await widget()
    token = (await hello(tab_1))["token"]
    await tab_1.send_json_to({"type": "message", "cid": CID_1, "text": "Any discount?"})
    await tab_1.receive_json_from(timeout=5)
    tab_2 = await widget()
    await hello(tab_2, token=token)
    conversation = await database_sync_to_async(Conversation.objects.get)(store=acme)

    reply = await database_sync_to_async(do_reply)(ana, conversation, body_text="10% with WELCOME10")

    for tab in (tab_1, tab_2):
        frame = await tab.receive_json_from(timeout=5)
        assert frame == {
            "type": "message",
            "id": reply.pk,
            "cid": None,
            "from": "agent",
            "name": "Ana",
            "text": "10% with WELCOME10",
            "at": frame["at"],
            "files": [],
        }
    await database_sync_to_async(reply.refresh_from_db)()
    assert reply.delivery_status == Message.Delivery.SENT
    await tab_1.disconnect()
    await tab_2.disconnect()


async def test_it_never_sends_an_internal_note_to_the_visitor(acme, ana, ana_online):
    socket = await widget()
    await hello(socket)
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Hi"})
    await socket.receive_json_from(timeout=5)
    conversation = await database_sync_to_async(Conversation.objects.get)(store=acme)

    await database_sync_to_async(do_add_note)(ana, conversation, body_text="VIP? check")

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_it_relays_typing_between_visitor_and_agent(acme, ana, ana_online):
    from tests.conversations.test_consumers_presence import event_from, socket_of

    socket = await widget()
    await hello(socket)
    await socket.send_json_to({"type": "message", "cid": CID_1, "text": "Hi"})
    await socket.receive_json_from(timeout=5)
    conversation = await database_sync_to_async(Conversation.objects.get)(store=acme)
    agent = await socket_of(ana)
    await agent.send_json_to({"viewing": conversation.pk})

    await agent.send_json_to({"typing": conversation.pk})
    assert await socket.receive_json_from(timeout=5) == {"type": "typing", "name": "Ana"}
    await socket.send_json_to({"type": "typing"})
    typing = await event_from(agent)
    assert (typing.type, typing.conversation_id, typing.actor_id) == ("presence.typing", conversation.pk, None)
    await agent.disconnect()
    await socket.disconnect()


async def test_it_turns_a_message_into_an_email_conversation_when_nobody_is_online(acme):
    socket = await widget()
    welcome = await hello(socket)
    assert welcome["online"] is False
    offline = {
        "type": "offline",
        "cid": CID_2,
        "email": "Dora@Mail.test",
        "name": "Dora",
        "text": "Do you ship to Norway?",
    }

    await socket.send_json_to(offline)
    ack = await socket.receive_json_from(timeout=5)
    await socket.send_json_to(offline)
    again = await socket.receive_json_from(timeout=5)

    assert (ack["type"], ack["cid"], ack["email"], again["id"]) == ("ack", CID_2, True, ack["id"])
    conversation = await database_sync_to_async(Conversation.objects.select_related("customer").get)(store=acme)
    assert (conversation.channel, conversation.subject, conversation.customer.name) == (
        Channel.EMAIL,
        "Chat message",
        "Dora",
    )
    assert await database_sync_to_async(
        lambda: list(Identity.objects.filter(customer=conversation.customer).values_list("kind", "value"))
    )() == [("email", "dora@mail.test")]
    assert await messages_of(acme) == [("inbound", "Do you ship to Norway?", f"livechat:{CID_2}")]
    await socket.disconnect()


async def test_it_tracks_the_visitors_page_and_whether_they_are_still_there(acme, ana_online):
    socket = await widget()
    welcome = await hello(socket)
    visitor_id = read_token(welcome["token"], acme.pk)
    await socket.send_json_to({"type": "page", "url": "https://shop.acme.test/cart", "title": "Cart"})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}

    visitor = await database_sync_to_async(Visitor.objects.get)(pk=visitor_id)
    assert (visitor.page_url, visitor.page_title, visitor.online) == ("https://shop.acme.test/cart", "Cart", True)
    await socket.disconnect()
    await database_sync_to_async(visitor.refresh_from_db)()
    assert visitor.online is False


async def test_it_creates_no_customer_for_a_visitor_who_only_browses(acme, carla):
    socket = await widget()
    await hello(socket)
    await socket.disconnect()

    assert await database_sync_to_async(lambda: list(Customer.objects.filter(store=acme)))() == [carla]
    assert await database_sync_to_async(Visitor.objects.filter(customer__isnull=True).count)() == 1


async def test_it_keeps_one_conversation_for_messages_from_two_tabs(acme, ana_online):
    tab_1 = await widget()
    token = (await hello(tab_1))["token"]
    tab_2 = await widget()
    await hello(tab_2, token=token)

    await tab_1.send_json_to({"type": "message", "cid": CID_1, "text": "From tab one"})
    await tab_2.send_json_to({"type": "message", "cid": CID_2, "text": "From tab two"})
    assert (await tab_1.receive_json_from(timeout=5))["type"] == "ack"
    frames = [await tab_2.receive_json_from(timeout=5) for _ in range(2)]

    assert sorted(f["type"] for f in frames) == ["ack", "message"]  # its own ack + tab one's message
    assert await database_sync_to_async(Conversation.objects.filter(store=acme).count)() == 1
    assert sorted(text for _, text, _ in await messages_of(acme)) == ["From tab one", "From tab two"]
    await tab_1.disconnect()
    await tab_2.disconnect()
