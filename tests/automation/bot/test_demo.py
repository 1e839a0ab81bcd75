"""The demo store's bot: on, with its five articles, however often the demo loads."""

from __future__ import annotations

import pytest

from storedesk.automation.bot.actions import bot_enabled
from storedesk.automation.bot.demo import load_demo_bot
from storedesk.knowledge.models import Article

pytestmark = pytest.mark.django_db


def test_it_turns_the_bot_on_with_its_articles_once(acme):
    load_demo_bot(acme)
    load_demo_bot(acme)

    assert bot_enabled(acme)
    assert list(Article.objects.filter(store=acme, published=True).order_by("id").values_list("slug", flat=True)) == [
        "returns",
        "shipping",
        "payment",
        "sizing",
        "gift-cards",
    ]
