"""Specs for the hand-off: each rule hands the chat to a person at once, with an honest word on
when one will reply and an internal note carrying the reason, the detected intent, the
sentiment and the transcript — then the bot stays quiet."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from storedesk.automation.bot import replies
from storedesk.automation.wait import Estimate
from storedesk.conversations.models import Message
from tests.automation.bot.conftest import turn
from tests.automation.factories import AgentProfileFactory, BusinessHoursFactory
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOBODY_ONLINE = (
    "I'm passing you to a person. Nobody from the team is online right now; someone will reply here as soon as "
    "they are. They can see this chat, so you won't need to repeat yourself."
)


def note_of(chat) -> Message:
    return chat.conversation.messages.get(direction=Message.Direction.NOTE)


def test_it_hands_a_complaint_to_a_person_with_intent_sentiment_and_transcript(shop, carla):
    chat = turn(shop, carla, "hi")
    turn(shop, carla, "I'd like to complain about the delivery", chat.conversation)

    note = note_of(chat)
    handoff = note.metadata["bot_handoff"]
    assert (note.author_kind, handoff["reason"], handoff["intent"], handoff["label"]) == (
        Message.AuthorKind.SYSTEM,
        "complaint",
        "complaint",
        "neutral",
    )
    assert note.body_text == (
        "Bot handed this chat to a person: a complaint.\n"
        f"Detected intent: complaint ({handoff['confidence']:.0%}). Sentiment: neutral (+0.00).\n"
        "Transcript:\n"
        "Customer: hi\n"
        f"Bot: {replies.GREETING}\n"
        "Customer: I'd like to complain about the delivery\n"
        f"Bot: {NOBODY_ONLINE}"
    )
    assert chat.bot_messages() == [replies.GREETING, NOBODY_ONLINE]


def test_it_hands_off_on_negative_sentiment(shop, carla):
    chat = turn(shop, carla, "How long does shipping take? I am furious and miserable")

    handoff = note_of(chat).metadata["bot_handoff"]
    assert (handoff["reason"], handoff["intent"], handoff["label"]) == (
        "negative_sentiment",
        "delivery_period",
        "negative",
    )
    assert handoff["sentiment"] <= -0.5
    assert "Shipping times" not in " ".join(chat.bot_messages())


def test_it_hands_off_a_payment_dispute(shop, carla):
    chat = turn(shop, carla, "I was charged twice for my order, I want to dispute it")

    handoff = note_of(chat).metadata["bot_handoff"]
    assert (handoff["reason"], handoff["detail"], handoff["intent"]) == (
        "payment_dispute",
        "charged twice",
        "payment_issue",
    )


def test_it_hands_off_on_a_safety_word_whatever_the_intent(shop, carla):
    chat = turn(shop, carla, "My new heater caught fire")

    handoff = note_of(chat).metadata["bot_handoff"]
    assert (handoff["reason"], handoff["detail"]) == ("legal_safety", "fire")


def test_it_hands_off_on_a_legal_word(shop, carla):
    chat = turn(shop, carla, "How long does shipping take? My lawyer wants to know")

    assert note_of(chat).metadata["bot_handoff"]["detail"] == "lawyer"
    assert "Shipping times" not in " ".join(chat.bot_messages())


def test_it_hands_a_vip_straight_to_a_person(shop):
    vip = CustomerFactory(store=shop, name="Vera Vip", vip=True)

    chat = turn(shop, vip, "How long does shipping take?")

    assert note_of(chat).metadata["bot_handoff"]["reason"] == "vip"
    assert chat.bot_messages() == [NOBODY_ONLINE]


def test_the_talk_to_a_person_button_hands_off(shop, carla):
    chat = turn(shop, carla, "Talk to a person")

    assert note_of(chat).metadata["bot_handoff"]["reason"] == "asked_for_person"


def test_it_hands_off_after_two_rejected_answers(shop, carla):
    chat = turn(shop, carla, "How long does shipping take?")
    turn(shop, carla, "That didn't help", chat.conversation)
    turn(shop, carla, "Can I pay with PayPal?", chat.conversation)
    turn(shop, carla, "no, not what I asked", chat.conversation)

    bot = chat.bot_messages()
    assert bot[1] == replies.RETRY
    assert bot[2].startswith("Payment methods:")
    assert bot[3] == NOBODY_ONLINE
    handoff = note_of(chat).metadata["bot_handoff"]
    assert (handoff["reason"], handoff["detail"]) == ("rejected_answers", "2")


def test_one_rejected_answer_is_not_a_hand_off(shop, carla):
    chat = turn(shop, carla, "How long does shipping take?")
    turn(shop, carla, "That didn't help", chat.conversation)

    assert chat.conversation.messages.filter(direction=Message.Direction.NOTE).count() == 0
    assert chat.bot_messages()[-1] == replies.RETRY


def test_it_stays_quiet_after_handing_off(shop, carla):
    chat = turn(shop, carla, "Talk to a person")

    later = turn(shop, carla, "How long does shipping take?", chat.conversation)

    assert later.reply is None
    assert chat.bot_messages() == [NOBODY_ONLINE]


def test_it_says_how_long_a_person_will_take_from_the_chat_estimate():
    queue = Estimate("chat", True, 1440, None, None, "queue")

    assert replies.handoff(queue, ZoneInfo("Europe/London")) == (
        "I'm passing you to a person. Someone will reply here in about 24 min. "
        "They can see this chat, so you won't need to repeat yourself."
    )


def test_it_says_a_few_minutes_when_an_agent_is_free(shop, carla, ana):
    AgentProfileFactory(store=shop, user=ana, status="online")

    chat = turn(shop, carla, "Talk to a person")

    assert chat.said == (
        "I'm passing you to a person. Someone will reply here in a few minutes. "
        "They can see this chat, so you won't need to repeat yourself."
    )


def test_outside_business_hours_it_says_when_a_person_will_reply(shop, carla):
    BusinessHoursFactory(store=shop)  # weekdays 09:00-17:00, London
    with time_machine.travel(datetime(2026, 11, 21, 11, 0, tzinfo=UTC), tick=False):  # Saturday
        chat = turn(shop, carla, "Talk to a person")

    assert chat.said == (
        "I'm passing you to a person. We're closed right now: someone will reply here when we open on "
        "Monday 23 November at 09:00 (Europe/London time). They can see this chat, so you won't need to repeat "
        "yourself."
    )
