"""Live chat in the browser, beyond text: a shopper sends a photo from the widget (HTTP upload
with their visitor token) and it shows in both timelines; an agent's PDF reaches the widget as a
link; each side sees when the other has read their messages; the agent's page follows the
shopper to another page; the shopper asks for the transcript and a callback; a new chat alerts an
agent who switched chat alerts on."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core import mail

from storedesk.automation.models import AgentProfile, AgentStatus, CallbackTask
from storedesk.conversations.models import Attachment, Conversation
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop, session_cookie

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small solid-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png(160, 90, (214, 120, 60))


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def only_conversation_id() -> int:
    return Conversation.objects.get().pk


def attachments_of(conversation_id: int) -> list[tuple[str, str]]:
    return list(
        Attachment.objects.filter(message__conversation_id=conversation_id)
        .order_by("pk")
        .values_list("filename", "content_type")
    )


def callback_of() -> tuple[str, int | None]:
    return CallbackTask.objects.values_list("phone", "conversation_id").get()


def newest_chat_id() -> int:
    return Conversation.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_it_sends_files_both_ways_and_shows_read_state_on_both_sides(
    asgi_live_server, chromium_executable, settings, acme, ana, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    settings.DEBUG = True  # the demo shop page of a non-demo store
    AgentProfile.objects.create(store=acme, user=ana, status=AgentStatus.ONLINE)
    server = asgi_live_server
    ARTIFACTS.mkdir(exist_ok=True)
    photo = tmp_path / "scuffed-toe.png"
    photo.write_bytes(PNG)
    returns_form = tmp_path / "returns.pdf"
    returns_form.write_bytes(PDF)
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
            shopper.get_by_test_id("chat-launcher").click()
            expect(shopper.get_by_test_id("chat-status")).to_have_text("We reply in a few minutes", timeout=TIMEOUT_MS)
            shopper.get_by_test_id("chat-input").fill("My new shoes arrived scuffed, see the photo")
            shopper.keyboard.press("Enter")
            rows = shopper.get_by_test_id("chat-message")
            expect(rows.first).to_have_attribute("data-state", "sent", timeout=TIMEOUT_MS)

            # The photo goes up over HTTP and shows as an image once stored.
            shopper.get_by_test_id("chat-file").set_input_files(str(photo))
            expect(rows).to_have_count(2)
            expect(rows.nth(1)).to_have_attribute("data-state", "sent", timeout=TIMEOUT_MS)
            expect(rows.nth(1).locator("img")).to_have_attribute("alt", "scuffed-toe.png")
            expect(rows.nth(1).locator("img")).to_have_js_property("naturalWidth", 160, timeout=TIMEOUT_MS)
            conversation_id = off_loop(only_conversation_id)
            assert off_loop(attachments_of, conversation_id) == [("scuffed-toe.png", "image/png")]

            # Ana opens the chat: she sees the photo; her reading it shows "Read" to the shopper.
            agent_context = browser.new_context(viewport={"width": 1280, "height": 860})
            agent_context.add_cookies([off_loop(session_cookie, ana, server)])
            agent = agent_context.new_page()
            watch(agent)
            agent.goto(f"{server.url}/c/{conversation_id}/")
            expect(agent.get_by_test_id("message")).to_have_count(2)
            expect(agent.get_by_role("link", name="scuffed-toe.png")).to_be_visible()
            expect(rows.nth(1)).to_have_attribute("data-read", "true", timeout=TIMEOUT_MS)
            expect(rows.nth(1)).to_contain_text("Read")
            agent.wait_for_function("window.StoredeskLive && window.StoredeskLive.state === 'open'")

            # Her reply with a PDF reaches the widget as a link; the shopper has the chat open,
            # so Ana's page marks her reply "Seen".
            agent.get_by_test_id("composer-text").fill("Sorry! Here is the returns form.")
            agent.get_by_test_id("attachments").set_input_files(str(returns_form))
            agent.get_by_test_id("send").click()
            expect(rows).to_have_count(3, timeout=TIMEOUT_MS)
            expect(rows.nth(2).get_by_test_id("chat-file-link")).to_have_text("returns.pdf")
            expect(agent.get_by_test_id("seen")).to_have_count(1, timeout=TIMEOUT_MS)
            expect(agent.locator('.msg[data-direction="outbound"]').last.get_by_test_id("seen")).to_be_visible()

            # The shopper moves to another page: Ana's sidebar follows without a reload.
            shopper.goto(f"{server.url}/demo-shop/acme/?page=2")
            expect(agent.get_by_test_id("visitor-page")).to_have_attribute(
                "href", re.compile(r"/demo-shop/acme/\?page=2$"), timeout=TIMEOUT_MS
            )
            expect(agent.get_by_test_id("visitor-online")).to_have_text("On the site now", timeout=TIMEOUT_MS)
            rows = shopper.get_by_test_id("chat-message")
            expect(rows).to_have_count(3, timeout=TIMEOUT_MS)
            expect(rows.nth(1)).to_have_attribute("data-read", "true")
            expect(rows.nth(1).locator("img")).to_have_js_property("naturalWidth", 160, timeout=TIMEOUT_MS)
            shopper.screenshot(path=str(ARTIFACTS / "livechat-files.png"))

            # The transcript (no address known yet: the widget asks for one) and a callback.
            shopper.get_by_test_id("chat-transcript").click()
            shopper.get_by_test_id("chat-transcript-email").fill("dora@mail.test")
            shopper.get_by_test_id("chat-transcript-email").press("Enter")
            status = shopper.get_by_test_id("chat-status")
            expect(status).to_have_text("The transcript is on its way to dora@mail.test.", timeout=TIMEOUT_MS)
            expect(shopper.get_by_test_id("chat-transcript-form")).to_be_hidden()
            assert [m.to for m in mail.outbox] == [["dora@mail.test"]]
            shopper.get_by_test_id("chat-callback").click()
            shopper.get_by_test_id("chat-phone").fill("+44 7700 900123")
            shopper.get_by_test_id("chat-slot").select_option(index=1)
            shopper.get_by_test_id("chat-phone").press("Enter")
            expect(status).to_contain_text("We'll call you around", timeout=TIMEOUT_MS)
            assert off_loop(callback_of) == ("+447700900123", conversation_id)

            shopper.close()
            expect(agent.get_by_test_id("visitor-away")).to_have_text("Left the site", timeout=TIMEOUT_MS)

            # Chat alerts on (a click: the gesture browsers want), then a new chat arrives.
            agent.goto(f"{server.url}/inbox/")
            agent.get_by_test_id("chat-alerts").click()
            expect(agent.get_by_test_id("chat-alerts")).to_have_text("Chat alerts: on")
            agent.wait_for_function("window.StoredeskLive && window.StoredeskLive.state === 'open'")
            second = browser.new_context().new_page()
            watch(second)
            second.goto(f"{server.url}/demo-shop/acme/")
            second.get_by_test_id("chat-launcher").click()
            second.get_by_test_id("chat-input").fill("Do you have size 47?")
            second.keyboard.press("Enter")
            expect(second.get_by_test_id("chat-message").first).to_have_attribute(
                "data-state", "sent", timeout=TIMEOUT_MS
            )
            agent.wait_for_function(
                f"window.StoredeskChatAgent && window.StoredeskChatAgent.lastAlert === {off_loop(newest_chat_id)}",
                timeout=TIMEOUT_MS,
            )

            assert failed == []
        finally:
            browser.close()
