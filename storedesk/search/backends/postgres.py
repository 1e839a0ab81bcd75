"""PostgreSQL: a generated `tsvector` column on `search_document` with a GIN index.

Text search configuration `storedesk` (migration search/0001): the default parser, accents
folded by the `unaccent` extension, English Snowball stemming without a stop-word list (so
"the" is searchable, as on SQLite). Subject, customer, lookup terms and messages carry the
weights A, B, C and D; ranking is ts_rank, highlighting ts_headline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storedesk.search.backends.base import MARK_END, MARK_START, Highlights, SearchBackend, placeholders
from storedesk.search.query import Phrase, Prefix, Term

CONFIG = "storedesk"
# ts_headline reads the whole text it is given: a body fragment is found in its first 100k characters.
HEADLINE_BODY_CHARS = 100_000
WHOLE = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
FRAGMENTS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=16, MinWords=6, ShortWord=0, "
    'FragmentDelimiter=" … "'
)

_IDENTITY_ORDER = "ORDER BY i.kind, i.value"

DOCUMENTS = f"""
SELECT c.id,
  c.store_id,
  c.subject,
  cu.name || coalesce((SELECT E'\\n' || string_agg(i.value, E'\\n' {_IDENTITY_ORDER})
      FROM conversations_identity i WHERE i.customer_id = c.customer_id), ''),
  coalesce((SELECT string_agg(
      CASE WHEN i.kind = 'email'
           THEN replace(i.value, '@', ' ') || ' ' || replace(replace(i.value, '@', ' '), '.', ' ')
      ELSE replace(i.value, '+', '') || ' ' || right(replace(i.value, '+', ''), 10) END, ' ' {_IDENTITY_ORDER})
      FROM conversations_identity i
      WHERE i.customer_id = c.customer_id AND i.kind IN ('email', 'phone', 'whatsapp')), ''),
  coalesce((SELECT string_agg(m.body_text, E'\\n' ORDER BY m.created_at, m.id) FROM conversations_message m
      WHERE m.conversation_id = c.id AND m.body_text <> ''), '')
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


def _term_sql(term: Term, params: list[Any]) -> str:
    if isinstance(term, Phrase):
        params.append(term.text)
        return f"phraseto_tsquery('{CONFIG}', %s)"
    if isinstance(term, Prefix):
        params.append(term.stem + ":*")  # the stem is letters and digits only (query.Prefix)
        return f"to_tsquery('{CONFIG}', %s)"
    return "(" + " || ".join(_term_sql(option, params) for option in term.options) + ")"


def tsquery_sql(terms: Sequence[Term]) -> tuple[str, list[Any]]:
    """A tsquery expression over the terms, each given as a parameter; never a syntax error."""
    params: list[Any] = []
    sql = "(" + " && ".join(_term_sql(term, params) for term in terms) + ")"
    return sql, params


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def upsert_sql(self, where: str) -> str:
        return UPSERT.replace("{where}", where)

    def rank(
        self, cursor: Any, terms: Sequence[Term], store_ids: Sequence[int] | None, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        query, params = tsquery_sql(terms)
        scope = f"AND d.store_id IN ({placeholders(store_ids)})" if store_ids is not None else ""
        cursor.execute(
            f"""
            SELECT d.conversation_id, ts_rank(d.document, {query}) AS score
            FROM search_document d
            WHERE d.document @@ {query} {scope}
            ORDER BY score DESC, d.conversation_id DESC
            LIMIT %s OFFSET %s
            """,  # noqa: S608 - only our own constants and placeholders are formatted in
            [*params, *params, *(store_ids or []), limit, offset],
        )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]

    def highlights(self, cursor: Any, terms: Sequence[Term], conversation_ids: Sequence[int]) -> dict[int, Highlights]:
        query, params = tsquery_sql(terms)
        cursor.execute(
            f"""
            SELECT d.conversation_id,
                   ts_headline('{CONFIG}', d.subject, q.query, %s),
                   ts_headline('{CONFIG}', d.people, q.query, %s),
                   ts_headline('{CONFIG}', left(d.body, {HEADLINE_BODY_CHARS}), q.query, %s)
            FROM search_document d CROSS JOIN (SELECT {query} AS query) q
            WHERE d.conversation_id IN ({placeholders(conversation_ids)})
            """,  # noqa: S608 - only our own constants and placeholders are formatted in
            [WHOLE, WHOLE, FRAGMENTS, *params, *conversation_ids],
        )
        return {
            int(pk): Highlights(subject=subject or "", people=people or "", body=body or "")
            for pk, subject, people, body in cursor.fetchall()
        }
