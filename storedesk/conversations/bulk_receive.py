"""The bulk writer of inbound customer messages: what `do_create_conversation` (from a
customer) and `do_receive_message` write, for a batch of messages at once.

Channels that take mail in bulk (`storedesk ingest-email`, an IMAP fetch) call it with their
decisions made (customer, conversation or a new one). Per batch it reads the SLA policies,
business hours, existing SLA rows, tags and webhook endpoints once, and writes conversations,
messages, attachments, audit rows, SLA rows, wait promises and search documents with a
handful of set-based statements instead of ~30 per message. The rows written are the ones
the single-message actions write (tests/conversations/test_bulk_receive.py and the email
channel's batch test compare them); events are the same typed events, published per
message on commit, the realtime ones sent together.

Preconditions, checked (a `BatchConflict` tells the caller to use the single path instead):
each existing conversation appears once, is open, not merged, of the batch's store and of
the message's customer; external ids are unique within the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from storedesk.conversations.actions.conversations import NewAttachment
from storedesk.conversations.models import Attachment, Conversation, Customer, Identity, Message, Priority, Status
from storedesk.core.events import (
    BaseEvent,
    ConversationCreated,
    ConversationSummary,
    MessageCreated,
    MessageSummary,
)
from storedesk.core.lib.sanitize import clean_html, html_to_text, preview
from storedesk.core.models import AuditEvent, Store
from storedesk.core.publish import publish_many

Direction = Message.Direction
AuthorKind = Message.AuthorKind


class BatchConflict(Exception):
    """The batch breaks a precondition: the caller writes these messages one by one."""


@dataclass
class NewInbound:
    """One inbound customer message: onto `conversation` (open, locked by this writer) or, when
    None, opening a new conversation with `subject` on `channel`."""

    customer: Customer
    channel: str
    conversation: Conversation | None = None
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    external_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: Sequence[NewAttachment] = ()
    message: Message | None = None  # set by do_receive_batch


# --- customers --------------------------------------------------------------------------------


def resolve_customers(store: Store, kind: str, wanted: Sequence[tuple[str, str]]) -> dict[str, Customer]:
    """`resolve_customer` for many (value, name) pairs: one read, and the missing customers
    created together (with their identity and a `customer.created` audit row each, as
    `do_create_customer` writes them). Values must be normalised; the first name given for a
    value names a new customer. Returns value → customer (not following merges)."""
    values = list(dict.fromkeys(value for value, _ in wanted))
    found = {
        identity.value: identity.customer
        for identity in Identity.objects.select_related("customer").filter(store=store, kind=kind, value__in=values)
    }
    names: dict[str, str] = {}
    for value, name in wanted:
        names.setdefault(value, name)
    missing = [value for value in values if value not in found]
    if not missing:
        return found
    customers = insert_rows([Customer(store=store, name=names[value][:200]) for value in missing])
    insert_rows(
        [
            Identity(store=store, customer=customer, kind=kind, value=value)
            for value, customer in zip(missing, customers, strict=True)
        ]
    )
    insert_rows(
        [
            AuditEvent(
                store_id=store.pk,
                actor=None,
                actor_kind=AuditEvent.ActorKind.SYSTEM,
                verb="customer.created",
                object_type="customer",
                object_id=customer.pk,
                before={},
                after={"name": customer.name, "identities": [f"{kind}:{value}"]},
            )
            for value, customer in zip(missing, customers, strict=True)
        ]
    )
    found.update(zip(missing, customers, strict=True))
    return found


def insert_rows(objs: Sequence[Any]) -> list[Any]:
    """`bulk_create` for rows with an auto-increment id and plain fields: multi-row INSERT …
    RETURNING id, the values prepared by each field as the ORM prepares them. Django's
    `bulk_create` compiles every value through the query machinery, which cost more than
    the database's work for these rows."""
    if not objs:
        return list(objs)
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(connection.ops.bulk_batch_size(fields, objs), 30_000 // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in fields]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} "  # noqa: S608
                f"RETURNING {quote(meta.pk.column)}",
                params,
            )
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, connection.alias
    return list(objs)


def update_rows(objs: Sequence[Any], fields: Sequence[str]) -> None:
    """Save these fields of many rows of one model: one UPDATE statement run per row
    (executemany). Django's `bulk_update` builds a CASE per field over every row, which costs
    more Python than the rows it saves."""
    if not objs:
        return
    meta = type(objs[0])._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in columns)} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- messages ---------------------------------------------------------------------------------


def _check(store: Store, items: Sequence[NewInbound]) -> None:
    seen_conversations: set[int] = set()
    seen_ids: set[str] = set()
    for item in items:
        if item.customer.store_id != store.pk:
            raise BatchConflict("customer of another store")
        if item.external_id:
            if item.external_id in seen_ids:
                raise BatchConflict(f"external id {item.external_id} twice")
            seen_ids.add(item.external_id)
        if item.conversation is not None:
            if item.conversation.pk in seen_conversations:
                raise BatchConflict(f"conversation {item.conversation.pk} twice")
            seen_conversations.add(item.conversation.pk)


def _lock_existing(store: Store, items: Sequence[NewInbound]) -> None:
    """Re-read the conversations messages go onto under a row lock, in id order (PostgreSQL;
    SQLite serialises writers), and check they can take a message without a status change."""
    ids = sorted(item.conversation.pk for item in items if item.conversation is not None)
    if not ids:
        return
    rows = Conversation.objects.select_for_update().filter(store_id=store.pk, pk__in=ids).order_by("pk")
    locked = {conversation.pk: conversation for conversation in rows}
    for item in items:
        if item.conversation is None:
            continue
        conversation = locked.get(item.conversation.pk)
        if conversation is None or conversation.merged_into_id is not None:
            raise BatchConflict(f"conversation {item.conversation.pk} is gone or merged")
        if conversation.status != Status.OPEN:
            raise BatchConflict(f"conversation {conversation.pk} would be reopened")
        if conversation.customer_id != item.customer.pk:
            raise BatchConflict(f"conversation {conversation.pk} belongs to another customer")
        conversation.customer = item.customer
        conversation.store = store
        item.conversation = conversation


def do_receive_batch(store: Store, items: Sequence[NewInbound]) -> list[Message]:
    """Write a batch of inbound customer messages in one transaction: the rows the
    single-message actions would write, events on commit. Raises BatchConflict (nothing
    written) when a precondition fails."""
    items = list(items)
    if not items:
        return []
    _check(store, items)
    for item in items:
        item.body_html = clean_html(item.body_html)
        if not item.body_text and item.body_html:
            item.body_text = html_to_text(item.body_html)
        if not item.body_text.strip() and not item.attachments:
            raise BatchConflict("a message needs text or an attachment")
    with transaction.atomic():
        _lock_existing(store, items)
        now = timezone.now()
        new = [item for item in items if item.conversation is None]
        estimates = _estimates(store, new, now)
        created = insert_rows(
            [
                Conversation(
                    store=store,
                    customer=item.customer,
                    channel=item.channel,
                    subject=item.subject[:500],
                    priority=Priority.NORMAL,
                    created_at=now,
                    updated_at=now,
                    last_message_at=now,
                    last_customer_message_at=now,
                    preview=preview(item.body_text),
                    message_count=1,
                )
                for item in new
            ]
        )
        for item, conversation in zip(new, created, strict=True):
            conversation.store, conversation.customer = store, item.customer
            item.conversation = conversation
        messages = insert_rows(
            [
                Message(
                    store_id=store.pk,
                    conversation=item.conversation,
                    direction=Direction.INBOUND,
                    author_kind=AuthorKind.CUSTOMER,
                    author_customer=item.customer,
                    body_text=item.body_text,
                    body_html=item.body_html,
                    external_id=item.external_id,
                    metadata=item.metadata or {},
                    delivery_status=Message.Delivery.NONE,
                    created_at=now,
                )
                for item in items
            ]
        )
        for item, message in zip(items, messages, strict=True):
            message.author_customer = item.customer
            item.message = message
        _store_attachments(items)
        new_ids = {id(item) for item in new}
        replies = [item for item in items if id(item) not in new_ids]
        for item in replies:
            conversation = item.conversation
            assert conversation is not None
            conversation.message_count += 1
            conversation.updated_at = conversation.last_message_at = conversation.last_customer_message_at = now
            conversation.preview = preview(item.body_text)
        if replies:
            update_rows(
                [item.conversation for item in replies],
                ["message_count", "updated_at", "preview", "last_message_at", "last_customer_message_at"],
            )
        insert_rows(
            [
                AuditEvent(
                    store_id=store.pk,
                    actor=None,
                    actor_kind="customer",
                    verb="conversation.created",
                    object_type="conversation",
                    object_id=conversation.pk,
                    before={},
                    after={"channel": conversation.channel, "customer_id": item.customer.pk},
                )
                for item, conversation in zip(new, created, strict=True)
            ]
        )
        _apply_sla(store, items, replies)
        # A conversation's first customer message (a new one, or one that had none) promises a
        # wait and is routed, as sla_hooks.on_message does.
        firsts = [item for item in replies if item.conversation.message_count == 1]  # type: ignore[union-attr]
        _promise_waits(store, new, firsts, estimates)
        _route(store, [*new, *firsts])
        _index(new, replies)
        _publish(store, items, replies)
    return messages


def _store_attachments(items: Sequence[NewInbound]) -> None:
    rows = []
    for item in items:
        for attachment in item.attachments:
            row = Attachment(
                message=item.message,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=len(attachment.content),
                inline=attachment.inline,
                content_id=attachment.content_id,
            )
            row.file.save(attachment.filename, ContentFile(attachment.content), save=False)
            rows.append(row)
    if rows:
        Attachment.objects.bulk_create(rows)


# --- SLA clocks and wait promises (automation.actions.sla / .wait, for many) ------------------


def _apply_sla(store: Store, items: Sequence[NewInbound], replies: Sequence[NewInbound]) -> None:
    """`sla_hooks.on_message` for a customer message, per item: start the clock of a new
    conversation (its policy matched once per batch), restart the next-response clock of
    a conversation that had been answered."""
    from storedesk.automation import sla as clock
    from storedesk.automation.actions.sla import _sync
    from storedesk.automation.models import BusinessHours, ConversationSla, SlaPolicy, TimeBasis
    from storedesk.core.lib.business_hours import Schedule

    policies = list(
        SlaPolicy.objects.filter(store_id=store.pk, is_active=True)
        .select_related("business_hours")
        .order_by("position", "id")
    )
    needs_tags = any(policy.tags for policy in policies)
    hours: dict[int | None, BusinessHours] | None = None

    def schedule(policy: Any, conversation: Conversation) -> Schedule:
        nonlocal hours
        if policy.time_basis == TimeBasis.CALENDAR:
            return Schedule.always_open()
        if hours is None:
            hours = {row.team_id: row for row in BusinessHours.objects.filter(store_id=store.pk)}
        return clock.schedule_for(policy, conversation, hours, store.timezone)

    existing_ids = [item.conversation.pk for item in replies]  # type: ignore[union-attr]
    slas = {
        sla.conversation_id: sla
        for sla in ConversationSla.objects.select_related("policy__business_hours").filter(
            conversation_id__in=existing_ids
        )
    } if existing_ids else {}  # fmt: skip
    tags: dict[int, list[str]] = {}
    if needs_tags and existing_ids:
        through = Conversation.tags.through
        for conversation_id, name in through.objects.filter(conversation_id__in=existing_ids).values_list(
            "conversation_id", "tag__name"
        ):
            tags.setdefault(conversation_id, []).append(name)
    to_create, to_update = [], []
    for item in items:
        conversation, message = item.conversation, item.message
        assert conversation is not None and message is not None
        sla = slas.get(conversation.pk)
        if sla is None:
            sla = ConversationSla(conversation=conversation, store_id=store.pk, started_at=message.created_at)
            policy = clock.match_policy(conversation, policies, tags.get(conversation.pk, [])) or clock.NoPolicy()
            sla.policy = policy if isinstance(policy, SlaPolicy) else None
            sla.policy_name = policy.name
            if isinstance(policy, clock.NoPolicy):
                continue
            to_create.append(sla)
        else:
            policy = clock.policy_of(sla)
            to_update.append(sla)
        if conversation.first_response_at is not None and sla.next_response_started_at is None:
            sla.next_response_started_at = message.created_at  # the customer waits on an answer again
            sla.next_response_warned = sla.next_response_breached = False
        _sync(sla, conversation, policy, message.created_at)
        clock.refresh(sla, policy, schedule(policy, conversation))
        sla.updated_at = timezone.now()
    if to_create:
        insert_rows(to_create)
    if to_update:
        fields = [f.name for f in ConversationSla._meta.concrete_fields if not f.primary_key]
        update_rows(to_update, [f for f in fields if f not in ("conversation", "store")])


def _estimates(store: Store, new: Sequence[NewInbound], now: datetime) -> dict[str, Any]:
    """The published wait estimate per channel (cached for a minute), read before the batch's
    conversations exist: a computed one counts the backlog ahead of the first of them, as
    `wait.note_first_message` does when it opens alone."""
    from storedesk.automation.wait import current_estimate

    return {channel: current_estimate(store, channel, now) for channel in dict.fromkeys(i.channel for i in new)}


def _promise_waits(
    store: Store, new: Sequence[NewInbound], firsts: Sequence[NewInbound], estimates: dict[str, Any]
) -> None:
    """`wait.note_first_message` for each new conversation: the estimate recorded as the wait
    we promised. `firsts` (existing conversations that had no customer message) go through
    it as they are."""
    from storedesk.automation.actions import wait
    from storedesk.automation.models import WaitPromise

    for item in firsts:
        wait.note_first_message(item.conversation, item.message)  # type: ignore[arg-type]
    promises = []
    for item in new:
        conversation, message = item.conversation, item.message
        assert conversation is not None and message is not None
        result = estimates[conversation.channel]
        if result.expected_wait_s is None:
            continue
        promises.append(
            WaitPromise(
                conversation=conversation,
                store_id=store.pk,
                channel=conversation.channel,
                promised_at=message.created_at,
                promised_wait_s=result.expected_wait_s,
                method=result.method,
            )
        )
    if promises:
        insert_rows(promises)


def _route(store: Store, new: Sequence[NewInbound]) -> None:
    """Conversations with their first customer message are routed one by one when the store
    routes (an agent's load changes with every assignment)."""
    if not new or not (store.settings.get("routing") or {}).get("enabled"):
        return
    from storedesk.automation.actions import routing

    for item in new:
        conversation = item.conversation
        assert conversation is not None
        if conversation.assignee_id is None:
            routing.do_route(conversation)


# --- search and events ------------------------------------------------------------------------


def _index(new: Sequence[NewInbound], replies: Sequence[NewInbound]) -> None:
    """New documents in one INSERT … SELECT; a reply's text appended to its document (as
    `search.index.index_message` does), the document built when it has none."""
    from storedesk.search import index as search_index
    from storedesk.search.backends.base import APPEND_SQL, BODY_SEPARATOR, placeholders

    rebuild = [item.conversation.pk for item in new]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        for item in replies:
            message = item.message
            assert message is not None
            if message.body_text == "":
                rebuild.append(message.conversation_id)
                continue
            cursor.execute(APPEND_SQL, [message.body_text, BODY_SEPARATOR, message.body_text, message.conversation_id])
            if not cursor.rowcount:
                rebuild.append(message.conversation_id)
    if rebuild:
        search_index._upsert(f"c.id IN ({placeholders(rebuild)})", rebuild)


def _summary(conversation: Conversation, tags: list[str], **overrides: Any) -> ConversationSummary:
    values: dict[str, Any] = {
        "id": conversation.pk,
        "status": conversation.status,
        "priority": conversation.priority,
        "channel": conversation.channel,
        "subject": conversation.subject,
        "preview": conversation.preview,
        "customer_id": conversation.customer_id,
        "customer_name": conversation.customer.name,
        "assignee_id": conversation.assignee_id,
        "team_id": conversation.team_id,
        "tags": tags,
        "last_message_at": conversation.last_message_at,
    }
    values.update(overrides)
    return ConversationSummary(**values)


def _publish(store: Store, items: Sequence[NewInbound], replies: Sequence[NewInbound]) -> None:
    """conversation.created (as it was before its first message) and message.created, per
    message in order, through core.publish.publish_many (webhook deliveries written now with
    the endpoints read once; the store's change stamp and realtime on commit)."""
    existing_ids = [item.conversation.pk for item in replies]  # type: ignore[union-attr]
    tags: dict[int, list[str]] = {}
    if existing_ids:
        through = Conversation.tags.through
        for conversation_id, name in through.objects.filter(conversation_id__in=existing_ids).values_list(
            "conversation_id", "tag__name"
        ):
            tags.setdefault(conversation_id, []).append(name)
    reply_ids = {id(item) for item in replies}
    events: list[BaseEvent] = []
    for item in items:
        conversation, message = item.conversation, item.message
        assert conversation is not None and message is not None
        if id(item) not in reply_ids:
            events.append(
                ConversationCreated(
                    store_id=store.pk,
                    actor_id=None,
                    conversation=_summary(conversation, [], preview="", assignee_id=None),
                )
            )
        events.append(
            MessageCreated(
                store_id=store.pk,
                actor_id=None,
                conversation=_summary(conversation, sorted(tags.get(conversation.pk, []))),
                message=MessageSummary(
                    id=message.pk,
                    direction=message.direction,
                    author_kind=message.author_kind,
                    author_name=item.customer.name,
                    body_text=message.body_text,
                    created_at=message.created_at,
                ),
            )
        )
    publish_many(store.pk, events)
