"""SQLite: an FTS5 index over `search_document` (external content, kept in step by triggers).

Tokenizer `porter unicode61 remove_diacritics 2`: words are lower-cased, accents folded
(café = cafe, Müller = Muller) and stemmed (refunds = refunded = refund). The virtual table
and its triggers are created by migration search/0001. Ranking is bm25 with column weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storedesk.search.backends.base import MARK_END, MARK_START, Highlights, SearchBackend, placeholders
from storedesk.search.query import Phrase, Prefix, Term

FTS_TABLE = "search_document_fts"
# bm25 weights in column order (subject, people, extra, body, store_id).
WEIGHTS = "10.0, 5.0, 2.0, 1.0, 0.0"
TEXT_COLUMNS = "{subject people extra body}"
SNIPPET_TOKENS = 24
# bm25 is computed for every matching document before ORDER BY score can LIMIT, so a word in
# 15% of a million conversations cost 130 ms. Ranking is therefore done among the newest
# RANK_WINDOW matches (FTS5 walks rowids = conversation ids backwards and stops there): for
# a rare word that is every match; for a very common one, the best of the recent 20,000 —
# in a help desk, recent conversations are the ones searched for. See ADR 0013.
RANK_WINDOW = 20_000

_IDENTITY_ORDER = "ORDER BY i.kind, i.value"

DOCUMENTS = f"""
SELECT c.id,
  c.store_id,
  c.subject,
  cu.name || coalesce((SELECT char(10) || group_concat(v, char(10)) FROM (
      SELECT i.value AS v FROM conversations_identity i WHERE i.customer_id = c.customer_id {_IDENTITY_ORDER})), ''),
  coalesce((SELECT group_concat(v, ' ') FROM (
      SELECT CASE WHEN i.kind = 'email'
               THEN replace(i.value, '@', ' ') || ' ' || replace(replace(i.value, '@', ' '), '.', ' ')
             ELSE replace(i.value, '+', '') || ' ' || substr(replace(i.value, '+', ''), -10) END AS v
      FROM conversations_identity i
      WHERE i.customer_id = c.customer_id AND i.kind IN ('email', 'phone', 'whatsapp') {_IDENTITY_ORDER})), ''),
  coalesce((SELECT group_concat(t, char(10)) FROM (
      SELECT m.body_text AS t FROM conversations_message m
      WHERE m.conversation_id = c.id AND m.body_text <> '' ORDER BY m.created_at, m.id)), '')
FROM conversations_conversation c JOIN conversations_customer cu ON cu.id = c.customer_id
WHERE c.merged_into_id IS NULL AND ({{where}})
"""  # noqa: S608 - our own constants only; values are %s parameters

UPSERT = f"""
INSERT INTO search_document (conversation_id, store_id, subject, people, extra, body)
{DOCUMENTS}
ON CONFLICT (conversation_id) DO UPDATE SET
  subject = excluded.subject, people = excluded.people, extra = excluded.extra, body = excluded.body
WHERE search_document.subject <> excluded.subject OR search_document.people <> excluded.people
   OR search_document.extra <> excluded.extra OR search_document.body <> excluded.body
"""


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _expression(term: Term) -> str:
    if isinstance(term, Phrase):
        return _quote(term.text)
    if isinstance(term, Prefix):
        return _quote(term.stem) + "*"
    return "(" + " OR ".join(_quote(option.text) for option in term.options) + ")"


def match_expression(terms: Sequence[Term], store_ids: Sequence[int] | None = None) -> str:
    """An FTS5 MATCH string in which every piece of user text is a quoted string, limited to the
    text columns (a number typed in the box never matches a store id) and to the stores given."""
    match = f"{TEXT_COLUMNS} : (" + " AND ".join(_expression(term) for term in terms) + ")"
    if store_ids is not None:
        match += " AND store_id : (" + " OR ".join(f'"{int(pk)}"' for pk in store_ids) + ")"
    return match


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def upsert_sql(self, where: str) -> str:
        return UPSERT.replace("{where}", where)

    def rank(
        self, cursor: Any, terms: Sequence[Term], store_ids: Sequence[int] | None, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        # The index alone answers: store scoping is a column filter inside MATCH, and documents
        # exist only for conversations not merged away. No per-row lookup of conversations.
        cursor.execute(
            f"""
            SELECT pk, score FROM (
                SELECT rowid AS pk, -bm25({FTS_TABLE}, {WEIGHTS}) AS score
                FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s
                ORDER BY rowid DESC
                LIMIT {RANK_WINDOW}
            )
            ORDER BY score DESC, pk DESC
            LIMIT %s OFFSET %s
            """,  # noqa: S608 - only our own constants are formatted in
            [match_expression(terms, store_ids), limit, offset],
        )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]

    def highlights(self, cursor: Any, terms: Sequence[Term], conversation_ids: Sequence[int]) -> dict[int, Highlights]:
        marks = [MARK_START, MARK_END]
        cursor.execute(
            f"""
            SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), highlight({FTS_TABLE}, 1, %s, %s),
                   snippet({FTS_TABLE}, 3, %s, %s, '…', {SNIPPET_TOKENS})
            FROM {FTS_TABLE}
            WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders(conversation_ids)})
            """,  # noqa: S608 - only our own constants and placeholders are formatted in
            [*marks, *marks, *marks, match_expression(terms), *conversation_ids],
        )
        return {
            int(pk): Highlights(subject=subject or "", people=people or "", body=body or "")
            for pk, subject, people, body in cursor.fetchall()
        }

    def after_rebuild(self, cursor: Any) -> None:
        # Merge the index's segments into one b-tree: fewer pages per query after a bulk load.
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608 - a constant
