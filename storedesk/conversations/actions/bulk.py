"""Bulk changes from the inbox: one ordinary action per conversation, all or nothing.

Each conversation goes through the same action as a single change (do_assign, do_tag,
do_set_status), so it gets the same checks, audit row and events. The permission is checked
in every store involved before anything changes, and the whole batch runs in one
transaction: if any conversation fails, none is changed and no event is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from storedesk.conversations.actions.conversations import do_assign, do_set_status, do_tag
from storedesk.conversations.models import Conversation, Status
from storedesk.core.access import check_permission, scoped
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import User

MAX_BULK = 200
PERMISSIONS = {"assign": "conversation.assign", "tag": "conversation.tag", "resolve": "conversation.status"}


def do_bulk(
    actor: User,
    conversation_ids: Iterable[int],
    *,
    op: str,
    assignee: User | None = None,
    tag: str = "",
) -> int:
    """Apply `op` (assign / tag / resolve) to each conversation. Returns how many changed."""
    if op not in PERMISSIONS:
        raise ActionError(f"Unknown bulk action {op!r}.", code="invalid_bulk_action")
    ids = sorted(set(conversation_ids))
    if not ids:
        raise ActionError("Select at least one conversation.", code="nothing_selected")
    if len(ids) > MAX_BULK:
        raise ActionError(f"At most {MAX_BULK} conversations at a time.", code="too_many")
    if op == "tag" and not tag.strip():
        raise ActionError("Name the tag to add.", code="invalid_tag")
    conversations = list(scoped(actor, Conversation.objects.filter(pk__in=ids)).order_by("pk"))
    if len(conversations) != len(ids):
        raise NotFound("Some of these conversations were not found.")
    for store_id in sorted({c.store_id for c in conversations}):
        check_permission(actor, store_id, PERMISSIONS[op])
    changed = 0
    with transaction.atomic():
        for conversation in conversations:
            diff: dict[str, Any]
            if op == "assign":
                diff = do_assign(actor, conversation, assignee=assignee)
            elif op == "tag":
                diff = do_tag(actor, conversation, add=[tag])
            else:
                diff = do_set_status(actor, conversation, Status.RESOLVED)
            changed += bool(diff)
    return changed
