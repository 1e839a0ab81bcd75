"""The leads' pages in real Chromium: a lead approves an agent's refund from the approvals
queue with one click; an agent sends a late-order apology from its draft. Screenshots go to
test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from storedesk.commerce import outreach
from storedesk.commerce.models import LateOrderOutreach, Remedy
from storedesk.commerce.remedies import RemedyRequest, do_request_remedy
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop, session_cookie
from tests.commerce.factories import FulfillmentFactory, order_for
from tests.factories import ConversationFactory

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_approves_from_the_queue_and_an_agent_sends_a_late_order_apology(
    asgi_live_server, chromium_executable, acme, ana, leo, carla
):
    from playwright.sync_api import expect, sync_playwright

    server = asgi_live_server
    order = order_for(carla, lines=1, name="#2041", total=14500, paid=14500)
    conversation = ConversationFactory(store=acme, customer=carla)
    do_request_remedy(
        ana,
        order,
        RemedyRequest(kind="refund", amount=8000, reason="never arrived"),
        idempotency_key="browser-approval",
        conversation=conversation,
    )
    late = order_for(carla, lines=1, name="#3001", promised_by=timezone.now() - timedelta(days=6))
    FulfillmentFactory(order=late, status="in_transit", tracking_url="https://ups.test/1Z3001")
    outreach.sweep_late_orders()
    cookies = {"leo": session_cookie(leo, server), "ana": session_cookie(ana, server)}
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        lead = browser.new_context(viewport={"width": 1300, "height": 900})
        lead.add_cookies([cookies["leo"]])
        page = lead.new_page()
        page.goto(f"{server.url}/commerce/approvals/")
        row = page.get_by_test_id("approval-row")
        expect(row).to_contain_text("$80.00")
        expect(row).to_contain_text("Above Ana Agent's limit of $50.00 per refund.")
        page.screenshot(path=str(ARTIFACTS / "commerce-approvals.png"), full_page=True)
        row.get_by_test_id("approve").click()
        expect(page.get_by_test_id("flash")).to_contain_text("Approved: refund of $80.00 on #2041.", timeout=TIMEOUT_MS)
        expect(page.get_by_test_id("approval-empty")).to_be_visible()
        page.goto(f"{server.url}/commerce/reports/")
        page.screenshot(path=str(ARTIFACTS / "commerce-reports.png"), full_page=True)
        page.goto(f"{server.url}/commerce/settings/")
        page.screenshot(path=str(ARTIFACTS / "commerce-settings.png"), full_page=True)

        agent = browser.new_context(viewport={"width": 1300, "height": 900})
        agent.add_cookies([cookies["ana"]])
        page = agent.new_page()
        page.goto(f"{server.url}/commerce/late-orders/")
        draft = page.get_by_test_id("outreach-row")
        expect(draft).to_contain_text("#3001 · 6 days late")
        page.screenshot(path=str(ARTIFACTS / "commerce-late-orders.png"), full_page=True)
        draft.get_by_test_id("send-outreach").click()
        expect(page.get_by_test_id("flash")).to_contain_text("Sent to the customer of order #3001.", timeout=TIMEOUT_MS)
        browser.close()

    remedy = off_loop(lambda: Remedy.objects.get(idempotency_key="browser-approval"))
    assert (remedy.authorized_by_id, remedy.state in ("queued", "processing", "succeeded")) == (leo.pk, True)
    sent = off_loop(lambda: LateOrderOutreach.objects.get())
    assert (sent.state, sent.decided_by_id) == ("sent", ana.pk)
