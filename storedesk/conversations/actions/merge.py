"""Merging two conversations of one store into one."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from storedesk.conversations.models import Conversation, Message, Status
from storedesk.conversations.summaries import conversation_summary
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.events import ConversationsMerged
from storedesk.core.models import User
from storedesk.core.publish import publish
from storedesk.search import index as search_index


def do_merge_conversations(actor: User | None, source: Conversation, target: Conversation) -> Conversation:
    """Move the messages and tags of `source` into `target`; `source` is resolved and points at
    `target`. The timeline stays in time order because messages keep their own timestamps."""
    if source.store_id != target.store_id:
        raise NotFound("Conversation not found.")
    if source.pk == target.pk:
        raise ActionError("A conversation cannot be merged into itself.", code="merge_self")
    if actor is not None:
        check_permission(actor, source.store_id, "conversation.merge")
    with transaction.atomic():
        rows = Conversation.objects.select_for_update().select_related("customer").filter(pk__in=[source.pk, target.pk])
        locked = {c.pk: c for c in rows}
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise ActionError("One of these conversations was already merged.", code="already_merged")
        moved = Message.objects.filter(conversation=source).update(conversation=target)
        target.tags.add(*source.tags.all())
        stats = Message.objects.filter(conversation=target).aggregate(
            last_in=Max("created_at", filter=Q(direction=Message.Direction.INBOUND)),
            last_out=Max("created_at", filter=Q(direction=Message.Direction.OUTBOUND)),
            first_out=Min(
                "created_at", filter=Q(direction=Message.Direction.OUTBOUND, author_kind=Message.AuthorKind.AGENT)
            ),
        )
        target.message_count += moved
        target.last_customer_message_at = stats["last_in"]
        target.last_agent_message_at = stats["last_out"]
        target.first_response_at = stats["first_out"]
        target.last_message_at = max(filter(None, [target.last_message_at, source.last_message_at]))
        target.created_at = min(target.created_at, source.created_at)
        target.updated_at = timezone.now()
        if source.status == Status.OPEN and target.status != Status.OPEN:
            target.status, target.resolved_at, target.snoozed_until = Status.OPEN, None, None
        target.save()
        source.status = Status.RESOLVED
        source.resolved_at = source.resolved_at or timezone.now()
        source.merged_into = target
        source.message_count = 0
        source.save(update_fields=["status", "resolved_at", "merged_into", "message_count"])
        search_index.remove_conversation(source.pk)
        search_index.index_conversation(target)
        audit.record(
            store_id=target.store_id,
            actor=actor,
            verb="conversation.merged",
            obj=target,
            before={"source_id": source.pk},
            after={"messages_moved": moved},
        )
        audit.record(
            store_id=source.store_id,
            actor=actor,
            verb="conversation.merged_away",
            obj=source,
            after={"target_id": target.pk},
        )
        publish(
            ConversationsMerged(
                store_id=target.store_id,
                actor_id=actor.pk if actor else None,
                source_id=source.pk,
                conversation=conversation_summary(target),
            )
        )
    return target
