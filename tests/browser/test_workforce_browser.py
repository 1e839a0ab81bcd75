"""A real Chromium: a lead adds, edits and deletes a shift on the schedule without a page load
(HTMX), switches their status in the top bar, and sees next week's coverage chart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from storedesk.automation.models import AgentProfile, Shift
from storedesk.automation.workforce.queries import current_monday
from storedesk.core.models import AuditEvent
from tests.browser.conftest import CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_edits_the_schedule_and_sees_coverage(live_server, chromium_executable, acme, leo, ana):
    from playwright.sync_api import expect, sync_playwright

    acme.timezone = "Europe/London"
    acme.save()
    monday = (current_monday(acme) + timedelta(weeks=1)).isoformat()
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            # Top-bar fragments still loading when a link is followed are aborted: not a failure.
            page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "") and failed.append(r.url))
            page.on(
                "response",
                lambda r: r.status >= 400 and "favicon" not in r.url and failed.append(f"{r.status} {r.url}"),
            )
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "leo@acme.test")
            page.fill("input[name=password]", "pw")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")

            page.goto(f"{live_server.url}/workforce/shifts/?store=acme&week={monday}")
            form = page.get_by_test_id("shift-form")
            form.locator("select[name=user]").select_option(label="Ana Agent")
            form.locator("input[name=day]").fill(monday)
            form.locator("input[name=start]").fill("09:00")
            form.locator("input[name=end]").fill("17:00")
            form.get_by_role("button", name="Add").click()
            rows = page.get_by_test_id("shift-row")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("Ana Agent")
            expect(page.get_by_test_id("flash")).to_contain_text("Shift added for Ana Agent.")

            rows.first.get_by_role("button", name="Edit").click()
            form = page.get_by_test_id("shift-form")
            expect(form).to_contain_text("Edit shift")
            form.locator("input[name=start]").fill("10:00")
            form.get_by_role("button", name="Save").click()
            expect(page.get_by_test_id("shift-row").first).to_contain_text("10:00")
            expect(page.get_by_test_id("shift-row").first).to_contain_text("17:00")

            page.locator("[data-testid=agent-status] select").select_option("online")
            expect(page.locator("[data-testid=agent-status] select")).to_have_value("online")

            page.get_by_test_id("shift-row").first.get_by_role("button", name="Delete").click()
            expect(page.get_by_test_id("shift-row")).to_have_count(0)

            page.get_by_test_id("nav-coverage").click()
            expect(page.get_by_test_id("coverage-chart")).to_be_visible()
            expect(page.get_by_test_id("week-label")).to_contain_text("Week of")
            page.screenshot(path=str(ARTIFACTS / "workforce-coverage.png"), full_page=True)
        finally:
            browser.close()
    assert failed == []
    assert not Shift.objects.exists()
    assert AuditEvent.objects.filter(store_id=acme.pk, verb__startswith="shift.").count() == 3
    assert AgentProfile.objects.get(store=acme, user=leo).status == "online"
