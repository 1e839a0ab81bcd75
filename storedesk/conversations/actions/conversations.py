"""Conversation and message writers: the only code that changes conversations and messages.

Every function: checks the actor's permission, changes rows in one transaction with the
conversation row locked, writes an audit event, and publishes a typed event on commit.
`actor=None` means the system (channels, jobs); permission checks then do not apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.automation import sla_hooks
from storedesk.channels import registry
from storedesk.conversations.models import (
    Attachment,
    Channel,
    Conversation,
    Customer,
    Message,
    Priority,
    Status,
    Tag,
)
from storedesk.conversations.summaries import conversation_summary, message_summary
from storedesk.core import audit
from storedesk.core.access import check_permission, roles_for
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.events import ConversationCreated, ConversationUpdated, MessageCreated
from storedesk.core.lib.sanitize import clean_html, html_to_text, preview
from storedesk.core.models import Store, Team, User
from storedesk.core.publish import publish
from storedesk.search import index as search_index

Direction = Message.Direction
AuthorKind = Message.AuthorKind


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"
    inline: bool = False
    content_id: str = ""


def _check(actor: User | None, store_id: int, permission: str) -> None:
    if actor is not None:
        check_permission(actor, store_id, permission)


def _locked(conversation: Conversation) -> Conversation:
    """Re-read the conversation under a row lock (PostgreSQL; SQLite serialises writers)."""
    return Conversation.objects.select_for_update().select_related("customer").get(pk=conversation.pk)


def _snapshot(conversation: Conversation, fields: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        value = getattr(conversation, field)
        out[field] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _save_changes(
    actor: User | None, conversation: Conversation, verb: str, changes: dict[str, Any], reason: str = ""
) -> dict[str, list[Any]]:
    """Apply field changes, audit them and publish conversation.updated. Returns what changed."""
    before = _snapshot(conversation, changes)
    for field, value in changes.items():
        setattr(conversation, field, value)
    after = _snapshot(conversation, changes)
    diff = {field: [before[field], after[field]] for field in changes if before[field] != after[field]}
    if not diff:
        return {}
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=[*changes, "updated_at"])
    sla_hooks.on_change(conversation, diff)
    audit.record(
        store_id=conversation.store_id,
        actor=actor,
        verb=verb,
        obj=conversation,
        before={k: v[0] for k, v in diff.items()},
        after={k: v[1] for k, v in diff.items()},
        reason=reason,
    )
    publish(
        ConversationUpdated(
            store_id=conversation.store_id,
            actor_id=actor.pk if actor else None,
            conversation=conversation_summary(conversation),
            changes=diff,
        )
    )
    return diff


def _store_attachments(message: Message, attachments: Sequence[NewAttachment]) -> None:
    for item in attachments:
        attachment = Attachment(
            message=message,
            filename=item.filename,
            content_type=item.content_type,
            size=len(item.content),
            inline=item.inline,
            content_id=item.content_id,
        )
        attachment.file.save(item.filename, ContentFile(item.content), save=False)
        attachment.save()


def _outbound_status(conversation: Conversation) -> str:
    """Queued when a channel adapter will send it; otherwise (chat, phone) nothing to track."""
    return Message.Delivery.QUEUED if registry.has_sender(conversation.channel) else Message.Delivery.NONE


def _add_message(
    conversation: Conversation,
    *,
    direction: str,
    author_kind: str,
    author_user: User | None = None,
    author_customer: Customer | None = None,
    body_text: str = "",
    body_html: str = "",
    external_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    attachments: Sequence[NewAttachment] = (),
    delivery_status: str = "",
) -> Message:
    body_html = clean_html(body_html)
    if not body_text and body_html:
        body_text = html_to_text(body_html)
    if not body_text.strip() and not attachments:
        raise ActionError("A message needs text or an attachment.", code="empty_message")
    now = timezone.now()
    message = Message.objects.create(
        store_id=conversation.store_id,
        conversation=conversation,
        direction=direction,
        author_kind=author_kind,
        author_user=author_user,
        author_customer=author_customer,
        body_text=body_text,
        body_html=body_html,
        external_id=external_id,
        metadata=metadata or {},
        delivery_status=delivery_status,
        created_at=now,
    )
    _store_attachments(message, attachments)
    if delivery_status == Message.Delivery.QUEUED:
        channel, message_id = conversation.channel, message.pk
        transaction.on_commit(lambda: registry.enqueue_outbound(channel, message_id))
    update = ["message_count", "updated_at"]
    conversation.message_count += 1
    conversation.updated_at = now
    if direction != Direction.NOTE:
        conversation.preview = preview(body_text)
        conversation.last_message_at = now
        update += ["preview", "last_message_at"]
    if direction == Direction.INBOUND:
        conversation.last_customer_message_at = now
        update.append("last_customer_message_at")
    elif direction == Direction.OUTBOUND:
        conversation.last_agent_message_at = now
        update.append("last_agent_message_at")
        if conversation.first_response_at is None and author_kind == AuthorKind.AGENT:
            conversation.first_response_at = now
            update.append("first_response_at")
    conversation.save(update_fields=update)
    sla_hooks.on_message(conversation, message)
    search_index.index_message(message)
    publish(
        MessageCreated(
            store_id=conversation.store_id,
            actor_id=author_user.pk if author_user else None,
            conversation=conversation_summary(conversation),
            message=message_summary(message),
        )
    )
    return message


def do_create_conversation(
    *,
    store: Store,
    customer: Customer,
    channel: str,
    body_text: str = "",
    body_html: str = "",
    subject: str = "",
    actor: User | None = None,
    external_id: str | None = None,
    priority: int = Priority.NORMAL,
    team: Team | None = None,
    metadata: dict[str, Any] | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> Conversation:
    """Open a conversation with its first message.

    From a customer (actor=None): an inbound message. From an agent: an outbound message
    (a proactive contact), which is queued for delivery on the channel.
    """
    if channel not in Channel.values:
        raise ActionError(f"Unknown channel {channel!r}.", code="invalid_channel")
    if customer.store_id != store.pk:
        raise NotFound("Customer not found.")
    if team is not None and team.store_id != store.pk:
        raise NotFound("Team not found.")
    _check(actor, store.pk, "conversation.create")
    with transaction.atomic():
        now = timezone.now()
        conversation = Conversation.objects.create(
            store=store,
            customer=customer,
            channel=channel,
            subject=subject[:500],
            priority=priority,
            team=team,
            created_at=now,
            updated_at=now,
            last_message_at=now,
        )
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="conversation.created",
            obj=conversation,
            after={"channel": channel, "customer_id": customer.pk},
            actor_kind=None if actor else "customer",
        )
        publish(
            ConversationCreated(
                store_id=store.pk,
                actor_id=actor.pk if actor else None,
                conversation=conversation_summary(conversation),
            )
        )
        if actor is None:
            _add_message(
                conversation,
                direction=Direction.INBOUND,
                author_kind=AuthorKind.CUSTOMER,
                author_customer=customer,
                body_text=body_text,
                body_html=body_html,
                external_id=external_id,
                metadata=metadata,
                attachments=attachments,
            )
        else:
            _add_message(
                conversation,
                direction=Direction.OUTBOUND,
                author_kind=AuthorKind.AGENT,
                author_user=actor,
                body_text=body_text,
                body_html=body_html,
                metadata=metadata,
                attachments=attachments,
                delivery_status=_outbound_status(conversation),
            )
    return conversation


def do_receive_message(
    conversation: Conversation,
    *,
    body_text: str = "",
    body_html: str = "",
    external_id: str | None = None,
    author_customer: Customer | None = None,
    metadata: dict[str, Any] | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> tuple[Message, bool]:
    """An inbound customer message on an existing conversation. Idempotent on `external_id`:
    returns (message, created); a repeat returns the first message and changes nothing."""
    if external_id:
        existing = Message.objects.filter(store_id=conversation.store_id, external_id=external_id).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            conversation = _locked(conversation)
            message = _add_message(
                conversation,
                direction=Direction.INBOUND,
                author_kind=AuthorKind.CUSTOMER,
                author_customer=author_customer or conversation.customer,
                body_text=body_text,
                body_html=body_html,
                external_id=external_id,
                metadata=metadata,
                attachments=attachments,
            )
            if conversation.status != Status.OPEN:
                _save_changes(
                    None,
                    conversation,
                    "conversation.reopened",
                    {"status": Status.OPEN, "snoozed_until": None, "resolved_at": None},
                    reason="customer replied",
                )
    except IntegrityError:
        # Lost a race with a concurrent delivery of the same external message.
        existing = Message.objects.filter(store_id=conversation.store_id, external_id=external_id).first()
        if existing is None:
            raise
        return existing, False
    return message, True


def do_reply(
    actor: User,
    conversation: Conversation,
    *,
    body_text: str = "",
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    status_after: str | None = None,
) -> Message:
    """An agent's reply to the customer, queued for delivery on the conversation's channel."""
    _check(actor, conversation.store_id, "conversation.reply")
    if status_after is not None and status_after not in Status.values:
        raise ActionError(f"Unknown status {status_after!r}.", code="invalid_status")
    with transaction.atomic():
        conversation = _locked(conversation)
        message = _add_message(
            conversation,
            direction=Direction.OUTBOUND,
            author_kind=AuthorKind.AGENT,
            author_user=actor,
            body_text=body_text,
            body_html=body_html,
            attachments=attachments,
            delivery_status=_outbound_status(conversation),
        )
        if status_after is not None:
            _apply_status(actor, conversation, status_after)
    return message


def do_add_note(
    actor: User,
    conversation: Conversation,
    *,
    body_text: str,
    mentions: Sequence[User] = (),
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """An internal note: visible to agents only, never sent. Mentioned agents are recorded
    and notified (in the same transaction; the realtime nudge goes out after commit)."""
    _check(actor, conversation.store_id, "conversation.note")
    for user in mentions:
        if conversation.store_id not in roles_for(user):
            raise ActionError(f"{user.email} is not an agent of this store.", code="invalid_mention")
    from storedesk.notifications.actions import do_notify_mentions  # notifications build on messages

    with transaction.atomic():
        conversation = _locked(conversation)
        message = _add_message(
            conversation,
            direction=Direction.NOTE,
            author_kind=AuthorKind.AGENT,
            author_user=actor,
            body_text=body_text,
            metadata={"mentions": [user.pk for user in mentions]} if mentions else None,
            attachments=attachments,
        )
        do_notify_mentions(actor, message, mentions)
    return message


def do_add_system_note(conversation: Conversation, body_text: str, metadata: dict[str, Any] | None = None) -> Message:
    """An internal note written by Storedesk itself (a job's outcome, an expiry): no agent
    wrote it, so it is authored by the system and shown as such on the timeline."""
    with transaction.atomic():
        conversation = _locked(conversation)
        return _add_message(
            conversation,
            direction=Direction.NOTE,
            author_kind=AuthorKind.SYSTEM,
            author_user=None,
            body_text=body_text,
            metadata=metadata,
        )


def do_bot_reply(conversation: Conversation, body_text: str, metadata: dict[str, Any] | None = None) -> Message:
    """The store's bot answers the customer (storedesk/automation/bot): an outbound message
    authored by the bot, queued on the channel like an agent's reply. It is not a first
    response: `first_response_at` and the SLA clocks wait for a person."""
    with transaction.atomic():
        conversation = _locked(conversation)
        return _add_message(
            conversation,
            direction=Direction.OUTBOUND,
            author_kind=AuthorKind.BOT,
            body_text=body_text,
            metadata=metadata,
            delivery_status=_outbound_status(conversation),
        )


def do_assign(
    actor: User | None,
    conversation: Conversation,
    *,
    assignee: User | None,
    team: Team | None | object = ...,  # Ellipsis: leave the team as it is
    reason: str = "",
) -> dict[str, list[Any]]:
    """Assign to an agent of the store (or unassign with None), optionally to a team."""
    if actor is not None:
        _check(actor, conversation.store_id, "conversation.assign")
    if assignee is not None and (not assignee.is_active or conversation.store_id not in roles_for(assignee)):
        raise ActionError(f"{assignee.email} is not an active agent of this store.", code="invalid_assignee")
    changes: dict[str, Any] = {"assignee_id": assignee.pk if assignee else None}
    if team is not ...:
        if isinstance(team, Team) and team.store_id != conversation.store_id:
            raise NotFound("Team not found.")
        changes["team_id"] = team.pk if isinstance(team, Team) else None
    with transaction.atomic():
        return _save_changes(actor, _locked(conversation), "conversation.assigned", changes, reason=reason)


def _apply_status(actor: User | None, conversation: Conversation, status: str) -> dict[str, list[Any]]:
    changes: dict[str, Any] = {"status": status}
    if status == Status.RESOLVED:
        if conversation.status != Status.RESOLVED:
            changes["resolved_at"] = timezone.now()
    else:
        changes["resolved_at"] = None
    if status != Status.SNOOZED:
        changes["snoozed_until"] = None
    return _save_changes(actor, conversation, "conversation.status_changed", changes)


def do_set_status(actor: User | None, conversation: Conversation, status: str) -> dict[str, list[Any]]:
    """open / pending / resolved. Snoozing needs a time: use do_snooze."""
    if actor is not None:
        _check(actor, conversation.store_id, "conversation.status")
    if status not in Status.values:
        raise ActionError(f"Unknown status {status!r}; use one of {', '.join(Status.values)}.", code="invalid_status")
    if status == Status.SNOOZED:
        raise ActionError("Snoozing needs a time to wake up: use snooze.", code="snooze_needs_time")
    with transaction.atomic():
        return _apply_status(actor, _locked(conversation), status)


def do_snooze(actor: User | None, conversation: Conversation, until: datetime) -> dict[str, list[Any]]:
    if actor is not None:
        _check(actor, conversation.store_id, "conversation.status")
    if until <= timezone.now():
        raise ActionError("Snooze time must be in the future.", code="snooze_in_past")
    with transaction.atomic():
        conversation = _locked(conversation)
        return _save_changes(
            actor,
            conversation,
            "conversation.snoozed",
            {"status": Status.SNOOZED, "snoozed_until": until, "resolved_at": None},
        )


def do_set_priority(actor: User | None, conversation: Conversation, priority: int) -> dict[str, list[Any]]:
    if actor is not None:
        _check(actor, conversation.store_id, "conversation.priority")
    if priority not in Priority.values:
        raise ActionError(f"Unknown priority {priority!r}; use 0–3.", code="invalid_priority")
    with transaction.atomic():
        return _save_changes(actor, _locked(conversation), "conversation.priority_changed", {"priority": priority})


def do_set_subject(actor: User | None, conversation: Conversation, subject: str) -> dict[str, list[Any]]:
    if actor is not None:
        _check(actor, conversation.store_id, "conversation.reply")
    with transaction.atomic():
        conversation = _locked(conversation)
        diff = _save_changes(actor, conversation, "conversation.subject_changed", {"subject": subject[:500]})
        if diff:
            search_index.index_conversation(conversation)
        return diff


def do_tag(
    actor: User | None, conversation: Conversation, *, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> dict[str, list[Any]]:
    """Add and remove tags by name; unknown names are created if the actor may create tags."""
    store_id = conversation.store_id
    if actor is not None:
        _check(actor, store_id, "conversation.tag")
    add_names = {name.strip() for name in add if name.strip()}
    remove_names = {name.strip() for name in remove if name.strip()} - add_names
    with transaction.atomic():
        conversation = _locked(conversation)
        existing = {tag.name: tag for tag in Tag.objects.filter(store_id=store_id, name__in=add_names | remove_names)}
        missing = add_names - existing.keys()
        if missing:
            if actor is not None:
                _check(actor, store_id, "tag.create")
            for name in sorted(missing):
                existing[name] = Tag.objects.create(store_id=store_id, name=name[:64])
        before = sorted(conversation.tags.values_list("name", flat=True))
        to_add = [existing[name] for name in add_names if name not in before]
        to_remove = [existing[name] for name in remove_names if name in before and name in existing]
        if not to_add and not to_remove:
            return {}
        conversation.tags.add(*to_add)
        conversation.tags.remove(*to_remove)
        after = sorted((set(before) | {t.name for t in to_add}) - {t.name for t in to_remove})
        conversation.updated_at = timezone.now()
        conversation.save(update_fields=["updated_at"])
        sla_hooks.on_change(conversation, ["tags"])
        audit.record(
            store_id=store_id,
            actor=actor,
            verb="conversation.tagged",
            obj=conversation,
            before={"tags": before},
            after={"tags": after},
        )
        diff = {"tags": [before, after]}
        publish(
            ConversationUpdated(
                store_id=store_id,
                actor_id=actor.pk if actor else None,
                conversation=conversation_summary(conversation),
                changes=diff,
            )
        )
    return diff


def do_wake_snoozed(limit: int = 500) -> int:
    """Reopen snoozed conversations whose time has come. Safe to run concurrently and repeatedly:
    each row is re-checked under its lock, so a conversation wakes once."""
    due = list(
        Conversation.objects.filter(status=Status.SNOOZED, snoozed_until__lte=timezone.now())
        .order_by("snoozed_until")
        .values_list("pk", flat=True)[:limit]
    )
    woken = 0
    for pk in due:
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().select_related("customer").get(pk=pk)
            if conversation.status != Status.SNOOZED or conversation.snoozed_until is None:
                continue
            if conversation.snoozed_until > timezone.now():
                continue
            _save_changes(
                None,
                conversation,
                "conversation.woken",
                {"status": Status.OPEN, "snoozed_until": None},
                reason="snooze time reached",
            )
            woken += 1
    return woken
