"""The bot's turn after each new visitor message on a chat: hand off when a rule says so,
otherwise answer from order data or the store's articles, otherwise hand off. It never says
anything it did not read from an order row or an article."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from storedesk.automation.bot import orders, replies
from storedesk.automation.bot.actions import bot_enabled, do_hand_off, say
from storedesk.automation.bot.state import ANSWER, ASK_ORDER, CHAT, BotState, is_rejection, load
from storedesk.automation.intent.handoff import decide
from storedesk.conversations.models import Channel, Conversation, Message
from storedesk.knowledge.queries import best_article

ORDER_INTENTS = {"track_order"}
RETURN_INTENTS = {"check_refund_policy", "get_refund"}
ARTICLE_MIN_CONFIDENCE = 0.5  # below this the intent does not count towards an article's score
# What the widget's "Talk to a person" button sends (en, fr, de), and plain ways of saying it.
PERSON_REQUESTS = {
    "talk to a person",
    "parler à une personne",
    "mit einer person sprechen",
    "speak to a person",
    "a person",
    "human",
    "agent",
}
GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))\b[\s!.,]*(?:there)?[\s!.,]*$", re.I
)
THANKS = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|great|perfect|brilliant),? )?(?:thanks|thank you|thx|cheers|that helped)\b", re.I
)


def _returns_url(conversation: Conversation) -> str:
    path = reverse("returns_start", kwargs={"slug": conversation.store.slug})
    return settings.SITE_URL.rstrip("/") + path


def respond(conversation: Conversation, message: Message, *, verified: bool = False) -> Message | None:
    """The bot's reply (or hand-off note), or None when the bot stays out of it: turned off,
    not a chat, a person already answered, or it handed off before."""
    if not bot_enabled(conversation.store) or conversation.channel != Channel.CHAT:
        return None
    conversation.refresh_from_db(fields=["first_response_at"])
    if message.direction != Message.Direction.INBOUND or conversation.first_response_at is not None:
        return None
    state = load(conversation)
    if state.handed_off:
        return None
    from storedesk.automation.intent.engine import classify, sentiment  # scikit-learn: load when used

    text = message.body_text
    result, mood = classify(text), sentiment(text)
    intent = "contact_human_agent" if text.strip().lower().rstrip(".!") in PERSON_REQUESTS else result.intent
    rejecting = state.kind == ANSWER and is_rejection(text)
    if rejecting:
        state = replace(state, rejected=state.rejected + 1)
    hand_off = partial(
        do_hand_off,
        conversation,
        state,
        intent=intent,
        confidence=result.confidence,
        sentiment=mood.score,
        label=mood.label,
    )
    decision = decide(
        text,
        intent=intent,
        sentiment_score=mood.score,
        vip=conversation.customer.vip,
        rejected_answers=state.rejected,
    )
    if decision is not None:
        return hand_off(reason=decision.reason, detail=decision.detail)
    if rejecting:
        return say(conversation, replies.RETRY, state, CHAT)
    number, email = orders.find_number(text), orders.find_email(text)
    if intent in ORDER_INTENTS or (number and email) or (state.kind == ASK_ORDER and (number or email)):
        return _order(conversation, state, number or state.number, email or state.email, verified, hand_off)
    if GREETING.match(text):
        return say(conversation, replies.GREETING, state, CHAT)
    if THANKS.match(text) and len(text) < 60:
        return say(conversation, replies.THANKS, state, CHAT)
    sure = result.confidence >= ARTICLE_MIN_CONFIDENCE
    match = best_article(conversation.store_id, text, intent if sure else None)
    about_returns = (intent in RETURN_INTENTS and sure) or bool(match and RETURN_INTENTS & set(match.article.intents))
    if about_returns:
        link = replies.RETURNS_LINK.format(url=_returns_url(conversation))
        body = f"{replies.article(match.article.title, match.article.body)}\n{link}" if match else link
        return say(conversation, body, state, ANSWER, article=match.article.pk if match else None)
    if match is not None:
        body = replies.article(match.article.title, match.article.body)
        return say(conversation, body, state, ANSWER, article=match.article.pk)
    return hand_off(reason="no_answer", detail=intent)


def _order(
    conversation: Conversation, state: BotState, number: str, email: str, verified: bool, hand_off: partial[Message]
) -> Message:
    store, now = conversation.store, timezone.now()
    if verified:
        order, count = orders.of_verified_customer(conversation, number)
        if order is not None:
            body = orders.describe(order, store, now)
            if count > 1 and not number:
                body += "\n" + replies.OTHER_ORDERS
            return say(conversation, body, state, ANSWER, number="", email="", order=order.name)
    if number and email:
        order = orders.by_number_and_email(store, number, email)
        if order is None:
            return hand_off(reason="order_not_found", detail=f"{number} / {email}")
        return say(
            conversation, orders.describe(order, store, now), state, ANSWER, number="", email="", order=order.name
        )
    if number:
        return say(
            conversation,
            replies.ASK_EMAIL.format(number=f"#{number}" if number.isdigit() else number.upper()),
            state,
            ASK_ORDER,
            number=number,
            email=email,
        )
    if email:
        return say(conversation, replies.ASK_NUMBER, state, ASK_ORDER, number=number, email=email)
    return say(conversation, replies.ASK_ORDER, state, ASK_ORDER)
