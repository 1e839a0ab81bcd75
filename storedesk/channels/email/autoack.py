"""The automatic acknowledgement of a new email conversation: the writer of those messages.

Off unless the store turns it on (`Store.settings["email_auto_ack"]`). When on, the first
email of a new conversation is answered once with an honest expected response time: the
wait recorded as promised for the conversation (`WaitPromise`, from `automation.wait`), or
the store's current email estimate. It is never sent

- for noise (auto-replies, bounces, lists, spam, our own mail): noise never opens a
  conversation, and mail an agent processes anyway (`accept_noise`) is not acknowledged;
- twice to the same customer within `email_auto_ack_window_hours` (24): two mails in a row,
  or a customer's auto-responder writing back, get one acknowledgement (loop protection);
- as an agent's reply: the message is outbound, authored by the system, and changes only the
  conversation's message count. `first_response_at`, `last_agent_message_at`, the SLA clocks,
  the wait promise and "unanswered" are untouched: the customer is still waiting for a person.

It leaves through the normal outbound path (`do_send_email`, with retries and delivery
status), carrying `Auto-Submitted: auto-replied` (RFC 3834) so other robots do not answer it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from storedesk.channels import registry
from storedesk.channels.email import thread
from storedesk.conversations.models import Channel, Conversation, Message
from storedesk.conversations.summaries import conversation_summary, message_summary
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.events import MessageCreated
from storedesk.core.models import Store, User
from storedesk.core.publish import publish

SETTING = "email_auto_ack"
WINDOW_SETTING = "email_auto_ack_window_hours"
DEFAULT_WINDOW_HOURS = 24


def do_set_auto_ack(actor: User | None, store: Store, *, enabled: bool, window_hours: float | None = None) -> None:
    """Turn the auto-acknowledgement on or off for a store (admins), and its loop window."""
    if actor is not None:
        check_permission(actor, store.pk, "store.manage")
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        before = {key: locked.settings.get(key) for key in (SETTING, WINDOW_SETTING) if key in locked.settings}
        after = {SETTING: bool(enabled)}
        if window_hours is not None:
            after[WINDOW_SETTING] = max(float(window_hours), 0.0)  # type: ignore[assignment]
        locked.settings = {**locked.settings, **after}
        locked.save(update_fields=["settings"])
        store.settings = locked.settings
        audit.record(
            store_id=store.pk, actor=actor, verb="email.auto_ack_saved", obj=locked, before=before, after=after
        )


def enabled(store: Store) -> bool:
    return bool(thread.store_setting(store, SETTING, False))


def window(store: Store) -> timedelta:
    return timedelta(hours=float(thread.store_setting(store, WINDOW_SETTING, DEFAULT_WINDOW_HOURS)))  # type: ignore[arg-type]


def expected_wait(conversation: Conversation, now: datetime) -> tuple[int | None, datetime | None]:
    """(seconds, reply by) we can honestly state: what was promised when the conversation
    opened, else the store's current email estimate; (None, None) when there is none."""
    from storedesk.automation.models import WaitPromise
    from storedesk.automation.wait import current_estimate

    promise = WaitPromise.objects.filter(conversation=conversation).first()
    if promise is not None:
        return promise.promised_wait_s, promise.promised_at + timedelta(seconds=promise.promised_wait_s)
    estimate = current_estimate(conversation.store, Channel.EMAIL, now)
    return estimate.expected_wait_s, estimate.reply_by


def duration(seconds: int) -> str:
    """Rounded up, in words: 'about 45 minutes', 'about 3 hours', 'about 2 days'."""
    if seconds < 3600:
        minutes = max(5, math.ceil(seconds / 300) * 5)
        return f"about {minutes} minutes"
    if seconds < 2 * 86400:
        hours = math.ceil(seconds / 3600)
        return "about 1 hour" if hours == 1 else f"about {hours} hours"
    return f"about {math.ceil(seconds / 86400)} days"


def body(store: Store, name: str, wait_s: int | None, reply_by: datetime | None) -> str:
    first = name.split()[0] if name.strip() else ""
    lines = [f"Hi {first}," if first else "Hello,", ""]
    lines.append(
        f"Thank you for writing to {store.name}. We have your email, and a person from our team will answer it."
    )
    if wait_s is not None and reply_by is not None:
        local = reply_by.astimezone(ZoneInfo(store.timezone or "UTC"))
        when = f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({store.timezone or 'UTC'})"
        lines.append(f"Right now we expect to reply within {duration(wait_s)}: by {when}.")
    else:
        lines.append("We will answer as soon as we can.")
    lines += [
        "There is no need to write again; reply to this email if you want to add something.",
        "",
        "(This is an automatic message.)",
    ]
    return "\n".join(lines)


def do_auto_acknowledge(conversation: Conversation, now: datetime | None = None) -> Message | None:
    """Acknowledge a new email conversation if the store wants it and the customer has not had
    an acknowledgement within the window. Returns the queued message, or None."""
    if conversation.channel != Channel.EMAIL or not enabled(conversation.store):
        return None
    now = now or timezone.now()
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update().select_related("customer", "store").get(pk=conversation.pk)
        )
        store = conversation.store
        sent_before = Message.objects.filter(
            Q(conversation_id=conversation.pk) | Q(created_at__gte=now - window(store)),
            store_id=store.pk,
            conversation__customer_id=conversation.customer_id,
            direction=Message.Direction.OUTBOUND,
            author_kind=Message.AuthorKind.SYSTEM,
            metadata__auto_ack=True,
        ).exists()
        if sent_before:
            return None
        wait_s, reply_by = expected_wait(conversation, now)
        message = Message.objects.create(
            store_id=store.pk,
            conversation=conversation,
            direction=Message.Direction.OUTBOUND,
            author_kind=Message.AuthorKind.SYSTEM,
            body_text=body(store, conversation.customer.name, wait_s, reply_by),
            delivery_status=Message.Delivery.QUEUED,
            metadata={
                "auto_ack": True,
                "expected_wait_s": wait_s,
                "reply_by": reply_by.isoformat() if reply_by else None,
            },
            created_at=now,
        )
        # Not a reply: only the count moves (no preview, last_*_message_at, first response, SLA).
        conversation.message_count += 1
        conversation.save(update_fields=["message_count"])
        audit.record(
            store_id=store.pk,
            actor=None,
            verb="message.auto_acknowledged",
            obj=message,
            after={"conversation_id": conversation.pk, "expected_wait_s": wait_s},
        )
        publish(
            MessageCreated(
                store_id=store.pk,
                actor_id=None,
                conversation=conversation_summary(conversation),
                message=message_summary(message),
            )
        )
        message_pk = message.pk
        transaction.on_commit(lambda: registry.enqueue_outbound(Channel.EMAIL, message_pk))
    return message
