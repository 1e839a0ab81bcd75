"""Writers of the orders cache, store connections and inbound platform webhooks.

Remedies (money moves) have their own module, `remedies.py`. Orders are a cache of the
platform's truth: writing them is not an agent's change, so upserts are not audited (the
platform keeps that history); connecting a store is, and so is every remedy.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from storedesk.commerce.importer import PROVIDER as IMPORT_PROVIDER
from storedesk.commerce.importer import ImportedOrder
from storedesk.commerce.lib.money import MoneyError
from storedesk.commerce.models import Fulfillment, Order, OrderLine, ProviderWebhook, Refund, StoreConnection
from storedesk.commerce.providers import ProviderError, provider_for
from storedesk.commerce.providers.base import FulfillmentData, LineData, OrderData, RefundData
from storedesk.conversations.actions import normalize_identity, resolve_customer
from storedesk.conversations.models import Customer, Identity
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError
from storedesk.core.models import Store, User

log = logging.getLogger(__name__)

WEBHOOK_MAX_ATTEMPTS = 5
SYNC_PAGES_PER_RUN = 20


def normalize_number(value: str) -> str:
    """ "#1001", " 1001 ", "NW-1001" → "1001", "1001", "nw-1001": how order numbers are matched."""
    return "".join(value.split()).lstrip("#").lower()[:64]


def normalize_email(value: str) -> str:
    return normalize_identity(Identity.Kind.EMAIL, value or "")[:320]


def normalize_phone(value: str) -> str:
    return normalize_identity(Identity.Kind.PHONE, value or "")[:32] if value else ""


def do_move_customer_orders(source: Customer, target: Customer) -> int:
    """Called by `do_merge_customers` inside its transaction: the merged-away customer's
    orders now belong to the survivor. Returns how many moved."""
    return Order.objects.filter(customer=source, store_id=target.store_id).update(customer=target)


# --- connections ---------------------------------------------------------------------------


def do_connect_store(
    actor: User | None,
    store: Store,
    provider: str,
    *,
    config: dict[str, Any] | None = None,
    access_token: str = "",
    webhook_secret: str = "",
) -> StoreConnection:
    """Connect (or reconfigure) the store's account on a platform."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    if provider not in StoreConnection.Provider.values:
        raise ActionError(f"Unknown store platform {provider!r}.", code="invalid_provider")
    with transaction.atomic():
        connection, created = StoreConnection.objects.select_for_update().get_or_create(
            store=store,
            provider=provider,
            defaults={"config": config or {}, "access_token": access_token, "webhook_secret": webhook_secret},
        )
        if not created:
            connection.config = config if config is not None else connection.config
            connection.access_token = access_token or connection.access_token
            connection.webhook_secret = webhook_secret or connection.webhook_secret
            connection.active = True
            connection.save(update_fields=["config", "access_token", "webhook_secret", "active"])
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="commerce.connected" if created else "commerce.reconfigured",
            obj=connection,
            after={"provider": provider, "config": connection.config},  # never the secrets
        )
    return connection


def connection_for(store: Store | int, provider: str) -> StoreConnection | None:
    store_id = store if isinstance(store, int) else store.pk
    return StoreConnection.objects.filter(store_id=store_id, provider=provider).first()


# --- orders ----------------------------------------------------------------------------------


def _link_customer(store: Store, data: OrderData, email: str, phone: str) -> Customer | None:
    """The customer behind the order's email (created if new), else behind its phone."""
    if email:
        customer, _ = resolve_customer(store, Identity.Kind.EMAIL, email, name=data.customer_name)
        return customer
    if phone:
        identity = Identity.objects.select_related("customer").filter(store=store, kind="phone", value=phone).first()
        if identity is not None:
            return identity.customer
        customer, _ = resolve_customer(store, Identity.Kind.PHONE, phone, name=data.customer_name)
        return customer
    return None


def _survivor(customer: Customer | None) -> Customer | None:
    """Follow merges: an order of a merged-away customer belongs to the one it was merged into."""
    seen = 0
    while customer is not None and customer.merged_into_id is not None and seen < 5:
        customer = Customer.objects.get(pk=customer.merged_into_id)
        seen += 1
    return customer


ORDER_FIELDS = [
    "customer",
    "name",
    "number",
    "email",
    "phone",
    "currency",
    "subtotal",
    "discount",
    "tax",
    "shipping",
    "total",
    "paid",
    "refunded",
    "financial_status",
    "fulfillment_status",
    "placed_at",
    "cancelled_at",
    "promised_by",
    "shipping_address",
    "discount_codes",
    "source_updated_at",
    "raw",
    "synced_at",
]


def do_upsert_order(store: Store, provider: str, data: OrderData) -> tuple[Order, bool]:
    """Insert or update one cached order with its lines, fulfilments and refunds. Idempotent:
    the same payload twice changes nothing the second time, and a payload older than the copy
    we hold (by the platform's updated_at) is ignored. Returns (order, created)."""
    email = normalize_email(data.email)
    phone = normalize_phone(data.phone)
    try:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(of=("self",))
                .select_related("customer")
                .filter(store=store, provider=provider, external_id=data.external_id)
                .first()
            )
            if (
                order is not None
                and data.updated_at is not None
                and order.source_updated_at is not None
                and data.updated_at < order.source_updated_at
            ):
                return order, False  # a stale delivery: keep the newer copy
            created = order is None
            customer = _survivor(order.customer) if order is not None and order.customer_id else None
            if customer is None:
                customer = _link_customer(store, data, email, phone)
            values = {
                "customer": customer,
                "name": data.name[:64],
                "number": normalize_number(data.name),
                "email": email,
                "phone": phone,
                "currency": data.currency.upper(),
                "subtotal": data.subtotal,
                "discount": data.discount,
                "tax": data.tax,
                "shipping": data.shipping,
                "total": data.total,
                "paid": data.paid,
                "refunded": data.refunded,
                "financial_status": data.financial_status[:32],
                "fulfillment_status": data.fulfillment_status[:32],
                "placed_at": data.placed_at,
                "cancelled_at": data.cancelled_at,
                "promised_by": data.promised_by,
                "shipping_address": data.shipping_address,
                "discount_codes": data.discount_codes,
                "source_updated_at": data.updated_at,
                "raw": data.raw,
                "synced_at": timezone.now(),
            }
            if order is None:
                order = Order.objects.create(store=store, provider=provider, external_id=data.external_id, **values)
            else:
                for key, value in values.items():
                    setattr(order, key, value)
                order.save(update_fields=ORDER_FIELDS)
            _sync_lines(order, data.lines, fresh=created)
            _sync_fulfillments(order, data.fulfillments, fresh=created)
            _add_refunds(order, data.refunds, fresh=created)
    except IntegrityError:
        # A concurrent delivery inserted the same order first: apply ours on top of it.
        if not Order.objects.filter(store=store, provider=provider, external_id=data.external_id).exists():
            raise
        return do_upsert_order(store, provider, data)[0], False
    return order, created


def _sync_children(model: Any, order: Order, existing: dict[str, Any], rows: list[tuple[str, dict[str, Any]]]) -> None:
    """Make an order's child rows (lines, fulfilments) match the platform's: create the new,
    update the changed (one bulk_update), delete those the platform no longer lists."""
    new: list[Any] = []
    changed: list[Any] = []
    for external_id, values in rows:
        row = existing.get(external_id)
        if row is None:
            new.append(model(store_id=order.store_id, order=order, external_id=external_id, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed.append(row)
    keep = {external_id for external_id, _ in rows}
    gone = [row.pk for key, row in existing.items() if key not in keep]
    if gone:
        model.objects.filter(pk__in=gone).delete()
    if changed and rows:
        model.objects.bulk_update(changed, list(rows[0][1]))
    if new:
        model.objects.bulk_create(new)


def _sync_lines(order: Order, lines: Iterable[LineData], *, fresh: bool = False) -> None:
    existing = {} if fresh else {line.external_id: line for line in order.lines.all()}
    rows: list[tuple[str, dict[str, Any]]] = []
    for position, data in enumerate(lines):
        values = {
            "position": position,
            "sku": data.sku[:128],
            "title": data.title[:500],
            "variant_title": data.variant_title[:255],
            "product_id": data.product_id[:128],
            "variant_id": data.variant_id[:128],
            "quantity": data.quantity,
            "unit_price": data.unit_price,
            "discount": data.discount,
            "tax": data.tax,
            "total": data.total,
            "refunded_quantity": data.refunded_quantity,
        }
        rows.append((data.external_id, values))
    _sync_children(OrderLine, order, existing, rows)


def _sync_fulfillments(order: Order, fulfillments: Iterable[FulfillmentData], *, fresh: bool = False) -> None:
    existing = {} if fresh else {f.external_id: f for f in order.fulfillments.all()}
    rows: list[tuple[str, dict[str, Any]]] = []
    for data in fulfillments:
        values = {
            "status": data.status if data.status in Fulfillment.Status.values else Fulfillment.Status.PENDING,
            "carrier": data.carrier[:100],
            "tracking_number": data.tracking_number[:128],
            "tracking_url": data.tracking_url[:1000] if data.tracking_url.startswith(("https://", "http://")) else "",
            "shipped_at": data.shipped_at,
            "delivered_at": data.delivered_at,
            "estimated_delivery_at": data.estimated_delivery_at,
            "lines": data.lines,
        }
        rows.append((data.external_id, values))
    _sync_children(Fulfillment, order, existing, rows)


def _add_refunds(order: Order, refunds: Iterable[RefundData], *, fresh: bool = False) -> None:
    """Platform refunds are history: added when new, never changed or removed."""
    refunds = list(refunds)
    if not refunds:
        return
    known = set() if fresh else set(order.refunds.values_list("external_id", flat=True))
    Refund.objects.bulk_create(
        [
            Refund(
                store_id=order.store_id,
                order=order,
                external_id=data.external_id,
                amount=data.amount,
                currency=order.currency,
                note=data.note,
                lines=data.lines,
                created_at=data.created_at or timezone.now(),
            )
            for data in refunds
            if data.external_id not in known
        ],
        ignore_conflicts=True,
    )


def record_refund(order: Order, data: RefundData) -> None:
    """Add one platform refund to an order (the outcome of a remedy); no-op if already there."""
    _add_refunds(order, [data])


# --- reconcile (sync) ------------------------------------------------------------------------


def do_sync_connection(connection_id: int, *, max_pages: int = SYNC_PAGES_PER_RUN) -> int:
    """Pull changed orders page by page from where the last run stopped. The cursor is saved
    after every page, so a crash or a platform error resumes where it left off. Returns how many
    orders were upserted. Platform errors are recorded on the connection and re-raised."""
    connection = StoreConnection.objects.select_related("store").get(pk=connection_id)
    if not connection.active:
        return 0
    provider = provider_for(connection)
    count = 0
    for _ in range(max_pages):
        try:
            page = provider.fetch_orders(connection.sync_cursor or None)
        except ProviderError as exc:
            StoreConnection.objects.filter(pk=connection.pk).update(sync_error=exc.message[:2000])
            raise
        with transaction.atomic():
            for data in page.orders:
                do_upsert_order(connection.store, connection.provider, data)
            StoreConnection.objects.filter(pk=connection.pk).update(
                sync_cursor=page.cursor, synced_at=timezone.now(), sync_error=""
            )
        connection.sync_cursor = page.cursor
        count += len(page.orders)
        if not page.has_more:
            break
    return count


# --- inbound webhooks ------------------------------------------------------------------------


def do_receive_webhook(
    connection: StoreConnection, body: bytes, headers: dict[str, str]
) -> tuple[ProviderWebhook, bool]:
    """Store a webhook whose signature was already verified, raw, and queue its processing on
    commit. A replay (same delivery id) is recognised and not processed again. Returns
    (row, created)."""
    from storedesk.commerce import tasks

    provider = provider_for(connection)
    topic, delivery_id = provider.webhook_identity(headers, body)
    try:
        with transaction.atomic():
            webhook = ProviderWebhook.objects.create(
                store_id=connection.store_id,
                connection=connection,
                topic=topic[:100],
                delivery_id=delivery_id[:200],
                headers=headers,
                body=body.decode("utf-8", errors="replace"),
            )
            webhook_id = webhook.pk
            transaction.on_commit(lambda: tasks.process_provider_webhook(webhook_id))
    except IntegrityError:
        existing = ProviderWebhook.objects.get(connection=connection, delivery_id=delivery_id[:200])
        return existing, False
    return webhook, True


def do_process_webhook(webhook_id: int) -> str:
    """Process one stored webhook: claim it, turn it into an order upsert (or a re-fetch), record
    the outcome. Safe to run twice: only a pending or failed row can be claimed."""
    claimed = ProviderWebhook.objects.filter(
        pk=webhook_id, state__in=[ProviderWebhook.State.PENDING, ProviderWebhook.State.FAILED]
    ).update(state=ProviderWebhook.State.PROCESSING, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    webhook = ProviderWebhook.objects.select_related("connection", "connection__store").get(pk=webhook_id)
    connection = webhook.connection
    try:
        provider = provider_for(connection)
        message = provider.parse_webhook(webhook.topic, json.loads(webhook.body or "{}", parse_float=Decimal))
        if message.refetch_external_id:
            do_upsert_order(connection.store, connection.provider, provider.fetch_order(message.refetch_external_id))
        elif message.order is not None:
            do_upsert_order(connection.store, connection.provider, message.order)
    except (ProviderError, ValueError, KeyError, TypeError) as exc:
        error = exc.message if isinstance(exc, ProviderError) else f"{type(exc).__name__}: {exc}"
        permanent = not isinstance(exc, ProviderError) or exc.permanent
        final = permanent or webhook.attempts >= WEBHOOK_MAX_ATTEMPTS
        ProviderWebhook.objects.filter(pk=webhook_id).update(state=ProviderWebhook.State.FAILED, error=error[:2000])
        log.warning("provider webhook %s (%s) failed: %s", webhook_id, webhook.topic, error)
        if not final:
            from storedesk.commerce import tasks

            delay = exc.retry_after if isinstance(exc, ProviderError) and exc.retry_after else 30 * webhook.attempts
            tasks.process_provider_webhook.schedule((webhook_id,), delay=delay)
        return "failed"
    ProviderWebhook.objects.filter(pk=webhook_id).update(
        state=ProviderWebhook.State.PROCESSED, processed_at=timezone.now(), error=""
    )
    return "processed"


def sweep_webhooks(older_than: timedelta = timedelta(minutes=5), limit: int = 200) -> int:
    """Re-enqueue webhooks whose job was lost (still pending a while after receipt)."""
    from storedesk.commerce import tasks

    cutoff = timezone.now() - older_than
    ids = list(
        ProviderWebhook.objects.filter(state=ProviderWebhook.State.PENDING, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for webhook_id in ids:
        tasks.process_provider_webhook(webhook_id)
    return len(ids)


# --- the generic importer ------------------------------------------------------------------------


def do_import_order(actor: User | None, store: Store, payload: ImportedOrder) -> tuple[Order, bool]:
    """Insert or update one order from another system (push API, import command)."""
    if actor is not None:
        check_permission(actor, store.pk, "order.import")
    try:
        data = payload.to_order_data()
    except MoneyError as exc:
        raise ActionError(str(exc), code="invalid_amount") from None
    with transaction.atomic():
        order, created = do_upsert_order(store, IMPORT_PROVIDER, data)
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="order.imported" if created else "order.reimported",
            obj=order,
            after={"name": order.name, "total": order.total, "currency": order.currency},
        )
    return order, created
