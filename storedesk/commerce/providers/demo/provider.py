"""The built-in demo store: real-looking orders for the store's own customers, no account needed.

Orders are generated deterministically from each customer's email and the connection's
creation time (so syncing twice gives the same orders), and remedies are "performed" locally:
each returns a reference derived from its idempotency key, as a platform would, so the whole
remedy flow (limits, approvals, jobs, outcomes) runs exactly as it does against Shopify.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

from storedesk.commerce.lib.money import to_minor
from storedesk.commerce.providers.base import (
    ActionResult,
    FulfillmentData,
    LineData,
    OrderData,
    OrderPage,
    OrderRef,
    Provider,
    ProviderError,
    RefundData,
    RefundRequest,
)
from storedesk.commerce.providers.demo.catalog import APPAREL, CARRIERS, HOME

PAGE_SIZE = 50  # customers per page
MAX_ORDERS = 7


def _digest(*parts: Any) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


class DemoProvider(Provider):
    name = "demo"
    label = "The demo store"

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.store = connection.store
        self.currency = (connection.config or {}).get("currency", "GBP")
        self.anchor: datetime = connection.created_at

    # --- orders ------------------------------------------------------------------------------
    def fetch_orders(self, cursor: str | None) -> OrderPage:
        from storedesk.conversations.models import Customer

        after = int(cursor.split(":", 1)[1]) if cursor and cursor.startswith("after:") else 0
        customers = list(
            Customer.objects.filter(store=self.store, merged_into__isnull=True, pk__gt=after)
            .prefetch_related("identities")
            .order_by("pk")[: PAGE_SIZE + 1]
        )
        has_more = len(customers) > PAGE_SIZE
        customers = customers[:PAGE_SIZE]
        orders = [order for customer in customers for order in self._orders_of(customer)]
        last = customers[-1].pk if customers else after
        return OrderPage(orders=orders, cursor=f"after:{last}", has_more=has_more)

    def fetch_order(self, external_id: str) -> OrderData:
        from storedesk.conversations.models import Customer

        try:
            _, customer_id, index = external_id.split("-")
            customer = Customer.objects.prefetch_related("identities").get(store=self.store, pk=int(customer_id))
            return self._orders_of(customer)[int(index)]
        except (ValueError, IndexError, Customer.DoesNotExist):
            raise ProviderError(f"Order {external_id} not found.", permanent=True, status=404) from None

    def _orders_of(self, customer: Any) -> list[OrderData]:
        identities = {identity.kind: identity.value for identity in customer.identities.all()}
        email = identities.get("email", "")
        if not email and "phone" not in identities:
            return []
        rng = random.Random(_digest(self.store.slug, email or identities.get("phone")))  # noqa: S311 - demo data
        count = rng.choice([0, 1, 1, 2, 2, 3, 4]) + (3 if customer.vip else 0)
        orders = []
        for index in range(min(count, MAX_ORDERS)):
            # Oldest first; the newest can be hours old (unfulfilled) or weeks old (delivered).
            age = timedelta(
                days=rng.randint(0, 30) + (count - 1 - index) * rng.randint(20, 60), hours=rng.randint(0, 23)
            )
            orders.append(self._order(rng, customer, email, identities.get("phone", ""), index, self.anchor - age))
        return orders

    def _order(
        self, rng: random.Random, customer: Any, email: str, phone: str, index: int, placed_at: datetime
    ) -> OrderData:
        currency = self.currency
        catalog = HOME if currency == "USD" else APPAREL
        lines = []
        for position, (title, variant, sku, price) in enumerate(rng.sample(catalog, rng.choice([1, 1, 2, 2, 3]))):
            quantity = rng.choice([1, 1, 1, 2])
            lines.append(
                LineData(
                    external_id=f"L{customer.pk}-{index}-{position}",
                    title=title,
                    variant_title=variant,
                    sku=sku,
                    quantity=quantity,
                    unit_price=to_minor(price, currency),
                )
            )
        gross = sum(line.unit_price * line.quantity for line in lines)
        code = "WELCOME10" if index == 0 and rng.random() < 0.3 else ""
        discount = gross // 10 if code else 0
        _spread_discount(lines, discount)
        for line in lines:
            line.tax = (line.unit_price * line.quantity - line.discount) // 5  # 20 % VAT / sales tax
        subtotal = gross - discount
        tax = sum(line.tax for line in lines)
        shipping = 0 if subtotal >= to_minor("75", currency) else to_minor("4.95", currency)
        total = subtotal + tax + shipping
        age = self.anchor - placed_at
        roll = rng.random()
        cancelled = roll < 0.04 and age > timedelta(days=1)
        fulfillments = [] if cancelled else self._fulfillments(rng, customer.pk, index, lines, placed_at, age)
        refunded, refunds = 0, []
        if cancelled:
            refunded = total
            refunds.append(
                RefundData(f"R{customer.pk}-{index}", total, "Order cancelled", placed_at + timedelta(hours=3))
            )
        elif 0.04 <= roll < 0.10 and fulfillments:
            refunded = to_minor("10", currency)
            refunds.append(
                RefundData(
                    f"R{customer.pk}-{index}", refunded, "Goodwill: late delivery", placed_at + timedelta(days=6)
                )
            )
        return OrderData(
            external_id=f"demo-{customer.pk}-{index}",
            name=f"#{1000 + customer.pk * MAX_ORDERS + index}",
            currency=currency,
            placed_at=placed_at,
            email=email,
            phone=phone,
            customer_name=customer.name,
            subtotal=subtotal,
            discount=discount,
            tax=tax,
            shipping=shipping,
            total=total,
            paid=total,
            refunded=refunded,
            financial_status="refunded" if refunded == total else ("partially_refunded" if refunded else "paid"),
            fulfillment_status="fulfilled" if fulfillments else "unfulfilled",
            cancelled_at=placed_at + timedelta(hours=3) if cancelled else None,
            promised_by=placed_at + timedelta(days=5),
            updated_at=max([placed_at] + [f.delivered_at or f.shipped_at or placed_at for f in fulfillments]),
            shipping_address={
                "name": customer.name,
                "address1": f"{rng.randint(1, 220)} {rng.choice(['High Street', 'Mill Lane', 'Park Road', 'Church Street'])}",
                "city": rng.choice(["Leeds", "Bristol", "York", "Brighton", "Glasgow"])
                if currency == "GBP"
                else rng.choice(["Portland", "Austin", "Boston", "Denver"]),
                "zip": f"{rng.randint(10, 99)}{rng.randint(100, 999)}",
                "country_code": "GB" if currency == "GBP" else "US",
            },
            discount_codes=[code] if code else [],
            lines=lines,
            fulfillments=fulfillments,
            refunds=refunds,
            raw={"source": "demo"},
        )

    def _fulfillments(
        self,
        rng: random.Random,
        customer_pk: int,
        index: int,
        lines: list[LineData],
        placed_at: datetime,
        age: timedelta,
    ) -> list[FulfillmentData]:
        if age < timedelta(days=1, hours=12):
            return []  # not shipped yet
        carrier, prefix, url = rng.choice(CARRIERS.get(self.currency, CARRIERS["USD"]))
        number = f"{prefix}{rng.randint(10**8, 10**9 - 1)}{'GB' if prefix == 'RM' else ''}"
        shipped_at = placed_at + timedelta(days=1, hours=rng.randint(0, 12))
        late = rng.random() < 0.12
        transit = timedelta(days=rng.randint(6, 9) if late else rng.randint(1, 3), hours=rng.randint(0, 10))
        delivered_at = shipped_at + transit
        # One recent parcel in eight is stuck with the carrier (the late-order job writes about it);
        # decided by a digest so the random stream, and every other demo order, stays as it was.
        stuck = age < timedelta(days=21) and int(_digest("stuck", customer_pk, index), 16) % 8 == 0
        in_transit = stuck or delivered_at > self.anchor
        return [
            FulfillmentData(
                external_id=f"F{customer_pk}-{index}",
                status="in_transit" if in_transit else "delivered",
                carrier=carrier,
                tracking_number=number,
                tracking_url=url.format(n=number),
                shipped_at=shipped_at,
                delivered_at=None if in_transit else delivered_at,
                estimated_delivery_at=shipped_at + timedelta(days=3),
                lines=[{"line": line.external_id, "quantity": line.quantity} for line in lines],
            )
        ]

    # --- actions, performed locally -------------------------------------------------------------
    def refund(self, order: OrderRef, request: RefundRequest) -> ActionResult:
        reference = f"demo-refund-{_digest(request.idempotency_key)[:12]}"
        return ActionResult(
            reference=reference,
            details={"amount": request.amount, "currency": request.currency},
            refund=RefundData(
                external_id=reference,
                amount=request.amount,
                note=request.reason,
                lines=[{"line": line, "quantity": qty} for line, qty in request.lines],
            ),
        )

    def cancel(
        self, order: OrderRef, *, reason: str, refund: RefundRequest | None, idempotency_key: str
    ) -> ActionResult:
        result = self.refund(order, refund) if refund is not None and refund.amount else None
        return ActionResult(
            reference=f"demo-cancel-{_digest(idempotency_key)[:12]}",
            details={"cancelled": True, "reason": reason},
            refund=result.refund if result else None,
        )

    def create_discount_code(
        self, order: OrderRef, *, amount: int, currency: str, code: str, idempotency_key: str
    ) -> ActionResult:
        return ActionResult(reference=code, details={"code": code, "amount": amount, "currency": currency})

    def create_replacement(
        self, order: OrderRef, *, lines: list[tuple[str, int]], note: str, idempotency_key: str
    ) -> ActionResult:
        name = f"#R{int(_digest(idempotency_key)[:6], 16) % 100000:05d}"
        return ActionResult(reference=name, details={"order_name": name, "lines": [list(x) for x in lines]})

    def issue_store_credit(
        self, order: OrderRef, *, amount: int, currency: str, note: str, idempotency_key: str
    ) -> ActionResult:
        code = f"CREDIT-{_digest(idempotency_key)[:8].upper()}"
        return ActionResult(reference=code, details={"gift_card_code": code, "amount": amount, "currency": currency})

    def update_shipping_address(self, order: OrderRef, address: dict[str, Any]) -> ActionResult:
        return ActionResult(reference=order.external_id, details={"shipping_address": address})


def _spread_discount(lines: list[LineData], discount: int) -> None:
    """Allocate an order discount over lines in proportion to their value, to the last unit."""
    if not discount or not lines:
        return
    gross = sum(line.unit_price * line.quantity for line in lines)
    given = 0
    for line in lines[:-1]:
        share = discount * line.unit_price * line.quantity // gross
        line.discount = share
        given += share
    lines[-1].discount = discount - given
