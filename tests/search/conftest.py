"""Search test helpers: conversations made through the actions (so the index is kept up to date
as in production) and a short way to ask what a query finds."""

from __future__ import annotations

import pytest
from django.db import connection

from storedesk.conversations import actions
from storedesk.search.queries import search_conversations
from tests.api.conftest import api_as  # noqa: F401 - the API client fixture, for test_search_api.py


@pytest.fixture
def converse():
    """converse(store, customer, text, subject=...) → a conversation opened by the customer."""

    def make(store, customer, text, *, subject="", channel="email"):
        return actions.do_create_conversation(
            store=store, customer=customer, channel=channel, body_text=text, subject=subject
        )

    return make


def found(user, text, **kwargs) -> list[int]:
    """Ids of the conversations `text` finds for `user`, best first."""
    return [hit.conversation.pk for hit in search_conversations(user, text, **kwargs).hits]


def fts_integrity_check() -> None:
    """On SQLite, FTS5 compares its index with the content table; raises if they disagree."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_document_fts(search_document_fts, rank) VALUES ('integrity-check', 1)")
