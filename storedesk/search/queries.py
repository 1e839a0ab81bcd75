"""Search reads: the best-ranked conversations in the caller's stores, with highlighted text.

One ranking query that reads only the full-text index (LIMIT/OFFSET and the caller's store ids
inside it), one highlighting query for the page's rows, one query for the conversations
themselves, and one tiny query to learn whether the caller sees every store (then no store
filter is needed): four queries whatever the number of matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.utils.safestring import SafeString

from storedesk.conversations.models import Conversation
from storedesk.core.access import store_ids_for
from storedesk.core.models import Store, User
from storedesk.search.backends import get_backend
from storedesk.search.highlight import has_mark, marked_html
from storedesk.search.query import parse

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Search pages through the best matches only: past this many, refine the query.
MAX_RESULTS = 1000


@dataclass(frozen=True)
class SearchHit:
    conversation: Conversation
    score: float  # higher is better; comparable only within one result list
    subject_html: SafeString  # the subject, matches in <mark>
    snippet_html: SafeString  # the best matching fragment of the messages (or of the customer line)


@dataclass(frozen=True)
class SearchResults:
    text: str
    hits: list[SearchHit] = field(default_factory=list)
    offset: int = 0
    has_more: bool = False

    @property
    def next_offset(self) -> int | None:
        return self.offset + len(self.hits) if self.has_more else None


def _snippet(body: str, people: str) -> SafeString:
    if has_mark(body) or not has_mark(people):
        return marked_html(body)
    return marked_html(people, newline=" · ")


def search_conversations(
    user: User,
    text: str,
    *,
    store_ids: Sequence[int] | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    prefix_last: bool = False,
) -> SearchResults:
    """Conversations of the user's stores (narrowed to `store_ids` if given) matching `text`,
    best first, excluding conversations merged into another."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    terms = parse(text, prefix_last=prefix_last)
    if not terms:
        return SearchResults(text=text, offset=offset)
    stores = store_ids_for(user)
    if store_ids is not None:
        stores = [pk for pk in stores if pk in set(store_ids)]
    limit = min(limit, MAX_RESULTS - offset)
    if not stores or limit <= 0:
        return SearchResults(text=text, offset=offset)
    # A member of every store (a one-store install) needs no store filter in the index query.
    everywhere = store_ids is None and not Store.objects.exclude(pk__in=stores).exists()
    backend = get_backend()
    with connection.cursor() as cursor:
        ranked = backend.rank(cursor, terms, None if everywhere else stores, limit + 1, offset)
        has_more = len(ranked) > limit and offset + limit < MAX_RESULTS
        ranked = ranked[:limit]
        ids = [pk for pk, _ in ranked]
        marks = backend.highlights(cursor, terms, ids) if ids else {}
    # Re-checked here too: a hit outside the caller's stores or merged away is never shown.
    rows = (
        Conversation.objects.filter(store_id__in=stores, merged_into__isnull=True)
        .select_related("customer", "assignee", "store")
        .in_bulk(ids)
    )
    hits = []
    for pk, score in ranked:
        conversation, mark = rows.get(pk), marks.get(pk)
        if conversation is None or mark is None:  # changed since it was ranked
            continue
        hits.append(
            SearchHit(
                conversation=conversation,
                score=score,
                subject_html=marked_html(mark.subject),
                snippet_html=_snippet(mark.body, mark.people),
            )
        )
    return SearchResults(text=text, hits=hits, offset=offset, has_more=has_more)
