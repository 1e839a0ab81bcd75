"""/orders: look orders up (number, email, phone, tracking number), read one, push orders in;
and the platforms' webhook receiver. Remedies and approvals are in `remedies.py`.

Thin: parse, scope through `core.access`, call one action or query, shape the answer.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja import Status as WithStatus
from pydantic import Field

from storedesk.api.auth import caller
from storedesk.api.errors import error_response
from storedesk.api.lookups import get_store
from storedesk.api.order_schemas import OrderDetailOut, OrderPage
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import Id, StoreRef
from storedesk.commerce import queries
from storedesk.commerce.actions import do_import_order, do_receive_webhook
from storedesk.commerce.importer import ImportedOrder
from storedesk.commerce.models import Order, StoreConnection
from storedesk.commerce.providers import ProviderError, provider_for
from storedesk.conversations.models import Customer
from storedesk.core.access import access_object, store_ids_for
from storedesk.core.models import User

log = logging.getLogger(__name__)

router = Router(tags=["orders"])

# Newest first. Serves: order_store_recent_idx / order_customer_recent_idx.
ORDERING = ("-placed_at", "-id")


def get_order(user: User, order_id: int) -> Order:
    return access_object(user, queries.order_rows(), order_id, "order.view")


class OrderFilters(PageParams):
    store: str | None = Field(None, description="store id or slug")
    q: str | None = Field(
        None, max_length=320, description="an order number (#1001), email, phone or tracking number, matched exactly"
    )
    customer: Id | None = Field(None, description="a customer's orders (and those of customers merged into them)")


@router.get("", response=OrderPage, summary="List orders, or look them up by number, email, phone or tracking number")
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    user = caller(request)
    if filters.store:
        store_ids = [get_store(user, filters.store, "order.view").pk]
    else:
        store_ids = store_ids_for(user)
    q = (filters.q or "").strip()
    rows = queries.find_orders(store_ids, q) if q else Order.objects.filter(store_id__in=store_ids)
    if filters.customer is not None:
        customer = access_object(user, Customer.objects.all(), filters.customer, "order.view")
        rows = rows.filter(queries.of_customer(customer))
    return paginate_params(queries.order_rows(rows), ORDERING, filters)


@router.get(
    "/{int:order_id}", response=OrderDetailOut, summary="One order with lines, fulfilments, refunds and remedies"
)
def read_order(request: HttpRequest, order_id: Id) -> Order:
    return get_order(caller(request), order_id)


class OrderPushIn(ImportedOrder):
    store: StoreRef = Field(description="store id or slug")


@router.post(
    "",
    response={200: OrderDetailOut, 201: OrderDetailOut},
    summary="Push an order from any system (created, or updated by external_id / number): admin",
)
def push_order(request: HttpRequest, payload: OrderPushIn) -> WithStatus[Order]:
    user = caller(request)
    store = get_store(user, payload.store, "order.import")
    order, created = do_import_order(user, store, ImportedOrder(**payload.model_dump(exclude={"store"})))
    return WithStatus(201 if created else 200, get_order(user, order.pk))


# --- platform webhooks -------------------------------------------------------------------------

# Headers kept with a stored webhook: the platform's own (topic, ids, signature), nothing else.
_KEPT_HEADER_PREFIXES = ("x-shopify-", "x-wc-")


def _platform_headers(request: HttpRequest) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in request.headers.items()
        if name.lower().startswith(_KEPT_HEADER_PREFIXES) or name.lower() == "content-type"
    }


class Received(Schema):
    received: bool  # false for a platform's ping, which is answered but not stored
    duplicate: bool
    id: int | None


@router.post(
    "/webhooks/{int:connection_id}",
    auth=None,
    response={200: Received},
    summary="Receive a store platform webhook (Shopify, WooCommerce); the signature is verified",
)
def receive_webhook(request: HttpRequest, connection_id: int) -> HttpResponse | WithStatus[dict[str, Any]]:
    from storedesk.api.main import api

    connection = StoreConnection.objects.filter(pk=connection_id, active=True).first()
    if connection is None:
        return error_response(api, request, 404, "not_found", "No such store connection.")
    headers = _platform_headers(request)
    try:
        provider = provider_for(connection)
        if provider.is_ping(headers, request.body):
            return WithStatus(200, {"received": False, "duplicate": False, "id": None})
        verified = provider.verify_webhook(request.body, headers)
    except ProviderError:
        verified = False
    if not verified:
        log.warning(
            "rejected %s webhook for connection %s: bad signature (topic %r, from %s)",
            connection.provider,
            connection.pk,
            headers.get("x-shopify-topic") or headers.get("x-wc-webhook-topic", ""),
            request.META.get("REMOTE_ADDR", "?"),
        )
        return error_response(api, request, 401, "bad_signature", "The webhook signature does not verify.")
    webhook, created = do_receive_webhook(connection, request.body, headers)
    return WithStatus(200, {"received": True, "duplicate": not created, "id": webhook.pk})
