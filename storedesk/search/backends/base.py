"""The interface every search backend implements, and the SQL they share.

A backend owns three things: the SQL that (re)builds `search_document` rows from the
conversation tables (`upsert_sql`), ranking (`rank`) and highlighting (`highlights`). Index
maintenance (`storedesk.search.index`) and reads (`storedesk.search.queries`) are written
once against this interface; the backend is picked by the connection's vendor.

Highlighted text comes back with MARK_START / MARK_END around each match: control characters
that never reach a page, because `storedesk.search.highlight` escapes the text and only then
turns them into <mark> tags.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storedesk.search.query import Term

MARK_START = "\x02"
MARK_END = "\x03"

# Column weights: a word in the subject counts most, then the customer (name, addresses),
# then the derived lookup terms (phone digits, email parts), then the messages.
SUBJECT, PEOPLE, EXTRA, BODY = "subject", "people", "extra", "body"

# How one new message extends a document: the same separator the rebuild's aggregate uses.
APPEND_SQL = (
    "UPDATE search_document SET body = CASE WHEN body = '' THEN %s ELSE body || %s || %s END WHERE conversation_id = %s"
)
BODY_SEPARATOR = "\n"

# Documents of conversations merged away (their messages now belong to the survivor).
DELETE_MERGED_SQL = (
    "DELETE FROM search_document WHERE conversation_id IN "
    "(SELECT c.id FROM conversations_conversation c WHERE c.merged_into_id IS NOT NULL AND {where})"
)


@dataclass(frozen=True)
class Highlights:
    """Marked-up text of one hit: the whole subject, the whole customer line, a body fragment."""

    subject: str
    people: str
    body: str


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


class SearchBackend(ABC):
    vendor: str

    @abstractmethod
    def upsert_sql(self, where: str) -> str:
        """INSERT … SELECT of the documents of the conversations matching `where` (SQL over the
        conversation alias `c`, with %s parameters), updating rows that changed. Conversations
        merged away are never selected."""

    @abstractmethod
    def rank(
        self, cursor: Any, terms: Sequence[Term], store_ids: Sequence[int] | None, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        """(conversation id, score) of the best matches in these stores (None: in every store),
        best first, newest conversation first among equals; a higher score is better. Reads the
        index only: documents exist just for conversations that were not merged away."""

    @abstractmethod
    def highlights(self, cursor: Any, terms: Sequence[Term], conversation_ids: Sequence[int]) -> dict[int, Highlights]:
        """The marked-up subject, customer line and best body fragment of each conversation."""

    def after_rebuild(self, cursor: Any) -> None:  # noqa: B027 - optional hook
        """Housekeeping after a full rebuild (SQLite merges the FTS segments)."""
