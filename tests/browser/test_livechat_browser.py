"""Live chat end to end: a shopper on a page with the widget snippet chats with an agent in
another browser context; the shopper's socket is killed mid-conversation (a message in flight,
a reply sent while they are away) and a page change follows — nothing is lost or doubled."""

from __future__ import annotations

from pathlib import Path

import pytest

from storedesk.automation.models import AgentProfile, AgentStatus
from storedesk.conversations.models import Conversation, Message
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop, session_cookie

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chat_rows(conversation_id: int) -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(conversation_id=conversation_id).order_by("id").values_list("direction", "body_text")
    )


def only_conversation_id() -> int:
    return Conversation.objects.get().pk


def test_it_chats_with_an_agent_across_a_dropped_socket_and_a_page_change(
    asgi_live_server, chromium_executable, settings, acme, ana
):
    from playwright.sync_api import expect, sync_playwright

    settings.DEBUG = True  # the demo shop page of a non-demo store
    AgentProfile.objects.create(store=acme, user=ana, status=AgentStatus.ONLINE)
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
            shopper.goto(f"{server.url}/demo-shop/acme/")
            launcher = shopper.get_by_test_id("chat-launcher")
            expect(launcher).to_have_attribute("aria-label", "Open chat")
            launcher.press("Enter")  # keyboard opens it and focuses the message box
            expect(shopper.get_by_role("dialog", name="Chat with us")).to_be_visible()
            expect(shopper.get_by_test_id("chat-status")).to_have_text("We reply in a few minutes", timeout=TIMEOUT_MS)
            shopper.keyboard.type("Do the Trail Runner 2 run small?")
            shopper.keyboard.press("Enter")
            rows = shopper.get_by_test_id("chat-message")
            expect(rows.first).to_have_attribute("data-state", "sent", timeout=TIMEOUT_MS)
            conversation_id = off_loop(only_conversation_id)

            # Ana opens it: the message, and where the visitor is right now.
            agent_context = browser.new_context(viewport={"width": 1280, "height": 860})
            agent_context.add_cookies([off_loop(session_cookie, ana, server)])
            agent = agent_context.new_page()
            watch(agent)
            agent.goto(f"{server.url}/c/{conversation_id}/")
            expect(agent.get_by_test_id("message")).to_have_count(1)
            expect(agent.get_by_test_id("visitor-online")).to_have_text("On the site now")
            expect(agent.get_by_test_id("visitor-page")).to_contain_text("Trail Runner 2")
            agent.wait_for_function("window.StoredeskLive && window.StoredeskLive.state === 'open'")

            agent.get_by_test_id("composer-text").fill("They fit true to size.")
            agent.get_by_test_id("send").click()
            expect(rows.last).to_contain_text("They fit true to size.", timeout=TIMEOUT_MS)
            expect(rows.last).to_contain_text("Ana")

            # The socket dies right after a message leaves (its ack is lost), and Ana replies
            # while the shopper is disconnected.
            shopper.evaluate(
                """() => {
                    const root = document.getElementById('storedesk-chat').shadowRoot;
                    const input = root.querySelector('textarea');
                    input.value = 'Great, and returns are free?';
                    root.querySelector('form').requestSubmit();
                    window.StoredeskChat.socket.close();
                }"""
            )
            agent.get_by_test_id("composer-text").fill("Yes, within 30 days.")
            agent.get_by_test_id("send").click()
            expect(agent.get_by_test_id("message")).to_have_count(4, timeout=TIMEOUT_MS)

            texts = [
                "Do the Trail Runner 2 run small?",
                "They fit true to size.",
                "Great, and returns are free?",
                "Yes, within 30 days.",
            ]
            expect(rows).to_have_count(4, timeout=TIMEOUT_MS)
            expect(shopper.locator("[data-testid=chat-message][data-state=pending]")).to_have_count(
                0, timeout=TIMEOUT_MS
            )

            # Next page: the same conversation, restored once. The last two may have crossed:
            # the shopper's message can reach the server only on the resend after reconnecting,
            # after Ana's reply — either order is right, as long as the widget shows the
            # server's order and nothing is lost or doubled.
            stored = off_loop(chat_rows, conversation_id)
            assert stored[:2] == [("inbound", texts[0]), ("outbound", texts[1])]
            assert sorted(stored[2:]) == [("inbound", texts[2]), ("outbound", texts[3])]
            shopper.goto(f"{server.url}/demo-shop/acme/?page=2")
            expect(shopper.get_by_role("dialog", name="Chat with us")).to_be_visible()
            rows = shopper.get_by_test_id("chat-message")
            expect(rows).to_have_count(4, timeout=TIMEOUT_MS)
            for row, (_, text) in zip(rows.all(), stored, strict=True):
                expect(row).to_contain_text(text)
            shopper.screenshot(path=str(ARTIFACTS / "livechat.png"))

            assert failed == []
        finally:
            browser.close()
