"""Specs for routing held while the bot handles a chat: no agent, no capacity used, no wait
promised and no first-response clock until the hand-off, which routes the chat with its reason
and starts the clock; a store without the bot routes the first message as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from storedesk.automation.actions.routing import candidates
from storedesk.automation.bot.actions import do_set_bot
from storedesk.automation.bot.hold import bot_holds
from storedesk.automation.models import ConversationSla, WaitPromise
from storedesk.automation.wait import load_inputs
from storedesk.channels.livechat.bot import bot_turn
from storedesk.conversations.actions import do_assign, do_create_conversation, do_reply
from storedesk.conversations.models import Channel, Message
from storedesk.core.models import AuditEvent, Store
from tests.automation.bot.conftest import NOW, turn
from tests.automation.factories import AgentProfileFactory, SlaPolicyFactory
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


@pytest.fixture
def routed(shop, ana):
    """The bot's shop, routing on, Ana online, and a one-hour first-response target on chats."""
    shop.settings = {**shop.settings, "routing": {"enabled": True}}
    Store.objects.filter(pk=shop.pk).update(settings=shop.settings)
    AgentProfileFactory(store=shop, user=ana)
    SlaPolicyFactory(store=shop, name="Chat", channels=["chat"], first_response_s=3600)
    return shop


def routing_reasons(conversation) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="conversation",
            object_id=conversation.pk,
            verb__in=["conversation.assigned", "routing.unassigned"],
        )
        .order_by("id")
        .values_list("reason", flat=True)
    )


def test_it_keeps_a_chat_the_bot_handles_unrouted_and_off_the_clock(routed, carla, ana):
    chat = turn(routed, carla, "hi")
    turn(routed, carla, "How long does shipping take?", chat.conversation)

    chat.conversation.refresh_from_db()
    assert chat.conversation.assignee_id is None
    assert routing_reasons(chat.conversation) == []
    assert bot_holds(chat.conversation) is True
    assert [c.open_count for c in candidates(routed.pk, Channel.CHAT)] == [0]
    assert ConversationSla.objects.filter(conversation=chat.conversation).exists() is False
    assert WaitPromise.objects.filter(conversation=chat.conversation).exists() is False


def test_it_routes_at_the_hand_off_with_the_reason_and_starts_the_clock_then(routed, carla, ana):
    chat = turn(routed, carla, "hi")
    with time_machine.travel(NOW + 5 * MINUTE, tick=False):
        turn(routed, carla, "I'd like to complain about the delivery", chat.conversation)

    chat.conversation.refresh_from_db()
    assert chat.conversation.assignee == ana
    assert routing_reasons(chat.conversation) == [
        "bot hand-off: complaint; assigned to Ana Agent: 0 open of 3, only eligible agent"
    ]
    assert bot_holds(chat.conversation) is False
    sla = ConversationSla.objects.get(conversation=chat.conversation)
    assert (sla.started_at, sla.first_response_due_at, sla.first_response_at) == (
        NOW + 5 * MINUTE,
        NOW + 65 * MINUTE,
        None,
    )


def test_it_routes_when_the_visitor_asks_for_a_person(routed, carla, ana):
    chat = turn(routed, carla, "How long does shipping take?")
    turn(routed, carla, "Talk to a person", chat.conversation)

    chat.conversation.refresh_from_db()
    assert chat.conversation.assignee == ana
    assert routing_reasons(chat.conversation) == [
        "bot hand-off: asked_for_person; assigned to Ana Agent: 0 open of 3, only eligible agent"
    ]


def test_the_bot_answers_never_meet_the_first_response_target_a_person_does(routed, carla, ana):
    chat = turn(routed, carla, "How long does shipping take?")
    turn(routed, carla, "Talk to a person", chat.conversation)
    chat.conversation.refresh_from_db()
    assert ConversationSla.objects.get(conversation=chat.conversation).first_response_at is None

    with time_machine.travel(NOW + 10 * MINUTE, tick=False):
        do_reply(ana, chat.conversation, body_text="Hello Carla, Ana here.")

    sla = ConversationSla.objects.get(conversation=chat.conversation)
    assert (sla.started_at, sla.first_response_at) == (NOW, NOW + 10 * MINUTE)


def test_the_next_visitor_message_after_a_hand_off_runs_the_clocks_as_usual(routed, carla, ana):
    chat = turn(routed, carla, "Talk to a person")
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        turn(routed, carla, "Are you there?", chat.conversation)

    chat.conversation.refresh_from_db()
    assert chat.conversation.assignee == ana
    assert len(routing_reasons(chat.conversation)) == 1
    assert ConversationSla.objects.get(conversation=chat.conversation).started_at == NOW


def test_a_store_without_the_bot_routes_the_first_chat_message_as_before(routed, carla, ana):
    do_set_bot(None, routed, enabled=False)
    conversation = do_create_conversation(store=routed, customer=carla, channel=Channel.CHAT, body_text="hi")

    conversation.refresh_from_db()
    assert conversation.assignee == ana
    assert routing_reasons(conversation) == ["assigned to Ana Agent: 0 open of 3, only eligible agent"]
    assert ConversationSla.objects.get(conversation=conversation).started_at == NOW


def test_turning_the_bot_off_hands_its_chats_to_people(routed, carla, ana):
    chat = turn(routed, carla, "hi")

    do_set_bot(None, routed, enabled=False)

    chat.conversation.refresh_from_db()
    assert chat.conversation.assignee == ana
    assert routing_reasons(chat.conversation) == [
        "bot hand-off: bot_off; assigned to Ana Agent: 0 open of 3, only eligible agent"
    ]
    assert chat.conversation.messages.get(direction=Message.Direction.NOTE).metadata["bot_handoff"]["reason"] == (
        "bot_off"
    )


def test_a_failing_bot_hands_the_chat_to_a_person_rather_than_hold_it(routed, carla, ana, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("model file missing")

    monkeypatch.setattr("storedesk.automation.bot.engine.respond", broken)
    conversation = do_create_conversation(store=routed, customer=carla, channel=Channel.CHAT, body_text="hi")

    assert bot_turn.call_local(conversation.messages.get().pk) == "handed_off"
    conversation.refresh_from_db()
    assert conversation.assignee == ana
    assert routing_reasons(conversation)[0].startswith("bot hand-off: bot_error; ")


def test_the_chat_backlog_counts_handed_off_chats_not_the_ones_the_bot_holds(routed, carla, ana, ben):
    turn(routed, CustomerFactory(store=routed), "hi")  # the bot has it
    turn(routed, carla, "Talk to a person")  # a person's work now
    taken = turn(routed, CustomerFactory(store=routed), "hi").conversation
    do_assign(None, taken, assignee=ben)  # an agent took it from the bot

    assert load_inputs(routed, Channel.CHAT, NOW).backlog == 2

    Store.objects.filter(pk=routed.pk).update(settings={"routing": {"enabled": True}})  # no bot: both wait
    routed.refresh_from_db()
    assert load_inputs(routed, Channel.CHAT, NOW).backlog == 3


def test_turning_the_bot_off_leaves_chats_a_person_has_alone(routed, carla, ana, ben):
    taken = turn(routed, carla, "hi").conversation
    do_assign(None, taken, assignee=ben)
    handed = turn(routed, CustomerFactory(store=routed), "Talk to a person").conversation

    do_set_bot(None, routed, enabled=False)

    assert taken.messages.filter(direction=Message.Direction.NOTE).count() == 0
    assert handed.messages.filter(direction=Message.Direction.NOTE).count() == 1
