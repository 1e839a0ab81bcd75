"""The public returns page on a phone-sized screen in real Chromium: find the order, pick an
item and a reason, get the status page with the label. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from storedesk.commerce.models import ReturnRequest
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop
from tests.commerce.factories import FulfillmentFactory, OrderLineFactory, order_for

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_a_return_on_a_phone(asgi_live_server, chromium_executable, acme, carla):
    from playwright.sync_api import expect, sync_playwright

    order = order_for(carla, lines=0, name="#2041", number="2041", email="carla@mail.test")
    line = OrderLineFactory(order=order, title="Trail runner", quantity=2, unit_price=4500)
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=2))
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        page.goto(f"{asgi_live_server.url}/returns/{acme.slug}/")
        page.fill('input[name="number"]', "#2041")
        page.fill('input[name="email"]', "Carla@mail.test")
        page.click("text=Find my order")
        page.wait_for_selector('[data-testid="returns-line"]', timeout=TIMEOUT_MS)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        page.select_option(f'select[name="qty-{line.pk}"]', "1")
        page.select_option(f'select[name="reason-{line.pk}"]', "does_not_fit")
        page.screenshot(path=str(ARTIFACTS / "returns-phone-items.png"), full_page=True)
        page.click("text=Request the return")
        expect(page.locator('[data-testid="returns-status"]')).to_have_text("Label sent", timeout=TIMEOUT_MS)
        expect(page.locator('[data-testid="returns-label"]')).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "returns-phone-status.png"), full_page=True)
        browser.close()

    ret = off_loop(lambda: ReturnRequest.objects.get())
    assert (ret.rma, ret.source, ret.state) == ("R-2041-1", "portal", "label_sent")


def test_it_takes_a_damage_photo_and_says_what_is_final_sale_on_a_phone(
    asgi_live_server, chromium_executable, acme, carla, tmp_path, settings
):
    from playwright.sync_api import expect, sync_playwright

    from storedesk.commerce.models import ReturnPhoto

    settings.MEDIA_ROOT = str(tmp_path)
    acme.settings["return_rules"] = [{"sku": "SALE-*", "final_sale": True}]
    acme.save(update_fields=["settings"])
    order = order_for(carla, lines=0, name="#2042", number="2042", email="carla@mail.test")
    line = OrderLineFactory(order=order, title="Trail runner", sku="TR-42", unit_price=4500)
    OrderLineFactory(order=order, title="Sale socks", sku="SALE-SOCK-1", unit_price=900)
    FulfillmentFactory(order=order, status="delivered", delivered_at=timezone.now() - timedelta(days=2))
    photo = tmp_path / "crack.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 256)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        page.goto(f"{asgi_live_server.url}/returns/{acme.slug}/")
        page.fill('input[name="number"]', "2042")
        page.fill('input[name="email"]', "carla@mail.test")
        page.click("text=Find my order")
        expect(page.locator('[data-testid="returns-final-sale"]')).to_have_text(
            "Final sale, not returnable: Sale socks.", timeout=TIMEOUT_MS
        )
        assert page.locator('[data-testid="returns-line"]').count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.select_option(f'select[name="qty-{line.pk}"]', "1")
        page.select_option(f'select[name="reason-{line.pk}"]', "damaged")
        page.set_input_files('[data-testid="returns-photos"]', str(photo))
        page.screenshot(path=str(ARTIFACTS / "returns-phone-photo.png"), full_page=True)
        page.click("text=Request the return")
        expect(page.locator('[data-testid="returns-status"]')).to_have_text("Label sent", timeout=TIMEOUT_MS)
        browser.close()

    stored = off_loop(lambda: list(ReturnPhoto.objects.values_list("return_request__rma", "content_type")))
    assert stored == [("R-2042-1", "image/jpeg")]
