"""`storedesk reindex`: rebuild the full-text search index from the conversation tables.

storedesk reindex                      every store (then merges SQLite's index segments)
storedesk reindex --store acme --store 7   only these stores (slugs or ids)
storedesk reindex --batch-size 2000    conversations per transaction (default 5000)

Safe to run at any time: unchanged documents are left alone, each batch is its own short
transaction, and the actions keep the index current while it runs.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from storedesk.core.models import Store
from storedesk.search.index import rebuild_index


def _store_ids(refs: list[str]) -> list[int]:
    ids = []
    for ref in refs:
        lookup = Q(slug=ref) | (Q(pk=int(ref)) if ref.isdigit() and len(ref) < 19 else Q())
        store = Store.objects.filter(lookup).first()
        if store is None:
            raise CommandError(f"No store {ref!r}.")
        ids.append(store.pk)
    return ids


class Command(BaseCommand):
    help = "Rebuild the full-text search index (all stores, or those given with --store)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", action="append", default=[], help="a store slug or id (repeatable)")
        parser.add_argument("--batch-size", type=int, default=5000, help="conversations per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        store_ids = _store_ids(options["store"]) if options["store"] else None
        started = time.perf_counter()
        written = rebuild_index(batch_size=options["batch_size"], store_ids=store_ids)
        elapsed = time.perf_counter() - started
        scope = "all stores" if store_ids is None else f"{len(store_ids)} store(s)"
        self.stdout.write(f"Search index rebuilt for {scope}: {written} document(s) written in {elapsed:.1f}s.")
