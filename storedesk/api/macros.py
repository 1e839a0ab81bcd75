"""/macros: saved replies. Any agent lists and renders them; leads and admins manage them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as WithStatus
from pydantic import ConfigDict, Field

from storedesk.api.auth import caller
from storedesk.api.conversations import get_conversation
from storedesk.api.lookups import get_store
from storedesk.api.pagination import PageParams, paginate_params
from storedesk.api.schemas import Id, OpenStatus, StoreRef
from storedesk.conversations import actions
from storedesk.conversations.models import Macro, Priority
from storedesk.core.access import access_object, store_ids_for
from storedesk.core.errors import ActionError
from storedesk.core.models import User

router = Router(tags=["macros"])

# By name. Serves: macro_store_name_uniq (store, name).
ORDERING = ("name", "id")


class MacroActions(Schema):
    """What applying the macro does besides replying."""

    model_config = ConfigDict(extra="forbid")

    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None
    status: OpenStatus | None = None
    priority: Priority | None = None


class MacroOut(Schema):
    id: int
    store_id: int
    name: str
    body: str
    actions: dict[str, Any]
    usage_count: int
    created_by_id: int | None
    created_at: datetime


class MacroPage(Schema):
    items: list[MacroOut]
    next_cursor: str | None


class MacroFilters(PageParams):
    store: str | None = Field(None, description="store id or slug")


class MacroIn(Schema):
    store: StoreRef
    name: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1)
    actions: MacroActions = Field(default_factory=MacroActions)


class MacroPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    body: str | None = Field(None, min_length=1)
    actions: MacroActions | None = None


class RenderIn(Schema):
    conversation_id: Id


class RenderOut(Schema):
    body_text: str


def _actions(value: MacroActions) -> dict[str, Any]:
    return value.model_dump(exclude_none=True, mode="json")


def get_macro(user: User, macro_id: int) -> Macro:
    return access_object(user, Macro.objects.select_related("store"), macro_id, "macro.use")


@router.get("", response=MacroPage)
def list_macros(request: HttpRequest, filters: Query[MacroFilters]) -> Any:
    user = caller(request)
    store_ids = [get_store(user, filters.store, "macro.use").pk] if filters.store else store_ids_for(user)
    return paginate_params(Macro.objects.filter(store_id__in=store_ids), ORDERING, filters)


@router.post("", response={201: MacroOut}, summary="Create a macro (lead+)")
def create_macro(request: HttpRequest, payload: MacroIn) -> WithStatus[Macro]:
    user = caller(request)
    store = get_store(user, payload.store, "macro.use")
    macro = actions.do_save_macro(user, store, name=payload.name, body=payload.body, actions=_actions(payload.actions))
    return WithStatus(201, macro)


@router.patch("/{int:macro_id}", response=MacroOut, summary="Change a macro (lead+)")
def update_macro(request: HttpRequest, macro_id: Id, payload: MacroPatchIn) -> Macro:
    user = caller(request)
    macro = get_macro(user, macro_id)
    if payload.name is None and payload.body is None and payload.actions is None:
        raise ActionError("Nothing to change: send any of name, body, actions.", code="empty_update")
    return actions.do_save_macro(
        user,
        macro.store,
        name=payload.name if payload.name is not None else macro.name,
        body=payload.body if payload.body is not None else macro.body,
        actions=_actions(payload.actions) if payload.actions is not None else macro.actions,
        macro=macro,
    )


@router.delete("/{int:macro_id}", response={204: None}, summary="Delete a macro (lead+)")
def delete_macro(request: HttpRequest, macro_id: Id) -> WithStatus[None]:
    user = caller(request)
    actions.do_delete_macro(user, get_macro(user, macro_id))
    return WithStatus(204, None)


@router.post("/{int:macro_id}/render", response=RenderOut, summary="Fill a macro's variables for a conversation")
def render_macro(request: HttpRequest, macro_id: Id, payload: RenderIn) -> dict[str, str]:
    user = caller(request)
    macro = get_macro(user, macro_id)
    conversation = get_conversation(user, payload.conversation_id)
    if macro.store_id != conversation.store_id:
        raise ActionError("That macro belongs to another store.", code="invalid_macro")
    return {"body_text": actions.render_macro(macro, conversation, user)}
