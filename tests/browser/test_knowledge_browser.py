"""The articles page in a browser: a lead reaches it from the top bar, unpublishes an article in
place (HTMX swaps the row) and edits another through the form."""

from __future__ import annotations

from pathlib import Path

import pytest

from storedesk.knowledge.demo import load_demo_articles
from storedesk.knowledge.models import Article
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_conversation_browser import off_loop, session_cookie

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def article_state(slug: str) -> tuple[str, bool]:
    article = Article.objects.get(slug=slug)
    return article.title, article.published


def test_a_lead_unpublishes_and_edits_articles(asgi_live_server, chromium_executable, acme, leo):
    from playwright.sync_api import expect, sync_playwright

    load_demo_articles(acme)
    server = asgi_live_server
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            context.add_cookies([off_loop(session_cookie, leo, server)])
            page = context.new_page()
            page.on("pageerror", lambda error: failed.append(f"js error {error}"))
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
            page.goto(f"{server.url}/inbox/")
            page.get_by_test_id("topbar-articles").click()
            rows = page.get_by_test_id("article-row")
            expect(rows).to_have_count(5, timeout=TIMEOUT_MS)

            gift = rows.filter(has_text="Gift cards")
            gift.get_by_test_id("article-toggle").click()
            expect(gift.get_by_test_id("article-state")).to_have_text("Unpublished", timeout=TIMEOUT_MS)
            expect(gift.get_by_test_id("article-toggle")).to_have_text("Publish")
            assert page.url.endswith("/knowledge/articles/")  # swapped in place, no navigation
            assert off_loop(article_state, "gift-cards") == ("Gift cards", False)

            rows.filter(has_text="Sizing").get_by_test_id("article-edit").click()
            page.get_by_label("Title").fill("Sizing and fit")
            page.get_by_role("button", name="Save article").click()
            expect(page.get_by_test_id("flash")).to_have_text("Article “Sizing and fit” saved.", timeout=TIMEOUT_MS)
            page.screenshot(path=str(ARTIFACTS / "knowledge-articles.png"))
            assert off_loop(article_state, "sizing") == ("Sizing and fit", True)
            assert failed == []
        finally:
            browser.close()
