"""/customers: search, profile with identities and recent conversations, edit, merge."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from storedesk.api.auth import caller
from storedesk.api.lookups import get_store
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import CustomerDetailOut, CustomerPage, Id, MergeIn
from storedesk.conversations import actions
from storedesk.conversations.models import Customer, Identity
from storedesk.core.access import access_object, store_ids_for
from storedesk.core.errors import ActionError
from storedesk.core.models import User

router = Router(tags=["customers"])

# Newest first. Serves: customer_store_recent_idx.
ORDERING = ("-created_at", "-id")
RECENT_CONVERSATIONS = 10


def customer_rows() -> QuerySet[Customer]:
    return Customer.objects.prefetch_related("identities")


def get_customer(user: User, customer_id: int) -> Customer:
    """A customer with their identities and latest conversations (conv_customer_idx)."""
    customer = access_object(user, customer_rows(), customer_id, "customer.view")
    recent = customer.conversations.order_by("-created_at", "-id")[:RECENT_CONVERSATIONS]
    customer.recent_conversations = list(recent)  # type: ignore[attr-defined]
    return customer


class CustomerFilters(PageParams):
    store: str | None = Field(None, description="store id or slug")
    q: str | None = Field(None, max_length=320, description="an exact email or phone, or part of the name")


def _matching(store_ids: list[int], q: str) -> Q:
    values = {actions.normalize_identity(kind, q) for kind in (Identity.Kind.EMAIL, Identity.Kind.PHONE)}
    identities = Identity.objects.filter(
        store_id__in=store_ids,
        kind__in=[Identity.Kind.EMAIL, Identity.Kind.PHONE, Identity.Kind.WHATSAPP],
        value__in=[v for v in values if v],
    )
    return Q(pk__in=identities.values("customer_id")) | Q(name__icontains=q)


@router.get("", response=CustomerPage, summary="List or search customers, newest first")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    user = caller(request)
    if filters.store:
        store_ids = [get_store(user, filters.store, "customer.view").pk]
    else:
        store_ids = store_ids_for(user)
    rows = customer_rows().filter(store_id__in=store_ids, merged_into__isnull=True)
    q = (filters.q or "").strip()
    if q:
        rows = rows.filter(_matching(store_ids, q))
    return paginate_params(rows, ORDERING, filters)


@router.get("/{int:customer_id}", response=CustomerDetailOut)
def read_customer(request: HttpRequest, customer_id: Id) -> Customer:
    return get_customer(caller(request), customer_id)


class CustomerPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    notes: str | None = None
    vip: bool | None = None
    language: str | None = Field(None, max_length=16)


@router.patch("/{int:customer_id}", response=CustomerDetailOut)
def update_customer(request: HttpRequest, customer_id: Id, payload: CustomerPatchIn) -> Customer:
    user = caller(request)
    customer = get_customer(user, customer_id)
    changes = payload.model_dump(exclude_none=True)
    if not changes:
        raise ActionError("Nothing to change: send any of name, notes, vip, language.", code="empty_update")
    actions.do_update_customer(user, customer, **changes)
    return get_customer(user, customer_id)


@router.post("/{int:customer_id}/merge", response=CustomerDetailOut, summary="Merge into another customer (lead+)")
def merge_customer(request: HttpRequest, customer_id: Id, payload: MergeIn) -> Customer:
    user = caller(request)
    source = access_object(user, Customer.objects.all(), customer_id, "customer.view")
    target = access_object(user, Customer.objects.all(), payload.into, "customer.view")
    merged = actions.do_merge_customers(user, source, target)
    return get_customer(user, merged.pk)
