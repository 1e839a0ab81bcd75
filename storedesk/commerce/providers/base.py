"""The small interface every store platform implements, and the plain data it speaks.

A provider turns the platform's shapes into `OrderData` (money already in integer minor
units) and performs remedies on the platform. Adding a platform is a new folder with a
`provider.py` defining a `Provider` subclass, registered in `providers/__init__.py`.

Errors are `ProviderError(message, permanent=...)`: permanent means asking again gets the same
answer (refused, not found, invalid), so the remedy fails at once with the platform's message;
otherwise (timeout, 5xx, 429) the job tries again later, after `retry_after` when the platform
said so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


class ProviderError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after


@dataclass
class LineData:
    external_id: str
    title: str
    quantity: int
    unit_price: int
    sku: str = ""
    variant_title: str = ""
    product_id: str = ""
    variant_id: str = ""
    discount: int = 0
    tax: int = 0
    refunded_quantity: int = 0

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity - self.discount + self.tax


@dataclass
class FulfillmentData:
    external_id: str
    status: str  # Fulfillment.Status values
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    estimated_delivery_at: datetime | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RefundData:
    external_id: str
    amount: int
    note: str = ""
    created_at: datetime | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class OrderData:
    """One order as Storedesk keeps it, whatever platform it came from."""

    external_id: str
    name: str
    currency: str
    placed_at: datetime
    email: str = ""
    phone: str = ""
    customer_name: str = ""
    subtotal: int = 0
    discount: int = 0
    tax: int = 0
    shipping: int = 0
    total: int = 0
    paid: int = 0
    refunded: int = 0
    financial_status: str = ""
    fulfillment_status: str = ""
    cancelled_at: datetime | None = None
    promised_by: datetime | None = None
    updated_at: datetime | None = None
    shipping_address: dict[str, Any] = field(default_factory=dict)
    discount_codes: list[str] = field(default_factory=list)
    lines: list[LineData] = field(default_factory=list)
    fulfillments: list[FulfillmentData] = field(default_factory=list)
    refunds: list[RefundData] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class OrderPage:
    """One page of changed orders. Store `cursor` and pass it back: the next call resumes after
    this page, or (when `has_more` is false) asks only for what changed since."""

    orders: list[OrderData]
    cursor: str
    has_more: bool


@dataclass(frozen=True)
class OrderRef:
    """What a provider needs to act on an order it holds."""

    external_id: str
    name: str
    currency: str
    email: str = ""
    customer_external_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundRequest:
    amount: int  # minor units of the order currency; the platform refunds exactly this
    currency: str
    reason: str
    idempotency_key: str
    lines: tuple[tuple[str, int], ...] = ()  # (line external id, quantity)
    shipping: int = 0  # of `amount`, the part that is shipping
    restock: bool = False
    notify: bool = True


@dataclass
class ActionResult:
    """What the platform answered: its id for the thing made, and anything worth keeping."""

    reference: str
    details: dict[str, Any] = field(default_factory=dict)
    refund: RefundData | None = None


@dataclass(frozen=True)
class WebhookMessage:
    """A verified webhook's meaning: an order to upsert, or an order to fetch again."""

    order: OrderData | None = None
    refetch_external_id: str | None = None


class Provider:
    """Base class: every operation a platform does not support says so, permanently."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def fetch_orders(self, cursor: str | None) -> OrderPage:
        raise self._unsupported("sync orders")

    def fetch_order(self, external_id: str) -> OrderData:
        raise self._unsupported("fetch an order")

    def refund(self, order: OrderRef, request: RefundRequest) -> ActionResult:
        raise self._unsupported("refund")

    def cancel(
        self, order: OrderRef, *, reason: str, refund: RefundRequest | None, idempotency_key: str
    ) -> ActionResult:
        raise self._unsupported("cancel orders")

    def create_discount_code(
        self, order: OrderRef, *, amount: int, currency: str, code: str, idempotency_key: str
    ) -> ActionResult:
        raise self._unsupported("create discount codes")

    def create_replacement(
        self, order: OrderRef, *, lines: list[tuple[str, int]], note: str, idempotency_key: str
    ) -> ActionResult:
        raise self._unsupported("create replacement orders")

    def issue_store_credit(
        self, order: OrderRef, *, amount: int, currency: str, note: str, idempotency_key: str
    ) -> ActionResult:
        raise self._unsupported("issue store credit")

    def update_shipping_address(self, order: OrderRef, address: dict[str, Any]) -> ActionResult:
        raise self._unsupported("change shipping addresses")

    # --- inbound webhooks ---------------------------------------------------------------
    def verify_webhook(self, body: bytes, headers: dict[str, str]) -> bool:
        return False

    def is_ping(self, headers: dict[str, str], body: bytes) -> bool:
        """A platform's "is this address alive?" request, which carries no data: answered 200, not stored."""
        return False

    def webhook_identity(self, headers: dict[str, str], body: bytes) -> tuple[str, str]:
        """(topic, delivery id) of a verified webhook."""
        raise self._unsupported("receive webhooks")

    def parse_webhook(self, topic: str, payload: dict[str, Any]) -> WebhookMessage:
        return WebhookMessage()

    def _unsupported(self, what: str) -> ProviderError:
        return ProviderError(f"{self.label or self.name} cannot {what} from Storedesk.", permanent=True)


def body_signature(secret: str, body: bytes) -> str:
    """base64 of HMAC-SHA256(secret, raw body): how Shopify (X-Shopify-Hmac-Sha256) and
    WooCommerce (X-WC-Webhook-Signature) both sign their webhooks."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_body_signature(secret: str, body: bytes, given: str) -> bool:
    """Constant-time check of a `body_signature`; no secret or no signature never verifies."""
    if not secret or not given:
        return False
    return hmac.compare_digest(body_signature(secret, body), given.strip())
