"""The writers of the callback queue and of phone calls on the customer timeline.

- `estimated_callback_at(store, …)`: what the customer is told instead of a hold time — now
  plus the phone channel's expected wait (automation.wait), else the next opening, at the
  earliest the start of the customer's first preferred slot.
- `do_request_callback`: a callback from the widget, the phone menu (IVR) or an agent; a
  second request for the same number while one is queued updates it rather than queueing twice.
- `do_log_callback_outcome`: an agent's attempt — reached (done), voicemail / no answer
  (retry at … ; after MAX_ATTEMPTS the task is done), wrong number (done).
- `do_receive_voice_event`: a stored provider webhook → a phone conversation message with the
  call's metadata; a missed inbound call becomes a callback task.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.automation import wait
from storedesk.automation.models import CallbackOutcome, CallbackSource, CallbackStatus, CallbackTask, VoiceEvent
from storedesk.conversations import actions as conv
from storedesk.conversations.actions.customers import normalize_identity
from storedesk.conversations.models import Channel, Conversation, Customer, Identity, Status
from storedesk.core import audit
from storedesk.core.access import check_permission
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.models import Store, User

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=30)
FALLBACK_WAIT = timedelta(hours=1)  # no estimate and no opening time known
MISSED = {"no-answer", "busy", "failed", "canceled"}
Slot = tuple[datetime, datetime]


def estimated_callback_at(store: Store, slots: Sequence[Slot] = (), now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    estimate = wait.current_estimate(store, Channel.PHONE.value, now)
    if estimate.expected_wait_s is not None:
        at = now + timedelta(seconds=estimate.expected_wait_s)
    elif estimate.next_open_at is not None:
        at = estimate.next_open_at
    else:
        at = now + FALLBACK_WAIT
    for start, end in sorted(slots):
        if end > at:
            return max(at, start)
    return at


def _slots(raw: Sequence[Sequence[datetime]]) -> list[Slot]:
    slots = []
    for pair in raw:
        if len(pair) != 2 or not all(isinstance(v, datetime) and timezone.is_aware(v) for v in pair):
            raise ActionError("A preferred slot is [start, end] with time zones.", code="invalid_slot")
        if pair[1] <= pair[0]:
            raise ActionError("A preferred slot ends after it starts.", code="invalid_slot")
        slots.append((pair[0], pair[1]))
    return sorted(slots)[:10]


def _customer_for_phone(store: Store, phone: str, name: str = "") -> Customer:
    phone = normalize_identity(Identity.Kind.PHONE, phone)
    identity = Identity.objects.select_related("customer").filter(store=store, kind=Identity.Kind.PHONE, value=phone)
    found = identity.first()
    if found is not None:
        return found.customer
    return conv.do_create_customer(store, name=name, identities=[(Identity.Kind.PHONE, phone)])


def do_request_callback(
    store: Store,
    *,
    phone: str,
    source: str,
    name: str = "",
    reason: str = "",
    slots: Sequence[Sequence[datetime]] = (),
    customer: Customer | None = None,
    conversation: Conversation | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> CallbackTask:
    """Queue a callback (or update the number's queued one). `actor`: the agent booking it."""
    if actor is not None:
        check_permission(actor, store.pk, "conversation.reply")
    if source not in CallbackSource.values:
        raise ActionError("Unknown callback source.", code="invalid_source")
    phone = normalize_identity(Identity.Kind.PHONE, phone)[:40]
    if len(phone.lstrip("+")) < 5:
        raise ActionError("A callback needs a phone number.", code="invalid_phone")
    if conversation is not None and conversation.store_id != store.pk:
        raise NotFound("Conversation not found.")
    now = now or timezone.now()
    preferred = _slots(slots)
    promised = estimated_callback_at(store, preferred, now)
    with transaction.atomic():
        task = (
            CallbackTask.objects.select_for_update()
            .filter(store=store, phone=phone, status=CallbackStatus.QUEUED)
            .order_by("id")
            .first()
        )
        if customer is None:
            customer = _customer_for_phone(store, phone, name)
        created = task is None
        if task is None:
            task = CallbackTask(store=store, phone=phone, source=source, created_at=now)
        task.customer = customer
        task.conversation = conversation or task.conversation
        task.name = (name or task.name or customer.name)[:200]
        task.reason = (reason or task.reason)[:500]
        task.preferred_slots = [[a.isoformat(), b.isoformat()] for a, b in preferred] or task.preferred_slots
        if created or preferred:
            task.promised_at = task.due_at = promised
        task.save()
        audit.record(
            store_id=store.pk,
            actor=actor,
            verb="callback.requested" if created else "callback.updated",
            obj=task,
            after={"source": source, "due_at": task.due_at.isoformat(), "slots": task.preferred_slots},
        )
    return task


def do_log_callback_outcome(
    actor: User,
    task: CallbackTask,
    outcome: str,
    *,
    notes: str = "",
    retry_at: datetime | None = None,
    now: datetime | None = None,
) -> CallbackTask:
    """Record one attempt. Voicemail / no answer: retry at `retry_at` (default in 30 min)
    until MAX_ATTEMPTS; then, or on reached / wrong number, the task is done."""
    check_permission(actor, task.store_id, "conversation.reply")
    if outcome not in CallbackOutcome.values:
        raise ActionError("Unknown outcome.", code="invalid_outcome")
    now = now or timezone.now()
    with transaction.atomic():
        task = CallbackTask.objects.select_for_update().get(pk=task.pk)
        if task.status != CallbackStatus.QUEUED:
            raise ActionError("This callback is no longer queued.", code="not_queued")
        task.attempts += 1
        task.outcome = outcome
        task.assignee = actor
        retry = outcome in (CallbackOutcome.VOICEMAIL, CallbackOutcome.NO_ANSWER) and task.attempts < MAX_ATTEMPTS
        if retry:
            task.due_at = retry_at if retry_at is not None and retry_at > now else now + RETRY_AFTER
        else:
            task.status = CallbackStatus.DONE
            task.completed_at = now
        entry: dict[str, Any] = {
            "at": now.isoformat(),
            "outcome": outcome,
            "agent_id": actor.pk,
            "notes": notes[:1000],
            "retry_at": task.due_at.isoformat() if retry else None,
        }
        task.log = [*task.log, entry]
        task.save()
        audit.record(store_id=task.store_id, actor=actor, verb="callback.attempted", obj=task, after=entry)
        if task.conversation_id is not None:  # the attempt on the customer's timeline, by the agent
            label = CallbackOutcome(outcome).label
            retry_text = f" Retry at {task.due_at:%Y-%m-%d %H:%M} UTC." if retry else ""
            conv.do_add_note(
                actor,
                Conversation.objects.get(pk=task.conversation_id),
                body_text=f"Callback to {task.phone}: {label}.{retry_text}" + (f"\n{notes}" if notes else ""),
            )
    return task


def _phone_conversation(store: Store, customer: Customer) -> Conversation | None:
    return (
        Conversation.objects.filter(store=store, customer=customer, channel=Channel.PHONE)
        .exclude(status=Status.RESOLVED)
        .order_by("-id")
        .first()
    )


def do_store_voice_event(store: Store, payload: dict[str, str]) -> tuple[VoiceEvent, bool]:
    """Keep the webhook as received (before processing). (event, created): a replay is not new."""
    return VoiceEvent.objects.get_or_create(
        store=store,
        call_sid=payload.get("CallSid", "")[:64],
        call_status=payload.get("CallStatus", "")[:32],
        defaults={"payload": payload},
    )


def do_receive_voice_event(event: VoiceEvent) -> CallbackTask | None:
    """Process a stored event once: a finished call (completed, or missed) goes on the
    customer's timeline as a phone message; a missed inbound call queues a callback."""
    with transaction.atomic():
        event = VoiceEvent.objects.select_for_update().select_related("store").get(pk=event.pk)
        if event.processed_at is not None:
            return None
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])
        data, store = event.payload, event.store
        status = event.call_status
        if status != "completed" and status not in MISSED:
            return None  # ringing, in-progress …: nothing to record yet
        if data.get("Direction", "inbound") != "inbound":
            return None  # outbound calls are the agents' callbacks: logged with their outcome
        phone = data.get("From", "")
        if len(normalize_identity(Identity.Kind.PHONE, phone).lstrip("+")) < 5:
            return None
        customer = _customer_for_phone(store, phone)
        duration = int(data["CallDuration"]) if data.get("CallDuration", "").isdigit() else 0
        metadata = {
            "call": {
                "sid": event.call_sid,
                "direction": "inbound",
                "status": status,
                "duration_s": duration,
                "recording_url": data.get("RecordingUrl", "")
                if data.get("RecordingUrl", "").startswith("https://")
                else "",
                "from": data.get("From", ""),
                "to": data.get("To", ""),
            }
        }
        missed = status in MISSED
        text = f"Missed call from {phone}" if missed else f"Phone call, {duration // 60}:{duration % 60:02d}"
        conversation = _phone_conversation(store, customer)
        if conversation is None:
            conversation = conv.do_create_conversation(
                store=store, customer=customer, channel=Channel.PHONE, body_text=text, metadata=metadata,
                external_id=f"call:{event.call_sid}:{status}",
            )  # fmt: skip
        else:
            conv.do_receive_message(
                conversation, body_text=text, metadata=metadata, external_id=f"call:{event.call_sid}:{status}"
            )
        if missed:
            return do_request_callback(
                store,
                phone=phone,
                source=CallbackSource.MISSED_CALL,
                customer=customer,
                conversation=conversation,
                reason="Missed call",
            )
    return None
