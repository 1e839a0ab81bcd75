"""The bot's cast: Acme (London) with the bot on and the demo articles, Carla with two orders,
and a frozen Wednesday morning. `turn(...)` plays one visitor message and the bot's answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from storedesk.automation.bot.actions import do_set_bot
from storedesk.automation.bot.engine import respond
from storedesk.conversations.actions import do_create_conversation, do_receive_message
from storedesk.conversations.models import Channel, Conversation, Message
from storedesk.core.models import Store
from storedesk.knowledge.demo import load_demo_articles
from tests.commerce.factories import FulfillmentFactory, OrderFactory

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday, 10:00 in London
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop(acme) -> Store:
    Store.objects.filter(pk=acme.pk).update(timezone="Europe/London")
    acme.refresh_from_db()
    do_set_bot(None, acme, enabled=True)
    load_demo_articles(acme)
    return acme


@pytest.fixture
def carla_orders(shop, carla):
    """#1001 delivered two weeks ago; #1002 in transit with UPS since Monday."""
    old = OrderFactory(store=shop, customer=carla, name="#1001", email="carla@mail.test", placed_at=NOW - 16 * DAY)
    FulfillmentFactory(
        order=old,
        status="delivered",
        carrier="Royal Mail",
        tracking_number="RM100",
        tracking_url="https://track.example/RM100",
        shipped_at=NOW - 15 * DAY,
        delivered_at=NOW - 13 * DAY,
    )
    new = OrderFactory(store=shop, customer=carla, name="#1002", email="carla@mail.test", placed_at=NOW - 3 * DAY)
    FulfillmentFactory(
        order=new,
        status="in_transit",
        carrier="UPS",
        tracking_number="1Z999AA10123456784",
        tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
        shipped_at=NOW - 2 * DAY,
        estimated_delivery_at=NOW + DAY,
    )
    return old, new


@dataclass
class Turn:
    conversation: Conversation
    reply: Message | None

    @property
    def said(self) -> str:
        """The bot's last message to the customer."""
        return self.bot_messages()[-1]

    def bot_messages(self) -> list[str]:
        return list(
            self.conversation.messages.filter(author_kind=Message.AuthorKind.BOT)
            .order_by("id")
            .values_list("body_text", flat=True)
        )


def turn(
    store: Store, customer, text: str, conversation: Conversation | None = None, *, verified: bool = False
) -> Turn:
    """One visitor message on the chat (opening it when `conversation` is None) and the bot's turn."""
    if conversation is None:
        conversation = do_create_conversation(store=store, customer=customer, channel=Channel.CHAT, body_text=text)
        message = conversation.messages.get()
    else:
        message, _ = do_receive_message(conversation, body_text=text)
    return Turn(conversation, respond(conversation, message, verified=verified))
