"""The only writers of notifications.

A notification is personal (one agent's inbox of mentions), not a change to shared data, so
it writes no audit row; the note that caused it has its own. The recipient's open tabs hear
about it on commit through their `user.<id>` group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from storedesk.conversations.models import Message
from storedesk.core import realtime
from storedesk.core.events import NotificationCreated
from storedesk.core.lib.sanitize import preview
from storedesk.core.models import User
from storedesk.notifications.models import Notification


def unread_count(user: User) -> int:
    """Serves the top bar badge (notification_unread_idx)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def do_notify_mentions(actor: User | None, message: Message, recipients: Sequence[User]) -> list[Notification]:
    """Notify each mentioned agent (never the author). Idempotent per (message, recipient).

    Call inside the transaction that wrote the note: the notifications commit with it and the
    realtime sends happen only after commit.
    """
    wanted = {user.pk: user for user in recipients if actor is None or user.pk != actor.pk}
    if not wanted:
        return []
    with transaction.atomic():
        already = set(
            Notification.objects.filter(message=message, recipient_id__in=wanted).values_list("recipient_id", flat=True)
        )
        created = Notification.objects.bulk_create(
            [
                Notification(
                    store_id=message.store_id,
                    recipient_id=pk,
                    actor=actor,
                    kind=Notification.Kind.MENTION,
                    conversation_id=message.conversation_id,
                    message=message,
                    text=preview(message.body_text),
                )
                for pk in sorted(wanted)
                if pk not in already
            ]
        )
        for notification in created:
            _send_on_commit(notification)
    return created


def do_notify_delivery_failed(message: Message) -> Notification | None:
    """Tell the agent who wrote an outbound message that it failed or bounced. Once per message
    (the (message, recipient) constraint); nothing for a message no agent wrote."""
    if message.author_user_id is None:
        return None
    with transaction.atomic():
        if Notification.objects.filter(message=message, recipient_id=message.author_user_id).exists():
            return None
        notification = Notification.objects.create(
            store_id=message.store_id,
            recipient_id=message.author_user_id,
            actor=None,
            kind=Notification.Kind.DELIVERY_FAILED,
            conversation_id=message.conversation_id,
            message=message,
            text=preview(f"{message.get_delivery_status_display()}: {message.delivery_error}"),
        )
        _send_on_commit(notification)
    return notification


def _send_on_commit(notification: Notification) -> None:
    def send() -> None:
        event = NotificationCreated(
            store_id=notification.store_id,
            actor_id=notification.actor_id,
            notification_id=notification.pk,
            recipient_id=notification.recipient_id,
            kind=notification.kind,
            conversation_id=notification.conversation_id,
            text=notification.text,
            unread=Notification.objects.filter(recipient_id=notification.recipient_id, read_at__isnull=True).count(),
        )
        realtime.send_to(event, [realtime.user_group(notification.recipient_id)])

    transaction.on_commit(send)


def do_mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when `notification_ids` is None).
    Someone else's ids are silently ignored: the filter is on the recipient."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())
