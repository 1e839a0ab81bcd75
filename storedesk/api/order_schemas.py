"""Schemas of /orders. Amounts are decimal strings in the order's currency ("12.50")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from storedesk.api.schemas import UserRef
from storedesk.commerce.lib.money import to_decimal_string as dec
from storedesk.commerce.models import ApprovalRequest, Order, Remedy
from storedesk.commerce.remedies import suggested_reply


class OrderLineOut(Schema):
    id: int
    external_id: str
    title: str
    variant_title: str
    sku: str
    quantity: int
    refunded_quantity: int
    unit_price: str
    discount: str
    tax: str
    total: str


class FulfillmentOut(Schema):
    id: int
    status: str
    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    estimated_delivery_at: datetime | None


class RefundOut(Schema):
    id: int
    external_id: str
    amount: str
    note: str
    created_at: datetime


class ApprovalOut(Schema):
    id: int
    state: str
    why: str
    requested_by: UserRef | None
    decided_by: UserRef | None
    decision_reason: str
    decided_at: datetime | None
    expires_at: datetime
    created_at: datetime


class RemedyOut(Schema):
    id: int
    order_id: int
    conversation_id: int | None
    type: str  # refund, cancel, replacement, discount_code, store_credit, address_change, goodwill
    state: str
    amount: str
    currency: str
    reason: str
    params: dict[str, Any]
    requested_by: UserRef | None
    authorized_by: UserRef | None
    provider_reference: str
    result: dict[str, Any]
    error: str
    attempts: int
    created_at: datetime
    completed_at: datetime | None
    approval: ApprovalOut | None
    suggested_reply: str

    @staticmethod
    def resolve_type(obj: Remedy) -> str:
        return obj.kind

    @staticmethod
    def resolve_amount(obj: Remedy) -> str:
        return dec(obj.amount, obj.currency)

    @staticmethod
    def resolve_approval(obj: Remedy) -> ApprovalRequest | None:
        try:
            return obj.approval
        except ApprovalRequest.DoesNotExist:
            return None

    @staticmethod
    def resolve_suggested_reply(obj: Remedy) -> str:
        return suggested_reply(obj)


class OrderOut(Schema):
    id: int
    store_id: int
    customer_id: int | None
    provider: str
    external_id: str
    name: str
    number: str
    email: str
    phone: str
    currency: str
    subtotal: str
    discount: str
    tax: str
    shipping: str
    total: str
    paid: str
    refunded: str
    refundable: str
    financial_status: str
    fulfillment_status: str
    placed_at: datetime
    cancelled_at: datetime | None
    promised_by: datetime | None
    synced_at: datetime
    fulfillments: list[FulfillmentOut]

    @staticmethod
    def resolve_subtotal(obj: Order) -> str:
        return dec(obj.subtotal, obj.currency)

    @staticmethod
    def resolve_discount(obj: Order) -> str:
        return dec(obj.discount, obj.currency)

    @staticmethod
    def resolve_tax(obj: Order) -> str:
        return dec(obj.tax, obj.currency)

    @staticmethod
    def resolve_shipping(obj: Order) -> str:
        return dec(obj.shipping, obj.currency)

    @staticmethod
    def resolve_total(obj: Order) -> str:
        return dec(obj.total, obj.currency)

    @staticmethod
    def resolve_paid(obj: Order) -> str:
        return dec(obj.paid, obj.currency)

    @staticmethod
    def resolve_refunded(obj: Order) -> str:
        return dec(obj.refunded, obj.currency)

    @staticmethod
    def resolve_refundable(obj: Order) -> str:
        return dec(obj.refundable, obj.currency)

    @staticmethod
    def resolve_fulfillments(obj: Order) -> list[Any]:
        return list(obj.fulfillments.all())  # prefetched


class OrderDetailOut(OrderOut):
    shipping_address: dict[str, Any]
    discount_codes: list[str]
    lines: list[OrderLineOut]
    refunds: list[RefundOut]
    remedies: list[RemedyOut]

    @staticmethod
    def resolve_lines(obj: Order) -> list[dict[str, Any]]:
        return [
            {
                "id": line.pk,
                "external_id": line.external_id,
                "title": line.title,
                "variant_title": line.variant_title,
                "sku": line.sku,
                "quantity": line.quantity,
                "refunded_quantity": line.refunded_quantity,
                "unit_price": dec(line.unit_price, obj.currency),
                "discount": dec(line.discount, obj.currency),
                "tax": dec(line.tax, obj.currency),
                "total": dec(line.total, obj.currency),
            }
            for line in obj.lines.all()
        ]

    @staticmethod
    def resolve_refunds(obj: Order) -> list[dict[str, Any]]:
        return [
            {
                "id": r.pk,
                "external_id": r.external_id,
                "amount": dec(r.amount, r.currency),
                "note": r.note,
                "created_at": r.created_at,
            }
            for r in obj.refunds.all()
        ]

    @staticmethod
    def resolve_remedies(obj: Order) -> list[Any]:
        return list(obj.remedies.all())


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None
