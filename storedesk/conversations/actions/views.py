"""Saved inbox views: an agent's named filters, personal or shared with the store."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.conversations.models import SavedView
from storedesk.conversations.queries import InboxFilters
from storedesk.core import audit
from storedesk.core.access import check_permission, has_permission
from storedesk.core.errors import ActionError, NotFound, PermissionDenied
from storedesk.core.models import Store, User

MAX_NAME = 80


def _clean_filters(store: Store, filters: dict[str, Any]) -> dict[str, str]:
    """Only the inbox's own parameters, normalised; a view always belongs to its store."""
    params = InboxFilters.from_params(filters).to_params()
    params.pop("store", None)
    return {"store": str(store.pk), **params}


def do_save_view(actor: User, store: Store, *, name: str, filters: dict[str, Any], shared: bool = False) -> SavedView:
    """Save the actor's view under `name` (saving again under the same name updates it).
    Sharing it with the store needs `view.share`."""
    check_permission(actor, store.pk, "conversation.view")
    if shared:
        check_permission(actor, store.pk, "view.share")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise ActionError(f"A view name is 1–{MAX_NAME} characters.", code="invalid_name")
    cleaned = _clean_filters(store, filters)
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(owner=actor, store=store, name=name).first()
        before: dict[str, Any] = {}
        if view is None:
            view = SavedView(owner=actor, store=store, name=name)
        else:
            before = {"filters": view.filters, "shared": view.shared}
        view.filters = cleaned
        view.shared = shared
        view.updated_at = timezone.now()
        view.save()
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="saved_view.saved",
            obj=view,
            before=before,
            after={"name": name, "filters": cleaned, "shared": shared},
        )
    return view


def do_delete_view(actor: User, view: SavedView) -> None:
    """The owner deletes their view; a shared view may also be deleted by anyone who may share."""
    check_permission(actor, view.store_id, "conversation.view")
    if view.owner_id != actor.pk:
        if not view.shared:
            raise NotFound("View not found.")  # someone else's private view does not exist for the actor
        if not has_permission(actor, view.store_id, "view.share"):
            raise PermissionDenied("Only its owner or a team lead may delete a shared view.")
    with transaction.atomic():
        audit.record(
            store_id=view.store_id,
            actor=actor,
            verb="saved_view.deleted",
            obj=view,
            before={"name": view.name, "filters": view.filters, "shared": view.shared},
        )
        view.delete()
