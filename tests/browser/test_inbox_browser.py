"""The inbox in real Chromium against the real ASGI server (HTTP + WebSockets).

Ana signs in, opens the inbox from the top bar, moves through it with j/k, opens the
shortcuts overlay with ?, opens a conversation with Enter; a conversation created on the
server shows up live ("1 new — show") without a reload, a visible row re-renders when it is
assigned, a dropped socket catches up on reconnect, and a bulk resolve empties the rows.
Screenshots: test-artifacts/inbox.png and inbox-mobile.png.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from storedesk.conversations.actions import do_assign, do_create_conversation
from storedesk.conversations.models import Conversation, Priority, Status
from tests.browser.conftest import CHROMIUM_ARGS
from tests.factories import ConversationFactory, CustomerFactory, TagFactory

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Database work in a thread of its own (Playwright's sync API runs an event loop in the
    test's thread, where Django refuses ORM calls)."""

    def run() -> Any:
        try:
            return fn(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=30)


def statuses(ids: list[int]) -> list[str]:
    return list(Conversation.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True))


def test_it_is_keyboard_driven_and_live(asgi_live_server, chromium_executable, acme, globex, ana, ben, carla):
    from playwright.sync_api import expect, sync_playwright

    server = asgi_live_server
    urgent = ConversationFactory(
        store=acme, customer=carla, subject="Parcel never arrived", priority=Priority.URGENT, channel="email"
    )
    urgent.tags.add(TagFactory(store=acme, name="shipping", color="#0ea5e9"))
    high = ConversationFactory(
        store=acme,
        customer=CustomerFactory(store=acme, name="Dan Doe"),
        subject="Wrong size",
        priority=Priority.HIGH,
        channel="chat",
    )
    normal = ConversationFactory(
        store=acme, customer=CustomerFactory(store=acme, name="Eve Ek"), subject="Gift wrap?", channel="social"
    )
    ConversationFactory(store=acme, customer=carla, subject="Old and done", status=Status.RESOLVED)
    ConversationFactory(store=globex, customer=CustomerFactory(store=globex), subject="Globex only question")
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
            page.on("pageerror", lambda error: failed.append(f"js error {error}"))

            page.goto(f"{server.url}/login/")
            page.fill("input[name=username]", "ana@acme.test")
            page.fill("input[name=password]", "pw")
            page.click("button[type=submit]")
            page.wait_for_url(f"{server.url}/")
            page.get_by_test_id("topbar-inbox").click()
            page.wait_for_url(f"{server.url}/inbox/")

            rows = page.get_by_test_id("inbox-row")
            expect(rows).to_have_count(3)
            expect(rows.nth(0)).to_contain_text("Parcel never arrived")
            expect(rows.nth(0)).to_contain_text("shipping")
            expect(rows.nth(1)).to_contain_text("Wrong size")
            expect(rows.nth(2)).to_contain_text("Gift wrap?")
            expect(page.get_by_text("Globex only question")).to_have_count(0)
            expect(page.get_by_test_id("view-open")).to_contain_text("3")
            page.wait_for_function("window.StoredeskLive && window.StoredeskLive.state === 'open'")
            page.evaluate("window.__sameDocument = true")

            # j / k move the highlight.
            page.keyboard.press("j")
            expect(rows.nth(0)).to_have_class("row p3 is-waiting is-selected")
            page.keyboard.press("j")
            page.keyboard.press("j")
            page.keyboard.press("k")
            expect(page.locator(".row.is-selected")).to_have_count(1)
            expect(rows.nth(1)).to_have_class("row p2 is-waiting is-selected")

            # ? shows the shortcuts; Esc closes them.
            page.keyboard.press("?")
            overlay = page.get_by_test_id("shortcuts-overlay")
            expect(overlay).to_be_visible()
            expect(overlay).to_contain_text("Next / previous conversation")
            expect(overlay).to_contain_text("Resolve selected")
            page.keyboard.press("Escape")
            expect(overlay).to_have_count(0)

            # / focuses the search box (data-shortcut="/"); Esc leaves it.
            page.keyboard.press("/")
            expect(page.locator('[data-shortcut="/"]')).to_be_focused()
            expect(page.locator('[data-shortcut="/"]')).to_have_value("")
            page.keyboard.press("Escape")
            expect(page.locator('[data-shortcut="/"]')).not_to_be_focused()

            # Keys do nothing while typing in a field.
            page.locator("details.filters-box summary").click()
            page.locator("input[name=tag]").first.focus()
            page.keyboard.type("jk")
            expect(page.locator("input[name=tag]").first).to_have_value("jk")
            expect(rows.nth(1)).to_have_class("row p2 is-waiting is-selected")
            page.keyboard.press("Escape")  # leaves the field
            page.locator("input[name=tag]").first.fill("")

            # A conversation created on the server appears without a reload, behind a "new" bar.
            def create() -> int:
                customer = CustomerFactory(store=acme, name="Fay Live")
                return do_create_conversation(
                    store=acme, customer=customer, channel="email", subject="Live one", body_text="Hello?"
                ).pk

            live_id = off_loop(create)
            new_bar = page.get_by_test_id("new-bar")
            expect(new_bar).to_be_visible(timeout=TIMEOUT_MS)
            expect(new_bar).to_have_text("1 new — show")
            expect(rows).to_have_count(3)  # the list does not jump under the cursor
            new_bar.click()
            expect(rows).to_have_count(4, timeout=TIMEOUT_MS)
            expect(page.locator(f'[data-row][data-id="{live_id}"]')).to_contain_text("Live one")
            expect(new_bar).to_be_hidden()
            expect(page.get_by_test_id("view-open")).to_contain_text("4")

            # A visible row re-renders in place when it changes.
            off_loop(lambda: do_assign(ben, Conversation.objects.get(pk=normal.pk), assignee=ben))
            expect(page.locator(f'[data-row][data-id="{normal.pk}"] .assignee')).to_have_text(
                "Ben Agent", timeout=TIMEOUT_MS
            )

            # After a dropped connection the list catches up on what happened meanwhile.
            page.evaluate("window.StoredeskLive.close()")
            page.wait_for_function("window.StoredeskLive.state === 'closed'")
            quiet = off_loop(lambda: ConversationFactory(store=acme, customer=carla, subject="Arrived offline").pk)
            page.evaluate("window.StoredeskLive.connect()")
            expect(page.locator(f'[data-row][data-id="{quiet}"]')).to_contain_text(
                "Arrived offline", timeout=TIMEOUT_MS
            )
            assert page.evaluate("window.__sameDocument") is True  # live, never a reload
            page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)

            # Tick two rows (x on the highlighted one, a click on another) and resolve them.
            page.locator(f'[data-row][data-id="{high.pk}"] input.pick').check()
            page.keyboard.press("j")
            page.keyboard.press("x")
            selected_id = int(page.locator(".row.is-selected").get_attribute("data-id"))
            expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
            page.get_by_role("button", name="Resolve").click()
            expect(page.get_by_test_id("bulk-notice")).to_have_text("Resolved 2 conversations.", timeout=TIMEOUT_MS)
            expect(page.locator(f'[data-row][data-id="{high.pk}"]')).to_have_count(0)
            expect(page.locator(f'[data-row][data-id="{selected_id}"]')).to_have_count(0)
            assert off_loop(statuses, sorted([high.pk, selected_id])) == ["resolved", "resolved"]
            expect(page.locator("[data-selected-count]")).to_have_text("Select conversations to change them together")

            # Phone-sized: one column, nothing wider than the screen.
            page.set_viewport_size({"width": 390, "height": 844})
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(ARTIFACTS / "inbox-mobile.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 860})

            # Enter opens the highlighted conversation.
            page.keyboard.press("j")
            first_id = page.locator(".row.is-selected").get_attribute("data-id")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{server.url}/c/{first_id}/")
        finally:
            browser.close()

    assert failed == []
