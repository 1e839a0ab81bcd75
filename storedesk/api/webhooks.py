"""/webhooks: a store's outbound webhook endpoints and their delivery log (admins only).

The signing secret is returned only when it is made: on create and on rotate-secret.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as WithStatus
from pydantic import ConfigDict, Field

from storedesk.api.auth import caller
from storedesk.api.lookups import get_store
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import Id, StoreRef
from storedesk.core.access import access_object, has_permission, store_ids_for
from storedesk.core.errors import ActionError, PermissionDenied
from storedesk.core.models import User
from storedesk.webhooks import actions
from storedesk.webhooks.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])

PERMISSION = "webhook.manage"
# Oldest first. Serves: the store_id foreign-key index (a store has a handful of endpoints).
ENDPOINT_ORDERING = ("id",)


class EndpointOut(Schema):
    id: int
    store_id: int
    url: str
    description: str
    event_types: list[str] = Field(description="event types sent; empty means every event")
    is_active: bool
    created_at: datetime


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(description="HMAC-SHA256 key for X-Storedesk-Signature; shown only now")


class EndpointPage(Schema):
    items: list[EndpointOut]
    next_cursor: str | None


class EndpointFilters(PageParams):
    store: str | None = Field(None, description="store id or slug")


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreRef
    url: str = Field(min_length=1, max_length=1000)
    event_types: list[str] = Field(default_factory=list, description="empty means every event")
    description: str = Field("", max_length=200)


class EndpointPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, min_length=1, max_length=1000)
    event_types: list[str] | None = None
    description: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class DeliveryOut(Schema):
    id: uuid.UUID
    endpoint_id: int
    event_id: uuid.UUID
    event_type: str
    state: WebhookDelivery.State
    attempts: int
    next_attempt_at: datetime
    response_status: int | None
    response_body: str = Field(description="the first 2 KB of the receiver's answer")
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    replay_of_id: uuid.UUID | None
    payload: dict[str, Any]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryFilters(Schema):
    cursor: uuid.UUID | None = Field(None, description="next_cursor from the previous page; omit for the first page")
    limit: int = Field(50, ge=1, le=200, description="rows per page, 1–200")
    state: WebhookDelivery.State | None = None


def get_endpoint(user: User, endpoint_id: int) -> WebhookEndpoint:
    return access_object(user, WebhookEndpoint.objects.select_related("store"), endpoint_id, PERMISSION)


def get_delivery(user: User, delivery_id: uuid.UUID) -> WebhookDelivery:
    return access_object(
        user,
        WebhookDelivery.objects.select_related("endpoint"),
        delivery_id,
        PERMISSION,
        store_field="endpoint__store_id",
    )


@router.get("", response=EndpointPage, summary="List webhook endpoints (admin)")
def list_endpoints(request: HttpRequest, filters: Query[EndpointFilters]) -> Any:
    user = caller(request)
    if filters.store:
        store_ids = [get_store(user, filters.store, PERMISSION).pk]
    else:
        store_ids = [store_id for store_id in store_ids_for(user) if has_permission(user, store_id, PERMISSION)]
        if not store_ids:
            raise PermissionDenied(f"Your role may not do this ({PERMISSION}).")
    return paginate_params(WebhookEndpoint.objects.filter(store_id__in=store_ids), ENDPOINT_ORDERING, filters)


@router.post("", response={201: EndpointWithSecretOut}, summary="Create a webhook endpoint (admin)")
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> WithStatus[WebhookEndpoint]:
    user = caller(request)
    store = get_store(user, payload.store, PERMISSION)
    endpoint = actions.do_create_endpoint(
        user, store, url=payload.url, event_types=payload.event_types, description=payload.description
    )
    return WithStatus(201, endpoint)


@router.patch("/{int:endpoint_id}", response=EndpointOut, summary="Change a webhook endpoint (admin)")
def update_endpoint(request: HttpRequest, endpoint_id: Id, payload: EndpointPatchIn) -> WebhookEndpoint:
    user = caller(request)
    endpoint = get_endpoint(user, endpoint_id)
    fields = payload.model_dump(exclude_unset=True)
    if any(value is None for value in fields.values()):
        raise ActionError("Fields may be left out but not set to null.", code="invalid_field")
    return actions.do_update_endpoint(user, endpoint, **fields)


@router.delete("/{int:endpoint_id}", response={204: None}, summary="Delete a webhook endpoint and its log (admin)")
def delete_endpoint(request: HttpRequest, endpoint_id: Id) -> WithStatus[None]:
    user = caller(request)
    actions.do_delete_endpoint(user, get_endpoint(user, endpoint_id))
    return WithStatus(204, None)


@router.post(
    "/{int:endpoint_id}/rotate-secret", response=EndpointWithSecretOut, summary="Replace the signing secret (admin)"
)
def rotate_secret(request: HttpRequest, endpoint_id: Id) -> WebhookEndpoint:
    user = caller(request)
    return actions.do_rotate_secret(user, get_endpoint(user, endpoint_id))


@router.get(
    "/{int:endpoint_id}/deliveries", response=DeliveryPage, summary="An endpoint's delivery log, newest first (admin)"
)
def list_deliveries(request: HttpRequest, endpoint_id: Id, filters: Query[DeliveryFilters]) -> dict[str, Any]:
    user = caller(request)
    endpoint = get_endpoint(user, endpoint_id)
    # Serves: delivery_endpoint_log_idx (endpoint, -created_at); the id breaks ties.
    rows = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.cursor:
        last = WebhookDelivery.objects.filter(endpoint=endpoint, pk=filters.cursor).values("created_at", "id").first()
        if last is None:
            raise ActionError("The cursor is not valid for this list: start again without it.", code="invalid_cursor")
        rows = rows.filter(Q(created_at__lt=last["created_at"]) | Q(created_at=last["created_at"], id__lt=last["id"]))
    page = list(rows[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {"items": page, "next_cursor": str(page[-1].pk) if more else None}


@router.post(
    "/deliveries/{uuid:delivery_id}/replay",
    response={201: DeliveryOut},
    summary="Send a delivery again, as a new delivery (admin)",
)
def replay_delivery(request: HttpRequest, delivery_id: uuid.UUID) -> WithStatus[WebhookDelivery]:
    user = caller(request)
    replay = actions.do_replay_delivery(user, get_delivery(user, delivery_id))
    return WithStatus(201, replay)
