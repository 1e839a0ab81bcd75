"""The demo store's bot (called by `storedesk demo`, storedesk/demo/loader.py): on, with a
handful of help articles to answer from."""

from __future__ import annotations

from storedesk.automation.bot.actions import do_set_bot
from storedesk.core.models import Store
from storedesk.knowledge.demo import load_demo_articles


def load_demo_bot(store: Store) -> int:
    """Turn the bot on for `store` and seed its articles. Returns the number of articles."""
    do_set_bot(None, store, enabled=True)
    return load_demo_articles(store)
