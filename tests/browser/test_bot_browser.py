"""The bot end to end: a shopper whose identity the store signed opens the widget on the shop,
asks where their order is and gets its tracking from the bot; a complaint goes straight to a
person, and the agent opening the conversation reads the hand-off note (reason, intent,
sentiment, transcript). Nobody is online: the bot still chats instead of the email form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storedesk.automation.bot.actions import do_set_bot
from storedesk.channels.livechat.identity import sign_identity
from storedesk.conversations.models import Conversation
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop, session_cookie
from tests.commerce.factories import FulfillmentFactory, OrderFactory

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 15_000
TRACKING = "1Z999AA10123456784"
UPS = f"https://www.ups.com/track?tracknum={TRACKING}"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def only_conversation_id() -> int:
    return Conversation.objects.get().pk


def test_the_bot_tracks_a_verified_shoppers_order_and_hands_a_complaint_to_a_person(
    asgi_live_server, chromium_executable, settings, acme, ana, carla
):
    from playwright.sync_api import expect, sync_playwright

    from storedesk.automation.intent.engine import classify

    classify("where is my order")  # the intent model, trained or loaded before the first chat
    settings.DEBUG = True  # the demo shop page of a non-demo store
    do_set_bot(None, acme, enabled=True)
    order = OrderFactory(store=acme, customer=carla, name="#1002", email="carla@mail.test")
    FulfillmentFactory(order=order, carrier="UPS", tracking_number=TRACKING, tracking_url=UPS)
    identity = {
        "user_id": "",
        "email": "carla@mail.test",
        "name": "Carla",
        "signature": sign_identity(acme.signing_secret, "", "carla@mail.test"),
    }
    server = asgi_live_server
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[str] = []

    def watch(page) -> None:
        page.on("pageerror", lambda error: failed.append(f"js error {error}"))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            shopper = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
            watch(shopper)
            # The store's own script signs in the shopper before the snippet loads.
            shopper.add_init_script(f"window.StoredeskChat = {{identity: {json.dumps(identity)}}};")
            shopper.goto(f"{server.url}/demo-shop/acme/")
            shopper.get_by_test_id("chat-launcher").click()
            person = shopper.get_by_test_id("chat-quick-reply")
            expect(person).to_have_text(["Talk to a person"], timeout=TIMEOUT_MS)
            expect(shopper.get_by_test_id("chat-email")).to_be_hidden()  # chat, not the email form
            expect(shopper.get_by_test_id("chat-status")).to_have_text(
                "Our assistant answers now; a person follows up."
            )

            shopper.get_by_test_id("chat-input").fill("Where is my order?")
            shopper.keyboard.press("Enter")
            rows = shopper.get_by_test_id("chat-message")
            expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
            expect(rows.last).to_contain_text("Assistant")
            expect(rows.last).to_contain_text("Order #1002")
            expect(rows.last).to_contain_text(f"UPS, tracking number {TRACKING}, track it here: {UPS}")
            expect(person).to_have_text(["That didn't help", "Talk to a person"])

            shopper.get_by_test_id("chat-input").fill(
                "This is unacceptable, my parcel arrived damaged and I want to complain"
            )
            shopper.keyboard.press("Enter")
            expect(rows).to_have_count(4, timeout=TIMEOUT_MS)
            expect(rows.last).to_contain_text("I'm passing you to a person.")
            expect(rows.last).to_contain_text("you won't need to repeat yourself")
            expect(shopper.get_by_test_id("chat-quick")).to_be_hidden()
            shopper.screenshot(path=str(ARTIFACTS / "bot.png"))

            # The agent opens the chat: the hand-off note says why, with intent, sentiment, transcript.
            conversation_id = off_loop(only_conversation_id)
            agent_context = browser.new_context(viewport={"width": 1280, "height": 860})
            agent_context.add_cookies([off_loop(session_cookie, ana, server)])
            agent = agent_context.new_page()
            watch(agent)
            agent.goto(f"{server.url}/c/{conversation_id}/")
            expect(agent.get_by_text("Bot handed this chat to a person: a complaint.")).to_be_visible()
            expect(agent.get_by_text("Detected intent: complaint")).to_be_visible()
            expect(agent.get_by_text("Customer: Where is my order?")).to_be_visible()
            agent.screenshot(path=str(ARTIFACTS / "bot-handoff-agent.png"))

            assert failed == []
        finally:
            browser.close()
