"""The generic importer: orders from any system, as JSON (the push API, JSONL files) or CSV.

One shape, `ImportedOrder`, with amounts as decimal strings in the order's currency; it
becomes an `OrderData` (integer minor units) and goes through `do_upsert_order` like a
platform's order, under the provider name "import". Re-importing the same order updates it.

CSV files have one row per line item; rows with the same `number` are one order, and the
order's columns are read from its first row. Columns: number, email, phone, customer_name,
currency, placed_at, financial_status, fulfillment_status, shipping, tax, discount, total,
paid, refunded, line_title, line_sku, line_quantity, line_unit_price, line_discount, line_tax,
carrier, tracking_number, tracking_url, shipped_at, delivered_at (external_id optional).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator

from storedesk.commerce.lib.money import MoneyError, normalize_currency, to_minor
from storedesk.commerce.providers.base import FulfillmentData, LineData, OrderData

PROVIDER = "import"
Amount = Decimal  # validated as a decimal string or integer; floats are refused below


def _no_floats(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('amounts must be decimal strings such as "12.50", not floats')
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


class ImportedLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(None, max_length=128)
    title: str = Field(min_length=1, max_length=500)
    sku: str = Field("", max_length=128)
    variant_title: str = Field("", max_length=255)
    quantity: int = Field(1, ge=1, le=100_000)
    unit_price: Amount = Field(description='price of one unit, e.g. "19.99"')
    discount: Amount = Decimal(0)
    tax: Amount = Decimal(0)

    _floats = field_validator("unit_price", "discount", "tax", mode="before")(_no_floats)


class ImportedFulfillment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(None, max_length=128)
    status: str = Field("in_transit", pattern="^(pending|in_transit|delivered|failed|cancelled)$")
    carrier: str = Field("", max_length=100)
    tracking_number: str = Field("", max_length=128)
    tracking_url: str = Field("", max_length=1000)
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None


class ImportedOrder(BaseModel):
    """An order pushed to `POST /api/v1/orders` or read from a JSONL line."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=64, description='the order number customers quote, e.g. "#1001"')
    external_id: str | None = Field(None, max_length=128, description="your system's id; defaults to the number")
    email: str = Field("", max_length=320)
    phone: str = Field("", max_length=32)
    customer_name: str = Field("", max_length=200)
    currency: str = Field(min_length=3, max_length=3)
    placed_at: datetime
    updated_at: datetime | None = None
    cancelled_at: datetime | None = None
    promised_by: datetime | None = None
    financial_status: str = Field("paid", max_length=32)
    fulfillment_status: str = Field("", max_length=32)
    shipping: Amount = Decimal(0)
    tax: Amount | None = Field(None, description="defaults to the lines' tax")
    discount: Amount | None = Field(None, description="defaults to the lines' discounts")
    total: Amount | None = Field(None, description="defaults to lines + shipping")
    paid: Amount | None = Field(None, description="defaults to the total when financial_status is paid")
    refunded: Amount = Decimal(0)
    shipping_address: dict[str, Any] = Field(default_factory=dict)
    lines: list[ImportedLine] = Field(default_factory=list, max_length=500)
    fulfillments: list[ImportedFulfillment] = Field(default_factory=list, max_length=50)

    _floats = field_validator("shipping", "tax", "discount", "total", "paid", "refunded", mode="before")(_no_floats)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        try:
            return normalize_currency(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None

    def to_order_data(self) -> OrderData:
        """Raises MoneyError for amounts finer than the currency allows."""
        cur = self.currency
        lines = [
            LineData(
                external_id=line.external_id or f"{index}",
                title=line.title,
                sku=line.sku,
                variant_title=line.variant_title,
                quantity=line.quantity,
                unit_price=to_minor(line.unit_price, cur),
                discount=to_minor(line.discount, cur),
                tax=to_minor(line.tax, cur),
            )
            for index, line in enumerate(self.lines, start=1)
        ]
        goods = sum(line.unit_price * line.quantity for line in lines)
        discount = to_minor(self.discount, cur) if self.discount is not None else sum(x.discount for x in lines)
        tax = to_minor(self.tax, cur) if self.tax is not None else sum(x.tax for x in lines)
        shipping = to_minor(self.shipping, cur)
        total = to_minor(self.total, cur) if self.total is not None else goods - discount + tax + shipping
        if self.paid is not None:
            paid = to_minor(self.paid, cur)
        else:
            paid = total if self.financial_status in ("paid", "partially_refunded", "refunded") else 0
        fulfillments = [
            FulfillmentData(
                external_id=f.external_id or f.tracking_number or f"{index}",
                status=f.status,
                carrier=f.carrier,
                tracking_number=f.tracking_number,
                tracking_url=f.tracking_url,
                shipped_at=f.shipped_at,
                delivered_at=f.delivered_at,
            )
            for index, f in enumerate(self.fulfillments, start=1)
        ]
        return OrderData(
            external_id=self.external_id or self.number,
            name=self.number if self.number.startswith("#") or not self.number.isdigit() else f"#{self.number}",
            currency=cur,
            placed_at=self.placed_at if timezone.is_aware(self.placed_at) else timezone.make_aware(self.placed_at),
            updated_at=self.updated_at,
            email=self.email,
            phone=self.phone,
            customer_name=self.customer_name,
            subtotal=goods - discount,
            discount=discount,
            tax=tax,
            shipping=shipping,
            total=total,
            paid=paid,
            refunded=to_minor(self.refunded, cur),
            financial_status=self.financial_status,
            fulfillment_status=self.fulfillment_status or ("fulfilled" if fulfillments else "unfulfilled"),
            cancelled_at=self.cancelled_at,
            promised_by=self.promised_by,
            shipping_address=self.shipping_address,
            lines=lines,
            fulfillments=fulfillments,
            raw=json.loads(self.model_dump_json()),
        )


# --- files ---------------------------------------------------------------------------------

ORDER_COLUMNS = (
    "external_id",
    "email",
    "phone",
    "customer_name",
    "currency",
    "placed_at",
    "financial_status",
    "fulfillment_status",
    "shipping",
    "tax",
    "discount",
    "total",
    "paid",
    "refunded",
)


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, order dict or None, error) per non-empty line."""
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text, parse_float=Decimal)
            except ValueError as exc:
                yield number, None, f"not JSON: {exc}"
                continue
            if not isinstance(value, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, _stringify_decimals(value), ""


def _stringify_decimals(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _stringify_decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_decimals(v) for v in value]
    return value


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(first row number, order dict, "") per order number, in file order."""
    orders: dict[str, tuple[int, dict[str, Any]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            number = row.get("number", "")
            if not number:
                continue
            if number not in orders:
                order: dict[str, Any] = {"number": number, "lines": [], "fulfillments": []}
                for column in ORDER_COLUMNS:
                    if row.get(column):
                        order[column] = row[column]
                orders[number] = (row_number, order)
            order = orders[number][1]
            if row.get("line_title"):
                order["lines"].append(
                    {
                        "title": row["line_title"],
                        "sku": row.get("line_sku", ""),
                        "quantity": int(row.get("line_quantity") or 1),
                        "unit_price": row.get("line_unit_price") or "0",
                        "discount": row.get("line_discount") or "0",
                        "tax": row.get("line_tax") or "0",
                    }
                )
            tracking = row.get("tracking_number", "")
            if tracking and all(f["tracking_number"] != tracking for f in order["fulfillments"]):
                order["fulfillments"].append(
                    {
                        "tracking_number": tracking,
                        "carrier": row.get("carrier", ""),
                        "tracking_url": row.get("tracking_url", ""),
                        "shipped_at": row.get("shipped_at") or None,
                        "delivered_at": row.get("delivered_at") or None,
                        "status": "delivered" if row.get("delivered_at") else "in_transit",
                    }
                )
    for row_number, order in orders.values():
        yield row_number, order, ""
