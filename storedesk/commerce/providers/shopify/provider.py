"""Shopify through the Admin REST API: orders, refunds, cancellations, discount codes (price
rules), replacements (draft orders), store credit (gift cards), shipping addresses; inbound
webhooks verified with `X-Shopify-Hmac-Sha256`.

Connection config: {"shop": "acme.myshopify.com", "api_version": "2024-01"}; `base_url`
overrides "https://<shop>" (the tests point it at a server on 127.0.0.1). The access token
goes in `X-Shopify-Access-Token`.

Shopify's REST API has no idempotency keys, so every write we make carries a marker
`[storedesk:<key>]` (in a refund's note, a draft order's note, a gift card's note), and a retry
looks for its marker before writing again: a job that crashed after Shopify refunded but before
we recorded it does not refund twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
from storedesk.commerce.providers.shopify.mapping import order_data, refund_data

API_VERSION = "2024-01"
PAGE_LIMIT = 250
HMAC_HEADER = "x-shopify-hmac-sha256"
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="?next"?')
ORDER_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "orders/partially_fulfilled",
    "orders/edited",
)
REFETCH_TOPICS = ("refunds/create", "fulfillments/create", "fulfillments/update")


def marker(idempotency_key: str) -> str:
    return f"[storedesk:{idempotency_key}]"


sign = body_signature  # what Shopify puts in its signature header


def next_page_info(link_header: str | None) -> str | None:
    if not link_header:
        return None
    match = _NEXT_LINK.search(link_header)
    if not match:
        return None
    values = parse_qs(urlsplit(match.group(1)).query).get("page_info")
    return values[0] if values else None


class ShopifyProvider(Provider):
    name = "shopify"
    label = "Shopify"

    def __init__(self, connection: Any) -> None:
        config = connection.config or {}
        self.connection = connection
        self.version = config.get("api_version") or API_VERSION
        base = (config.get("base_url") or f"https://{config.get('shop', '')}").rstrip("/")
        self.base = f"{base}/admin/api/{self.version}"
        self.token = connection.access_token
        self.secret = connection.webhook_secret
        self.timeout = float(config.get("timeout") or http.TIMEOUT_S)

    def _call(self, method: str, path: str, **kwargs: Any) -> http.JsonResponse:
        headers = {"X-Shopify-Access-Token": self.token, "Accept": "application/json"}
        return http.request("Shopify", method, f"{self.base}/{path}", headers=headers, timeout=self.timeout, **kwargs)

    # --- orders ------------------------------------------------------------------------------
    def fetch_orders(self, cursor: str | None) -> OrderPage:
        """Orders changed since the last run, oldest change first. Cursor: {"since", "page_info", "high"}."""
        state = json.loads(cursor) if cursor else {}
        since, page_info, high = state.get("since"), state.get("page_info"), state.get("high")
        if page_info:  # Shopify allows only limit (and fields) beside page_info
            params: dict[str, Any] = {"limit": PAGE_LIMIT, "page_info": page_info}
        else:
            params = {"status": "any", "limit": PAGE_LIMIT, "order": "updated_at asc"}
            if since:
                params["updated_at_min"] = since
        response = self._call("GET", "orders.json", params=params)
        raw_orders = response.data.get("orders") or []
        orders = [order_data(o) for o in raw_orders]
        for o in raw_orders:
            if o.get("updated_at") and (high is None or o["updated_at"] > high):
                high = o["updated_at"]
        following = next_page_info(response.headers.get("link"))
        if following:
            return OrderPage(orders, json.dumps({"since": since, "page_info": following, "high": high}), True)
        return OrderPage(orders, json.dumps({"since": high or since, "page_info": None, "high": None}), False)

    def fetch_order(self, external_id: str) -> OrderData:
        return order_data(self._call("GET", f"orders/{external_id}.json").data["order"])

    # --- refunds -------------------------------------------------------------------------------
    def _existing_refund(self, order: OrderRef, key: str) -> dict[str, Any] | None:
        refunds = self._call("GET", f"orders/{order.external_id}/refunds.json").data.get("refunds") or []
        return next((r for r in refunds if marker(key) in (r.get("note") or "")), None)

    def _parent_transaction(self, order: OrderRef) -> dict[str, Any]:
        transactions = self._call("GET", f"orders/{order.external_id}/transactions.json").data.get("transactions") or []
        captured = [t for t in transactions if t.get("kind") in ("sale", "capture") and t.get("status") == "success"]
        if not captured:
            raise ProviderError(f"Shopify has no captured payment on {order.name} to refund.", permanent=True)
        return captured[-1]

    def refund(self, order: OrderRef, request: RefundRequest) -> ActionResult:
        existing = self._existing_refund(order, request.idempotency_key)
        if existing is None:
            parent = self._parent_transaction(order)
            body: dict[str, Any] = {
                "currency": request.currency,
                "notify": request.notify,
                "note": f"{request.reason} {marker(request.idempotency_key)}".strip(),
                "refund_line_items": [
                    {
                        "line_item_id": int(line),
                        "quantity": qty,
                        "restock_type": "return" if request.restock else "no_restock",
                    }
                    for line, qty in request.lines
                ],
                "transactions": [
                    {
                        "parent_id": parent["id"],
                        "amount": to_decimal_string(request.amount, request.currency),
                        "kind": "refund",
                        "gateway": parent.get("gateway"),
                    }
                ],
            }
            if request.shipping:
                body["shipping"] = {"amount": to_decimal_string(request.shipping, request.currency)}
            existing = self._call("POST", f"orders/{order.external_id}/refunds.json", json_body={"refund": body}).data[
                "refund"
            ]
        refund = refund_data(existing, request.currency)
        return ActionResult(reference=refund.external_id, details={"refund_id": refund.external_id}, refund=refund)

    def cancel(
        self, order: OrderRef, *, reason: str, refund: RefundRequest | None, idempotency_key: str
    ) -> ActionResult:
        current = self._call("GET", f"orders/{order.external_id}.json").data["order"]
        result = self.refund(order, refund) if refund is not None and refund.amount else None
        if not current.get("cancelled_at"):
            self._call(
                "POST",
                f"orders/{order.external_id}/cancel.json",
                json_body={"reason": "customer", "email": True, "restock": True},
            )
        return ActionResult(
            reference=order.external_id,
            details={"cancelled": True, "refund_id": result.reference if result else None},
            refund=result.refund if result else None,
        )

    # --- codes, credit, replacements, addresses -------------------------------------------------
    def _customer_id(self, order: OrderRef) -> int | None:
        customer = order.raw.get("customer") or {}
        return customer.get("id") if isinstance(customer.get("id"), int) else None

    def create_discount_code(
        self, order: OrderRef, *, amount: int, currency: str, code: str, idempotency_key: str
    ) -> ActionResult:
        found = self._call(
            "GET", "discount_codes/lookup.json", params={"code": code}, ok_statuses=frozenset({303, 404})
        )
        if found.status == 303:  # already made by an earlier attempt
            return ActionResult(reference=code, details={"code": code, "existing": True})
        customer_id = self._customer_id(order)
        rule: dict[str, Any] = {
            "title": code,
            "target_type": "line_item",
            "target_selection": "all",
            "allocation_method": "across",
            "value_type": "fixed_amount",
            "value": f"-{to_decimal_string(amount, currency)}",
            "usage_limit": 1,
            "once_per_customer": True,
            "customer_selection": "prerequisite" if customer_id else "all",
            "starts_at": order.raw.get("updated_at") or order.raw.get("created_at"),
        }
        if customer_id:
            rule["prerequisite_customer_ids"] = [customer_id]
        price_rule = self._call("POST", "price_rules.json", json_body={"price_rule": rule}).data["price_rule"]
        made = self._call(
            "POST", f"price_rules/{price_rule['id']}/discount_codes.json", json_body={"discount_code": {"code": code}}
        ).data["discount_code"]
        return ActionResult(reference=made.get("code", code), details={"code": code, "price_rule_id": price_rule["id"]})

    def create_replacement(
        self, order: OrderRef, *, lines: list[tuple[str, int]], note: str, idempotency_key: str
    ) -> ActionResult:
        by_id = {str(item["id"]): item for item in order.raw.get("line_items") or []}
        items = []
        for line, quantity in lines:
            item = by_id.get(line)
            if item is None:
                raise ProviderError(f"Line {line} is not on {order.name}.", permanent=True)
            if item.get("variant_id"):
                items.append({"variant_id": item["variant_id"], "quantity": quantity})
            else:
                items.append({"title": item.get("title"), "price": str(item.get("price")), "quantity": quantity})
        draft: dict[str, Any] = {
            "line_items": items,
            "note": f"Replacement for {order.name}. {note} {marker(idempotency_key)}".strip(),
            "tags": "storedesk-replacement",
            "applied_discount": {
                "title": "Replacement",
                "description": f"Replacement for {order.name}",
                "value_type": "percentage",
                "value": "100.0",
            },
        }
        if order.raw.get("shipping_address"):
            draft["shipping_address"] = order.raw["shipping_address"]
        customer_id = self._customer_id(order)
        if customer_id:
            draft["customer"] = {"id": customer_id}
        created = self._call("POST", "draft_orders.json", json_body={"draft_order": draft}).data["draft_order"]
        completed = self._call("PUT", f"draft_orders/{created['id']}/complete.json").data["draft_order"]
        return ActionResult(
            reference=str(completed.get("order_id") or created["id"]),
            details={
                "draft_order_id": created["id"],
                "order_id": completed.get("order_id"),
                "name": created.get("name"),
            },
        )

    def issue_store_credit(
        self, order: OrderRef, *, amount: int, currency: str, note: str, idempotency_key: str
    ) -> ActionResult:
        card: dict[str, Any] = {
            "initial_value": to_decimal_string(amount, currency),
            "note": f"{note} {marker(idempotency_key)}".strip(),
        }
        customer_id = self._customer_id(order)
        if customer_id:
            card["customer_id"] = customer_id
        made = self._call("POST", "gift_cards.json", json_body={"gift_card": card}).data["gift_card"]
        return ActionResult(
            reference=str(made["id"]),
            details={"gift_card_id": made["id"], "code": made.get("code") or made.get("last_characters")},
        )

    def update_shipping_address(self, order: OrderRef, address: dict[str, Any]) -> ActionResult:
        body = {"order": {"id": int(order.external_id), "shipping_address": address}}
        updated = self._call("PUT", f"orders/{order.external_id}.json", json_body=body).data["order"]
        return ActionResult(reference=order.external_id, details={"shipping_address": updated.get("shipping_address")})

    # --- webhooks --------------------------------------------------------------------------------
    def verify_webhook(self, body: bytes, headers: dict[str, str]) -> bool:
        return verify_body_signature(self.secret, body, headers.get(HMAC_HEADER, ""))

    def webhook_identity(self, headers: dict[str, str], body: bytes) -> tuple[str, str]:
        topic = headers.get("x-shopify-topic", "")
        delivery = headers.get("x-shopify-webhook-id") or headers.get("x-shopify-event-id")
        return topic, delivery or f"sha256:{hashlib.sha256(body).hexdigest()}"

    def parse_webhook(self, topic: str, payload: dict[str, Any]) -> WebhookMessage:
        if topic in ORDER_TOPICS:
            return WebhookMessage(order=order_data(payload))
        if topic in REFETCH_TOPICS and payload.get("order_id"):
            return WebhookMessage(refetch_external_id=str(payload["order_id"]))
        return WebhookMessage()
