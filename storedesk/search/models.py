"""The search index's source rows: one document per conversation, built from its subject, its
customer and its messages. Written only by `storedesk.search.index` (called by the actions).

The full-text index itself is not a Django field (migration 0001 creates it per database):

- SQLite: FTS5 table `search_document_fts` with `content='search_document'`, kept in step by
  three triggers on this table. Django rebuilds a SQLite table for most schema changes, which
  drops its triggers: a migration that alters this model must recreate them (copy 0001's) and
  run `INSERT INTO search_document_fts(search_document_fts) VALUES ('rebuild')`.
- PostgreSQL: generated column `document tsvector` with the GIN index `search_document_gin`.
"""

from __future__ import annotations

from django.db import models

from storedesk.conversations.models import Conversation


class SearchDocument(models.Model):
    # CASCADE: a deleted conversation takes its document with it. Merged-away conversations
    # have none (their messages moved to the survivor's document).
    conversation = models.OneToOneField(Conversation, primary_key=True, on_delete=models.CASCADE, related_name="+")
    # The conversation's store (it never changes): search filters on it inside the full-text
    # index itself (SQLite: column filter `store_id : "7"`), with no join to conversations.
    store_id = models.BigIntegerField()
    subject = models.TextField(blank=True)
    # The customer's name and identity values, one per line (shown, highlighted, in results).
    people = models.TextField(blank=True)
    # Derived lookup terms, never shown: phone digits and their last ten, email parts.
    extra = models.TextField(blank=True)
    # Every message's text (notes included: search is for agents), oldest first, one per line.
    body = models.TextField(blank=True)

    class Meta:
        db_table = "search_document"

    def __str__(self) -> str:
        return f"search document of conversation {self.conversation_id}"
