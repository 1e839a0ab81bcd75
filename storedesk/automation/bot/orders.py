"""Finding the order a chat is about, and saying where it is — only facts from the orders cache.

A verified shopper (widget identity signed by the store) gets their own latest orders; anyone
else must give the order number AND the email it was placed with, both matching.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from storedesk.commerce.actions import normalize_email, normalize_number
from storedesk.commerce.models import Fulfillment, Order
from storedesk.commerce.queries import customer_orders, delivery_of, order_rows
from storedesk.conversations.models import Conversation
from storedesk.core.models import Store

EMAIL = re.compile(r"[^@\s<>()\"',;:]+@[^@\s<>()\"',;:]+\.[a-z]{2,}", re.IGNORECASE)
# "#1001", "order 1001", "NW-1001": a run of 3+ digits, optionally with a short letter prefix.
NUMBER = re.compile(r"(?<![\w@.-])#?((?:[a-z]{1,4}-)?\d{3,12})(?![\w@-])", re.IGNORECASE)
RECENT = 3


def find_email(text: str) -> str:
    match = EMAIL.search(text or "")
    return normalize_email(match.group(0).rstrip(".")) if match else ""


def find_number(text: str) -> str:
    match = NUMBER.search(EMAIL.sub(" ", text or ""))
    return normalize_number(match.group(1)) if match else ""


def by_number_and_email(store: Store, number: str, email: str) -> Order | None:
    """Both must match (order_store_number_idx): a number alone never shows an order."""
    if not number or not email:
        return None
    return order_rows().filter(store=store, number=number, email=email).order_by("-placed_at", "-id").first()


def of_verified_customer(conversation: Conversation, number: str = "") -> tuple[Order | None, int]:
    """The verified customer's order with that number (None when it is not theirs), else their
    latest. Returns (order, how many orders they have)."""
    orders = customer_orders(conversation.customer, limit=RECENT)
    if not number:
        return (orders.orders[0] if orders.orders else None), orders.order_count
    for order in orders.orders:
        if order.number == number:
            return order, orders.order_count
    older = order_rows().filter(store_id=conversation.store_id, number=number, customer=conversation.customer).first()
    return older, orders.order_count


def _day(value: datetime, tz: ZoneInfo) -> str:
    local = value.astimezone(tz)
    return f"{local.day} {local:%b %Y}"


def describe(order: Order, store: Store, now: datetime) -> str:
    """Status, carrier, tracking number and link, and dates, from the order row alone."""
    tz = ZoneInfo(store.timezone or "UTC")
    placed = f"Order {order.name}, placed {_day(order.placed_at, tz)}"
    if order.cancelled_at:
        return f"{placed}: cancelled on {_day(order.cancelled_at, tz)}."
    lines = [f"{placed}: {delivery_of(order, now).label}."]
    shipments = [f for f in order.fulfillments.all() if f.status != Fulfillment.Status.CANCELLED]
    for shipment in sorted(shipments, key=lambda f: (f.shipped_at or order.placed_at, f.pk)):
        parts = []
        if shipment.shipped_at:
            parts.append(f"Shipped {_day(shipment.shipped_at, tz)}")
        if shipment.carrier:
            parts.append(f"with {shipment.carrier}" if parts else f"Carrier: {shipment.carrier}")
        if shipment.tracking_number:
            parts.append(f"tracking number {shipment.tracking_number}")
        if shipment.tracking_url:
            parts.append(f"track it here: {shipment.tracking_url}")
        if shipment.status == Fulfillment.Status.DELIVERED and shipment.delivered_at:
            parts.append(f"delivered {_day(shipment.delivered_at, tz)}")
        elif shipment.estimated_delivery_at:
            parts.append(f"estimated delivery {_day(shipment.estimated_delivery_at, tz)}")
        if parts:
            lines.append(", ".join(parts) + ".")
    if not shipments and order.promised_by:
        lines.append(f"Delivery was promised by {_day(order.promised_by, tz)}.")
    return "\n".join(lines)
