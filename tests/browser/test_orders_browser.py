"""The orders panel in real Chromium: an agent sees the customer's order beside the conversation,
refunds part of it within her limit, asks for more above it, and a lead approves in his own panel.

The conversation page loads the panel into its `<section id="orders">` (see docs/commerce.md);
the test loads it the same way, with htmx, so it runs with the page's own htmx configuration.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storedesk.commerce.models import Order, Remedy
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop, session_cookie
from tests.commerce.factories import FulfillmentFactory, OrderLineFactory, order_for
from tests.factories import ConversationFactory, MessageFactory

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_panel(page, url: str, conversation_pk: int) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="orders"]')
    page.evaluate(
        "([url]) => htmx.ajax('GET', url, {target: '#orders', swap: 'outerHTML'})",
        [f"/c/{conversation_pk}/orders/"],
    )
    page.wait_for_selector('[data-testid="order"]', timeout=TIMEOUT_MS)


def test_it_refunds_within_the_limit_and_a_lead_approves_more(
    asgi_live_server, chromium_executable, acme, ana, leo, carla
):
    from playwright.sync_api import expect, sync_playwright

    server = asgi_live_server
    conversation = ConversationFactory(store=acme, customer=carla, subject="My parcel is late")
    MessageFactory(conversation=conversation, body_text="It was promised for Monday.")
    order = order_for(carla, lines=0, name="#2041", total=14500, paid=14500, subtotal=13000, shipping=500, tax=1000)
    OrderLineFactory(order=order, title="Trail runner", variant_title="Moss / 42", quantity=2, unit_price=6500)
    FulfillmentFactory(order=order, carrier="UPS", tracking_number="1Z2041")
    url = f"{server.url}/c/{conversation.pk}/"
    cookies = {"ana": session_cookie(ana, server), "leo": session_cookie(leo, server)}
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        agent = browser.new_context(viewport={"width": 1400, "height": 1000})
        agent.add_cookies([cookies["ana"]])
        page = agent.new_page()
        open_panel(page, url, conversation.pk)
        panel = page.locator("#orders")
        expect(panel).to_contain_text("#2041")
        expect(panel).to_contain_text("2 × Trail runner")
        expect(panel.get_by_test_id("tracking-link")).to_have_text("1Z2041")

        # Two clicks: open "Make it right…", refund (after typing the amount and a reason).
        panel.locator("summary", has_text="Make it right").click()
        panel.get_by_test_id("remedy-amount").fill("12.50")
        panel.get_by_test_id("remedy-reason").fill("late delivery")
        panel.get_by_test_id("refund").click()
        expect(page.get_by_test_id("orders-flash")).to_contain_text(
            "Issued: refund of $12.50 on #2041.", timeout=TIMEOUT_MS
        )
        expect(page.get_by_test_id("suggested-reply")).to_contain_text("I've refunded $12.50 for order #2041")
        page.screenshot(path=str(ARTIFACTS / "orders-panel-refund.png"), full_page=True)

        page.locator("#orders summary", has_text="Make it right").click()
        page.get_by_test_id("remedy-amount").fill("80")
        page.get_by_test_id("remedy-reason").fill("never arrived")
        page.get_by_test_id("refund").click()
        expect(page.get_by_test_id("orders-flash")).to_contain_text("Sent to a lead for approval", timeout=TIMEOUT_MS)

        lead = browser.new_context(viewport={"width": 1400, "height": 1000})
        lead.add_cookies([cookies["leo"]])
        lead_page = lead.new_page()
        open_panel(lead_page, url, conversation.pk)
        lead_page.get_by_test_id("approve").click()
        expect(lead_page.get_by_test_id("orders-flash")).to_contain_text(
            "Approved: refund of $80.00 on #2041.", timeout=TIMEOUT_MS
        )
        lead_page.screenshot(path=str(ARTIFACTS / "orders-panel-approved.png"), full_page=True)
        browser.close()

    states = off_loop(lambda: sorted(Remedy.objects.values_list("amount", "state")))
    assert states == [(1250, "succeeded"), (8000, "succeeded")]
    assert off_loop(lambda: Order.objects.get(pk=order.pk).refunded) == 9250
