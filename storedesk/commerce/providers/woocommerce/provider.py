"""WooCommerce through its REST API v3: orders, refunds, cancellations, coupons, replacement
orders, shipping addresses; inbound webhooks verified with `X-WC-Webhook-Signature`.

Connection config: {"base_url": "https://shop.example.com"}; the access token is the REST
key pair "ck_…:cs_…" (HTTP Basic over HTTPS). Store credit is not part of core WooCommerce,
so it is refused plainly.

As with Shopify, writes carry our key (`[storedesk:<key>]` in a refund's reason, a coupon's
description, a replacement order's note; coupon codes are named from it) and a retry looks
for its own earlier write before writing again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from storedesk.commerce.lib.money import to_decimal_string
from storedesk.commerce.providers import http
from storedesk.commerce.providers.base import (
    ActionResult,
    OrderData,
    OrderPage,
    OrderRef,
    Provider,
    ProviderError,
    RefundRequest,
    WebhookMessage,
    body_signature,
    verify_body_signature,
)
from storedesk.commerce.providers.woocommerce.mapping import order_data, refund_data

PER_PAGE = 100
SIGNATURE_HEADER = "x-wc-webhook-signature"
ORDER_TOPICS = ("order.created", "order.updated", "order.restored")


def marker(idempotency_key: str) -> str:
    return f"[storedesk:{idempotency_key}]"


sign = body_signature  # what WooCommerce puts in its signature header


class WooCommerceProvider(Provider):
    name = "woocommerce"
    label = "WooCommerce"

    def __init__(self, connection: Any) -> None:
        config = connection.config or {}
        self.connection = connection
        self.base = f"{(config.get('base_url') or '').rstrip('/')}/wp-json/wc/v3"
        key, _, secret = (connection.access_token or "").partition(":")
        self.auth = (key, secret)
        self.secret = connection.webhook_secret
        self.timeout = float(config.get("timeout") or http.TIMEOUT_S)

    def _call(self, method: str, path: str, **kwargs: Any) -> http.JsonResponse:
        return http.request(
            "WooCommerce",
            method,
            f"{self.base}/{path}",
            headers={"Accept": "application/json"},
            auth=self.auth,
            timeout=self.timeout,
            **kwargs,
        )

    # --- orders ------------------------------------------------------------------------------
    def fetch_orders(self, cursor: str | None) -> OrderPage:
        """Orders modified since the last run, oldest first. Cursor: {"since", "page", "high"}."""
        state = json.loads(cursor) if cursor else {}
        since, page, high = state.get("since"), int(state.get("page") or 1), state.get("high")
        params: dict[str, Any] = {"per_page": PER_PAGE, "page": page, "orderby": "modified", "order": "asc"}
        if since:
            params.update({"modified_after": since, "dates_are_gmt": "true"})
        response = self._call("GET", "orders", params=params)
        raw_orders = response.data if isinstance(response.data, list) else []
        for o in raw_orders:
            if o.get("date_modified_gmt") and (high is None or o["date_modified_gmt"] > high):
                high = o["date_modified_gmt"]
        pages = int(response.headers.get("x-wp-totalpages") or 1)
        orders = [order_data(o) for o in raw_orders]
        if page < pages:
            return OrderPage(orders, json.dumps({"since": since, "page": page + 1, "high": high}), True)
        return OrderPage(orders, json.dumps({"since": high or since, "page": 1, "high": None}), False)

    def fetch_order(self, external_id: str) -> OrderData:
        return order_data(self._call("GET", f"orders/{external_id}").data)

    # --- refunds and cancellations -----------------------------------------------------------------
    def refund(self, order: OrderRef, request: RefundRequest) -> ActionResult:
        refunds = self._call("GET", f"orders/{order.external_id}/refunds").data or []
        existing = next((r for r in refunds if marker(request.idempotency_key) in (r.get("reason") or "")), None)
        if existing is None:
            body: dict[str, Any] = {
                "amount": to_decimal_string(request.amount, request.currency),
                "reason": f"{request.reason} {marker(request.idempotency_key)}".strip(),
                "api_refund": True,
                "api_restock": request.restock,
            }
            if request.lines:
                body["line_items"] = [{"id": int(line), "quantity": qty} for line, qty in request.lines]
            existing = self._call("POST", f"orders/{order.external_id}/refunds", json_body=body).data
        refund = refund_data(existing, request.currency)
        return ActionResult(reference=refund.external_id, details={"refund_id": refund.external_id}, refund=refund)

    def cancel(
        self, order: OrderRef, *, reason: str, refund: RefundRequest | None, idempotency_key: str
    ) -> ActionResult:
        result = self.refund(order, refund) if refund is not None and refund.amount else None
        self._call("PUT", f"orders/{order.external_id}", json_body={"status": "cancelled"})
        return ActionResult(
            reference=order.external_id,
            details={"cancelled": True, "refund_id": result.reference if result else None},
            refund=result.refund if result else None,
        )

    # --- coupons, replacements, addresses ----------------------------------------------------------
    def create_discount_code(
        self, order: OrderRef, *, amount: int, currency: str, code: str, idempotency_key: str
    ) -> ActionResult:
        found = self._call("GET", "coupons", params={"code": code}).data or []
        if found:
            return ActionResult(
                reference=code, details={"code": code, "coupon_id": found[0].get("id"), "existing": True}
            )
        coupon: dict[str, Any] = {
            "code": code,
            "discount_type": "fixed_cart",
            "amount": to_decimal_string(amount, currency),
            "individual_use": True,
            "usage_limit": 1,
            "usage_limit_per_user": 1,
            "description": f"For {order.name} {marker(idempotency_key)}",
        }
        if order.email:
            coupon["email_restrictions"] = [order.email]
        made = self._call("POST", "coupons", json_body=coupon).data
        return ActionResult(reference=code, details={"code": code, "coupon_id": made.get("id")})

    def create_replacement(
        self, order: OrderRef, *, lines: list[tuple[str, int]], note: str, idempotency_key: str
    ) -> ActionResult:
        by_id = {str(item["id"]): item for item in order.raw.get("line_items") or []}
        items = []
        for line, quantity in lines:
            item = by_id.get(line)
            if item is None:
                raise ProviderError(f"Line {line} is not on {order.name}.", permanent=True)
            items.append(
                {
                    "product_id": item.get("product_id"),
                    "variation_id": item.get("variation_id") or 0,
                    "quantity": quantity,
                    "subtotal": "0.00",
                    "total": "0.00",
                }
            )
        body = {
            "status": "processing",
            "set_paid": True,
            "customer_id": order.raw.get("customer_id") or 0,
            "billing": order.raw.get("billing") or {},
            "shipping": order.raw.get("shipping") or {},
            "line_items": items,
            "customer_note": f"Replacement for {order.name}. {note} {marker(idempotency_key)}".strip(),
        }
        made = self._call("POST", "orders", json_body=body).data
        return ActionResult(
            reference=f"#{made.get('number') or made['id']}",
            details={"order_id": made["id"], "number": made.get("number")},
        )

    def update_shipping_address(self, order: OrderRef, address: dict[str, Any]) -> ActionResult:
        first, _, last = (address.get("name") or "").partition(" ")
        shipping = {
            "first_name": first,
            "last_name": last,
            "company": address.get("company", ""),
            "address_1": address.get("address1", ""),
            "address_2": address.get("address2", ""),
            "city": address.get("city", ""),
            "state": address.get("province", ""),
            "postcode": address.get("zip", ""),
            "country": address.get("country_code", ""),
        }
        updated = self._call("PUT", f"orders/{order.external_id}", json_body={"shipping": shipping}).data
        return ActionResult(reference=order.external_id, details={"shipping": updated.get("shipping")})

    # --- webhooks --------------------------------------------------------------------------------
    def verify_webhook(self, body: bytes, headers: dict[str, str]) -> bool:
        return verify_body_signature(self.secret, body, headers.get(SIGNATURE_HEADER, ""))

    def is_ping(self, headers: dict[str, str], body: bytes) -> bool:
        """WooCommerce pings a new webhook's address with a form body `webhook_id=<id>` and no topic."""
        return not headers.get("x-wc-webhook-topic") and body.startswith(b"webhook_id=") and len(body) < 64

    def webhook_identity(self, headers: dict[str, str], body: bytes) -> tuple[str, str]:
        topic = headers.get("x-wc-webhook-topic", "")
        delivery = headers.get("x-wc-webhook-delivery-id")
        if delivery:
            return topic, f"{headers.get('x-wc-webhook-id', '')}:{delivery}"
        return topic, f"sha256:{hashlib.sha256(body).hexdigest()}"

    def parse_webhook(self, topic: str, payload: dict[str, Any]) -> WebhookMessage:
        if topic in ORDER_TOPICS:
            return WebhookMessage(order=order_data(payload))
        return WebhookMessage()
