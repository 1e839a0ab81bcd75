"""WooCommerce REST API v3 shapes (orders, line items, refunds) → OrderData.

Amounts are decimal strings ("6.00"); a line's `price` is a JSON number, so unit prices are
computed from the line's `subtotal` (before discounts) instead. Dates are read from the
`*_gmt` fields. Tracking numbers come from the Shipment Tracking extension's
`_wc_shipment_tracking_items` meta when a store uses it (core WooCommerce has none).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime

from storedesk.commerce.lib.money import to_minor
from storedesk.commerce.providers.base import FulfillmentData, LineData, OrderData, RefundData

PAID = ("processing", "completed", "refunded")
TRACKING_META = "_wc_shipment_tracking_items"
CARRIER_LINKS = {
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}"),
    "ups": ("UPS", "https://www.ups.com/track?tracknum={n}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={n}"),
    "dhl": ("DHL", "https://www.dhl.com/en/express/tracking.html?AWB={n}"),
    "royal-mail": ("Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{n}"),
}


def gmt(value: Any) -> datetime | None:
    """WooCommerce's "*_gmt" dates come without an offset: they are UTC."""
    if not isinstance(value, str) or not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def money(value: Any, currency: str) -> int:
    if value is None or value == "":
        return 0
    return to_minor(value if isinstance(value, Decimal) else str(value), currency, rounding=True)


def _lines(order: dict[str, Any], currency: str) -> list[LineData]:
    lines = []
    for item in order.get("line_items") or []:
        quantity = int(item.get("quantity") or 0)
        subtotal = money(item.get("subtotal"), currency)
        total = money(item.get("total"), currency)
        variant = ", ".join(
            str(m.get("value"))
            for m in item.get("meta_data") or []
            if isinstance(m.get("value"), str) and not str(m.get("key", "")).startswith("_")
        )
        lines.append(
            LineData(
                external_id=str(item["id"]),
                title=item.get("name") or "Item",
                variant_title=variant[:255],
                sku=item.get("sku") or "",
                product_id=str(item.get("product_id") or ""),
                variant_id=str(item.get("variation_id") or ""),
                quantity=quantity,
                unit_price=subtotal // quantity if quantity else subtotal,
                discount=max(subtotal - total, 0),
                tax=money(item.get("total_tax"), currency),
            )
        )
    return lines


def _tracking(order: dict[str, Any]) -> list[FulfillmentData]:
    shipments = []
    for meta in order.get("meta_data") or []:
        if meta.get("key") != TRACKING_META or not isinstance(meta.get("value"), list):
            continue
        for item in meta["value"]:
            number = str(item.get("tracking_number") or "")
            provider = str(item.get("tracking_provider") or item.get("custom_tracking_provider") or "")
            carrier, link = CARRIER_LINKS.get(provider.lower(), (provider, ""))
            shipped = item.get("date_shipped")
            shipments.append(
                FulfillmentData(
                    external_id=str(item.get("tracking_id") or number),
                    status="in_transit",  # the extension records shipping, not delivery
                    carrier=carrier,
                    tracking_number=number,
                    tracking_url=item.get("custom_tracking_link") or (link.format(n=number) if link else ""),
                    shipped_at=datetime.fromtimestamp(int(shipped), tz=UTC) if str(shipped or "").isdigit() else None,
                )
            )
    return shipments


def order_data(order: dict[str, Any]) -> OrderData:
    """Raises KeyError/ValueError for a payload that is not an order."""
    currency = order["currency"]
    placed_at = gmt(order["date_created_gmt"])
    if placed_at is None:
        raise ValueError("WooCommerce order without a creation time.")
    status = order.get("status") or ""
    lines = _lines(order, currency)
    total = money(order.get("total"), currency)
    refunded = sum(-money(r.get("total"), currency) for r in order.get("refunds") or [])
    paid = total if (order.get("date_paid_gmt") or status in PAID) and status not in ("pending", "failed") else 0
    if refunded and refunded >= total:
        financial = "refunded"
    elif refunded:
        financial = "partially_refunded"
    else:
        financial = "paid" if paid else status
    billing, shipping = order.get("billing") or {}, order.get("shipping") or {}
    name = " ".join(filter(None, [billing.get("first_name"), billing.get("last_name")]))
    modified = gmt(order.get("date_modified_gmt"))
    return OrderData(
        external_id=str(order["id"]),
        name=f"#{order.get('number') or order['id']}",
        currency=currency,
        placed_at=placed_at,
        updated_at=modified,
        email=billing.get("email") or "",
        phone=billing.get("phone") or "",
        customer_name=name,
        subtotal=sum(line.unit_price * line.quantity - line.discount for line in lines),
        discount=money(order.get("discount_total"), currency),
        tax=money(order.get("total_tax"), currency),
        shipping=money(order.get("shipping_total"), currency),
        total=total,
        paid=paid,
        refunded=refunded,
        financial_status=financial,
        fulfillment_status="fulfilled" if status == "completed" else "unfulfilled",
        cancelled_at=modified if status == "cancelled" else None,
        shipping_address={
            k: v
            for k, v in {
                "name": " ".join(filter(None, [shipping.get("first_name"), shipping.get("last_name")])),
                "company": shipping.get("company"),
                "address1": shipping.get("address_1"),
                "address2": shipping.get("address_2"),
                "city": shipping.get("city"),
                "province": shipping.get("state"),
                "zip": shipping.get("postcode"),
                "country_code": shipping.get("country"),
            }.items()
            if v
        },
        discount_codes=[c.get("code") for c in order.get("coupon_lines") or [] if c.get("code")],
        lines=lines,
        fulfillments=_tracking(order),
        refunds=[
            RefundData(external_id=str(r["id"]), amount=-money(r.get("total"), currency), note=r.get("reason") or "")
            for r in order.get("refunds") or []
        ],
        raw=_jsonable(order),
    )


def refund_data(refund: dict[str, Any], currency: str) -> RefundData:
    return RefundData(
        external_id=str(refund["id"]),
        amount=money(refund.get("amount"), currency),
        note=refund.get("reason") or "",
        created_at=gmt(refund.get("date_created_gmt")),
        lines=[
            {"line": _refunded_line(item), "quantity": abs(int(item.get("quantity") or 0))}
            for item in refund.get("line_items") or []
        ],
    )


def _refunded_line(item: dict[str, Any]) -> str:
    """A refund's line item points at the order's line through its `_refunded_item_id` meta."""
    for meta in item.get("meta_data") or []:
        if meta.get("key") == "_refunded_item_id":
            return str(meta.get("value"))
    return str(item.get("id"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
