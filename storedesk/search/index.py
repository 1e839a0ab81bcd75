"""Keeping the search index up to date. The actions call these inside their own transaction,
so a document never disagrees with the rows it was built from; the bench loader and
`storedesk reindex` call `rebuild_index`.

Each conversation (not merged away) has one `search_document` row. Documents are built by one
set-based INSERT … SELECT per backend (`upsert_sql`), whether for one conversation, one
customer's conversations or a batch of thousands; only a new message takes a shortcut and
appends its text to the document's body.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Max, QuerySet

from storedesk.conversations.models import Conversation, Customer, Message
from storedesk.search.backends import get_backend
from storedesk.search.backends.base import APPEND_SQL, BODY_SEPARATOR, DELETE_MERGED_SQL, placeholders
from storedesk.search.models import SearchDocument


def _upsert(where: str, params: Sequence[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(get_backend().upsert_sql(where), list(params))
        return max(cursor.rowcount, 0)


def index_conversation(conversation: Conversation) -> None:
    """(Re)build the conversation's document: subject, customer, every message."""
    if conversation.merged_into_id is not None:
        remove_conversation(conversation.pk)
        return
    _upsert("c.id = %s", [conversation.pk])


def index_message(message: Message) -> None:
    """Add a new message's text to its conversation's document (building it if it has none)."""
    if message.body_text == "":  # an attachment alone: nothing to add, but the document must exist
        _upsert("c.id = %s", [message.conversation_id])
        return
    with connection.cursor() as cursor:
        cursor.execute(APPEND_SQL, [message.body_text, BODY_SEPARATOR, message.body_text, message.conversation_id])
        appended = cursor.rowcount
    if not appended:
        _upsert("c.id = %s", [message.conversation_id])


def _lock(conversations: QuerySet[Conversation]) -> None:
    """Lock the conversations whose documents are about to be rebuilt. A new message locks its
    conversation too (the actions' `_locked`), so on PostgreSQL a rebuild can neither read a
    body from before a concurrent message nor overwrite that message's append. SQLite already
    serialises writers: nothing to do."""
    if connection.features.has_select_for_update:
        list(conversations.select_for_update().order_by("pk").values_list("pk", flat=True))


def reindex_customer(customer: Customer) -> None:
    """Rebuild the documents of the customer's conversations (name or identities changed, merge)."""
    _lock(Conversation.objects.filter(customer_id=customer.pk))
    _upsert("c.customer_id = %s", [customer.pk])


def remove_conversation(*conversation_ids: int) -> None:
    """Drop documents (a conversation merged away: its messages now live in the survivor's)."""
    SearchDocument.objects.filter(pk__in=conversation_ids).delete()


ORPHANS_SQL = (
    "DELETE FROM search_document WHERE NOT EXISTS "
    "(SELECT 1 FROM conversations_conversation c WHERE c.id = search_document.conversation_id)"
)


def _batches(store_ids: Sequence[int] | None, batch_size: int) -> Iterable[tuple[int, int]]:
    rows = Conversation.objects.all()
    if store_ids is not None:
        rows = rows.filter(store_id__in=store_ids)
    last = rows.aggregate(last=Max("id"))["last"] or 0
    for low in range(0, last, batch_size):
        yield low, min(low + batch_size, last)


def rebuild_index(batch_size: int = 5000, store_ids: Sequence[int] | None = None) -> int:
    """Build (or refresh) the documents of every conversation, or of these stores', in batches of
    conversation ids, one transaction per batch. Unchanged documents are left alone; documents of
    conversations merged away are dropped. Returns the number of documents written."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    backend = get_backend()
    store_ids = list(store_ids) if store_ids is not None else None
    where = "c.id > %s AND c.id <= %s"
    if store_ids is not None:
        if not store_ids:
            return 0
        where += f" AND c.store_id IN ({placeholders(store_ids)})"
    written = 0
    if store_ids is None:  # documents whose conversation was deleted behind the ORM's back (bulk loads)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ORPHANS_SQL)
    for low, high in _batches(store_ids, batch_size):
        params = [low, high, *(store_ids or [])]
        batch = Conversation.objects.filter(id__gt=low, id__lte=high)
        with transaction.atomic(), connection.cursor() as cursor:
            _lock(batch if store_ids is None else batch.filter(store_id__in=store_ids))
            cursor.execute(DELETE_MERGED_SQL.replace("{where}", where), params)
            cursor.execute(backend.upsert_sql(where), params)
            written += max(cursor.rowcount, 0)
    if store_ids is None:
        with connection.cursor() as cursor:
            backend.after_rebuild(cursor)
    return written
