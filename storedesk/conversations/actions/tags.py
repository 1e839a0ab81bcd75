"""Tag management (tagging a conversation is `do_tag`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from storedesk.conversations.models import Tag
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, Conflict
from storedesk.core.models import Store, User


def do_create_tag(actor: User | None, store: Store, name: str, color: str = "") -> Tag:
    if actor is not None:
        check_permission(actor, store.pk, "tag.create")
    name = name.strip()
    if not name or len(name) > 64:
        raise ActionError("A tag name is 1–64 characters.", code="invalid_tag")
    try:
        with transaction.atomic():
            tag = Tag.objects.create(store=store, name=name, **({"color": color} if color else {}))
            audit.record(store_id=store.pk, actor=actor, verb="tag.created", obj=tag, after={"name": name})
    except IntegrityError:
        raise Conflict(f"Tag {name!r} already exists.") from None
    return tag


def do_delete_tag(actor: User | None, tag: Tag) -> None:
    if actor is not None:
        check_permission(actor, tag.store_id, "tag.manage")
    with transaction.atomic():
        audit.record(store_id=tag.store_id, actor=actor, verb="tag.deleted", obj=tag, before={"name": tag.name})
        tag.delete()
