"""Read side of the orders cache: a customer's orders with everything the sidebar shows, in a
constant number of queries, and lookups by order number, email, phone or tracking number.

Everything here is scoped to the caller's stores (`store_ids`), never looked up bare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from storedesk.commerce.actions import normalize_email, normalize_number, normalize_phone
from storedesk.commerce.lib.money import MoneyError, to_minor
from storedesk.commerce.models import ApprovalRequest, Fulfillment, Order, Remedy, ReturnLine, ReturnRequest
from storedesk.conversations.models import Conversation, Customer
from storedesk.core.models import Store

PANEL_ORDERS = 10
# Lifetime value thresholds (major units of the customer's main currency), best tier first.
# A store overrides them with settings["vip_tiers"] = [["Gold", "1000"], ["Silver", "250"]].
DEFAULT_VIP_TIERS: list[tuple[str, str]] = [("Platinum", "2000"), ("Gold", "750"), ("Silver", "250")]
MIN_PHONE_DIGITS = 7


def order_rows(rows: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders with what a card shows: lines, fulfilments, refunds, remedies (newest first)."""
    return (rows if rows is not None else Order.objects.all()).prefetch_related(
        "lines",
        "fulfillments",
        "refunds",
        Prefetch(
            "remedies",
            queryset=Remedy.objects.select_related("requested_by", "approval", "approval__decided_by").order_by(
                "-created_at", "-id"
            ),
        ),
    )


def with_returns(rows: QuerySet[Order]) -> QuerySet[Order]:
    """…and each order's returns (newest first) with their items and photos: three more queries."""
    return rows.prefetch_related(
        Prefetch(
            "returns",
            queryset=ReturnRequest.objects.select_related("remedy")
            .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line")), "photos")
            .order_by("-created_at", "-id"),
        )
    )


@dataclass
class CustomerOrders:
    orders: list[Order]  # newest first, at most `limit`
    has_more: bool
    order_count: int
    lifetime_value: int  # minor units of `currency`: paid minus refunded, over all orders
    currency: str | None  # the customer's main currency (most orders)
    other_currencies: dict[str, int] = field(default_factory=dict)  # currency → lifetime value
    tier: str | None = None


def of_customer(customer: Customer) -> Q:
    """The customer's orders, including those still on a customer merged into this one."""
    return Q(customer=customer) | Q(customer__merged_into=customer)


def customer_orders(customer: Customer, *, limit: int = PANEL_ORDERS) -> CustomerOrders:
    """Eight queries whatever the number of orders (serves order_customer_recent_idx):
    one aggregate per currency, one page of orders, and one prefetch each for lines,
    fulfilments, refunds, remedies, returns and the returns' items."""
    base = Order.objects.filter(of_customer(customer), store_id=customer.store_id)
    totals = list(
        base.values("currency").annotate(n=Count("id"), value=Sum(F("paid") - F("refunded"))).order_by("-n", "currency")
    )
    rows = list(
        with_returns(order_rows())
        .filter(of_customer(customer), store_id=customer.store_id)
        .order_by("-placed_at", "-id")[: limit + 1]
    )
    count = sum(row["n"] for row in totals)
    if not totals:
        return CustomerOrders(orders=[], has_more=False, order_count=0, lifetime_value=0, currency=None)
    main = totals[0]
    value = int(main["value"] or 0)
    return CustomerOrders(
        orders=rows[:limit],
        has_more=len(rows) > limit,
        order_count=count,
        lifetime_value=value,
        currency=main["currency"],
        other_currencies={row["currency"]: int(row["value"] or 0) for row in totals[1:]},
        tier=vip_tier(customer.store, value, main["currency"]),
    )


def vip_tier(store: Store, lifetime_value: int, currency: str) -> str | None:
    tiers = store.settings.get("vip_tiers") or DEFAULT_VIP_TIERS
    for name, threshold in tiers:
        try:
            if lifetime_value >= to_minor(Decimal(str(threshold)), currency, rounding=True):
                return str(name)
        except MoneyError:
            continue
    return None


def find_orders(store_ids: list[int], q: str) -> QuerySet[Order]:
    """Orders matching `q` exactly as an order number ("#1001" or "1001"), an email, a phone
    number or a tracking number, newest first. Each term is an indexed equality within the stores."""
    q = (q or "").strip()
    if not q or not store_ids:
        return Order.objects.none()
    scoped = Order.objects.filter(store_id__in=store_ids)
    if "@" in q:
        return scoped.filter(email=normalize_email(q)).order_by("-placed_at", "-id")
    match = Q(number=normalize_number(q))  # order_store_number_idx
    digits = sum(ch.isdigit() for ch in q)
    if digits >= MIN_PHONE_DIGITS and not any(ch.isalpha() for ch in q):
        match |= Q(phone=normalize_phone(q))  # order_store_phone_idx
    tracking = {q, q.upper()}
    shipped = Fulfillment.objects.filter(
        store_id__in=store_ids, tracking_number__in=tracking
    )  # fulfillment_tracking_idx
    match |= Q(pk__in=shipped.values("order_id"))
    return scoped.filter(match).order_by("-placed_at", "-id")


SEARCH_ORDERS = 5


@dataclass(frozen=True)
class OrderHit:
    order: Order  # with store and customer loaded
    customer_id: int | None  # the customer now (the survivor when the order's customer was merged away)
    conversation_id: int | None  # that customer's latest conversation, if any


def order_hits(store_ids: list[int], q: str, *, limit: int = SEARCH_ORDERS) -> list[OrderHit]:
    """The search box's "Orders" section: `find_orders` with each order's customer and that
    customer's latest conversation, in one query whatever the number of hits."""
    if not store_ids or not (q or "").strip():
        return []
    rows = find_orders(store_ids, q)
    owner = Coalesce(F("customer__merged_into_id"), F("customer_id"))
    latest = (
        Conversation.objects.filter(customer_id=OuterRef("owner_id"), merged_into__isnull=True)
        .order_by("-last_message_at", "-id")
        .values("pk")[:1]
    )  # the customer's conversations (conversation.customer_id FK index), newest first
    hits = list(
        rows.select_related("store", "customer", "customer__merged_into")
        .annotate(owner_id=owner)
        .annotate(latest_conversation_id=Subquery(latest))[:limit]
    )
    return [
        OrderHit(order=row, customer_id=row.owner_id, conversation_id=row.latest_conversation_id)  # type: ignore[attr-defined]
        for row in hits
    ]


@dataclass(frozen=True)
class Delivery:
    label: str  # "Delivered 6 Oct", "In transit", "Not shipped", "Cancelled"
    state: str  # delivered | in_transit | unshipped | cancelled | failed
    late: bool  # past the promised date and not delivered (or delivered after it)


def delivery_of(order: Order, now: datetime) -> Delivery:
    """Where the parcel is, in a word, from the prefetched fulfilments."""
    if order.cancelled_at:
        return Delivery("Cancelled", "cancelled", False)
    shipments = [f for f in order.fulfillments.all() if f.status != Fulfillment.Status.CANCELLED]
    promised = order.promised_by
    if not shipments:
        return Delivery("Not shipped yet", "unshipped", bool(promised and now > promised))
    if any(f.status == Fulfillment.Status.FAILED for f in shipments):
        return Delivery("Delivery failed", "failed", True)
    delivered = [f.delivered_at for f in shipments if f.status == Fulfillment.Status.DELIVERED and f.delivered_at]
    if len(delivered) == len(shipments):
        last = timezone.localtime(max(delivered))
        return Delivery(f"Delivered {last.day} {last:%b}", "delivered", bool(promised and last > promised))
    return Delivery("In transit", "in_transit", bool(promised and now > promised))


def pending_approvals(store_ids: list[int], limit: int = 200) -> list[ApprovalRequest]:
    """The leads' queue: pending approval requests in these stores, soonest to expire first,
    with the remedy, its order and customer, and who asked — one query (approval_pending_idx)."""
    return list(
        ApprovalRequest.objects.filter(store_id__in=store_ids, state=ApprovalRequest.State.PENDING)
        .select_related(
            "store", "requested_by", "remedy", "remedy__order", "remedy__order__customer", "remedy__conversation"
        )
        .order_by("expires_at", "pk")[:limit]
    )
