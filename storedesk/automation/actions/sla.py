"""The writers of ConversationSla rows: apply a policy, follow messages and status changes,
and the periodic check that warns before and alerts at a breach.

The conversation actions call `automation.sla_hooks` inside their transaction with the
conversation row locked; the periodic check locks the conversation first too, so a row is
only ever written under its conversation's lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from storedesk.automation import sla as clock
from storedesk.automation.actions.escalation import escalate
from storedesk.automation.models import BusinessHours, ConversationSla, DefaultPolicy, SlaPolicy, TimeBasis
from storedesk.conversations.models import Conversation, Message, Status
from storedesk.conversations.summaries import conversation_summary
from storedesk.core import audit
from storedesk.core.events import SlaBreached, SlaWarning
from storedesk.core.lib.business_hours import Schedule
from storedesk.core.publish import publish

# Changes that can make another policy apply (its conditions) or change the hours (team).
REMATCH_ON = {"priority", "team_id", "tags", "channel"}


def _store_hours(store_id: int) -> dict[int | None, BusinessHours]:
    return {hours.team_id: hours for hours in BusinessHours.objects.filter(store_id=store_id)}


def _schedule(policy: clock.Policy, conversation: Conversation) -> Schedule:
    if policy.time_basis == TimeBasis.CALENDAR:
        return Schedule.always_open()
    return clock.schedule_for(policy, conversation, _store_hours(conversation.store_id), conversation.store.timezone)


def _rematch(sla: ConversationSla, conversation: Conversation) -> SlaPolicy | DefaultPolicy:
    policies = list(
        SlaPolicy.objects.filter(store_id=conversation.store_id, is_active=True)
        .select_related("business_hours")
        .order_by("position", "id")
    )
    needs_tags = any(policy.tags for policy in policies)
    tag_names = list(conversation.tags.values_list("name", flat=True)) if needs_tags else []
    policy = clock.match_policy(conversation, policies, tag_names) or clock.NoPolicy()
    sla.policy = policy if isinstance(policy, SlaPolicy) else None
    sla.policy_name = policy.name
    return policy


def _sync(sla: ConversationSla, conversation: Conversation, policy: clock.Policy, now: datetime) -> None:
    """Copy the achievements from the conversation and open or close a pause to match its status."""
    sla.first_response_at = conversation.first_response_at
    sla.resolved_at = conversation.resolved_at if conversation.status == Status.RESOLVED else None
    paused = conversation.status in clock.pause_statuses(policy)
    if paused and sla.paused_at is None:
        sla.paused_at = now
    elif not paused and sla.paused_at is not None:
        if now > sla.paused_at:
            sla.pauses = [*sla.pauses, [sla.paused_at.isoformat(), now.isoformat()]]
            sla.paused_total_s += int((now - sla.paused_at).total_seconds())
        sla.paused_at = None


def _save(sla: ConversationSla, conversation: Conversation, policy: clock.Policy) -> ConversationSla:
    clock.refresh(sla, policy, _schedule(policy, conversation))
    sla.updated_at = timezone.now()
    sla.save()
    return sla


def _first_inbound_at(conversation: Conversation) -> datetime | None:
    return (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )


def _sla_of(conversation: Conversation) -> ConversationSla | None:
    return ConversationSla.objects.select_related("policy__business_hours").filter(conversation=conversation).first()


def do_apply_sla(conversation: Conversation, *, rematch: bool = True) -> ConversationSla | None:
    """(Re)apply the SLA of a conversation: match its policy (unless `rematch` is False) and
    recompute its clocks. Creates the row once the customer has written. Safe to repeat."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update().select_related("customer", "store").get(pk=conversation.pk)
        )
        sla = _sla_of(conversation)
        if sla is None:
            started = _first_inbound_at(conversation)
            if started is None:
                return None
            sla = ConversationSla(conversation=conversation, store_id=conversation.store_id, started_at=started)
            rematch = True
        policy = _rematch(sla, conversation) if rematch else clock.policy_of(sla)
        if sla.pk is None and isinstance(policy, clock.NoPolicy):
            return None
        _sync(sla, conversation, policy, timezone.now())
        return _save(sla, conversation, policy)


def note_message(conversation: Conversation, message: Message) -> None:
    """A message was added (inside the conversation action's transaction, row locked)."""
    if message.direction == Message.Direction.NOTE:
        return
    sla = _sla_of(conversation)
    if message.direction == Message.Direction.INBOUND:
        if sla is None:
            sla = ConversationSla(
                conversation=conversation, store_id=conversation.store_id, started_at=message.created_at
            )
            policy = _rematch(sla, conversation)
            if isinstance(policy, clock.NoPolicy):
                return
        else:
            policy = clock.policy_of(sla)
        if conversation.first_response_at is not None and sla.next_response_started_at is None:
            sla.next_response_started_at = message.created_at  # the customer waits on an answer again
            sla.next_response_warned = sla.next_response_breached = False
    elif sla is None or message.author_kind != Message.AuthorKind.AGENT:
        return
    else:
        policy = clock.policy_of(sla)
        if sla.next_response_started_at is not None:
            _close_next_response(sla, conversation, policy, message.created_at)
    _sync(sla, conversation, policy, message.created_at)
    _save(sla, conversation, policy)


def note_handoff(conversation: Conversation, at: datetime) -> None:
    """The bot handed a chat it held (storedesk/automation/bot/hold.py) to people: the
    first-response clock starts at `at`, not at the customer's first message. A chat that
    already has a clock (the bot was turned on mid-chat) keeps it."""
    if _sla_of(conversation) is not None:
        return
    sla = ConversationSla(conversation=conversation, store_id=conversation.store_id, started_at=at)
    policy = _rematch(sla, conversation)
    if isinstance(policy, clock.NoPolicy):
        return
    _sync(sla, conversation, policy, at)
    _save(sla, conversation, policy)


def _close_next_response(sla: ConversationSla, conversation: Conversation, policy: clock.Policy, at: datetime) -> None:
    due = clock.Clocks(sla, policy, _schedule(policy, conversation)).next_response_due_if_answered_at(at)
    if due is not None:
        if at <= due and not sla.next_response_breached:
            sla.next_response_met += 1
        else:
            sla.next_response_missed += 1
    sla.next_response_started_at = None
    sla.next_response_warned = sla.next_response_breached = False


def note_change(conversation: Conversation, changes: Iterable[str]) -> None:
    """Fields of the conversation changed (status, priority, team, tags …)."""
    changed = set(changes)
    if not changed & (REMATCH_ON | {"status"}):
        return
    sla = _sla_of(conversation)
    if sla is None:
        return
    policy = _rematch(sla, conversation) if changed & REMATCH_ON else clock.policy_of(sla)
    _sync(sla, conversation, policy, timezone.now())
    _save(sla, conversation, policy)


# --- the periodic check --------------------------------------------------------------------


def do_check_sla(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Warn about targets close to their due time and alert (and escalate) on breaches.

    Idempotent and safe to run concurrently: each row is re-read under its conversation's lock
    and its warned/breached flags are set in the same transaction as the alert.
    """
    now = now or timezone.now()
    due_ids = list(
        ConversationSla.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("conversation_id", flat=True)[:limit]
    )
    counts = {"warned": 0, "breached": 0}
    for conversation_id in due_ids:
        with transaction.atomic():
            warned, breached = _check_one(conversation_id, now)
        counts["warned"] += warned
        counts["breached"] += breached
    return counts


def _check_one(conversation_id: int, now: datetime) -> tuple[int, int]:
    conversation = (
        Conversation.objects.select_for_update().select_related("customer", "store").filter(pk=conversation_id).first()
    )
    sla = _sla_of(conversation) if conversation is not None else None
    if conversation is None or sla is None:
        return 0, 0
    policy = clock.policy_of(sla)
    schedule = _schedule(policy, conversation)
    to_warn, to_breach = clock.warn_and_breach_due(sla, policy, schedule, now)
    for kind in to_warn:
        setattr(sla, f"{kind}_warned", True)
    for kind in to_breach:
        setattr(sla, f"{kind}_breached", True)
    due_times = {kind: getattr(sla, f"{kind}_due_at") for kind in [*to_warn, *to_breach]}
    _save(sla, conversation, policy)  # flags first: escalation below re-enters the hooks
    summary = conversation_summary(conversation)
    for kind in to_warn:
        audit.record(
            store_id=conversation.store_id,
            actor=None,
            verb="sla.warning",
            obj=conversation,
            after={"kind": kind, "due_at": due_times[kind].isoformat(), "policy": sla.policy_name},
        )
        publish(SlaWarning(store_id=conversation.store_id, conversation=summary, kind=kind, due_at=due_times[kind]))
    for kind in to_breach:
        audit.record(
            store_id=conversation.store_id,
            actor=None,
            verb="sla.breached",
            obj=conversation,
            after={"kind": kind, "due_at": due_times[kind].isoformat(), "policy": sla.policy_name},
        )
        done: dict[str, Any] = escalate(conversation, policy, kind, due_times[kind])
        conversation.refresh_from_db()
        publish(
            SlaBreached(
                store_id=conversation.store_id,
                conversation=conversation_summary(conversation),
                kind=kind,
                due_at=due_times[kind],
                escalation=done,
            )
        )
    return len(to_warn), len(to_breach)


def do_recompute_store(store_id: int, batch: int = 500) -> int:
    """After opening hours or policies change: re-apply the SLA of every conversation whose
    clocks still run (due_at set or paused). Returns how many rows were recomputed."""
    ids = list(
        ConversationSla.objects.filter(store_id=store_id)
        .exclude(due_at__isnull=True, paused_at__isnull=True)
        .values_list("conversation_id", flat=True)
    )
    for start in range(0, len(ids), batch):
        for conversation in Conversation.objects.filter(pk__in=ids[start : start + batch]):
            do_apply_sla(conversation)
    return len(ids)
