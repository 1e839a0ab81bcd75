#!/usr/bin/env python
"""W4-with-orders: the conversation page of a customer with 500 orders (issue 5's figure).

    python bench/w4_orders.py [--orders 500] [--requests 200] [--warmup 5]
                              [--database-url URL] [--var-dir DIR] [--json]

Builds its own small dataset (a store `w4-orders`, its admin, one customer with N orders —
two lines, a shipment, every 10th a refund, every 25th a remedy, every 50th a return — and a
30-message conversation) in its own database: a SQLite file `w4orders.sqlite3` under the var
dir (default bench/data), or --database-url. Idempotent: an existing dataset of that size is
reused. Then times, as bench/run.py does (django.test.Client in-process, DEBUG off, logged in
as the store's admin):

  page   GET /c/<id>/          the conversation page (the orders section is a placeholder)
  panel  GET /c/<id>/orders/   the orders panel it loads beside the timeline (hx-get on load)

and prints p50/p95 and the SQL statements of one request of each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import benchenv  # noqa: E402

STORE_SLUG = "w4-orders"
ADMIN_EMAIL = "w4-admin@bench.test"
MESSAGES = 30


def build(orders: int) -> int:
    """The dataset; returns the conversation id."""
    from django.db import transaction
    from django.utils import timezone

    from storedesk.commerce.models import Fulfillment, Order, OrderLine, Refund, Remedy, ReturnLine, ReturnRequest
    from storedesk.conversations.actions import do_create_conversation, do_create_customer, do_reply
    from storedesk.conversations.models import Conversation
    from storedesk.core import actions as core
    from storedesk.core.models import Role, Store

    store = Store.objects.filter(slug=STORE_SLUG).first()
    if store is not None:
        conversation = Conversation.objects.filter(store=store).first()
        if conversation is not None and Order.objects.filter(customer=conversation.customer).count() == orders:
            return conversation.pk
        raise SystemExit(f"store {STORE_SLUG} exists with another size: use a fresh --var-dir or database")
    store = core.do_create_store(slug=STORE_SLUG, name="W4 Orders", settings={"currency": "USD"})
    admin = core.do_add_agent(None, store, email=ADMIN_EMAIL, role=Role.ADMIN, display_name="W4 Admin")
    customer = do_create_customer(store, name="Olive Orders", identities=[("email", "olive@bench.test")])
    conversation = do_create_conversation(
        store=store, customer=customer, channel="email", subject="Where is my order?", body_text="Hello, where is it?"
    )
    for i in range(MESSAGES - 1):
        do_reply(admin, conversation, body_text=f"Reply {i}: we are looking into it.")
    now = timezone.now()
    with transaction.atomic():
        rows = Order.objects.bulk_create(
            [
                Order(
                    store=store,
                    customer=customer,
                    provider="import",
                    external_id=f"w4-{n}",
                    name=f"#{10000 + n}",
                    number=str(10000 + n),
                    email="olive@bench.test",
                    currency="USD",
                    subtotal=9000,
                    tax=500,
                    shipping=500,
                    total=10000,
                    paid=10000,
                    refunded=1000 if n % 10 == 0 else 0,
                    financial_status="partially_refunded" if n % 10 == 0 else "paid",
                    fulfillment_status="fulfilled",
                    placed_at=now - timedelta(days=n, hours=3),
                    promised_by=now - timedelta(days=n) + timedelta(days=5),
                    shipping_address={"address1": "1 Mill Lane", "city": "Leeds", "zip": "LS1", "country_code": "GB"},
                )
                for n in range(orders)
            ]
        )
        lines = OrderLine.objects.bulk_create(
            [
                OrderLine(
                    store=store,
                    order=order,
                    external_id=f"{order.external_id}-{k}",
                    position=k,
                    sku=f"SKU-{k}",
                    title=f"Product {k}",
                    quantity=1,
                    unit_price=4500,
                    total=4500,
                )
                for order in rows
                for k in range(2)
            ]
        )
        Fulfillment.objects.bulk_create(
            [
                Fulfillment(
                    store=store,
                    order=order,
                    external_id=f"{order.external_id}-f",
                    status="delivered",
                    carrier="UPS",
                    tracking_number=f"1Z{order.pk:012d}",
                    tracking_url=f"https://ups.test/{order.pk}",
                    shipped_at=order.placed_at + timedelta(days=1),
                    delivered_at=order.placed_at + timedelta(days=3),
                )
                for order in rows
            ]
        )
        Refund.objects.bulk_create(
            [
                Refund(store=store, order=order, external_id=f"{order.external_id}-r", amount=1000, currency="USD")
                for n, order in enumerate(rows)
                if n % 10 == 0
            ]
        )
        Remedy.objects.bulk_create(
            [
                Remedy(
                    store=store,
                    order=order,
                    conversation=conversation,
                    kind="goodwill",
                    amount=500,
                    currency="USD",
                    idempotency_key=f"w4-{order.pk}",
                    fingerprint="w4",
                    state="succeeded",
                    requested_by=admin,
                    authorized_by=admin,
                )
                for n, order in enumerate(rows)
                if n % 25 == 0
            ]
        )
        returned = ReturnRequest.objects.bulk_create(
            [
                ReturnRequest(
                    store=store,
                    order=order,
                    customer=customer,
                    conversation=conversation,
                    rma=f"R-{order.number}-1",
                    state="label_sent",
                    source="portal",
                    reason="damaged",
                    tracking_number=f"R-{order.number}-1",
                )
                for n, order in enumerate(rows)
                if n % 50 == 0
            ]
        )
        first_line = {line.order_id: line for line in lines if line.position == 0}
        ReturnLine.objects.bulk_create(
            [
                ReturnLine(
                    store=store, return_request=ret, order_line=first_line[ret.order_id], quantity=1, reason="damaged"
                )
                for ret in returned
            ]
        )
    return conversation.pk


def run(args: argparse.Namespace) -> dict[str, Any]:
    database_url = (
        args.database_url or f"sqlite:///{Path(args.var_dir or benchenv.DEFAULT_VAR_DIR).resolve()}/w4orders.sqlite3"
    )
    t = benchenv.target(0, database_url, args.var_dir)
    benchenv.setup_django(t)

    import logging

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench import workloads
    from storedesk.core.models import User

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    conversation_id = build(args.orders)
    build_s = round(time.perf_counter() - t0, 2)
    client = Client()
    client.force_login(User.objects.get(email=ADMIN_EMAIL))
    ctx = workloads.Context(
        client=client, manifest={}, requests=args.requests, warmup=args.warmup, dashboard_requests=0
    )
    page = ctx.measure([reverse("conversation", args=[conversation_id])] * args.requests)
    panel = ctx.measure([reverse("conversation_orders", args=[conversation_id])] * args.requests)
    from django.db import connection

    return {
        "meta": {"engine": connection.vendor, "orders": args.orders, "messages": MESSAGES, "setup_s": build_s},
        "page": page,
        "panel": panel,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--var-dir")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = run(args)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    meta = out["meta"]
    print(f"W4-with-orders on {meta['engine']}: 1 customer, {meta['orders']} orders, {meta['messages']} messages")
    print(f"{'request':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'sql ms':>8}")
    for name in ("page", "panel"):
        r = out[name]
        print(f"{r['url']:<28} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['queries']:>8} {r['sql_ms']:>8}")


if __name__ == "__main__":
    main()
