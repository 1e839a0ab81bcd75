"""A real Chromium: press / anywhere, type a query, read highlighted results, open one."""

from __future__ import annotations

from pathlib import Path

import pytest

from storedesk.conversations import actions
from tests.browser.conftest import CHROMIUM_ARGS
from tests.factories import CustomerFactory

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_searches_from_the_top_bar(live_server, chromium_executable, acme, globex, ana, carla):
    from playwright.sync_api import expect, sync_playwright

    wanted = actions.do_create_conversation(
        store=acme,
        customer=carla,
        channel="email",
        subject="Refund for order #1001",
        body_text="I sent the café mug back <b>two weeks</b> ago and I am still waiting for my refund.",
    )
    actions.do_create_conversation(
        store=acme, customer=carla, channel="chat", body_text="Do you ship to Norway? If not, a refund is fine."
    )
    actions.do_create_conversation(
        store=globex, customer=CustomerFactory(store=globex, name="Gina"), channel="email", body_text="Refund me"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    failed_requests: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("requestfailed", lambda request: failed_requests.append(request.url))
            page.on("response", lambda r: r.status >= 400 and failed_requests.append(f"{r.status} {r.url}"))
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "ana@acme.test")
            page.fill("input[name=password]", "pw")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")

            page.keyboard.press("/")
            expect(page.get_by_test_id("topbar-search")).to_be_focused()
            page.keyboard.type("refunds cafe")
            page.keyboard.press("Enter")

            page.wait_for_url(f"{live_server.url}/search/?q=refunds+cafe")
            expect(page.get_by_test_id("search-hit")).to_have_count(1)
            expect(page.get_by_test_id("search-input")).to_have_value("refunds cafe")
            snippet = page.get_by_test_id("search-snippet")
            expect(snippet.locator("mark")).to_have_text(["café", "refund"])
            expect(snippet).to_contain_text("two weeks")
            expect(snippet.locator("b")).to_have_count(0)  # the message's <b> is text, never markup
            page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

            page.get_by_test_id("search-input").fill("refund")
            page.keyboard.press("Enter")
            expect(page.get_by_test_id("search-hit")).to_have_count(2)  # never Globex's
            page.set_viewport_size({"width": 390, "height": 844})
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(ARTIFACTS / "search-mobile.png"), full_page=True)

            page.get_by_test_id("search-hit").first.locator("a.hit-subject").click()
            page.wait_for_url(f"{live_server.url}/c/{wanted.pk}/")
        finally:
            browser.close()

    assert failed_requests == []
