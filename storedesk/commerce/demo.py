"""Demo orders: `storedesk demo` connects each demo store to the built-in demo provider and
pulls its orders, through the same sync and upsert code as a real platform. Idempotent: the
demo provider generates the same orders every time, and upserts change nothing on a re-run."""

from __future__ import annotations

from storedesk.commerce.actions import connection_for, do_connect_store, do_sync_connection
from storedesk.core.models import Store

# The demo stores' currencies, by their time zone: Northwind (London) sells in pounds.
CURRENCY_BY_TIMEZONE = {"Europe/London": "GBP"}


def load_demo_orders(store: Store) -> int:
    """Connect `store` to the demo provider (once) and sync every page. Returns orders upserted."""
    connection = connection_for(store, "demo")
    if connection is None:
        currency = CURRENCY_BY_TIMEZONE.get(store.timezone, "USD")
        connection = do_connect_store(None, store, "demo", config={"currency": currency})
    return do_sync_connection(connection.pk, max_pages=10_000)
