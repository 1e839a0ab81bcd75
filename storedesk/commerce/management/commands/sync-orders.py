"""`storedesk sync-orders --store SLUG`: pull orders from the store's platform now.

The same reconcile the worker runs every 15 minutes; it resumes from the saved cursor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storedesk.commerce.actions import do_sync_connection
from storedesk.commerce.models import StoreConnection
from storedesk.commerce.providers import ProviderError


class Command(BaseCommand):
    help = "Pull changed orders from the store's platform (resumes where the last sync stopped)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--store", required=True, help="store slug or id")
        parser.add_argument("--pages", type=int, default=1000, help="at most this many pages")

    def handle(self, *args: Any, **options: Any) -> None:
        ref = options["store"]
        lookup = {"store_id": int(ref)} if ref.isdigit() else {"store__slug": ref}
        connections = list(StoreConnection.objects.filter(active=True, **lookup).exclude(provider="import"))
        if not connections:
            raise CommandError(f"Store {ref!r} is not connected to a platform (see `storedesk connect-store`).")
        for connection in connections:
            try:
                count = do_sync_connection(connection.pk, max_pages=options["pages"])
            except ProviderError as exc:
                raise CommandError(f"{connection}: {exc.message}") from None
            self.stdout.write(f"{connection}: {count} orders synced.")
