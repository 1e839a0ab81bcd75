"""The bot's words. Pure functions: facts come in (an order description, an article, an
estimate), sentences go out; nothing here looks anything up or makes anything up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storedesk.automation.wait import Estimate

GREETING = (
    "Hi! I'm the store's assistant. I can tell you where your order is, and answer questions about "
    "returns, shipping and payment. For anything else I'll get you a person."
)
THANKS = "You're welcome! Anything else I can help with?"
ASK_ORDER = "I can look that up. What's your order number, and the email address you ordered with?"
ASK_NUMBER = "Thanks. What's the order number? It's in your order confirmation email."
ASK_EMAIL = "Thanks. And the email address you placed order {number} with?"
RETRY = "Sorry that didn't help. Could you put it another way? Or tap \u201cTalk to a person\u201d."
OTHER_ORDERS = "Asking about another order? Send me its order number."
RETURNS_LINK = "To start a return, go to {url}"
QUICK_PERSON = "Talk to a person"
QUICK_NOT_HELPFUL = "That didn't help"
ANSWER_QUICK_REPLIES = [QUICK_NOT_HELPFUL, QUICK_PERSON]
QUICK_REPLIES = [QUICK_PERSON]

REASONS = {
    "legal_safety": "a legal or safety matter (\u201c{detail}\u201d)",
    "payment_dispute": "a payment dispute (\u201c{detail}\u201d)",
    "complaint": "a complaint",
    "negative_sentiment": "an unhappy customer (sentiment {detail})",
    "asked_for_person": "the customer asked for a person",
    "vip": "a VIP customer",
    "rejected_answers": "the customer rejected {detail} bot answers",
    "no_answer": "no article or order answers it",
    "order_not_found": "no order matched the number and email given",
    "bot_off": "the bot was turned off",
    "bot_error": "the bot failed to answer",
}


def _when(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({tz.key} time)"


def handoff(estimate: Estimate, tz: ZoneInfo, *, order_not_found: bool = False) -> str:
    """Passing the chat to a person, saying honestly when one will reply."""
    first = (
        "I couldn't find an order with that number and email, so I'm passing you to a person."
        if order_not_found
        else "I'm passing you to a person."
    )
    if not estimate.open_now:
        when = f" on {_when(estimate.next_open_at, tz)}" if estimate.next_open_at else ""
        second = f"We're closed right now: someone will reply here when we open{when}."
    elif estimate.expected_wait_s:
        minutes = max(1, round(estimate.expected_wait_s / 60))
        second = f"Someone will reply here in about {minutes} min."
    elif estimate.expected_wait_s == 0:
        second = "Someone will reply here in a few minutes."
    else:  # open, nobody online: no estimate to give
        second = "Nobody from the team is online right now; someone will reply here as soon as they are."
    return f"{first} {second} They can see this chat, so you won't need to repeat yourself."


def handoff_note(
    *, reason: str, detail: str, intent: str, confidence: float, sentiment: float, label: str, transcript: str
) -> str:
    """The internal note the agent reads first: why, what it's about, how they feel, and the chat."""
    why = REASONS.get(reason, reason).format(detail=detail)
    return (
        f"Bot handed this chat to a person: {why}.\n"
        f"Detected intent: {intent} ({confidence:.0%}). Sentiment: {label} ({sentiment:+.2f}).\n"
        f"Transcript:\n{transcript}"
    )


def article(title: str, body: str) -> str:
    return f"{title}: {body}"
