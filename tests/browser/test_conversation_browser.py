"""Two agents on one conversation in real Chromium, against the real ASGI server (HTTP + WebSockets).

Ana signs in, opens the conversation, applies a macro (variables filled, nothing sent), edits it
and sends. Ben, in a second browser context, sees Ana viewing and typing, and her reply appear
without a reload; he @mentions her in a note and her badge counts it; after his socket drops, he
catches up on a message that came meanwhile.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from storedesk.conversations.actions import do_receive_message
from storedesk.conversations.models import Channel, Message
from tests.browser.conftest import CHROMIUM_ARGS
from tests.factories import ConversationFactory, MacroFactory, MessageFactory

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Run database work in a thread of its own: Playwright's sync API keeps an event loop running
    in the test's thread, where Django refuses ORM calls (and realtime sends need a loop-free thread)."""

    def run() -> Any:
        try:
            return fn(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=30)


def session_cookie(user, server) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}


def message_rows(conversation) -> list[tuple[str, int | None, str]]:
    return list(
        Message.objects.filter(conversation=conversation)
        .order_by("id")
        .values_list("direction", "author_user_id", "body_text")
    )


def test_it_sends_an_edited_macro_that_a_colleague_sees_live(
    asgi_live_server, chromium_executable, acme, ana, ben, carla
):
    from playwright.sync_api import expect, sync_playwright

    server = asgi_live_server
    conversation = ConversationFactory(store=acme, customer=carla, channel=Channel.CHAT, subject="Where is my parcel?")
    MessageFactory(conversation=conversation, body_text="Hi, my parcel has not arrived yet.")
    ConversationFactory(store=acme, customer=carla, channel=Channel.EMAIL, subject="Sizing question")
    MacroFactory(
        store=acme,
        name="Shipping update",
        body="Hi {{ customer.first_name }}, your parcel ships today. — {{ agent.first_name }}",
    )
    page_url = f"{server.url}/c/{conversation.pk}/"
    ben_cookie = session_cookie(ben, server)
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[str] = []

    def watch(page) -> None:
        page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda error: failed.append(f"js error {error}"))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            # Ben already has the conversation open.
            ben_context = browser.new_context(viewport={"width": 1280, "height": 860})
            ben_context.add_cookies([ben_cookie])
            ben_page = ben_context.new_page()
            watch(ben_page)
            ben_page.goto(page_url)
            expect(ben_page.get_by_test_id("message")).to_have_count(1)
            ben_page.wait_for_function("window.StoredeskLive && window.StoredeskLive.state === 'open'")
            ben_page.evaluate("window.__sameDocument = true")

            # Ana signs in and opens it.
            ana_context = browser.new_context(viewport={"width": 1280, "height": 860})
            ana_page = ana_context.new_page()
            watch(ana_page)
            ana_page.goto(f"{server.url}/login/?next=/c/{conversation.pk}/")
            ana_page.fill("input[name=username]", "ana@acme.test")
            ana_page.fill("input[name=password]", "pw")
            ana_page.click("button[type=submit]")
            ana_page.wait_for_url(page_url)
            expect(ana_page.get_by_test_id("conv-subject")).to_have_text("Where is my parcel?")
            expect(ana_page.get_by_test_id("fold")).to_contain_text("Sizing question")

            # Each sees the other viewing.
            expect(ben_page.get_by_test_id("presence-viewing")).to_have_text("Ana Agent is viewing", timeout=TIMEOUT_MS)
            expect(ana_page.get_by_test_id("presence-viewing")).to_have_text("Ben Agent is viewing", timeout=TIMEOUT_MS)

            # The macro fills the composer (variables filled) and sends nothing.
            ana_page.get_by_test_id("macro-picker").select_option(label="Shipping update")
            text = ana_page.get_by_test_id("composer-text")
            expect(text).to_have_value("Hi Carla, your parcel ships today. — Ana", timeout=TIMEOUT_MS)
            expect(ana_page.get_by_test_id("macro-note")).to_contain_text("Shipping update")
            assert len(off_loop(message_rows, conversation)) == 1

            # Ana edits it; Ben sees her typing.
            text.press("End")
            text.press_sequentially(" Tracking: 1Z999.")
            expect(ben_page.get_by_test_id("presence-typing")).to_have_text("Ana Agent is typing…", timeout=TIMEOUT_MS)

            ana_page.get_by_test_id("send").click()

            reply = "Hi Carla, your parcel ships today. — Ana Tracking: 1Z999."
            expect(ana_page.get_by_test_id("message").last).to_contain_text(reply, timeout=TIMEOUT_MS)
            expect(ana_page.get_by_test_id("composer-text")).to_have_value("")
            expect(ben_page.get_by_test_id("message")).to_have_count(2, timeout=TIMEOUT_MS)
            expect(ben_page.get_by_test_id("message").last).to_contain_text(reply)
            expect(ben_page.get_by_test_id("message").last).to_contain_text("Ana Agent")
            assert ben_page.evaluate("window.__sameDocument") is True  # live, not a reload
            assert off_loop(message_rows, conversation)[-1] == ("outbound", ana.pk, reply)
            ana_page.screenshot(path=str(ARTIFACTS / "conversation.png"), full_page=True)

            # Ben switches to a note with the keyboard (n), mentions Ana through the suggestions;
            # the note shows up on Ana's page and her Mentions badge counts it, both live.
            ben_page.keyboard.press("n")
            note = ben_page.get_by_test_id("composer-text")
            expect(note).to_be_focused()
            note.press_sequentially("@an")
            expect(ben_page.get_by_test_id("mention-option")).to_have_text(["Ana Agent (@ana)"])
            note.press("Enter")
            note.press_sequentially("can you confirm the carrier?")
            ben_page.get_by_test_id("add-note").click()
            mention = "@Ana Agent can you confirm the carrier?"
            expect(ben_page.locator(".msg-note")).to_contain_text(mention, timeout=TIMEOUT_MS)
            expect(ana_page.locator(".msg-note")).to_contain_text(mention, timeout=TIMEOUT_MS)
            expect(ana_page.locator(".msg-note")).to_contain_text("Internal note")
            expect(ana_page.get_by_test_id("unread-count")).to_have_text("1", timeout=TIMEOUT_MS)

            # Ben's connection drops; a customer message arrives meanwhile; he catches up on reconnect.
            ben_page.evaluate("window.StoredeskLive.close()")
            ben_page.wait_for_function("window.StoredeskLive.state === 'closed'")
            off_loop(lambda: do_receive_message(conversation, body_text="Thanks! Is it insured?"))
            ben_page.wait_for_timeout(300)
            expect(ben_page.get_by_test_id("message")).to_have_count(3)
            ben_page.evaluate("window.StoredeskLive.connect()")
            expect(ben_page.get_by_test_id("message")).to_have_count(4, timeout=TIMEOUT_MS)
            expect(ben_page.get_by_test_id("message").last).to_contain_text("Thanks! Is it insured?")
            ben_page.screenshot(path=str(ARTIFACTS / "conversation-colleague.png"), full_page=True)

            # When Ana leaves, Ben no longer sees her.
            ana_page.close()
            expect(ben_page.get_by_test_id("presence-viewing")).to_have_count(0, timeout=TIMEOUT_MS)

            # Phone-sized: one column, the sidebar behind its button, no sideways scrolling.
            ben_page.set_viewport_size({"width": 390, "height": 844})
            expect(ben_page.get_by_test_id("customer-sidebar")).to_be_hidden()
            assert ben_page.evaluate("document.documentElement.scrollWidth") <= 390
            ben_page.get_by_role("button", name="Customer").click()
            expect(ben_page.get_by_test_id("orders")).to_contain_text("No orders for this customer")
            ben_page.screenshot(path=str(ARTIFACTS / "conversation-mobile.png"), full_page=True)
        finally:
            browser.close()

    assert failed == []
