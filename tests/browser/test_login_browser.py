"""A real Chromium signs in as an agent and lands on the home page.

Uses the system Chromium (/usr/bin/chromium) through Playwright; `playwright install` is
never needed. Without Chromium the test is skipped locally and fails under CI=true.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.factories import ConversationFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        require_service("chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require_service("playwright", "the playwright package is not installed (make venv)")
    return CHROMIUM


def test_it_signs_in_and_shows_the_home_page(live_server, chromium_path, acme, globex, ana, gus, carla):
    from playwright.sync_api import expect, sync_playwright

    ConversationFactory(store=acme, customer=carla, subject="Where is my parcel?")
    ConversationFactory(store=globex, customer__store=globex, subject="Globex only question")
    ARTIFACTS.mkdir(exist_ok=True)
    failed_requests: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("requestfailed", lambda request: failed_requests.append(request.url))
            page.on("response", lambda r: r.status >= 400 and failed_requests.append(f"{r.status} {r.url}"))

            page.goto(f"{live_server.url}/login/")
            expect(page).to_have_title("Sign in · Storedesk")
            # Our stylesheet is served and applied (the sign-in button gets its colour from it).
            assert page.eval_on_selector("button[type=submit]", "b => getComputedStyle(b).borderRadius") == "6px"
            page.screenshot(path=str(ARTIFACTS / "login.png"))

            page.fill("input[name=username]", "ana@acme.test")
            page.fill("input[name=password]", "pw")
            page.click("button[type=submit]")

            page.wait_for_url(f"{live_server.url}/")
            expect(page.locator("h1")).to_have_text("Hello, Ana Agent")
            expect(page.get_by_test_id("topbar-store")).to_have_text("Acme Outfitters")
            expect(page.get_by_test_id("conversation-row")).to_have_count(1)
            expect(page.get_by_test_id("conversation-row")).to_contain_text("Where is my parcel?")
            expect(page.get_by_text("Globex only question")).to_have_count(0)
            assert page.evaluate("typeof window.htmx") == "object"
            page.screenshot(path=str(ARTIFACTS / "login-home.png"), full_page=True)

            # Phone-sized: the layout fits the width (no sideways scrolling).
            page.set_viewport_size({"width": 390, "height": 844})
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(ARTIFACTS / "login-home-mobile.png"), full_page=True)

            page.click("text=Sign out")
            page.wait_for_url(f"{live_server.url}/login/")
            expect(page.locator("input[name=username]")).to_be_visible()
        finally:
            browser.close()

    assert failed_requests == []
