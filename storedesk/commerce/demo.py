"""Demo orders: `storedesk demo` connects each demo store to the built-in demo provider and
pulls its orders, through the same sync and upsert code as a real platform. Idempotent: the
demo provider generates the same orders every time, and upserts change nothing on a re-run."""

from __future__ import annotations

from storedesk.commerce.actions import connection_for, do_connect_store, do_sync_connection
from storedesk.commerce.outreach import sweep_late_orders
from storedesk.core.models import Store

# The demo stores' currencies, by their time zone: Northwind (London) sells in pounds.
CURRENCY_BY_TIMEZONE = {"Europe/London": "GBP"}
DEMO_OUTREACH = 5  # late orders drafted at load time; the hourly job finds the rest


def load_demo_orders(store: Store) -> int:
    """Connect `store` to the demo provider (once) and sync every page, then run the late-order
    job once so the Late orders page has drafts to review. Returns orders upserted."""
    connection = connection_for(store, "demo")
    if connection is None:
        currency = CURRENCY_BY_TIMEZONE.get(store.timezone, "USD")
        connection = do_connect_store(None, store, "demo", config={"currency": currency})
    upserted = do_sync_connection(connection.pk, max_pages=10_000)
    sweep_late_orders(limit=DEMO_OUTREACH, store=store)
    return upserted
