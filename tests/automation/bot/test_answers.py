"""Specs for the bot's answers: orders from the orders cache (verified shopper, or number and
email), returns with the returns page, shipping and payment and FAQs from the store's
articles, greetings — and silence when it is off, not a chat, or a person has answered."""

from __future__ import annotations

import pytest

from storedesk.automation.bot import replies
from storedesk.automation.bot.actions import do_set_bot
from storedesk.automation.bot.engine import respond
from storedesk.conversations.actions import do_create_conversation, do_reply
from storedesk.conversations.models import Channel, Message
from tests.automation.bot.conftest import turn
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

UPS = "https://www.ups.com/track?tracknum=1Z999AA10123456784"
ORDER_1002 = (
    "Order #1002, placed 15 Nov 2026: In transit.\n"
    f"Shipped 16 Nov 2026, with UPS, tracking number 1Z999AA10123456784, track it here: {UPS}, "
    "estimated delivery 19 Nov 2026."
)
RETURNS_ARTICLE = (
    "Returns and refunds: You can return unworn items within 30 days of delivery. Returns within the UK are "
    "free: start one on our returns page and we'll email you a prepaid label. Refunds go back to your original "
    "payment method within 5 working days of your return reaching us."
)


def test_it_tells_a_verified_shopper_where_their_latest_order_is(shop, carla, carla_orders):
    chat = turn(shop, carla, "Where is my order?", verified=True)

    assert chat.said == ORDER_1002 + "\nAsking about another order? Send me its order number."
    bot = chat.conversation.messages.get(author_kind=Message.AuthorKind.BOT)
    assert (bot.direction, bot.author_user_id) == (Message.Direction.OUTBOUND, None)
    assert bot.metadata == {
        "bot": {"kind": "answer", "rejected": 0, "number": "", "email": "", "order": "#1002"},
        "quick_replies": ["That didn't help", "Talk to a person"],
    }


def test_it_gives_a_verified_shopper_the_order_they_name(shop, carla, carla_orders):
    chat = turn(shop, carla, "where is order #1001?", verified=True)

    assert chat.said == (
        "Order #1001, placed 2 Nov 2026: Delivered 5 Nov.\n"
        "Shipped 3 Nov 2026, with Royal Mail, tracking number RM100, track it here: https://track.example/RM100, "
        "delivered 5 Nov 2026."
    )


def test_it_asks_an_unverified_visitor_for_the_number_and_email_then_answers(shop, carla, carla_orders):
    visitor = CustomerFactory(store=shop, name="")

    first = turn(shop, visitor, "where is my order?")
    turn(shop, visitor, "it's #1002", first.conversation)
    turn(shop, visitor, "Carla@Mail.test", first.conversation)

    assert first.bot_messages() == [
        replies.ASK_ORDER,
        "Thanks. And the email address you placed order #1002 with?",
        ORDER_1002,
    ]


def test_it_answers_an_order_number_and_email_given_in_one_message(shop, carla, carla_orders):
    chat = turn(shop, CustomerFactory(store=shop), "order 1002, carla@mail.test - has it shipped?")

    assert chat.said == ORDER_1002


def test_it_never_shows_an_order_for_a_number_with_another_email(shop, carla, carla_orders):
    chat = turn(shop, CustomerFactory(store=shop), "where is my order 1002? my email is eve@mail.test")

    assert chat.said.startswith("I couldn't find an order with that number and email, so I'm passing you to a person.")
    assert "1Z999" not in " ".join(chat.bot_messages())
    note = chat.conversation.messages.get(direction=Message.Direction.NOTE)
    assert note.metadata["bot_handoff"]["reason"] == "order_not_found"


def test_it_does_not_use_the_orders_of_an_unverified_customer(shop, carla, carla_orders):
    chat = turn(shop, carla, "Where is my order?", verified=False)

    assert chat.said == replies.ASK_ORDER


def test_it_explains_returns_with_the_article_and_the_returns_page(shop, carla):
    chat = turn(shop, carla, "How do I return something?")

    assert chat.said == f"{RETURNS_ARTICLE}\nTo start a return, go to http://127.0.0.1:8000/returns/acme/"


def test_it_answers_shipping_times_from_the_shipping_article(shop, carla):
    chat = turn(shop, carla, "How long does shipping take?")

    assert chat.said == (
        "Shipping times and options: Standard UK delivery takes 2 to 4 working days and is free on orders over "
        "£75 (otherwise £4.95). Express next-day delivery with DPD costs £7.95 when you order by 2pm, Monday to "
        "Friday. We ship to the EU in 4 to 7 working days."
    )


def test_it_answers_payment_methods_from_the_payment_article(shop, carla):
    chat = turn(shop, carla, "Can I pay with PayPal?")

    assert chat.said == (
        "Payment methods: We accept Visa, Mastercard and American Express, PayPal, Apple Pay and Google Pay, or "
        "three interest-free instalments with Klarna. Your card is charged when you place the order."
    )


def test_it_answers_a_faq_from_the_article_whose_keywords_match(shop, carla):
    sizing = turn(shop, carla, "Do these run small?")
    gift = turn(shop, CustomerFactory(store=shop), "Do you sell gift cards?")

    assert sizing.said.startswith("Sizing and fit: Our clothes and shoes fit true to size.")
    assert gift.said.startswith("Gift cards: Gift cards from £10 to £250")


def test_it_greets_and_says_you_are_welcome(shop, carla):
    hello = turn(shop, carla, "hi")
    thanks = turn(shop, carla, "thanks!", hello.conversation)

    assert hello.bot_messages() == [replies.GREETING, replies.THANKS]
    assert thanks.reply.metadata["bot"]["kind"] == "chat"


def test_it_skips_unpublished_articles(shop, carla):
    from storedesk.knowledge.actions import do_save_article

    do_save_article(None, shop, slug="sizing", title="Sizing", body="Draft.", keywords=["run small"], published=False)

    chat = turn(shop, carla, "Do these run small?")

    assert chat.said.startswith("I'm passing you to a person.")
    note = chat.conversation.messages.get(direction=Message.Direction.NOTE)
    assert note.metadata["bot_handoff"]["reason"] == "no_answer"


def test_its_replies_are_the_bots_and_are_not_a_first_response(shop, carla):
    chat = turn(shop, carla, "How long does shipping take?")

    chat.conversation.refresh_from_db()
    assert chat.conversation.first_response_at is None
    assert chat.conversation.last_customer_message_at is not None
    assert chat.reply.author_kind == Message.AuthorKind.BOT


def test_it_says_nothing_when_the_store_has_it_off(shop, carla):
    do_set_bot(None, shop, enabled=False)

    chat = turn(shop, carla, "How long does shipping take?")

    assert chat.reply is None
    assert chat.conversation.messages.count() == 1


def test_it_says_nothing_on_other_channels(shop, carla):
    conversation = do_create_conversation(
        store=shop, customer=carla, channel=Channel.EMAIL, body_text="How long does shipping take?"
    )

    assert respond(conversation, conversation.messages.get()) is None
    assert conversation.messages.count() == 1


def test_it_says_nothing_once_a_person_has_answered(shop, carla, ana):
    chat = turn(shop, carla, "hi")
    do_reply(ana, chat.conversation, body_text="Hi Carla, Ana here.")

    later = turn(shop, carla, "How long does shipping take?", chat.conversation)

    assert later.reply is None
    assert later.bot_messages() == [replies.GREETING]
