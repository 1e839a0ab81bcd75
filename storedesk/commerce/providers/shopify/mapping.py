"""Shopify Admin REST shapes (orders, line items, fulfillments, refunds) → OrderData.

Amounts in Shopify's REST API are decimal strings in the shop currency ("199.00"); they are
decoded as Decimal (never float) and turned into integer minor units here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime

from storedesk.commerce.lib.money import to_minor
from storedesk.commerce.providers.base import FulfillmentData, LineData, OrderData, RefundData

PAID_STATUSES = ("paid", "partially_refunded", "refunded")


def when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def money(value: Any, currency: str) -> int:
    if value is None or value == "":
        return 0
    return to_minor(value if isinstance(value, Decimal) else str(value), currency, rounding=True)


def _fulfillment_status(fulfillment: dict[str, Any]) -> str:
    status = fulfillment.get("status") or ""
    shipment = fulfillment.get("shipment_status") or ""
    if status == "cancelled":
        return "cancelled"
    if status in ("error", "failure") or shipment == "failure":
        return "failed"
    if shipment == "delivered":
        return "delivered"
    if status == "success":
        return "in_transit"
    return "pending"


def refund_amount(refund: dict[str, Any], currency: str) -> int:
    """Money that went back: the refund's successful refund transactions."""
    return sum(
        money(t.get("amount"), currency)
        for t in refund.get("transactions") or []
        if t.get("kind") == "refund" and t.get("status") == "success"
    )


def refund_data(refund: dict[str, Any], currency: str) -> RefundData:
    return RefundData(
        external_id=str(refund["id"]),
        amount=refund_amount(refund, currency),
        note=refund.get("note") or "",
        created_at=when(refund.get("processed_at") or refund.get("created_at")),
        lines=[
            {"line": str(item.get("line_item_id")), "quantity": int(item.get("quantity") or 0)}
            for item in refund.get("refund_line_items") or []
        ],
    )


def _address(address: dict[str, Any] | None) -> dict[str, Any]:
    if not address:
        return {}
    keys = ("name", "company", "address1", "address2", "city", "province", "zip", "country", "country_code", "phone")
    return {key: address.get(key) for key in keys if address.get(key)}


def order_data(order: dict[str, Any]) -> OrderData:
    """Raises KeyError/ValueError for a payload that is not an order (no id, currency or creation time)."""
    currency = order["currency"]
    placed_at = when(order.get("processed_at")) or when(order["created_at"])
    if placed_at is None:
        raise ValueError("Shopify order without a creation time.")
    customer = order.get("customer") or {}
    refunds = order.get("refunds") or []
    refunded_qty: dict[str, int] = {}
    for refund in refunds:
        for item in refund.get("refund_line_items") or []:
            key = str(item.get("line_item_id"))
            refunded_qty[key] = refunded_qty.get(key, 0) + int(item.get("quantity") or 0)
    lines = []
    for item in order.get("line_items") or []:
        discount = sum(money(d.get("amount"), currency) for d in item.get("discount_allocations") or [])
        if not discount:
            discount = money(item.get("total_discount"), currency)
        lines.append(
            LineData(
                external_id=str(item["id"]),
                title=item.get("title") or item.get("name") or "Item",
                variant_title=item.get("variant_title") or "",
                sku=item.get("sku") or "",
                product_id=str(item.get("product_id") or ""),
                variant_id=str(item.get("variant_id") or ""),
                quantity=int(item.get("quantity") or 0),
                unit_price=money(item.get("price"), currency),
                discount=discount,
                tax=sum(money(t.get("price"), currency) for t in item.get("tax_lines") or []),
                refunded_quantity=refunded_qty.get(str(item["id"]), 0),
            )
        )
    shipping_set = ((order.get("total_shipping_price_set") or {}).get("shop_money") or {}).get("amount")
    shipping = (
        money(shipping_set, currency)
        if shipping_set is not None
        else sum(money(s.get("price"), currency) for s in order.get("shipping_lines") or [])
    )
    total = money(order.get("total_price"), currency)
    financial = order.get("financial_status") or ""
    if order.get("total_outstanding") is not None:
        paid = max(total - money(order.get("total_outstanding"), currency), 0)
    else:
        paid = total if financial in PAID_STATUSES else 0
    fulfillments = [
        FulfillmentData(
            external_id=str(f["id"]),
            status=_fulfillment_status(f),
            carrier=f.get("tracking_company") or "",
            tracking_number=f.get("tracking_number") or "",
            tracking_url=f.get("tracking_url") or "",
            shipped_at=when(f.get("created_at")),
            delivered_at=when(f.get("updated_at")) if f.get("shipment_status") == "delivered" else None,
            lines=[{"line": str(i["id"]), "quantity": int(i.get("quantity") or 0)} for i in f.get("line_items") or []],
        )
        for f in order.get("fulfillments") or []
    ]
    name = " ".join(filter(None, [customer.get("first_name"), customer.get("last_name")]))
    return OrderData(
        external_id=str(order["id"]),
        name=order.get("name") or f"#{order.get('order_number') or order['id']}",
        currency=currency,
        placed_at=placed_at,
        email=order.get("email") or order.get("contact_email") or customer.get("email") or "",
        phone=order.get("phone") or customer.get("phone") or "",
        customer_name=name or (order.get("shipping_address") or {}).get("name") or "",
        subtotal=money(order.get("subtotal_price"), currency),
        discount=money(order.get("total_discounts"), currency),
        tax=money(order.get("total_tax"), currency),
        shipping=shipping,
        total=total,
        paid=paid,
        refunded=sum(refund_amount(r, currency) for r in refunds),
        financial_status=financial,
        fulfillment_status=order.get("fulfillment_status") or "unfulfilled",
        cancelled_at=when(order.get("cancelled_at")),
        updated_at=when(order.get("updated_at")),
        shipping_address=_address(order.get("shipping_address")),
        discount_codes=[d.get("code") for d in order.get("discount_codes") or [] if d.get("code")],
        lines=lines,
        fulfillments=fulfillments,
        refunds=[refund_data(r, currency) for r in refunds],
        raw=_jsonable(order),
    )


def _jsonable(value: Any) -> Any:
    """Decimals back to strings so the raw payload can be stored as JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
