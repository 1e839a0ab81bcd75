"""Links in bot (and agent) messages in the widget: tracking URLs and the returns page become
clickable, built as DOM nodes — only http(s) and paths on the Storedesk server, markup in a
message stays text, `javascript:` and protocol-relative addresses stay plain."""

from __future__ import annotations

import pytest

from storedesk.automation.models import AgentProfile, AgentStatus
from storedesk.conversations.actions import do_bot_reply
from storedesk.conversations.models import Conversation
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop

TIMEOUT_MS = 15_000
UPS = "https://www.ups.com/track?tracknum=1Z999AA10123456784"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bot_says(text: str) -> None:
    do_bot_reply(Conversation.objects.get(), text)


def test_it_makes_links_in_a_bot_reply_clickable_and_nothing_else(
    asgi_live_server, chromium_executable, settings, acme, ana
):
    from playwright.sync_api import expect, sync_playwright

    settings.DEBUG = True  # the demo shop page of a non-demo store
    AgentProfile.objects.create(store=acme, user=ana, status=AgentStatus.ONLINE)
    server = asgi_live_server
    returns = f"{server.url}/returns/acme/"
    text = (
        f"UPS, track it here: {UPS}, estimated delivery 19 Nov 2026.\n"
        f"To start a return, go to {returns}\n"
        "Or /returns/acme/ (our returns page). "
        "<img src=x onerror=window.__xss=1> javascript:alert(1) //evil.test/x <b onclick=alert(1)>bold</b>"
    )
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            shopper = browser.new_context().new_page()
            shopper.on("pageerror", lambda error: failed.append(f"js error {error}"))
            shopper.goto(f"{server.url}/demo-shop/acme/")
            shopper.get_by_test_id("chat-launcher").click()
            shopper.get_by_test_id("chat-input").fill("Where is my parcel?")
            shopper.keyboard.press("Enter")
            rows = shopper.get_by_test_id("chat-message")
            expect(rows.first).to_have_attribute("data-state", "sent", timeout=TIMEOUT_MS)

            off_loop(bot_says, text)

            expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
            links = rows.last.get_by_test_id("chat-link")
            expect(links).to_have_text([UPS, returns, "/returns/acme/"])
            hrefs = links.evaluate_all("(all) => all.map((a) => [a.getAttribute('href'), a.target, a.rel])")
            assert hrefs == [
                [UPS, "_blank", "noopener noreferrer nofollow"],
                [returns, "_blank", "noopener noreferrer nofollow"],
                [returns, "_blank", "noopener noreferrer nofollow"],
            ]
            expect(rows.last.locator(".text")).to_have_text(text)  # every character still there, as text
            assert rows.last.locator("img, b").count() == 0
            assert rows.first.get_by_test_id("chat-link").count() == 0  # the visitor's own text: plain
            assert shopper.evaluate("window.__xss") is None
            assert failed == []
        finally:
            browser.close()
