"""The bot over the visitor's socket: the welcome says the bot is on (so the widget chats even
with nobody online), a verified shopper's "where is my order" is answered on the same socket
with the tracking and the quick replies, and "Talk to a person" hands off."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from storedesk.automation.bot.actions import do_set_bot
from storedesk.channels.livechat.identity import sign_identity
from storedesk.conversations.models import Message
from tests.channels.livechat.test_consumer import hello, widget
from tests.commerce.factories import FulfillmentFactory, OrderFactory
from tests.core.test_realtime import unbind_server_loop  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

UPS = "https://www.ups.com/track?tracknum=1Z999AA10123456784"


@pytest.fixture(autouse=True, scope="module")
def intent_model():
    """Trained (or loaded) once before the sockets: the first classification trains the model."""
    from storedesk.automation.intent.engine import classify

    classify("where is my order")


@pytest.fixture
def bot_on(acme):
    do_set_bot(None, acme, enabled=True)
    return acme


@pytest.fixture
def carla_order(acme, carla):
    order = OrderFactory(store=acme, customer=carla, name="#1002", email="carla@mail.test")
    FulfillmentFactory(order=order, carrier="UPS", tracking_number="1Z999AA10123456784", tracking_url=UPS)
    return order


async def next_of(socket, kind: str) -> dict:
    for _ in range(5):
        frame = await socket.receive_json_from(timeout=10)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def test_a_verified_shopper_gets_their_tracking_from_the_bot(bot_on, carla, carla_order):
    signature = sign_identity(bot_on.signing_secret, "", "carla@mail.test")
    socket = await widget()
    welcome = await hello(socket, identity={"email": "carla@mail.test", "signature": signature})
    assert (welcome["bot"], welcome["online"], welcome["verified"]) == (True, False, True)

    await socket.send_json_to({"type": "message", "cid": "cid-0000000001", "text": "Where is my order?"})
    answer = await next_of(socket, "message")

    assert (answer["from"], answer["name"]) == ("bot", "")
    assert "UPS, tracking number 1Z999AA10123456784" in answer["text"]
    assert UPS in answer["text"]
    assert answer["quick_replies"] == ["That didn't help", "Talk to a person"]
    await socket.disconnect()


async def test_talk_to_a_person_hands_off_over_the_socket(bot_on):
    socket = await widget()
    await hello(socket)

    await socket.send_json_to({"type": "message", "cid": "cid-0000000002", "text": "Talk to a person"})
    answer = await next_of(socket, "message")

    assert answer["text"].startswith("I'm passing you to a person.")
    assert answer["quick_replies"] == []
    note = await database_sync_to_async(Message.objects.get)(direction=Message.Direction.NOTE)
    assert note.metadata["bot_handoff"]["reason"] == "asked_for_person"
    await socket.disconnect()


async def test_the_welcome_says_no_bot_when_the_store_has_none(acme):
    socket = await widget()

    assert (await hello(socket))["bot"] is False
    await socket.disconnect()
