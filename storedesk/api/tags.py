"""/tags: a store's tags; create (any agent), delete (lead+)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as WithStatus
from pydantic import Field

from storedesk.api.auth import caller
from storedesk.api.lookups import get_store
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import Id, StoreRef
from storedesk.conversations import actions
from storedesk.conversations.models import Tag
from storedesk.core.access import access_object, store_ids_for

router = Router(tags=["tags"])

# By name. Serves: tag_store_name_uniq (store, name).
ORDERING = ("name", "id")


class TagOut(Schema):
    id: int
    store_id: int
    name: str
    color: str


class TagPage(Schema):
    items: list[TagOut]
    next_cursor: str | None


class TagFilters(PageParams):
    store: str | None = Field(None, description="store id or slug")


class TagIn(Schema):
    store: StoreRef
    name: str = Field(min_length=1, max_length=64)
    color: str = Field("", pattern=r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6})?$", description="#rgb or #rrggbb")


@router.get("", response=TagPage)
def list_tags(request: HttpRequest, filters: Query[TagFilters]) -> Any:
    user = caller(request)
    store_ids = [get_store(user, filters.store).pk] if filters.store else store_ids_for(user)
    return paginate_params(Tag.objects.filter(store_id__in=store_ids), ORDERING, filters)


@router.post("", response={201: TagOut})
def create_tag(request: HttpRequest, payload: TagIn) -> WithStatus[Tag]:
    user = caller(request)
    store = get_store(user, payload.store)
    return WithStatus(201, actions.do_create_tag(user, store, payload.name, payload.color))


@router.delete("/{int:tag_id}", response={204: None}, summary="Delete a tag (lead+); it leaves every conversation")
def delete_tag(request: HttpRequest, tag_id: Id) -> WithStatus[None]:
    user = caller(request)
    actions.do_delete_tag(user, access_object(user, Tag.objects.all(), tag_id))
    return WithStatus(204, None)
